package api

import (
	"context"
	"net/http"
	"sync"

	"github.com/danielgtaylor/huma/v2"
)

// operations are the API's operations as huma registered them, with the
// document they make, shared by every server of one version that a
// process builds.
//
// Registering an operation is what building the API costs: huma reads the
// Go types of its input and output into schemas, parsers, validators and
// the document's entry. None of it
// depends on the server but the version the document names; only the
// handlers do (each server has its own services). So the operations are
// registered once, answered through the handlers of the server a request
// came to, which mount puts in the request's context. The product builds
// one server; its tests build one per test, and registering the
// operations for each was an eighth of the CPU of the page tests.
//
// Everything here is read-only once built: the servers share it as the
// requests of one server share it.
type operations struct {
	api       huma.API
	routes    routeList
	documents []servedDocument
}

var shared = struct {
	sync.Mutex
	byVersion map[string]*operations
}{byVersion: map[string]*operations{}}

// sharedOperations are the operations of version, registered on first use.
func sharedOperations(version string) *operations {
	shared.Lock()
	defer shared.Unlock()
	if ops, ok := shared.byVersion[version]; ok {
		return ops
	}
	ops := &operations{}
	ops.api = newAPI(&ops.routes, version)
	// The handlers the operations are registered with answer no request:
	// mount gives each request its server's.
	(&handlers{Deps: Deps{Version: version}}).registerAll(ops.api)
	finishDocument(ops.api.OpenAPI())
	ops.documents = documents(ops.api.OpenAPI())
	shared.byVersion[version] = ops
	return ops
}

// mount serves the operations and the document on mux, answered by h.
func (ops *operations) mount(mux *http.ServeMux, h *handlers) {
	for _, rt := range ops.routes {
		mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			rt.serve(w, r.WithContext(context.WithValue(r.Context(), servingKey{}, h)))
		})
	}
	serveDocuments(mux, ops.documents)
	serveSchemas(mux, ops.api.OpenAPI())
}

// servingKey is the key of the handlers of the server a request came to,
// in its context.
type servingKey struct{}

// serving is the handlers of the server the request of ctx came to; h when
// it came to none (an operation registered outside Register, in a test).
func serving(ctx context.Context, h *handlers) *handlers {
	if s, ok := ctx.Value(servingKey{}).(*handlers); ok {
		return s
	}
	return h
}

// bind keeps f as h's handler of the operation id.
func (h *handlers) bind(id string, f any) {
	if _, dup := h.ops[id]; dup {
		panic("api: two operations are named " + id)
	}
	if h.ops == nil {
		h.ops = map[string]any{}
	}
	h.ops[id] = f
}

// A routeList is the mux huma registers the operations on: it keeps each
// route for the servers to mount on muxes of their own.
type routeList []route

type route struct {
	pattern string
	serve   func(http.ResponseWriter, *http.Request)
}

func (rs *routeList) HandleFunc(pattern string, serve func(http.ResponseWriter, *http.Request)) {
	*rs = append(*rs, route{pattern, serve})
}

// ServeHTTP answers nothing: the routes are served by the muxes they are
// mounted on.
func (rs *routeList) ServeHTTP(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
