package notify_test

import (
	"context"
	"mime"
	"net/mail"
	"strings"
	"testing"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

func startSMTP(t *testing.T, cfg smtpmock.ConfigurationAttr) (*notify.Mailer, *smtpmock.Server) {
	cfg.HostAddress = "127.0.0.1"
	cfg.MultipleMessageReceiving = true // go-mail sends RSET after each message
	srv := smtpmock.New(cfg)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	m := &notify.Mailer{Config: notify.SMTPConfig{Host: "127.0.0.1", Port: srv.PortNumber(), From: "Aftersales <noreply@service.example>", HELO: "service.example"}}
	return m, srv
}

// sentMessages are the messages the server accepted (go-mail's RSET after
// each message opens an empty one).
func sentMessages(srv *smtpmock.Server) []smtpmock.Message {
	var out []smtpmock.Message
	for _, m := range srv.Messages() {
		if m.Msg() {
			out = append(out, m)
		}
	}
	return out
}

func (e *env) emailState(userID int64) (state string, attempts int) {
	e.t.Helper()
	var row struct {
		State    string `db:"email_state"`
		Attempts int    `db:"email_attempts"`
	}
	if err := store.Get(e.ctx, e.db, &row, `SELECT email_state, email_attempts FROM notifications WHERE user_id = ?`, userID); err != nil {
		e.t.Fatal(err)
	}
	return row.State, row.Attempts
}

func TestEmailIsSentInTheRecipientsLanguage(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		var srv *smtpmock.Server
		e.w.Mailer, srv = startSMTP(t, smtpmock.ConfigurationAttr{})
		disp := e.f.Users[policy.Dispatcher]
		if _, err := store.Exec(e.ctx, e.db, `UPDATE users SET locale = 'zh-CN' WHERE id = ?`, disp.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.publish(warning(e, disp.ID)); err != nil {
			t.Fatal(err)
		}
		e.drain(e.runner, 10)
		msgs := sentMessages(srv)
		if len(msgs) != 1 {
			t.Fatalf("%d messages", len(msgs))
		}
		m := msgs[0]
		if rr := m.RcpttoRequestResponse(); len(rr) == 0 || !strings.Contains(rr[0][0], disp.Email) {
			t.Errorf("sent to %v", m.RcpttoRequestResponse())
		}
		parsed, err := mail.ReadMessage(strings.NewReader(m.MsgRequest()))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		if err != nil || subject != "响应时限已过 75%" {
			t.Errorf("subject %q (%v), want the dispatcher's language", subject, err)
		}
		if parsed.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Error("no Auto-Submitted header")
		}
		raw := m.MsgRequest()
		for _, want := range []string{"text/plain", "text/html", "https://service.example/requests/12"} {
			if !strings.Contains(raw, want) {
				t.Errorf("message lacks %q:\n%s", want, raw)
			}
		}
		if state, n := e.emailState(disp.ID); state != "sent" || n != 1 {
			t.Fatalf("email state %s after %d attempts", state, n)
		}
	})
}

func TestRejectedEmailIsRetriedThenFails(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		disp := e.f.Users[policy.Dispatcher]
		e.w.Mailer, _ = startSMTP(t, smtpmock.ConfigurationAttr{BlacklistedRcpttoEmails: []string{disp.Email}})
		if _, err := e.publish(warning(e, disp.ID)); err != nil {
			t.Fatal(err)
		}
		e.drain(e.runner, 100)
		if state, n := e.emailState(disp.ID); state != "failed" || n != notify.EmailAttempts {
			t.Fatalf("email state %s after %d attempts, want failed after %d", state, n, notify.EmailAttempts)
		}
		// It failed because the server refused the recipient, not for want of a server.
		var lastErr string
		if err := store.Get(e.ctx, e.db, &lastErr, `SELECT email_error FROM notifications WHERE user_id = ?`, disp.ID); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(lastErr, "RCPT TO") || !strings.Contains(lastErr, disp.Email) {
			t.Errorf("last error %q, want the refused recipient", lastErr)
		}
	})
}

func TestEmailSkippedWhenTurnedOffAfterQueueing(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		var srv *smtpmock.Server
		e.w.Mailer, srv = startSMTP(t, smtpmock.ConfigurationAttr{})
		disp := e.f.Users[policy.Dispatcher]
		if _, err := e.publish(warning(e, disp.ID)); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetEmailPreference(e.ctx, disp.Actor(), false); err != nil {
			t.Fatal(err)
		}
		e.drain(e.runner, 10)
		if state, _ := e.emailState(disp.ID); state != "skipped" || len(sentMessages(srv)) != 0 {
			t.Fatalf("email state %s, %d messages", state, len(sentMessages(srv)))
		}
	})
}

func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, from string
		want      notify.SMTPConfig
		err       bool
	}{
		{"", "", notify.SMTPConfig{}, false},
		{"smtp://mail.example", "a@b.example", notify.SMTPConfig{Host: "mail.example", Port: 587, From: "a@b.example", HELO: "b.example"}, false},
		{"smtp://u%40x:p%3Ass@mail.example:2525?starttls=required", "a@b.example",
			notify.SMTPConfig{Host: "mail.example", Port: 2525, Username: "u@x", Password: "p:ss", RequireTLS: true, From: "a@b.example", HELO: "b.example"}, false},
		{"smtps://mail.example", "a@b.example", notify.SMTPConfig{Host: "mail.example", Port: 465, SSL: true, From: "a@b.example", HELO: "b.example"}, false},
		{"http://mail.example", "a@b.example", notify.SMTPConfig{}, true},
		{"smtp://mail.example", "", notify.SMTPConfig{}, true},
		{"smtp://mail.example", "not an address", notify.SMTPConfig{}, true},
		{"smtp://mail.example:99999", "a@b.example", notify.SMTPConfig{}, true},
		{"smtp://mail.example?starttls=maybe", "a@b.example", notify.SMTPConfig{}, true},
		{"smtp://:25", "a@b.example", notify.SMTPConfig{}, true},
	} {
		got, err := notify.ParseSMTPURL(tc.url, tc.from)
		if (err != nil) != tc.err || err == nil && got != tc.want {
			t.Errorf("%q %q: got %+v, %v", tc.url, tc.from, got, err)
		}
	}
}
