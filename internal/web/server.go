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

	"aftersales/internal/account"
	"aftersales/internal/agreement"
	"aftersales/internal/api"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/coverage"
	"aftersales/internal/document"
	"aftersales/internal/i18n"
	"aftersales/internal/installedbase"
	"aftersales/internal/jobs"
	"aftersales/internal/labels"
	"aftersales/internal/notify"
	"aftersales/internal/org"
	"aftersales/internal/parts"
	"aftersales/internal/servicerequest"
	"aftersales/internal/stock"
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
	// EmailEnabled: an SMTP server is configured, so notifications are
	// also sent by email to users who have it on.
	EmailEnabled bool
	// PublicURL is the address users reach the server at; QR labels open
	// it. Empty: the address each request came to.
	PublicURL string
	// Deadlines bound the requests that change something, by route; a
	// deadline left zero is DefaultDeadlines'.
	Deadlines Deadlines
	// LabelFont is the TrueType CJK font (.ttf, or .ttc of which the first
	// face is used) for printed labels; empty: labels.DefaultFontPath.
	LabelFont string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For (or
	// Forwarded) names the client; empty: the direct peer is the client.
	TrustedProxies []netip.Prefix
}

// Server holds everything the handlers use.
type Server struct {
	DB        *store.DB
	Log       *slog.Logger
	Now       func() time.Time
	Orgs      *org.Service
	Accounts  *account.Service
	Calendars *registry.Service
	// Requests: service requests, work orders and field work.
	Requests *servicerequest.Service
	Jobs     *jobs.Runner
	Sessions *scs.SessionManager
	I18n     *i18n.Bundle
	API      huma.API
	Opts     Options
	// answers are idempotent answers still being stored.
	answers pendingAnswers
	// replays answer repeated creates from the resource they created.
	replays *api.Replays
	// Warnings lists conditions an operator should act on (e.g. a coming
	// year without holiday data); shown in /readyz and to admins.
	Warnings func(now time.Time) []string

	// Agreements: agreements, their versions and adjustment requests.
	Agreements *agreement.Service
	// Notify: in-app notifications, webhook subscriptions, and Publish
	// for the domain services.
	Notify *notify.Service
	// InstalledBase: product models, customers' sites, installed units.
	InstalledBase *installedbase.Service
	// Labels: the font for printed QR labels, loaded on first use.
	Labels *labels.FontSource
	// Parts: the parts catalog; Stock: locations, ledger, consumption, returns.
	Parts *parts.Service
	Stock *stock.Service
	// Documents: the vendors' documentation library.
	Documents *document.Service

	pages   *pages
	qr      *qrLimits
	uploads *uploadGate
	imports *importRuns
	// asyncImportBytes: page imports of larger files run in the background.
	asyncImportBytes int
	metrics          *metrics
	handler          http.Handler
}

// New wires the server. reg receives the HTTP metrics (nil: a new registry).
func New(db *store.DB, log *slog.Logger, now func() time.Time, runner *jobs.Runner, opts Options, reg *prometheus.Registry) (*Server, error) {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	opts.Deadlines = opts.Deadlines.withDefaults()
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	bundle, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	s := &Server{
		DB: db, Log: log, Now: now, Jobs: runner, I18n: bundle, Opts: opts,
		Orgs:      &org.Service{DB: db, Now: now},
		Accounts:  account.NewService(db, now),
		Calendars: &registry.Service{Reg: registry.New(db), Now: now},
	}
	s.Orgs.Updated = s.Accounts.ForgetTokens
	s.Agreements = &agreement.Service{DB: db, Now: now, CalendarExists: s.Calendars.Reg.Exists}
	s.Notify = &notify.Service{DB: db, Now: now, EmailEnabled: opts.EmailEnabled}
	s.InstalledBase = &installedbase.Service{DB: db, Now: now}
	s.Labels = &labels.FontSource{Path: opts.LabelFont}
	s.Parts = &parts.Service{DB: db, Now: now}
	s.Stock = &stock.Service{DB: db, Now: now, Notify: s.Notify}
	s.Documents = &document.Service{DB: db, Now: now, Extract: document.NewExtractor()}
	s.Requests = &servicerequest.Service{DB: db, Now: now, Resolve: coverage.Resolver{Units: installedbase.Finder},
		Calendars: s.Calendars.Reg.Get, Notify: s.Notify, Parts: s.Stock}
	s.Warnings = func(now time.Time) []string { return s.Calendars.Warnings(context.Background(), now) }
	s.Sessions = scs.New()
	if db.Engine == store.Postgres {
		s.Sessions.Store = postgresstore.NewWithCleanupInterval(db.DB.DB, 30*time.Minute)
	} else {
		s.Sessions.Store = sqlite3store.NewWithCleanupInterval(db.DB.DB, 30*time.Minute)
	}
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
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(reg, db)
	mux := http.NewServeMux()
	deps := api.Deps{DB: db, Log: log, Orgs: s.Orgs, Accounts: s.Accounts, Calendars: s.Calendars,
		Agreements: s.Agreements, Version: opts.Version, Notify: s.Notify, Requests: s.Requests,
		InstalledBase: s.InstalledBase, Labels: s.Labels, PublicURL: opts.PublicURL, Parts: s.Parts, Stock: s.Stock, Documents: s.Documents}
	s.API = api.Register(mux, deps)
	s.replays = api.NewReplays(s.API, deps)
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

// Ready reports whether the database answers.
func (s *Server) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.DB.PingContext(ctx)
}
