package web_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/notify"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/web"
)

// The gateway's delivery receipt is taken without a session when its
// signature verifies, and refused (changing nothing) when it does not.
func TestSMSReceiptEndpoint(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		const secret = "web-test-gateway-secret-0123"
		a := testutil.NewAppConfig(t, db, app.Config{SMS: notify.SMSConfig{URL: "http://127.0.0.1:9/send", Secret: secret}}, web.Options{})
		f := testutil.Seed(t, db)
		now := time.Now().UTC()
		id, err := store.InsertID(t.Context(), db, `INSERT INTO sms_messages (org_id, kind, ref, phone, sealed_text, state, attempts, max_attempts, created_at, updated_at, sent_at)
			VALUES (?, 'survey.sent', 'survey:1', '+8613800138000', 'x', 'sent', 1, 8, ?, ?, ?) RETURNING id`, f.Customer.ID, now, now, now)
		if err != nil {
			t.Fatal(err)
		}
		post := func(sig string, body []byte) int {
			req, _ := http.NewRequest("POST", a.URL+notify.SMSReceiptPath, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if sig != "" {
				req.Header.Set(notify.SignatureHeader, sig)
			}
			res, err := a.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		body := []byte(`{"message_id":` + strconv.FormatInt(id, 10) + `,"status":"undelivered","error":"handset off"}`)
		for _, c := range []struct {
			sig  string
			body []byte
			want int
		}{
			{"", body, 401},
			{notify.Sign("wrong-secret-0123456789", time.Now(), body), body, 401},
			{notify.Sign(secret, time.Now(), []byte(`{"status":"delivered"}`)), []byte(`{"status":"delivered"}`), 400},
			{notify.Sign(secret, time.Now(), []byte(`{"message_id":424242,"status":"delivered"}`)), []byte(`{"message_id":424242,"status":"delivered"}`), 404},
		} {
			if got := post(c.sig, c.body); got != c.want {
				t.Errorf("receipt %s: %d, want %d", c.body, got, c.want)
			}
		}
		var state string
		if err := store.Get(t.Context(), db, &state, `SELECT state FROM sms_messages WHERE id = ?`, id); err != nil || state != "sent" {
			t.Fatalf("after refused receipts: %q %v", state, err)
		}
		if got := post(notify.Sign(secret, time.Now(), body), body); got != 204 {
			t.Fatalf("receipt: %d", got)
		}
		var m struct {
			State string `db:"state"`
			Err   string `db:"last_error"`
		}
		if err := store.Get(t.Context(), db, &m, `SELECT state, last_error FROM sms_messages WHERE id = ?`, id); err != nil || m.State != "undelivered" || m.Err != "handset off" {
			t.Fatalf("after the receipt: %+v %v", m, err)
		}
	})
}
