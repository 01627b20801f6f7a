package notify

import (
	"log/slog"
	"net/http"
	"time"

	"aftersales/internal/i18n"
	"aftersales/internal/jobs"
	"aftersales/internal/store"
)

// Workers send what Publish and Texts queued: emails, webhook deliveries
// and text messages.
type Workers struct {
	DB  *store.DB
	Now func() time.Time
	Log *slog.Logger
	// Mailer sends email; nil when no SMTP server is configured (queued
	// emails are then marked skipped).
	Mailer *Mailer
	// Webhooks is the client of deliveries (NewWebhookClient).
	Webhooks *http.Client
	// Secrets opens the webhooks' sealed signing keys.
	Secrets *SecretBox
	// BaseURL is the public address of the app, for links in emails; empty:
	// emails carry no link.
	BaseURL string
	Bundle  *i18n.Bundle
	// SMS is the text message gateway; zero: texts are not sent.
	SMS SMSConfig
	// SMSClient is the gateway's HTTP client; nil: NewSMSClient.
	SMSClient *http.Client
}

// Register makes r run the notification jobs.
func (w *Workers) Register(r *jobs.Runner) {
	r.Handle(EmailJob, w.sendEmail)
	r.Handle(WebhookJob, w.sendWebhook)
	r.Handle(SMSJob, w.sendSMS)
}
