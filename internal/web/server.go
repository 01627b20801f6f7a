// Package web serves the product: the server-rendered pages, mounted with
// the JSON API (internal/api) behind the edge (internal/edge). Pages decode,
// authorize through the domain services, and render; they decide nothing.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"aftersales/internal/api"
	"aftersales/internal/app"
	"aftersales/internal/edge"
)

// Options configure the server.
type Options struct {
	// Edge configures what every request passes through.
	Edge edge.Options
	// Version is the product's version, in the API's description.
	Version string
}

// Server holds everything the handlers use: the product's services (App)
// and the edge's own state.
type Server struct {
	*app.App
	Log      *slog.Logger
	Sessions *scs.SessionManager
	API      huma.API
	Opts     Options
	edge     *edge.Edge
	// Warnings lists conditions an operator should act on (e.g. a coming
	// year without holiday data); shown in /readyz and to admins.
	Warnings func(now time.Time) []string

	pages   *pages
	qr      *qrLimits
	imports *importRuns
	// asyncImportBytes: page imports of larger files run in the background.
	asyncImportBytes int
	handler          http.Handler
}

// New serves the product a. reg receives the HTTP metrics (nil: a new registry).
func New(a *app.App, opts Options, reg *prometheus.Registry) (*Server, error) {
	s := &Server{App: a, Log: a.Config.Log, Opts: opts}
	s.Warnings = func(now time.Time) []string { return s.Calendars.Warnings(context.Background(), now) }
	s.edge = edge.New(edge.Deps{App: a, Options: opts.Edge, Routes: routeTable, Registry: reg, RenderError: s.renderError})
	s.Sessions = s.edge.Sessions
	s.qr = newQRLimits()
	s.imports, s.asyncImportBytes = newImportRuns(), asyncImportBytes
	var err error
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	deps := api.Deps{App: a, Log: s.Log, Version: opts.Version}
	s.API = api.Register(mux, deps)
	s.routes(mux)
	s.handler = s.edge.Wrap(mux, typedDates(mux), api.NewReplays(s.API, deps))
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
func (s *Server) Drain() { s.edge.Drain() }

// Ready reports whether the database answers.
func (s *Server) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.DB.PingContext(ctx)
}

// fail answers an error: problem+json for the API, the error page for
// browsers (edge.Edge.Fail).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) { s.edge.Fail(w, r, err) }

// What the edge knows of a request, as the pages read it.
var (
	requestID     = edge.RequestID
	currentUser   = edge.CurrentUser
	clientAddress = edge.ClientAddress
)
