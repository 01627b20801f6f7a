// Package api is the JSON API under /api/v1: typed operations on huma, an
// OpenAPI 3.1 document generated from the Go types, errors as RFC 9457
// problem+json. Each operation is a named method on handlers, given the
// caller by register, which also maps what it returns to a problem. Handlers
// decode, call a domain service, encode; the domain authorizes through policy
// and validates.
package api

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"aftersales/internal/app"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// Deps are what the API operations use: the product's services, where
// to log, and the version the document names.
type Deps struct {
	*app.App
	Log     *slog.Logger
	Version string
}

func init() {
	huma.NewError = newHumaError
}

// Register mounts the API on mux, answered by the product d, and returns
// it (the spec is api.OpenAPI()). The operations themselves are registered
// once per process and version and shared by every server (operations);
// Register binds d's handlers to them and mounts them.
func Register(mux *http.ServeMux, d Deps) huma.API {
	ops := sharedOperations(d.Version)
	h := &handlers{Deps: d}
	h.registerAll(nil)
	ops.mount(mux, h)
	return ops.api
}

// newAPI is a huma API for the document of version, its operations
// registered on routes.
func newAPI(routes *routeList, version string) huma.API {
	config := huma.DefaultConfig("aftersales API", version)
	config.Info.Description = "Localized after-sales service: agreements between vendors and providers, " +
		"service requests, work orders and service records. Authenticate with `Authorization: Bearer <token>` " +
		"(create a token on your profile page or with `aftersales token create`). Every POST accepts " +
		"`Idempotency-Key`; updates require `If-Match` with the ETag last read. Times are RFC 3339, in UTC " +
		"or at the offset of the zone they are shown in; a time that is not set is left out."
	config.Servers = []*huma.Server{{URL: Prefix}}
	config.DocsPath = ""    // the default renderer loads scripts from a CDN
	config.OpenAPIPath = "" // see serveDocument
	config.SchemasPath = "" // huma's answers 200 with null for an unknown name: see serveSchemas
	config.CreateHooks = nil
	config.RejectUnknownQueryParameters = true
	config.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer":  {Type: "http", Scheme: "bearer", Description: "API token (ast_…)"},
		"session": {Type: "apiKey", In: "cookie", Name: "session", Description: "Browser session after signing in."},
	}
	config.Security = []map[string][]string{{"bearer": {}}, {"session": {}}}
	return humago.NewWithPrefix(routes, Prefix, config)
}

// registerAll registers every operation on a answered by h, or, with a
// nil, binds h's handlers to the operations registered before (register).
func (h *handlers) registerAll(a huma.API) {
	h.registerOrgs(a)
	h.registerUsers(a)
	h.registerTokens(a)
	h.registerAudit(a)
	h.registerCalendars(a)
	h.registerAgreements(a)
	h.registerInstalledBase(a)
	h.registerParts(a)
	h.registerStock(a)
	h.registerDocuments(a)
	h.registerNotifications(a)
	h.registerWebhooks(a)
	h.registerRequests(a)
	h.registerRequestList(a)
	h.registerRequestExtras(a)
	h.registerRequestMedia(a)
	h.registerRecords(a)
	h.registerSatisfaction(a)
	h.registerSettlements(a)
	h.registerSuspensions(a)
	h.registerStaff(a)
	h.registerStaffScans(a)
	h.registerDispatch(a)
	h.registerAppointments(a)
}

// handlers answer the operations for one server: ops holds each
// operation's handler, by operation id, as register bound it.
type handlers struct {
	Deps
	ops map[string]any
}

// actor is the authenticated caller; the auth middleware guarantees one for
// every /api/v1 operation, this guards against a route registered outside it.
func actor(ctx context.Context) (policy.Actor, error) {
	a, ok := policy.ActorFrom(ctx)
	if !ok {
		return a, &Problem{Type: problem.Unauthorized.TypeURI(), Status: 401, Title: "Unauthorized", Detail: "sign in or send an API token"}
	}
	return a, nil
}

