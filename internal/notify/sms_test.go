package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/notify"
)

const gatewaySecret = "gw-secret-0123456789abcdef"

// gateway is an SMS gateway on a local port: it checks each request's
// signature and answers as told.
type gateway struct {
	*httptest.Server
	mu       sync.Mutex
	requests []notify.SMSRequest
	sigErrs  []error
	respond  func(n int) (int, string)
}

func newGateway(t *testing.T, respond func(n int) (int, string)) *gateway {
	g := &gateway{respond: respond}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		defer g.mu.Unlock()
		header := r.Header.Get(notify.SignatureHeader)
		g.sigErrs = append(g.sigErrs, notify.VerifySignature(gatewaySecret, header, raw, signatureTime(header), time.Minute))
		var req notify.SMSRequest
		_ = json.Unmarshal(raw, &req)
		g.requests = append(g.requests, req)
		status, body := g.respond(len(g.requests))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *gateway) received() ([]notify.SMSRequest, []error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]notify.SMSRequest(nil), g.requests...), append([]error(nil), g.sigErrs...)
}

func (e *env) texts(url string) *notify.Texts {
	e.w.SMS = notify.SMSConfig{URL: url, Secret: gatewaySecret}
	return &notify.Texts{Gateway: e.w.SMS, BaseURL: "https://service.example"}
}

