package notify_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"aftersales/internal/notify"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A webhook's signing key never rests in clear: the column holds a sealed
// value that does not contain the key, and deliveries are still signed
// with the key the admin was shown.
func TestWebhookSecretRestsSealed(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		rc := newReceiver(t, "", func(int) int { return http.StatusNoContent })
		hook, secret := e.subscribe(rc.URL, "clock.warning")
		rc.secret = secret
		var raw string
		if err := store.Get(e.ctx, e.db, &raw, `SELECT secret FROM webhooks WHERE id = ?`, hook.ID); err != nil {
			t.Fatal(err)
		}
		key := strings.TrimPrefix(secret, "whsec_")
		if !strings.HasPrefix(secret, "whsec_") || len(key) < 40 {
			t.Fatalf("secret shown %q", secret)
		}
		if strings.Contains(raw, key) || !notify.IsSealed(raw) {
			t.Fatalf("webhooks.secret holds %q: not sealed", raw)
		}
		if _, err := e.publish(warning(e)); err != nil {
			t.Fatal(err)
		}
		e.drain(e.runner, 5)
		got := rc.received()
		if len(got) != 1 || got[0].SignatureErr != nil {
			t.Fatalf("receiver got %+v", got)
		}

		// A key in clear is refused by the database itself.
		if _, err := store.Exec(e.ctx, e.db, `UPDATE webhooks SET secret = ? WHERE id = ?`, secret, hook.ID); err == nil {
			t.Error("a clear signing key was stored")
		}
	})
}

// A sealed key opens only with the box's key and for the row it was sealed
// for; a delivery signed under the wrong key fails and says why.
func TestSecretBoxOpensOnlyWithItsKeyAndPurpose(t *testing.T) {
	box := testutil.SecretBox(t)
	sealed, err := box.Seal("whsec_abc", "webhook secret of organization 1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := box.Open(sealed, "webhook secret of organization 1"); err != nil || got != "whsec_abc" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := box.Open(sealed, "webhook secret of organization 2"); err != notify.ErrSealedSecret {
		t.Errorf("opened for another organization: %v", err)
	}
	other, err := notify.NewSecretBox(strings.Repeat("k", notify.MinSecretKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(sealed, "webhook secret of organization 1"); err != notify.ErrSealedSecret {
		t.Errorf("opened with another key: %v", err)
	}
	if _, err := notify.NewSecretBox("short"); err == nil {
		t.Error("a short key was accepted")
	}
	again, _ := box.Seal("whsec_abc", "webhook secret of organization 1")
	if again == sealed {
		t.Error("sealing twice gave the same bytes (nonce reused)")
	}
}
