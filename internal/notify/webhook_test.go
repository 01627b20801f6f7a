package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"aftersales/internal/notify"
	"aftersales/internal/policy"
)

// receiver is a webhook endpoint that verifies every request's signature.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	requests []received
	respond  func(n int) int // status for the nth request (1-based)
}

type received struct {
	Delivery, Event string
	Body            notify.WebhookBody
	SignatureErr    error
}

func newReceiver(t *testing.T, secret string, respond func(n int) int) *receiver {
	rc := &receiver{secret: secret, respond: respond}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		got := received{Delivery: r.Header.Get(notify.DeliveryHeader), Event: r.Header.Get(notify.EventHeader)}
		// The signature's timestamp is the sender's clock, which the tests
		// move freely: check the HMAC here, the tolerance separately.
		ts := signatureTime(r.Header.Get(notify.SignatureHeader))
		got.SignatureErr = notify.VerifySignature(rc.secret, r.Header.Get(notify.SignatureHeader), raw, ts, time.Minute)
		_ = json.Unmarshal(raw, &got.Body)
		rc.requests = append(rc.requests, got)
		w.WriteHeader(rc.respond(len(rc.requests)))
	}))
	t.Cleanup(rc.Close)
	return rc
}

func signatureTime(header string) time.Time {
	ts, _, _ := strings.Cut(strings.TrimPrefix(header, "t="), ",")
	sec, _ := strconv.ParseInt(ts, 10, 64)
	return time.Unix(sec, 0)
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.requests...)
}

func (e *env) subscribe(url string, kinds ...string) (notify.Webhook, string) {
	e.t.Helper()
	w, secret, err := e.svc.CreateWebhook(e.ctx, e.actor(policy.ProviderAdmin), notify.WebhookInput{URL: url, Kinds: kinds})
	if err != nil {
		e.t.Fatal(err)
	}
	return w, secret
}

func (e *env) deliveries(webhookID int64) []notify.Delivery {
	e.t.Helper()
	ds, err := e.svc.Deliveries(e.ctx, e.actor(policy.ProviderAdmin), webhookID, 0, 50)
	if err != nil {
		e.t.Fatal(err)
	}
	for i, d := range ds {
		if ds[i], err = e.svc.Delivery(e.ctx, e.actor(policy.ProviderAdmin), d.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	return ds
}

func TestWebhookFailsTwiceThenDelivers(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		rc := newReceiver(t, "", func(n int) int {
			if n <= 2 {
				return http.StatusServiceUnavailable
			}
			return http.StatusNoContent
		})
		hook, secret := e.subscribe(rc.URL+"/hooks", "clock.warning")
		rc.secret = secret
		if _, err := e.publish(warning(e)); err != nil {
			t.Fatal(err)
		}
		e.drain(e.runner, 20)

		got := rc.received()
		if len(got) != 3 {
			t.Fatalf("receiver got %d requests, want 3", len(got))
		}
		for i, r := range got {
			if r.SignatureErr != nil {
				t.Errorf("request %d: %v", i+1, r.SignatureErr)
			}
			if r.Delivery != got[0].Delivery || r.Event != "clock.warning" || r.Body.Event != "clock.warning" {
				t.Errorf("request %d: delivery %q event %q", i+1, r.Delivery, r.Event)
			}
		}
		if got[0].Body.OrgID != e.f.Provider.ID || got[0].Body.Link != "/requests/12" || string(got[0].Body.Data) == "" {
			t.Errorf("body %+v", got[0].Body)
		}
		var data map[string]any
		if err := json.Unmarshal(got[0].Body.Data, &data); err != nil || data["clock"] != "response" {
			t.Errorf("data %s: %v", got[0].Body.Data, err)
		}
		ds := e.deliveries(hook.ID)
		if len(ds) != 1 {
			t.Fatalf("%d deliveries", len(ds))
		}
		d := ds[0]
		if d.State != notify.Delivered || d.Attempts != 3 || d.LastStatus != 204 || d.DeliveredAt == nil || len(d.History) != 3 {
			t.Fatalf("delivery %+v", d)
		}
		if d.History[0].StatusCode != 503 || d.History[0].Error == "" || d.History[2].StatusCode != 204 || d.History[2].Error != "" {
			t.Errorf("history %+v", d.History)
		}
	})
}

