package edge

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path"
	"sync/atomic"
	"time"

	"aftersales/internal/api"
	"aftersales/internal/problem"
)

// RouteDeadline bounds one request, both counted from the moment its handling
// starts: Body is how long its body may take to arrive, Total how long the
// whole request may take, body included.
type RouteDeadline struct {
	Body, Total time.Duration
}

// Deadlines bound the requests that change something (every method but GET,
// HEAD and OPTIONS) by what their route does. A request past its deadline
// stops where it is, commits nothing more, and is answered 503 with
// Retry-After (problem deadline-exceeded).
type Deadlines struct {
	// Ordinary: a form or a JSON body of at most MaxBodyBytes, one
	// transaction. Long enough to wait for SQLite's writer behind an import.
	Ordinary RouteDeadline
	// Upload: the routes that take photos and documents (Routes.Uploads),
	// up to MaxUploadBytes over a slow mobile link.
	Upload RouteDeadline
	// Import: imports of units and holiday schedules (Routes.Imports), whose
	// files are parsed, checked row by row and written in one transaction.
	Import RouteDeadline
}

// DefaultDeadlines are the deadlines the server runs with. 64 MiB take about
// nine minutes at 1 Mbit/s; an import of 100,000 units takes about 6 s on
// SQLite once its file has arrived.
var DefaultDeadlines = Deadlines{
	Ordinary: RouteDeadline{Body: 30 * time.Second, Total: 30 * time.Second},
	Upload:   RouteDeadline{Body: 10 * time.Minute, Total: 12 * time.Minute},
	Import:   RouteDeadline{Body: 5 * time.Minute, Total: 10 * time.Minute},
}

// writeGrace is how long after its deadline the answer of a request may
// still take to be written.
const writeGrace = 30 * time.Second

// withDefaults fills each deadline left zero from DefaultDeadlines.
func (d Deadlines) withDefaults() Deadlines {
	fill := func(r *RouteDeadline, def RouteDeadline) {
		if r.Total <= 0 {
			r.Total = def.Total
		}
		if r.Body <= 0 {
			r.Body = min(def.Body, r.Total)
		}
	}
	fill(&d.Ordinary, DefaultDeadlines.Ordinary)
	fill(&d.Upload, DefaultDeadlines.Upload)
	fill(&d.Import, DefaultDeadlines.Import)
	return d
}

// Deadline is the deadline, among d, of a request to method and path.
func (rt Routes) Deadline(d Deadlines, method, p string) RouteDeadline {
	if method == http.MethodPost {
		for _, pattern := range rt.Imports {
			if ok, _ := path.Match(pattern, p); ok {
				return d.Import
			}
		}
	}
	if _, ok := rt.uploadLimit(method, p); ok {
		return d.Upload
	}
	return d.Ordinary
}

// deadlines puts each request that changes something under its route's
// deadline: the context ends at the deadline (SQLite's writer and
// PostgreSQL stop waiting for it), the body must arrive within its time,
// and the answer of a request out of time is 503 with Retry-After, whatever
// error its handler made of it.
//
// The connection's read deadline is ours alone. huma sets one of 5 s when it
// reads a body (its BodyReadTimeout) and leaves it on the connection, and
// net/http cancels a request's context when a read on its connection fails:
// any write still running 5 s after its body was read failed with "context
// canceled". The writer handed inward therefore ignores read deadlines set
// further in, and the read deadline is lifted once the body has been read
// to its end.
func (e *Edge) deadlines(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		d := e.routes.Deadline(e.opts.Deadlines, r.Method, r.URL.Path)
		start := time.Now()
		rc := http.NewResponseController(w)
		// Errors: a writer that cannot set deadlines (a test's recorder) has no connection to bound.
		_ = rc.SetWriteDeadline(start.Add(d.Total + writeGrace))
		ctx, cancel := context.WithDeadline(r.Context(), start.Add(d.Total))
		defer cancel()
		t := &timedRequest{ctx: ctx}
		// A request without a body has its connection read in the background
		// already: a read deadline there would only cancel it.
		if r.Body != nil && r.Body != http.NoBody {
			_ = rc.SetReadDeadline(start.Add(d.Body))
			r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc, t: t}
		}
		r = r.WithContext(ctx)
		next.ServeHTTP(&deadlineWriter{ResponseWriter: w, e: e, r: r, t: t}, r)
	})
}

// timedRequest knows whether a request ran out of time.
type timedRequest struct {
	ctx context.Context
	// bodyLate: the body did not arrive within its time (net/http then
	// cancels the context rather than let it reach its deadline).
	bodyLate atomic.Bool
}

func (t *timedRequest) outOfTime() bool {
	return t.bodyLate.Load() || errors.Is(t.ctx.Err(), context.DeadlineExceeded)
}

// deadlineBody lifts the read deadline once the body is read to its end
// (net/http then keeps reading the connection in the background, to notice
// a client that leaves, and a deadline there would cancel the request), and
// notes a body that came too late.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	t    *timedRequest
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !b.done {
		b.done = true
		var ne net.Error
		switch {
		case errors.Is(err, io.EOF):
			_ = b.rc.SetReadDeadline(time.Time{})
		case errors.As(err, &ne) && ne.Timeout():
			b.t.bodyLate.Store(true)
		}
	}
	return n, err
}

// deadlineWriter answers a request out of time with 503 and Retry-After
// where its handler would answer 500 (an error it did not recognize) or 408
// (huma's answer to a body that came too late), and keeps the connection's
// read deadline to the deadlines middleware.
type deadlineWriter struct {
	http.ResponseWriter
	e        *Edge
	r        *http.Request
	t        *timedRequest
	wrote    bool
	replaced bool
}

func (w *deadlineWriter) WriteHeader(code int) {
	if w.wrote {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.wrote = true
	if (code == http.StatusRequestTimeout || code >= 500 && code != http.StatusServiceUnavailable) && w.t.outOfTime() {
		w.replaced = true
		h := w.ResponseWriter.Header()
		for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Etag", "Location"} {
			h.Del(k)
		}
		w.e.answerOutOfTime(w.ResponseWriter, w.r)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *deadlineWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(b), nil // the handler's own answer, replaced
	}
	return w.ResponseWriter.Write(b)
}

// SetReadDeadline refuses the read deadlines of handlers (huma's): the
// request's deadline holds.
func (w *deadlineWriter) SetReadDeadline(time.Time) error { return nil }

func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// outOfTime is the problem of a request that ran out of time.
func outOfTime() *problem.Error {
	return problem.New(problem.DeadlineExceeded, "the request did not finish in time and was not saved; try again in a moment")
}

// answerOutOfTime answers a request that ran out of time: 503, Retry-After,
// problem+json for the API, the error page for a browser.
func (e *Edge) answerOutOfTime(w http.ResponseWriter, r *http.Request) {
	p := outOfTime()
	if wantsJSON(r) {
		api.WriteProblem(w, p.Kind, api.DeadlineDetail)
		return
	}
	w.Header().Set("Retry-After", api.RetryAfterHeader().Get("Retry-After"))
	e.renderError(w, r, p)
}