// register adds an operation answered by f on behalf of the caller: it
// resolves who is calling, calls f, and maps what f returns through the one
// error mapper. Problems pass through it unchanged.
//
// The operation registered on a answers with the handlers of the server
// the request came to (serving), which bound their own f under the
// operation's id; with a nil, register only binds f to h.
func register[I, O any](h *handlers, a huma.API, o huma.Operation, f func(context.Context, policy.Actor, *I) (*O, error)) {
	h.bind(o.OperationID, f)
	if a == nil {
		return
	}
	id := o.OperationID
	huma.Register(a, o, func(ctx context.Context, in *I) (*O, error) {
		ac, err := actor(ctx)
		if err != nil {
			return nil, err
		}
		s := serving(ctx, h)
		out, err := s.ops[id].(func(context.Context, policy.Actor, *I) (*O, error))(ctx, ac, in)
		if err != nil {
			return nil, fromError(s.Log, err)
		}
		return out, nil
	})
}

// registerChange is register for an operation that changes a resource at
// the version its ETag named: the version in the If-Match header (the
// field IfMatch of I) is read before f runs, 428 without it and 412 when
// it names none, and f is given it to change the resource only at that
// version. An input without the field is a mistake found at start-up.
func registerChange[I, O any](h *handlers, a huma.API, o huma.Operation, f func(context.Context, policy.Actor, *I, int64) (*O, error)) {
	field, ok := reflect.TypeFor[I]().FieldByName("IfMatch")
	if !ok || field.Type.Kind() != reflect.String || field.Tag.Get("header") != "If-Match" {
		panic("api: " + o.OperationID + " has no If-Match header in its input")
	}
	register(h, a, withErrors(o, 412, 428), func(ctx context.Context, ac policy.Actor, in *I) (*O, error) {
		v, err := ifMatch(reflect.ValueOf(in).Elem().FieldByIndex(field.Index).String())
		if err != nil {
			return nil, err
		}
		return f(ctx, ac, in, v)
	})
}

// etag is the entity tag of a resource version.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// tagged is an answer whose ETag names the version of its body.
type tagged[T any] struct {
	ETag string `header:"ETag"`
	Body T
}

// versioned answers v, tagged with its version (its field Version), unless
// err is set.
func versioned[T any](v T, err error) (*tagged[T], error) {
	return versionedAs(func(v T) T { return v })(v, err)
}

// versionedAs is versioned for an answer that f makes of what a service
// returned: the answer f(v), tagged with v's version.
func versionedAs[T, U any](f func(T) U) func(T, error) (*tagged[U], error) {
	return func(v T, err error) (*tagged[U], error) {
		if err != nil {
			return nil, err
		}
		return &tagged[U]{ETag: etag(reflect.Indirect(reflect.ValueOf(v)).FieldByName("Version").Int()), Body: f(v)}, nil
	}
}

// withBody answers v unless err is set.
func withBody[T any](v T, err error) (*struct{ Body T }, error) {
	if err != nil {
		return nil, err
	}
	return &struct{ Body T }{v}, nil
}

// items is a list answer; an empty list is [], never null.
type items[T any] struct {
	Body struct {
		Items []T `json:"items"`
	}
}

// asList answers xs as a list unless err is set.
func asList[T any](xs []T, err error) (*items[T], error) {
	if err != nil {
		return nil, err
	}
	out := &items[T]{}
	out.Body.Items = xs
	if out.Body.Items == nil {
		out.Body.Items = []T{}
	}
	return out, nil
}

// cursorPage is a page of a list: Next, when set, is the cursor of the
// next page, of type C. Like items, it is named by a type of its own
// (type xListOutput cursorPage[…]), whose name names its body's schema.
type cursorPage[T, C any] struct {
	Body struct {
		Items []T `json:"items"`
		Next  C   `json:"next,omitempty" doc:"Pass as cursor for the next page."`
	}
}

