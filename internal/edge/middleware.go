package edge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/api"
	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	userKey
	routeKey
)

// route is filled by the fallback middleware with the matched mux pattern,
// for the metrics and logs of observe (the mux sets Request.Pattern only on
// the copy of the request it receives).
type route struct{ pattern string }

// RequestID is the id of the request ctx belongs to (X-Request-Id).
func RequestID(ctx context.Context) string { s, _ := ctx.Value(requestIDKey).(string); return s }

// CurrentUser is the user a request was made by (signed in, or by token), if any.
func CurrentUser(ctx context.Context) (account.User, bool) {
	u, ok := ctx.Value(userKey).(account.User)
	return u, ok
}

// IsAPI tells whether r is a call of the JSON API.
func IsAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, api.Prefix+"/") }

// public API paths that need no credentials: the description of the API.
func isPublicAPI(r *http.Request) bool {
	p := r.URL.Path
	switch p {
	case api.Prefix + "/openapi.json", api.Prefix + "/openapi.yaml", api.Prefix + "/openapi-3.0.json", api.Prefix + "/openapi-3.0.yaml":
		return true
	}
	return strings.HasPrefix(p, api.Prefix+"/schemas/")
}

// recoverPanics turns a panic into a logged 500 instead of a dropped connection.
func (e *Edge) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				e.log.Error("panic", "panic", p, "stack", string(debug.Stack()), "request_id", RequestID(r.Context()))
				e.Fail(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id, logs it and counts it.
func (e *Edge) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 || !printableASCII(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = audit.WithRequestID(ctx, id)
		client := clientIP(r, e.opts.TrustedProxies)
		ctx = audit.WithClientAddress(withClientAddress(ctx, client), client)
		rt := &route{pattern: "unmatched"}
		ctx = context.WithValue(ctx, routeKey, rt)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		e.metrics.requests.WithLabelValues(r.Method, rt.pattern, strconv.Itoa(sw.status)).Inc()
		e.metrics.duration.WithLabelValues(r.Method, rt.pattern).Observe(d.Seconds())
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		} else if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" || strings.HasPrefix(r.URL.Path, "/static/") {
			level = slog.LevelDebug
		}
		e.log.Log(ctx, level, "request", "method", r.Method, "path", r.URL.Path, "route", rt.pattern, "status", sw.status,
			"bytes", sw.bytes, "duration_ms", float64(d.Microseconds())/1000, "client", client, "request_id", id)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

// limitBody bounds the request body: each route that takes files has its
// limit (uploadRoutes), every other MaxBodyBytes. Uploads also wait for a
// place among those running at once (uploadGate).
func (e *Edge) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, upload := e.bodyLimit(r)
		if r.ContentLength > limit {
			e.Fail(w, r, TooLarge(limit))
			return
		}
		if upload {
			if !e.admitUpload(w, r) {
				return
			}
			defer e.uploads.leave()
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// identify authenticates the request by bearer token or session cookie and
// puts the actor in the context. API calls without credentials end here.
func (e *Edge) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if authz := r.Header.Get("Authorization"); authz != "" {
			scheme, secret, _ := strings.Cut(authz, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				e.Fail(w, r, problem.New(problem.Unauthorized, "use Authorization: Bearer <token>"))
				return
			}
			u, err := e.app.Accounts.AuthenticateToken(ctx, strings.TrimSpace(secret))
			if err != nil {
				e.Fail(w, r, err)
				return
			}
			act := u.Actor()
			act.ByToken = true
			ctx = context.WithValue(ctx, userKey, u)
			next.ServeHTTP(w, r.WithContext(policy.WithActor(ctx, act)))
			return
		}
		if id := e.Sessions.GetInt64(ctx, SessionUserKey); id != 0 {
			u, err := e.app.Accounts.CurrentUser(ctx, id)
			switch {
			case err == nil && e.Sessions.GetInt64(ctx, SessionEpochKey) == u.SessionEpoch:
				ctx = withUser(ctx, u)
			case err == nil:
				// Signed in before the password last changed: over.
				_ = e.Sessions.Destroy(ctx)
			case problem.Is(err, problem.Unauthorized):
				_ = e.Sessions.Destroy(ctx)
			default:
				e.Fail(w, r, err)
				return
			}
		}
		if IsAPI(r) && !isPublicAPI(r) {
			if _, ok := CurrentUser(ctx); !ok {
				e.Fail(w, r, problem.New(problem.Unauthorized, "sign in or send Authorization: Bearer <token>"))
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func withUser(ctx context.Context, u account.User) context.Context {
	ctx = context.WithValue(ctx, userKey, u)
	return policy.WithActor(ctx, u.Actor())
}

// fallback answers requests that match no route: problem+json under the
// API, a page elsewhere, with 405 and Allow when only the method is wrong.
func (e *Edge) fallback(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if rt, ok := r.Context().Value(routeKey).(*route); ok && pattern != "" {
			rt.pattern = pattern
		}
		if pattern != "" {
			next.ServeHTTP(w, r)
			return
		}
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			allow := rec.header.Get("Allow")
			w.Header().Set("Allow", allow)
			e.Fail(w, r, problem.New(problem.MethodNotAllowed, "%s is not allowed at %s; allowed: %s", r.Method, r.URL.Path, allow))
			return
		}
		e.Fail(w, r, problem.New(problem.NotFound, "nothing at %s", r.URL.Path))
	})
}

// headerRecorder captures what the mux's own 404/405 handler would write.
type headerRecorder struct {
	header http.Header
	status int
}

func (r *headerRecorder) Header() http.Header         { return r.header }
func (r *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *headerRecorder) WriteHeader(code int)        { r.status = code }