func (e *env) queueSMS(t *notify.Texts, m notify.SMS) bool {
	e.t.Helper()
	var queued bool
	if err := e.db.Tx(e.ctx, func(tx *sqlx.Tx) error {
		var err error
		queued, err = t.Queue(e.ctx, tx, e.now, m)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return queued
}

func (e *env) sms(ref string) notify.SMSMessage {
	e.t.Helper()
	ms, err := notify.SMSMessagesAbout(e.ctx, e.db, ref)
	if err != nil || len(ms) != 1 {
		e.t.Fatalf("messages about %s: %v %+v", ref, err, ms)
	}
	return ms[0]
}

func surveySMS(e *env, phone string) notify.SMS {
	return notify.SMS{OrgID: e.f.Customer.ID, Phone: phone, Kind: "survey.sent", Ref: "survey:7", DedupeKey: "sms:survey:7",
		Locale: "zh-CN", Text: notify.Msg("notify.sms.survey", "Request", "SR-2026-000007", "Days", 7), Link: "/survey/tok123"}
}

// A text is signed, retried through the job queue while the gateway fails,
// handed over with the gateway's id, and its delivery receipt recorded;
// its text (with the survey link) is not stored in clear.
func TestSMSRetriedThenSentAndReceipted(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		g := newGateway(t, func(n int) (int, string) {
			if n == 1 {
				return http.StatusBadGateway, "upstream down"
			}
			return http.StatusOK, `{"id":"gw-42"}`
		})
		texts := e.texts(g.URL + "/send")
		if !e.queueSMS(texts, surveySMS(e, "138 0013 8000")) {
			t.Fatal("not queued")
		}
		if e.queueSMS(texts, surveySMS(e, "13800138000")) {
			t.Fatal("queued twice")
		}
		if n := e.count(`SELECT COUNT(*) FROM sms_messages WHERE sealed_text LIKE '%tok123%' OR sealed_text LIKE '%SR-2026%'`); n != 0 {
			t.Fatal("the text is stored in clear")
		}
		e.drain(e.runner, 10)
		reqs, sigErrs := g.received()
		if len(reqs) != 2 {
			t.Fatalf("gateway got %d requests, want 2", len(reqs))
		}
		for i, err := range sigErrs {
			if err != nil {
				t.Errorf("request %d: %v", i+1, err)
			}
		}
		r := reqs[1]
		if r.To != "+8613800138000" || r.ReceiptURL != "https://service.example/sms/receipts" ||
			r.Text != "您的服务单 SR-2026-000007 已完成，请为本次服务评价（链接 7 天内有效）： https://service.example/survey/tok123" {
			t.Fatalf("request %+v", r)
		}
		m := e.sms("survey:7")
		if m.State != notify.SMSSent || m.Attempts != 2 || m.GatewayID != "gw-42" || m.SentAt == nil || m.LastStatus != 200 {
			t.Fatalf("message %+v", m)
		}

		// The receipt: a forged or stale one is refused and changes nothing.
		body := []byte(`{"message_id":` + jsonInt(m.ID) + `,"status":"delivered"}`)
		if err := e.w.Receipt(e.ctx, notify.Sign("not the secret", e.now, body), body); !errors.Is(err, notify.ErrSignatureMismatch) {
			t.Fatalf("forged receipt: %v", err)
		}
		if err := e.w.Receipt(e.ctx, notify.Sign(gatewaySecret, e.now.Add(-time.Hour), body), body); !errors.Is(err, notify.ErrSignatureExpired) {
			t.Fatalf("stale receipt: %v", err)
		}
		if e.sms("survey:7").State != notify.SMSSent {
			t.Fatal("a refused receipt changed the message")
		}
		bad := []byte(`{"message_id":` + jsonInt(m.ID) + `,"status":"read"}`)
		if err := e.w.Receipt(e.ctx, notify.Sign(gatewaySecret, e.now, bad), bad); !errors.Is(err, notify.ErrReceiptInvalid) {
			t.Fatalf("bad status: %v", err)
		}
		unknown := []byte(`{"message_id":999999,"status":"delivered"}`)
		if err := e.w.Receipt(e.ctx, notify.Sign(gatewaySecret, e.now, unknown), unknown); !errors.Is(err, notify.ErrReceiptUnknown) {
			t.Fatalf("unknown message: %v", err)
		}
		if err := e.w.Receipt(e.ctx, notify.Sign(gatewaySecret, e.now, body), body); err != nil {
			t.Fatal(err)
		}
		if m := e.sms("survey:7"); m.State != notify.SMSDelivered || m.ReceiptAt == nil {
			t.Fatalf("after receipt %+v", m)
		}
		// A repeated receipt (the gateway retries its own posts) is accepted and changes nothing.
		late := []byte(`{"message_id":` + jsonInt(m.ID) + `,"status":"undelivered"}`)
		if err := e.w.Receipt(e.ctx, notify.Sign(gatewaySecret, e.now, late), late); err != nil {
			t.Fatal(err)
		}
		if m := e.sms("survey:7"); m.State != notify.SMSDelivered {
			t.Fatalf("a second receipt changed the state: %+v", m)
		}
	})
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// A gateway that refuses the message itself (4xx) is not asked again; a
// changed secret fails the messages queued under the old one; texts go only
// to mobile numbers, and only when the gateway is configured.
func TestSMSRefusalsAndWhatIsNotSent(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		g := newGateway(t, func(int) (int, string) { return http.StatusBadRequest, `{"error":"invalid number"}` })
		texts := e.texts(g.URL)
		if !e.queueSMS(texts, surveySMS(e, "+86 139-0000-0000")) {
			t.Fatal("not queued")
		}
		e.drain(e.runner, 10)
		if reqs, _ := g.received(); len(reqs) != 1 {
			t.Fatalf("a refused message was sent %d times", len(reqs))
		}
		if m := e.sms("survey:7"); m.State != notify.SMSFailed || m.LastStatus != 400 || !strings.Contains(m.LastError, "invalid number") {
			t.Fatalf("message %+v", m)
		}

		m := surveySMS(e, "13900000001")
		m.Ref, m.DedupeKey = "survey:8", "sms:survey:8"
		if !e.queueSMS(texts, m) {
			t.Fatal("not queued")
		}
		e.w.SMS.Secret = "another-secret-0123456789"
		e.drain(e.runner, 10)
		if reqs, _ := g.received(); len(reqs) != 1 {
			t.Fatal("a message sealed under the old secret was sent")
		}
		if got := e.sms("survey:8"); got.State != notify.SMSFailed || !strings.Contains(got.LastError, "AFTERSALES_SMS_SECRET") {
			t.Fatalf("message %+v", got)
		}

		for _, phone := range []string{"0571-88886666", "12345", "", "+1 415 555 0100"} {
			m := surveySMS(e, phone)
			m.DedupeKey = ""
			if e.queueSMS(texts, m) {
				t.Errorf("queued to %q", phone)
			}
		}
		noLink := &notify.Texts{Gateway: texts.Gateway}
		if e.queueSMS(noLink, surveySMS(e, "13700000000")) {
			t.Error("a link was queued without the public address")
		}
		off := &notify.Texts{BaseURL: "https://service.example"}
		if e.queueSMS(off, surveySMS(e, "13700000000")) {
			t.Error("queued with no gateway")
		}
	})
}

func TestMobileNumberAndConfig(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"13800138000": "+8613800138000", "+86 138 0013 8000": "+8613800138000", "0086-13800138000": "+8613800138000",
		"8613800138000": "+8613800138000", "（0571）88886666": "", "12800138000": "", "1380013800": "", "138001380001": "",
	} {
		if got := notify.MobileNumber(in); got != want {
			t.Errorf("MobileNumber(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct{ url, secret, want string }{
		{"ftp://gw.example/send", gatewaySecret, "scheme"},
		{"https://user:pw@gw.example/send", gatewaySecret, "password"},
		{"https://gw.example/send", "short", "AFTERSALES_SMS_SECRET"},
		{"https:///send", gatewaySecret, "no host"},
	} {
		if _, err := notify.ParseSMSConfig(c.url, c.secret); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSMSConfig(%q): %v, want %q", c.url, err, c.want)
		}
	}
	if c, err := notify.ParseSMSConfig("", ""); err != nil || c.Enabled() {
		t.Errorf("empty: %+v %v", c, err)
	}
	if c, err := notify.ParseSMSConfig(" https://gw.example/send ", gatewaySecret); err != nil || c.URL != "https://gw.example/send" {
		t.Errorf("valid: %+v %v", c, err)
	}
}
