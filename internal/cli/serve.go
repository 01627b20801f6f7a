package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/demo"
	"aftersales/internal/edge"
	"aftersales/internal/idempotency"
	"aftersales/internal/labels"
	"aftersales/internal/notify"
	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/web"
)

func serve(e *env, args []string) error {
	fs, dsn := e.dbFlags("serve", "serve [--addr HOST:PORT] [--db PATH-or-URL] [--demo] [--trusted-proxies IP,CIDR,...]")
	addr := fs.String("addr", envDefault("AFTERSALES_ADDR", "127.0.0.1:8080"), "address to listen on (AFTERSALES_ADDR)")
	withDemo := fs.Bool("demo", envDefault("AFTERSALES_DEMO", "") == "1", "load the demo dataset on first start (AFTERSALES_DEMO=1)")
	publicURL := fs.String("public-url", envDefault("AFTERSALES_PUBLIC_URL", ""), "the URL users reach the server at; https marks cookies Secure (AFTERSALES_PUBLIC_URL)")
	smtpURL := fs.String("smtp-url", envDefault("AFTERSALES_SMTP_URL", ""), "send notifications by email through smtp://user:pass@host:port or smtps://...; empty: no email (AFTERSALES_SMTP_URL)")
	smtpFrom := fs.String("smtp-from", envDefault("AFTERSALES_SMTP_FROM", ""), "sender of notification emails, e.g. \"Aftersales <noreply@example.com>\" (AFTERSALES_SMTP_FROM)")
	labelFont := fs.String("label-font", envDefault("AFTERSALES_LABEL_FONT", labels.DefaultFontPath),
		"TrueType CJK font for printed QR labels, .ttf or .ttc (Debian: fonts-wqy-microhei) (AFTERSALES_LABEL_FONT)")
	allowPrivate := fs.Bool("webhook-allow-private", envDefault("AFTERSALES_WEBHOOK_ALLOW_PRIVATE", "") == "1",
		"let webhooks deliver to loopback and private network addresses (AFTERSALES_WEBHOOK_ALLOW_PRIVATE=1)")
	smsURL := fs.String("sms-url", envDefault("AFTERSALES_SMS_URL", ""),
		"send survey links and complaint acknowledgements by text message through this HTTP gateway; requests are signed with AFTERSALES_SMS_SECRET (environment only); empty: no texts (AFTERSALES_SMS_URL)")
	keyFile := fs.String("secret-key-file", envDefault("AFTERSALES_SECRET_KEY_FILE", ""),
		"file holding the key that seals webhook signing keys in the database (kept out of the database and its backups); AFTERSALES_SECRET_KEY gives the key itself; neither: on SQLite DB.key beside the database, made on first start; on PostgreSQL one of them is required (AFTERSALES_SECRET_KEY_FILE)")
	proxies := fs.String("trusted-proxies", envDefault("AFTERSALES_TRUSTED_PROXIES", ""),
		"comma-separated IP addresses and CIDR ranges of the reverse proxies in front of the server, whose X-Forwarded-For (or Forwarded) names the client; empty: the direct peer is the client (AFTERSALES_TRUSTED_PROXIES)")
	if err := parse(fs, args); err != nil {
		return err
	}
	smtp, err := notify.ParseSMTPURL(*smtpURL, *smtpFrom)
	if err != nil {
		return err
	}
	sms, err := notify.ParseSMSConfig(*smsURL, os.Getenv("AFTERSALES_SMS_SECRET"))
	if err != nil {
		return err
	}
	trusted, err := edge.ParseTrustedProxies(*proxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	log := e.logger()
	if len(trusted) > 0 {
		log.Info("client addresses are read from X-Forwarded-For or Forwarded behind these proxies", "trusted_proxies", *proxies)
	}
	db, err := e.openDB(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	box, keySource, err := secretBox(db, *keyFile)
	if err != nil {
		return err
	}
	if n, err := notify.SealWebhookSecrets(e.ctx, db, box); err != nil {
		return err
	} else if n > 0 {
		log.Info("webhook signing keys stored in clear by an earlier version are now sealed", "webhooks", n)
	}
	log.Info("secrets in the database are sealed", "key", keySource)
	a, err := app.New(db, app.Config{PublicURL: strings.TrimRight(*publicURL, "/"), SMTP: smtp,
		WebhookAllowPrivate: *allowPrivate, SMS: sms, LabelFont: *labelFont, Log: log, Secrets: box}, time.Now)
	if err != nil {
		return err
	}
	if *withDemo {
		logins, err := demo.Load(e.ctx, a)
		switch {
		case errors.Is(err, demo.ErrNotEmpty):
			log.Info("database already has data; demo not loaded")
		case err != nil:
			return err
		default:
			printLogins(e, logins)
		}
	}
	if a.Delivery.Mailer == nil {
		log.Info("email notifications are off: no --smtp-url (AFTERSALES_SMTP_URL)")
	} else {
		log.Info("email notifications on", "smtp_host", smtp.Host, "smtp_port", smtp.Port, "from", smtp.From)
	}
	if sms.Enabled() {
		log.Info("text messages on", "sms_gateway", sms.URL)
	}
	registerJobs(a)
	srv, err := web.New(a, web.Options{Version: Version,
		Edge: edge.Options{SecureCookies: strings.HasPrefix(*publicURL, "https://"), TrustedProxies: trusted}}, nil)
	if err != nil {
		return err
	}
	if _, err := os.Stat(*labelFont); err != nil {
		log.Warn("printing QR labels is unavailable until the font is installed: apt-get install fonts-wqy-microhei, or set --label-font", "path", *labelFont)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	jobsDone := make(chan struct{})
	go func() { a.Jobs.Run(ctx); close(jobsDone) }()

	hs := srv.HTTPServer(*addr)
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	log.Info("serving", "url", "http://"+ln.Addr().String(), "engine", db.Engine, "db", db.Source, "version", Version)
	fmt.Fprintf(e.stdout, "aftersales is running at http://%s  (Ctrl+C to stop)\n", ln.Addr())

	select {
	case err := <-serveErr:
		return err
	case <-e.ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, done := context.WithTimeout(context.Background(), 20*time.Second)
	defer done()
	err = hs.Shutdown(shutdownCtx)
	srv.Drain()
	cancel()
	<-jobsDone
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// registerJobs wires the product's background jobs.
func registerJobs(a *app.App) {
	r, db := a.Jobs, a.DB
	a.Delivery.Register(r)
	a.Staff.Register(r)
	r.Handle("prune", func(ctx context.Context, _ json.RawMessage) error {
		now := r.Now().UTC()
		if err := idempotency.Prune(ctx, db, now); err != nil {
			return err
		}
		_, err := store.Exec(ctx, db, `DELETE FROM jobs WHERE state = 'done' AND finished_at < ?`, now.Add(-7*24*time.Hour))
		return err
	})
	r.Every("prune", time.Hour)
	// Sealed records past their agreement's retention period leave, oldest
	// first, never before their last day (record.PurgeDue).
	r.Handle("records.purge", func(ctx context.Context, _ json.RawMessage) error {
		n, err := record.PurgeDue(ctx, db, r.Now())
		if n > 0 {
			r.Log.Info("retention purge", "records", n)
		}
		return err
	})
	r.Every("records.purge", 6*time.Hour)
	// New requests join the search index (SQLite indexes in batches; a
	// search catches up by itself, this keeps its backlog small), and the
	// clocks are watched.
	r.Handle("clocks.watch", func(ctx context.Context, _ json.RawMessage) error {
		if _, err := a.Requests.IndexPending(ctx); err != nil {
			return err
		}
		_, err := a.Requests.Watch(ctx, a.Notify, r.Now())
		return err
	})
	r.Every("clocks.watch", time.Minute)
	a.Satisfaction.Register(r)
	a.Appointments.Register(r)

	a.Settlements.Register(r)
}

func migrate(e *env, args []string) error {
	fs, dsn := e.dbFlags("migrate", "migrate [--db PATH-or-URL]")
	db, err := e.parseDB(fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, pending, err := db.MigrationStatus(e.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s database %s is up to date: %d migrations applied, %d pending\n", db.Engine, db.Source, applied, pending)
	return nil
}
