package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"aftersales/internal/i18n"
	"aftersales/internal/store"
)

// SMTPConfig is where email goes, from --smtp-url and --smtp-from.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// SSL: implicit TLS from the first byte (smtps://, usually port 465).
	SSL bool
	// RequireTLS: refuse to send unless the server offers STARTTLS
	// (smtp://...?starttls=required). Otherwise STARTTLS is used when offered.
	RequireTLS bool
	From       string
	// HELO is the name the client greets the server with (?helo=...);
	// default the domain of From, which servers that check it accept.
	HELO string
}

// ParseSMTPURL reads smtp://user:pass@host:port (STARTTLS when offered, port
// 587 by default) or smtps://user:pass@host:port (implicit TLS, port 465 by
// default). An empty URL is no email at all: the zero config and no error.
func ParseSMTPURL(raw, from string) (SMTPConfig, error) {
	var c SMTPConfig
	if raw == "" {
		return c, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return c, errors.New("smtp url: not a URL")
	}
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.SSL, c.Port = true, 465
	default:
		return c, fmt.Errorf("smtp url: scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if c.Host = u.Hostname(); c.Host == "" {
		return c, errors.New("smtp url: no host")
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port <= 0 || c.Port > 65535 {
			return c, fmt.Errorf("smtp url: invalid port %q", p)
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	switch v := u.Query().Get("starttls"); v {
	case "", "auto":
	case "required":
		c.RequireTLS = true
	default:
		return c, fmt.Errorf("smtp url: starttls must be auto or required, not %q", v)
	}
	if from == "" {
		return c, errors.New("smtp: --smtp-from (AFTERSALES_SMTP_FROM) is required with --smtp-url")
	}
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return c, fmt.Errorf("smtp from %q: %w", from, err)
	}
	c.From = from
	c.HELO = u.Query().Get("helo")
	if c.HELO == "" {
		c.HELO = a.Address[strings.LastIndexByte(a.Address, '@')+1:]
	}
	return c, nil
}

// Mailer sends one email per call over SMTP.
type Mailer struct {
	Config SMTPConfig
}

// Email is a message to one recipient.
type Email struct {
	To, Subject, Text, HTML string
}

// Send delivers e, or returns why not.
func (m *Mailer) Send(ctx context.Context, e Email) error {
	msg := mail.NewMsg()
	if err := msg.From(m.Config.From); err != nil {
		return err
	}
	if err := msg.To(e.To); err != nil {
		return err
	}
	msg.Subject(e.Subject)
	// RFC 3834: tells auto-responders not to answer.
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, e.HTML)
	}
	opts := []mail.Option{mail.WithPort(m.Config.Port), mail.WithTimeout(30 * time.Second)}
	if m.Config.HELO != "" {
		opts = append(opts, mail.WithHELO(m.Config.HELO))
	}
	switch {
	case m.Config.SSL:
		opts = append(opts, mail.WithSSL())
	case m.Config.RequireTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if m.Config.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(m.Config.Username), mail.WithPassword(m.Config.Password))
	}
	c, err := mail.NewClient(m.Config.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

type emailJob struct {
	NotificationID int64 `json:"notification_id"`
}

type pendingEmail struct {
	ID       int64  `db:"id"`
	Title    string `db:"title"`
	Body     string `db:"body"`
	Link     string `db:"link"`
	State    string `db:"email_state"`
	Attempts int    `db:"email_attempts"`
	To       string `db:"email"`
	Locale   string `db:"locale"`
	Active   bool   `db:"active"`
	ByMail   bool   `db:"email_notifications"`
}

// sendEmail is the job of one email attempt. It returns an error only when
// the email should be tried again.
func (w *Workers) sendEmail(ctx context.Context, payload json.RawMessage) error {
	var job emailJob
	if err := json.Unmarshal(payload, &job); err != nil {
		return fmt.Errorf("email job: %w", err)
	}
	var p pendingEmail
	err := store.Get(ctx, w.DB, &p, `SELECT n.id, n.title, n.body, n.link, n.email_state, n.email_attempts, u.email, u.locale, u.active,
		u.email_notifications FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.id = ?`, job.NotificationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if p.State != "pending" {
		return nil
	}
	now := w.Now().UTC()
	switch {
	case w.Mailer == nil:
		return w.setEmailState(ctx, p.ID, "skipped", p.Attempts, "email is not configured on this server", now)
	case !p.Active || !p.ByMail:
		return w.setEmailState(ctx, p.ID, "skipped", p.Attempts, "the recipient turned email notifications off", now)
	}
	sendErr := w.Mailer.Send(ctx, w.compose(p))
	attempts := p.Attempts + 1
	switch {
	case sendErr == nil:
		return w.setEmailState(ctx, p.ID, "sent", attempts, "", now)
	case attempts >= EmailAttempts:
		return w.setEmailState(ctx, p.ID, "failed", attempts, cleanText(sendErr.Error(), 500), now)
	}
	if err := w.setEmailState(ctx, p.ID, "pending", attempts, cleanText(sendErr.Error(), 500), now); err != nil {
		return err
	}
	return fmt.Errorf("email for notification %d attempt %d: %w", p.ID, attempts, sendErr)
}

func (w *Workers) setEmailState(ctx context.Context, id int64, state string, attempts int, msg string, now time.Time) error {
	var sentAt *time.Time
	if state == "sent" {
		sentAt = &now
	}
	_, err := store.Exec(ctx, w.DB, `UPDATE notifications SET email_state = ?, email_attempts = ?, email_error = ?, email_sent_at = ?
		WHERE id = ?`, state, attempts, msg, sentAt, id)
	return err
}

var emailHTML = template.Must(template.New("email").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family: sans-serif; color: #1d2433; line-height: 1.5">
<h2 style="font-size: 18px">{{.Title}}</h2>
{{range .Paragraphs}}<p>{{.}}</p>{{end}}
{{if .URL}}<p><a href="{{.URL}}" style="color: #0b5bd3">{{.Open}}</a></p>{{end}}
<p style="color: #6b7385; font-size: 12px">{{.Footer}}</p>
</body></html>`))

// compose writes the email of a notification in the recipient's language.
func (w *Workers) compose(p pendingEmail) Email {
	lang := i18n.Match(p.Locale)
	link := ""
	if p.Link != "" && w.BaseURL != "" {
		link = strings.TrimRight(w.BaseURL, "/") + p.Link
	}
	open, footer := w.Bundle.T(lang, "notify.email.open"), w.Bundle.T(lang, "notify.email.footer")
	var text strings.Builder
	text.WriteString(p.Body)
	if link != "" {
		fmt.Fprintf(&text, "\n\n%s: %s", open, link)
	}
	fmt.Fprintf(&text, "\n\n-- \n%s\n", footer)
	var html bytes.Buffer
	_ = emailHTML.Execute(&html, map[string]any{"Lang": lang, "Title": p.Title, "Paragraphs": strings.Split(p.Body, "\n"),
		"URL": link, "Open": open, "Footer": footer})
	return Email{To: p.To, Subject: p.Title, Text: text.String(), HTML: html.String()}
}
