// Package app is the composition root: it builds every domain service once,
// with the ports that join them (the stock ledger behind a visit's parts,
// notifications, the document extractor, the calendars, the coverage
// resolver, who works on a request), from the database, the configuration
// and a clock. The server, the API, the command line, the demo and the
// tests take an App rather than assembling services of their own, so that a
// new capability is one line here. Domain packages never import app.
package app

import (
	"io"
	"log/slog"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/agreement"
	"aftersales/internal/appointment"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/complaint"
	"aftersales/internal/coverage"
	"aftersales/internal/dispatch"
	"aftersales/internal/document"
	"aftersales/internal/home"
	"aftersales/internal/i18n"
	"aftersales/internal/installedbase"
	"aftersales/internal/jobs"
	"aftersales/internal/labels"
	"aftersales/internal/notify"
	"aftersales/internal/org"
	"aftersales/internal/parts"
	"aftersales/internal/satisfaction"
	"aftersales/internal/servicerequest"
	"aftersales/internal/settlement"
	"aftersales/internal/staff"
	"aftersales/internal/stock"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// Config is what the services need to know of the installation.
type Config struct {
	// PublicURL is the address users reach the server at, without a
	// trailing slash; QR labels and links in notifications open it. Empty:
	// the address each request came to (links in emails are then relative).
	PublicURL string
	// SMTP sends notification emails; no Host: no email.
	SMTP notify.SMTPConfig
	// WebhookAllowPrivate lets webhooks deliver to loopback and private
	// network addresses.
	WebhookAllowPrivate bool
	// Secrets seals the secrets kept for later use (webhook signing keys)
	// under a key that is not in the database; nil: webhooks cannot be
	// created.
	Secrets *notify.SecretBox
	// SMS is the text message gateway; zero: no texts.
	SMS notify.SMSConfig
	// LabelFont is the TrueType CJK font of printed labels; empty:
	// labels.DefaultFontPath.
	LabelFont string
	// Log receives what the background work reports; nil: discarded.
	Log *slog.Logger
}

// App is every service of the product, built once.
type App struct {
	DB     *store.DB
	Now    func() time.Time
	Config Config
	I18n   *i18n.Bundle
	// Jobs runs the background jobs; Delivery sends the notification
	// outbox (email and webhooks) as jobs of it.
	Jobs     *jobs.Runner
	Delivery *notify.Workers

	Orgs      *org.Service
	Accounts  *account.Service
	Calendars *registry.Service
	// Agreements: agreements, their versions and adjustment requests.
	Agreements *agreement.Service
	// Notify: in-app notifications, webhook subscriptions, and Publish
	// for the domain services.
	Notify *notify.Service
	// Texts queues text messages to customers' mobiles (Delivery sends them).
	Texts *notify.Texts
	// InstalledBase: product models, customers' sites, installed units.
	InstalledBase *installedbase.Service
	// Labels: the font for printed QR labels, loaded on first use.
	Labels *labels.FontSource
	// Parts: the parts catalog; Stock: locations, ledger, consumption, returns.
	Parts *parts.Service
	Stock *stock.Service
	// Documents: the vendors' documentation library.
	Documents *document.Service
	// Requests: service requests, their clocks, consultations, photos,
	// escalations, search and a unit's history.
	Requests *servicerequest.Service
	// WorkOrders: visits, their steps on site, sign-off and sealed records.
	WorkOrders   *workorder.Service
	Complaints   *complaint.Service
	Satisfaction *satisfaction.Service
	// Home: what needs each role now, for its home page.
	Home *home.Service
	// Settlements: settlement statements priced from the sealed records.
	Settlements *settlement.Service
	// Staff: service points, technicians, certifications, qualification
	// rules and the rule at booking.
	Staff *staff.Service
	// Dispatch: the dispatch board and plans of the day.
	Dispatch *dispatch.Service
	// Appointments: windows agreed with customers by link, and the
	// customers' reminders (the day before, on the way).
	Appointments *appointment.Service
}

// New builds the product's services on db, reading the time from now.
func New(db *store.DB, cfg Config, now func() time.Time) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	bundle, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	a := &App{DB: db, Now: now, Config: cfg, I18n: bundle, Jobs: jobs.NewRunner(db, now, cfg.Log)}
	a.Delivery = &notify.Workers{DB: db, Now: now, Log: cfg.Log, Webhooks: notify.NewWebhookClient(cfg.WebhookAllowPrivate),
		BaseURL: cfg.PublicURL, Bundle: bundle, SMS: cfg.SMS, SMSClient: notify.NewSMSClient(), Secrets: cfg.Secrets}
	if cfg.SMTP.Host != "" {
		a.Delivery.Mailer = &notify.Mailer{Config: cfg.SMTP}
	}
	a.Accounts = account.NewService(db, now)
	a.Orgs = &org.Service{DB: db, Now: now, Updated: a.Accounts.ForgetTokens}
	a.Calendars = &registry.Service{Reg: registry.New(db), Now: now}
	a.Agreements = &agreement.Service{DB: db, Now: now, CalendarExists: a.Calendars.Reg.Exists}
	a.Notify = &notify.Service{DB: db, Now: now, EmailEnabled: a.Delivery.Mailer != nil, Secrets: cfg.Secrets}
	a.InstalledBase = &installedbase.Service{DB: db, Now: now}
	a.Labels = &labels.FontSource{Path: cfg.LabelFont}
	a.Parts = &parts.Service{DB: db, Now: now}
	a.Stock = &stock.Service{DB: db, Now: now, Notify: a.Notify}
	a.Documents = &document.Service{DB: db, Now: now, Extract: document.NewExtractor()}
	a.Staff = &staff.Service{DB: db, Now: now, Notify: a.Notify, Calendars: a.Calendars.Reg.Get}
	a.Requests = &servicerequest.Service{DB: db, Now: now, Resolve: coverage.Resolver{Units: installedbase.Finder},
		Calendars: a.Calendars.Reg.Get, Notify: a.Notify, Parts: a.Stock, Visits: workorder.RequestVisits{}}
	a.WorkOrders = &workorder.Service{DB: db, Now: now, Requests: a.Requests, Notify: a.Notify, Parts: a.Stock, Qualify: workorder.AllOf(workorder.ActiveTechnician, a.Staff.MayWork),
		Exception: a.Staff.VisitException}
	a.Texts = &notify.Texts{Gateway: cfg.SMS, BaseURL: cfg.PublicURL}
	a.Complaints = &complaint.Service{DB: db, Now: now, Calendars: a.Calendars.Reg.Get, Notify: a.Notify, Texts: a.Texts}
	a.Satisfaction = satisfaction.New(db, now, a.Notify, a.Complaints)
	a.Satisfaction.Texts = a.Texts
	a.Satisfaction.Visits = a.WorkOrders
	a.Home = &home.Service{DB: db, Now: now}
	a.Settlements = &settlement.Service{DB: db, Now: now, Calendars: a.Calendars.Reg.Get, Satisfaction: a.Satisfaction,
		Clocks: a.Requests, Notify: a.Notify}
	// A suspension for non-payment ends with the payment or the provider's
	// lifting, not with a plain change of the agreement's status.
	a.Agreements.SuspendedForNonPayment = settlement.InEffect
	// A suspension by hand pauses the clocks too; a termination ends a
	// suspension for non-payment.
	a.Agreements.StatusChanged = a.Settlements.AgreementStatusChanged
	// Sealing a visit prices its record and queues its survey, in one transaction.
	a.WorkOrders.Sealed = workorder.OnSealed(a.Settlements.RecordSealed, a.Satisfaction.VisitSealed)
	a.Dispatch = &dispatch.Service{DB: db, Now: now, Staff: a.Staff, WorkOrders: a.WorkOrders}
	a.Appointments = &appointment.Service{DB: db, Now: now, Staff: a.Staff, Visits: a.WorkOrders, Texts: a.Texts, Notify: a.Notify}
	// A technician setting off tells the customer, in the step's transaction.
	a.WorkOrders.Departed = a.Appointments.OnTheWay
	return a, nil
}
