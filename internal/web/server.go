// Package web is the HTTP edge: routing, middleware, sessions, the
// server-rendered pages and the mounting of the JSON API. It decodes,
// authorizes through the domain services, and renders; it decides nothing.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"
	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"aftersales/internal/api"
	"aftersales/internal/app"
	"aftersales/internal/idempotency"
	"aftersales/internal/store"
)

// Options configure the server.
type Options struct {
	// SecureCookies marks cookies Secure; on when the public URL is https.
	SecureCookies bool
	Version       string
	// MaxBodyBytes bounds request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxUploadBytes, when set, lowers the body limit of every route that
	// takes files below its own (uploadRoutes).
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

// Server holds everything the handlers use: the product's services (App)
// and the edge's own state.
type Server struct {
	*app.App
	Log      *slog.Logger
	Sessions *scs.SessionManager
	API      huma.API
	Opts     Options
	// idempotency makes the API's creates safe to repeat.
	idempotency *idempotency.Middleware
	// Warnings lists conditions an operator should act on (e.g. a coming
	// year without holiday data); shown in /readyz and to admins.
	Warnings func(now time.Time) []string

	pages   *pages
	qr      *qrLimits
	uploads *uploadGate
	imports *importRuns
	// asyncImportBytes: page imports of larger files run in the background.
	asyncImportBytes int
	metrics          *metrics
	handler          http.Handler
}

// New serves the product a. reg receives the HTTP metrics (nil: a new registry).
func New(a *app.App, opts Options, reg *prometheus.Registry) (*Server, error) {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	opts.Deadlines = opts.Deadlines.withDefaults()
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	db := a.DB
	s := &Server{App: a, Log: a.Config.Log, Opts: opts}
	s.Warnings = func(now time.Time) []string { return s.Calendars.Warnings(context.Background(), now) }
	s.Sessions = scs.New()
	if db.Engine == store.Postgres {
		s.Sessions.Store = postgresstore.NewWithCleanupInterval(db.DB.DB, 30*time.Minute)
	} else {
		s.Sessions.Store = sqlite3store.NewWithCleanupInterval(db.DB.DB, 30*time.Minute)
	}
	s.Sessions.Store = hashedTokens{s.Sessions.Store}
	s.Sessions.Lifetime = 7 * 24 * time.Hour
	s.Sessions.IdleTimeout = 12 * time.Hour
	s.Sessions.Cookie.Name = "session"
	s.Sessions.Cookie.HttpOnly = true
	s.Sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.Sessions.Cookie.Secure = opts.SecureCookies
	s.Sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.Log.Error("session", "err", err, "request_id", requestID(r.Context()))
		http.Error(w, "session error", http.StatusInternalServerError)
	}
	s.qr = newQRLimits()
	s.uploads = newUploadGate(opts.MaxConcurrentUploads, uploadWait)
	s.imports, s.asyncImportBytes = newImportRuns(), asyncImportBytes
	var err error
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(reg, db)
	mux := http.NewServeMux()
	deps := api.Deps{App: a, Log: s.Log, Version: opts.Version}
	s.API = api.Register(mux, deps)
	s.idempotency = idempotency.New(idempotency.Deps{
		DB: db, Now: s.Now, Log: s.Log, Replays: api.NewReplays(s.API, deps),
		Applies: isAPI, Streamed: isStreamedUpload, Spool: spoolBody,
		Fail: s.fail, Problem: api.WriteProblem,
	})
	s.routes(mux)
	s.handler = s.middleware(mux, reg)
	return s, nil
}

// ServeHTTP serves every request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// HTTPServer returns an http.Server with timeouts suitable for the internet.
// ReadTimeout and WriteTimeout bound the requests that read something;
// those that change something run under their route's deadlines instead
// (see deadlines), which set the connection's deadlines themselves.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
}

// Drain waits for the idempotent answers still being stored; the server
// calls it after it stops taking requests, before the database closes.
func (s *Server) Drain() { s.idempotency.Drain() }

// Ready reports whether the database answers.
func (s *Server) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.DB.PingContext(ctx)
}