func TestWebhookExhaustedThenRedelivered(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		var healthy bool
		var mu sync.Mutex
		rc := newReceiver(t, "", func(int) int {
			mu.Lock()
			defer mu.Unlock()
			if healthy {
				return 200
			}
			return 500
		})
		hook, secret := e.subscribe(rc.URL)
		rc.secret = secret
		if _, err := e.publish(warning(e)); err != nil {
			t.Fatal(err)
		}
		e.drain(e.runner, 100)
		d := e.deliveries(hook.ID)[0]
		if d.State != notify.Failed || d.Attempts != notify.WebhookAttempts || len(rc.received()) != notify.WebhookAttempts {
			t.Fatalf("after exhausting attempts: %+v, %d requests", d, len(rc.received()))
		}
		admin := e.actor(policy.ProviderAdmin)
		// Other organizations cannot see or re-send it.
		for _, a := range []policy.Actor{e.actor(policy.VendorAdmin), e.actor(policy.Dispatcher)} {
			if _, err := e.svc.Redeliver(e.ctx, a, d.ID); err == nil {
				t.Errorf("%s re-sent another organization's delivery", a.Role)
			}
		}
		mu.Lock()
		healthy = true
		mu.Unlock()
		again, err := e.svc.Redeliver(e.ctx, admin, d.ID)
		if err != nil || again.State != notify.Pending {
			t.Fatalf("redeliver: %+v %v", again, err)
		}
		if _, err := e.svc.Redeliver(e.ctx, admin, d.ID); err == nil {
			t.Error("re-sent a delivery that is still pending")
		}
		e.drain(e.runner, 10)
		d = e.deliveries(hook.ID)[0]
		got := rc.received()
		if d.State != notify.Delivered || d.Attempts != notify.WebhookAttempts+1 || got[len(got)-1].Delivery != got[0].Delivery {
			t.Fatalf("after re-sending: %+v", d)
		}
		// Disabled subscriptions get nothing more.
		if _, err := e.svc.DisableWebhook(e.ctx, admin, hook.ID); err != nil {
			t.Fatal(err)
		}
		ev := warning(e)
		ev.DedupeKey = "after-disable"
		if p, err := e.publish(ev); err != nil || p.Webhooks != 0 {
			t.Fatalf("publish after disable: %+v %v", p, err)
		}
		if _, err := e.svc.Redeliver(e.ctx, admin, d.ID); err == nil {
			t.Error("re-sent to a disabled webhook")
		}
	})
}

// A delivery published and committed survives a restart before any worker
// ran: the new runner finds the job in the database and delivers it.
func TestWebhookSurvivesRestart(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		rc := newReceiver(t, "", func(int) int { return 200 })
		hook, secret := e.subscribe(rc.URL)
		rc.secret = secret
		if _, err := e.publish(warning(e)); err != nil {
			t.Fatal(err)
		}
		// The first process dies here: its runner never ran.
		e.runner = nil
		restarted := e.newRunner()
		e.drain(restarted, 10)
		if got := rc.received(); len(got) != 1 || got[0].SignatureErr != nil {
			t.Fatalf("after restart the receiver got %+v", got)
		}
		if d := e.deliveries(hook.ID)[0]; d.State != notify.Delivered {
			t.Fatalf("delivery %+v", d)
		}
	})
}

func TestWebhookToForbiddenAddressFails(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		e.w.Webhooks = notify.NewWebhookClient(false)
		rc := newReceiver(t, "", func(int) int { return 200 })
		hook, _ := e.subscribe(rc.URL)
		if _, err := e.publish(warning(e)); err != nil {
			t.Fatal(err)
		}
		e.drain(e.runner, 100)
		d := e.deliveries(hook.ID)[0]
		if len(rc.received()) != 0 || d.State != notify.Failed || d.History[0].StatusCode != 0 || d.History[0].Error == "" {
			t.Fatalf("delivery to loopback without permission: %+v, %d requests", d, len(rc.received()))
		}
	})
}
