package store_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"aftersales/internal/notify"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Answers of token creation stored before answers were kept without
// secrets become references to their token: the secret is gone, the key
// still leads to the token.
func TestMigrationForgetsStoredTokenSecrets(t *testing.T) {
	atVersion(t, 13, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Now().UTC()
		orgID := insertID(t, db, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES ('vendor', 'V', 'v', ?, ?) RETURNING id`, now, now)
		userID := insertID(t, db, `INSERT INTO users (org_id, email, name, role, password_hash, created_at, updated_at)
			VALUES (?, 'a@v.example', 'A', 'vendor_admin', 'x', ?, ?) RETURNING id`, orgID, now, now)
		const secret = "ast_0123456789abcdefSECRET"
		answer := []byte(`{"$schema":"x","token":{"id":7,"user_id":1,"name":"ci"},"secret":"` + secret + `"}`)
		for _, row := range []struct {
			key, path string
			status    int
			body      []byte
		}{{"tok", "/api/v1/tokens", 201, answer}, {"refused", "/api/v1/tokens", 422, []byte(`{"status":422}`)}, {"org", "/api/v1/organizations", 201, []byte(`{"id":3}`)}} {
			if _, err := store.Exec(ctx, db, `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, status, content_type, body, created_at)
				VALUES (?, ?, 'POST', ?, 'h', ?, 'application/json', ?, ?)`, userID, row.key, row.path, row.status, row.body, now); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		type keyRow struct {
			Key      string `db:"key"`
			Status   int    `db:"status"`
			Body     []byte `db:"body"`
			Entity   string `db:"entity"`
			EntityID string `db:"entity_id"`
		}
		var rows []keyRow
		if err := store.Select(ctx, db, &rows, `SELECT key, status, body, entity, entity_id FROM idempotency_keys ORDER BY key`); err != nil {
			t.Fatal(err)
		}
		want := map[string]keyRow{
			"org":     {Key: "org", Status: 201, Body: []byte(`{"id":3}`)},
			"refused": {Key: "refused", Status: 422, Body: []byte(`{"status":422}`)},
			"tok":     {Key: "tok", Status: 0, Body: []byte{}, Entity: "api_token", EntityID: "7"},
		}
		for _, r := range rows {
			w := want[r.Key]
			if r.Status != w.Status || !bytes.Equal(r.Body, w.Body) || r.Entity != w.Entity || r.EntityID != w.EntityID {
				t.Errorf("key %s after the migration: %+v, want %+v", r.Key, r, w)
			}
			if bytes.Contains(r.Body, []byte(secret)) {
				t.Errorf("key %s still holds the secret", r.Key)
			}
		}
		if len(rows) != 3 {
			t.Fatalf("%d keys", len(rows))
		}
	})
}

// Webhook signing keys stored in clear by earlier versions are sealed at
// start-up (the step the server runs after migrating); afterwards the raw
// column holds none of them, each opens to the key its receiver verifies
// with, and a second run (another instance starting) changes nothing.
func TestStartupSealsWebhookSecretsStoredInClear(t *testing.T) {
	atVersion(t, 36, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Now().UTC()
		orgID := insertID(t, db, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES ('vendor', 'V', 'v', ?, ?) RETURNING id`, now, now)
		secrets := []string{"whsec_firstCLEARsecret0123456789", "whsec_secondCLEARsecret0123456789"}
		for _, s := range secrets {
			if _, err := store.Exec(ctx, db, `INSERT INTO webhooks (org_id, url, secret, created_at) VALUES (?, 'https://h.example/in', ?, ?)`, orgID, s, now); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		box := testutil.SecretBox(t)
		if n, err := notify.SealWebhookSecrets(ctx, db, box); err != nil || n != 2 {
			t.Fatalf("sealed %d: %v", n, err)
		}
		if n, err := notify.SealWebhookSecrets(ctx, db, box); err != nil || n != 0 {
			t.Fatalf("second run sealed %d: %v", n, err)
		}
		var raw []string
		if err := store.Select(ctx, db, &raw, `SELECT secret FROM webhooks ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		for i, r := range raw {
			if strings.Contains(r, "CLEAR") || !notify.IsSealed(r) {
				t.Errorf("webhook %d: raw secret %q", i+1, r)
			}
			if got, err := box.Open(r, fmt.Sprintf("webhook secret of organization %d", orgID)); err != nil || got != secrets[i] {
				t.Errorf("webhook %d opens to %q, %v", i+1, got, err)
			}
		}
		if _, err := store.Exec(ctx, db, `INSERT INTO webhooks (org_id, url, secret, created_at) VALUES (?, 'https://h.example/in', 'whsec_new', ?)`, orgID, now); err == nil {
			t.Error("a new webhook with a clear secret was stored")
		}
	})
}
