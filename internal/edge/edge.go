// Package edge is the server's edge: what every request passes through
// before a page or an API operation sees it, and what answers it when it
// goes wrong. It gives each request an id, logs and counts it, recovers
// panics, sets the security headers, refuses cross-origin writes, bounds
// bodies and uploads, puts requests that change something under their
// route's deadline, loads the session and names the caller, refuses text
// that is not UTF-8, makes the API's creates safe to repeat
// (internal/idempotency), and answers errors as problem+json or as the
// error page. It knows no page and no operation: the routes that take
// files, imports and the error page are handed to it.
package edge

import (
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"aftersales/internal/api"
	"aftersales/internal/app"
	"aftersales/internal/idempotency"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Options configure the edge.
type Options struct {
	// SecureCookies marks cookies Secure; on when the public URL is https.
	SecureCookies bool
	// MaxBodyBytes bounds request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxUploadBytes, when set, lowers the body limit of every route that
	// takes files below its own (Routes.Uploads).
	MaxUploadBytes int64
	// MaxConcurrentUploads bounds the uploads received at once (default 4).
	MaxConcurrentUploads int
	// Deadlines bound the requests that change something, by route; a
	// deadline left zero is DefaultDeadlines'.
	Deadlines Deadlines
	// TrustedProxies are the reverse proxies whose X-Forwarded-For (or
	// Forwarded) names the client; empty: the direct peer is the client.
	TrustedProxies []netip.Prefix
}

// Routes tell the edge which routes do more than answer a small body,
// as path.Match patterns of POST requests.
type Routes struct {
	// Uploads take files, each with the largest body it reads.
	Uploads []UploadRoute
	// Streamed are the uploads whose handlers read the body as a stream
	// and check its text themselves; nothing before them reads it whole.
	Streamed []string
	// Imports are the imports of units and holiday schedules (listed in
	// Uploads too), which have a deadline of their own.
	Imports []string
}

// UploadRoute is a route that takes files, with the largest body it reads.
type UploadRoute struct {
	Pattern string
	Limit   int64
}

// Deps are what the edge is built from.
type Deps struct {
	App      *app.App
	Options  Options
	Routes   Routes
	Registry *prometheus.Registry
	// RenderError answers a browser's request with the error page.
	RenderError func(http.ResponseWriter, *http.Request, *problem.Error)
}

// Edge holds the edge's state: sessions, metrics, the upload gate and the
// idempotency store.
type Edge struct {
	app         *app.App
	log         *slog.Logger
	opts        Options
	routes      Routes
	renderError func(http.ResponseWriter, *http.Request, *problem.Error)
	Sessions    *scs.SessionManager
	metrics     *metrics
	uploads     *uploadGate
	idempotency *idempotency.Middleware
}

// New builds the edge. Its Sessions are ready at once (pages read them);
// its handler comes from Wrap, once the routes are registered.
func New(d Deps) *Edge {
	o := d.Options
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	o.Deadlines = o.Deadlines.withDefaults()
	reg := d.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	e := &Edge{app: d.App, log: d.App.Config.Log, opts: o, routes: d.Routes, renderError: d.RenderError}
	e.Sessions = newSessions(d.App.DB, o.SecureCookies, e.log)
	e.metrics = newMetrics(reg, d.App.DB)
	e.uploads = newUploadGate(o.MaxConcurrentUploads, uploadWait)
	return e
}

// Wrap puts the edge around mux, whose requests reach inner (mux itself,
// or a handler in front of it); replays rebuild the answers of the API's
// creates repeated under an Idempotency-Key.
func (e *Edge) Wrap(mux *http.ServeMux, inner http.Handler, replays idempotency.Replays) http.Handler {
	e.idempotency = idempotency.New(idempotency.Deps{
		DB: e.app.DB, Now: e.app.Now, Log: e.log, Replays: replays,
		Applies: IsAPI, Streamed: e.isStreamedUpload, Spool: spoolBody,
		Fail: e.Fail, Problem: api.WriteProblem,
	})
	h := e.fallback(mux, inner)
	h = e.idempotency.Wrap(h)
	h = e.refuseBadText(mux, h)
	h = e.identify(h)
	h = e.Sessions.LoadAndSave(h)
	h = e.limitBody(h)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.Fail(w, r, problem.New(problem.Forbidden, "cross-origin request refused"))
	}))
	h = cop.Handler(h)
	h = e.deadlines(h)
	h = securityHeaders(h)
	h = e.observe(h)
	h = e.recoverPanics(h)
	return h
}

// Metrics serves the metrics in Prometheus' text format.
func (e *Edge) Metrics() http.Handler {
	return promhttp.HandlerFor(e.metrics.registry, promhttp.HandlerOpts{})
}

// Drain waits for the idempotent answers still being stored; the server
// calls it after it stops taking requests, before the database closes.
func (e *Edge) Drain() {
	if e.idempotency != nil {
		e.idempotency.Drain()
	}
}

// Fail answers an error: problem+json for the API (and for clients that
// ask for JSON), the error page for browsers. An error that is not a
// problem is logged and answered 500 naming the request's id; a database
// that stayed busy past the request's deadline is 503.
func (e *Edge) Fail(w http.ResponseWriter, r *http.Request, err error) {
	p, ok := problem.As(err)
	if ok && p.RetryAfter > 0 {
		w.Header().Set("Retry-After", api.RetryAfterSeconds(p.RetryAfter))
	}
	if !ok {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			p, _ = problem.As(TooLarge(mbe.Limit))
		} else if store.IsBusy(err) {
			e.log.Warn("out of time", "err", err, "path", r.URL.Path, "request_id", RequestID(r.Context()))
			e.answerOutOfTime(w, r)
			return
		} else {
			e.log.Error("internal error", "err", err, "path", r.URL.Path, "request_id", RequestID(r.Context()))
			p = problem.New(problem.Internal, "an unexpected error occurred (request %s)", RequestID(r.Context()))
		}
	}
	if wantsJSON(r) {
		api.WriteProblem(w, p.Kind, p.Detail)
		return
	}
	e.renderError(w, r, p)
}

// wantsJSON tells whether r is answered in problem+json rather than with
// the error page: API calls, and clients that ask for JSON.
func wantsJSON(r *http.Request) bool {
	return IsAPI(r) || strings.Contains(r.Header.Get("Accept"), "json")
}