// beforePage is a page of a list read backwards by id (nextBefore), named
// like cursorPage.
type beforePage[T any] struct {
	Body struct {
		Items      []T   `json:"items"`
		NextBefore int64 `json:"next_before,omitempty" doc:"Pass as before_id for the next page."`
	}
}

// listAs answers xs as a list of the named type O, whose name names its
// body's schema in the document; an empty list is [], never null.
func listAs[O ~struct {
	Body struct {
		Items []T `json:"items"`
	}
}, T any](xs []T, err error) (*O, error) {
	l, err := asList(xs, err)
	if err != nil {
		return nil, err
	}
	o := O(*l)
	return &o, nil
}

// each is f applied to every x of xs, in order; an empty list is [], never
// null.
func each[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// bodyAs answers v as the named answer O unless err is set.
func bodyAs[O ~struct{ Body T }, T any](v T, err error) (*O, error) {
	if err != nil {
		return nil, err
	}
	o := O{Body: v}
	return &o, nil
}

// Create is the input of a create: the key that makes repeating it safe.
// Exported and embedded first, like CreateUnder.
type Create struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Repeat a create safely: the same key answers the first result."`
}

// pageCursor reads the cursor of a list's next page, as the page before
// named it; an empty cursor is the first page, 0.
func pageCursor(cursor string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(cursor, 10, 64)
	if err != nil || n < 0 {
		return 0, problem.Field("query.cursor", "is not a cursor from a previous page")
	}
	return n, nil
}

// nextBefore is where the next page of a list read backwards by id
// starts: the id of the last of items when they fill the page (limit),
// else 0, there is none.
func nextBefore[T any](items []T, limit int, id func(T) int64) int64 {
	if n := len(items); n > 0 && n == limit {
		return id(items[n-1])
	}
	return 0
}

// fromBase64 is the bytes text holds in base64; a problem names field
// when it holds none.
func fromBase64(field, text string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, problem.Field(field, "is not valid base64")
	}
	return b, nil
}

// uploadContent is the file a JSON body sends as its content: the text
// itself, or the bytes it holds in base64 when encoding says so.
func uploadContent(content, encoding string) ([]byte, error) {
	if encoding == "base64" {
		return fromBase64("body.content", content)
	}
	return []byte(content), nil
}

// CreateUnder is the input of a create under the resource the path's id
// names: that id, and the key that makes repeating the create safe.
// Exported, since huma reads the parameters of exported embedded structs
// only; embed it first, where the two parameters stand in the document.
type CreateUnder struct {
	ID             int64  `path:"id" minimum:"1"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
}

// ChangeAt is the input of a change to the resource the path's id names,
// at the version its If-Match header names (registerChange reads it).
// Exported and embedded first, like CreateUnder.
type ChangeAt struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the version being changed."`
}

// ifMatch parses If-Match into the expected version.
func ifMatch(v string) (int64, error) {
	if v == "" {
		return 0, &Problem{Type: problem.PreconditionNeeded.TypeURI(), Status: 428, Title: "Precondition Required",
			Detail: "send If-Match with the ETag from your last read, so that no concurrent change is lost"}
	}
	v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || n <= 0 {
		return 0, &Problem{Type: problem.PreconditionFailed.TypeURI(), Status: 412, Title: "Precondition Failed",
			Detail: "If-Match does not match the current version"}
	}
	return n, nil
}

// Op fills the common fields of an operation.
func op(id, method, path, summary string, tags ...string) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags,
		Errors: []int{400, 401, 403, 404, 413, 415, 422, 429, 503}}
}

// created is o answering 201 Created.
func created(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusCreated
	return o
}

// described is o with what its summary leaves out.
func described(o huma.Operation, description string) huma.Operation {
	o.Description = description
	return o
}

// withErrors is o with the statuses it may answer besides op's.
func withErrors(o huma.Operation, statuses ...int) huma.Operation {
	o.Errors = append(o.Errors, statuses...)
	return o
}
