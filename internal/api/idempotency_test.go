package api_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Filing a service request with an Idempotency-Key: the key is reserved in
// the transaction that files the request, so concurrent repeats file one
// request, a refusal is remembered like a success, and a key cannot be
// reused for another body.
func TestIdempotentServiceRequests(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		cl := app.API(t, f.Tokens[policy.Dispatcher])
		body := map[string]any{"serial_number": sf.Serial, "service_item": "repair", "priority": "emergency", "description": "noise"}
		before := countRows(t, db, "service_requests")

		created := 0
		for _, s := range together(8, cl, "/service-requests", body, "race") {
			switch s {
			case 201:
				created++
			case 409:
			default:
				t.Fatalf("concurrent repeat answered %d", s)
			}
		}
		if n := countRows(t, db, "service_requests"); n != before+1 || created == 0 {
			t.Fatalf("%d requests filed by 8 repeats (%d answered 201)", n-before, created)
		}
		first := cl.Do("POST", "/service-requests", body, "Idempotency-Key", "race")
		again := cl.Do("POST", "/service-requests", body, "Idempotency-Key", "race")
		if first.Status != 201 || again.Status != 201 || string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %d %q", first.Status, again.Status, again.Header.Get("Idempotent-Replayed"))
		}
		if etag := again.Header.Get("ETag"); etag != "" && etag != first.Header.Get("ETag") {
			t.Fatalf("replayed ETag %q, first %q", etag, first.Header.Get("ETag"))
		}
		body["description"] = "another fault"
		problemOf(t, cl.Do("POST", "/service-requests", body, "Idempotency-Key", "race"), 422, "idempotency-key-reused")

		// A refusal (unknown serial) is the answer to its key too.
		bad := map[string]any{"serial_number": "NO-SUCH-UNIT", "service_item": "repair", "priority": "general", "description": "x"}
		refused := cl.Do("POST", "/service-requests", bad, "Idempotency-Key", "refused")
		problemOf(t, refused, 422, "validation")
		replayed := cl.Do("POST", "/service-requests", bad, "Idempotency-Key", "refused")
		if replayed.Status != 422 || string(replayed.Body) != string(refused.Body) || replayed.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("refusal replay: %d %s", replayed.Status, replayed.Body)
		}
		if n := countRows(t, db, "service_requests"); n != before+1 {
			t.Fatalf("requests: %d, want %d", n-before, 1)
		}
		// One key row per key, and none left waiting for an answer.
		var pending int
		if err := store.Get(context.Background(), db, &pending, `SELECT COUNT(*) FROM idempotency_keys WHERE status = 0`); err != nil || pending != 0 {
			t.Fatalf("keys without an answer: %d (%v)", pending, err)
		}
	})
}

// crashAfterCommit puts a key's row in the state a crash leaves it in when
// the process dies after the request's transaction committed and before
// the answer was stored: the reservation alone, as that transaction wrote
// it, and older than any grace period a reservation once had.
func crashAfterCommit(t *testing.T, app *testutil.App, key string, age time.Duration) {
	t.Helper()
	app.Server.Drain() // the answer stored after the response, which the crash loses
	ctx := context.Background()
	res, err := store.Exec(ctx, app.DB, `UPDATE idempotency_keys SET status = 0, content_type = '', body = ?, created_at = ? WHERE key = ?`,
		[]byte{}, time.Now().UTC().Add(-age), key)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("key %q: %d rows", key, n)
	}
}

// A key leads to the resource its request created, even when the process
// died between committing the resource and storing the answer: the
// reservation commits with the resource and names it, so a retry, however
// late within the key's lifetime, answers with that resource and files
// nothing new.
func TestIdempotencyKeyOutlivesACrash(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		cl := app.API(t, f.Tokens[policy.Dispatcher])
		body := map[string]any{"serial_number": sf.Serial, "service_item": "repair", "priority": "general", "description": "crash"}
		ctx := context.Background()
		first := cl.Do("POST", "/service-requests", body, "Idempotency-Key", "crash-1")
		if first.Status != 201 {
			t.Fatalf("create: %d %s", first.Status, first.Body)
		}
		var created struct {
			ID int64 `json:"id"`
		}
		first.JSON(t, &created)
		var row struct {
			Entity string `db:"entity"`
			ID     string `db:"entity_id"`
		}
		if err := store.Get(ctx, db, &row, `SELECT entity, entity_id FROM idempotency_keys WHERE key = 'crash-1'`); err != nil {
			t.Fatal(err)
		}
		if row.Entity != "service_request" || row.ID != strconv.FormatInt(created.ID, 10) {
			t.Fatalf("the reservation names %+v, want service_request %d", row, created.ID)
		}
		filed := countRows(t, db, "service_requests")
		for _, age := range []time.Duration{0, 2 * time.Minute, 23 * time.Hour} {
			crashAfterCommit(t, app, "crash-1", age)
			again := cl.Do("POST", "/service-requests", body, "Idempotency-Key", "crash-1")
			var replayed struct {
				ID     int64  `json:"id"`
				Serial string `json:"serial_number"`
			}
			if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("retry %v after the crash: %d %q %s", age, again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
			}
			again.JSON(t, &replayed)
			if replayed.ID != created.ID || replayed.Serial != sf.Serial || again.Header.Get("ETag") != first.Header.Get("ETag") {
				t.Fatalf("retry %v answered request %d (ETag %q), want %d (ETag %q)", age, replayed.ID, again.Header.Get("ETag"), created.ID, first.Header.Get("ETag"))
			}
			if n := countRows(t, db, "service_requests"); n != filed {
				t.Fatalf("retry %v filed %d more requests", age, n-filed)
			}
		}
		// Another body under the same key is still refused.
		body["description"] = "another"
		problemOf(t, cl.Do("POST", "/service-requests", body, "Idempotency-Key", "crash-1"), 422, "idempotency-key-reused")
		// Expired, the key is free again.
		crashAfterCommit(t, app, "crash-1", 25*time.Hour)
		if res := cl.Do("POST", "/service-requests", body, "Idempotency-Key", "crash-1"); res.Status != 201 || countRows(t, db, "service_requests") != filed+1 {
			t.Fatalf("expired key: %d, %d filed", res.Status, countRows(t, db, "service_requests")-filed)
		}
	})
}

// A token created with an Idempotency-Key: the first answer shows the
// secret; nothing kept for replay holds it, and a replay names the token
// and says the secret was shown once. The same for a webhook's signing key.
func TestReplayKeepsNoSecret(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		cl := app.API(t, f.Tokens[policy.VendorAdmin])
		type tokenAnswer struct {
			Token struct {
				ID int64 `json:"id"`
			} `json:"token"`
			Secret         string `json:"secret"`
			SecretWithheld bool   `json:"secret_withheld"`
		}
		type hookAnswer struct {
			Webhook struct {
				ID int64 `json:"id"`
			} `json:"webhook"`
			Secret         string `json:"secret"`
			SecretWithheld bool   `json:"secret_withheld"`
		}
		first := cl.Do("POST", "/tokens", map[string]any{"name": "ci"}, "Idempotency-Key", "tok-1")
		var got tokenAnswer
		first.JSON(t, &got)
		if first.Status != 201 || got.Secret == "" || got.SecretWithheld {
			t.Fatalf("create: %d %s", first.Status, first.Body)
		}
		hook := cl.Do("POST", "/webhooks", map[string]any{"url": "https://hooks.example.com/in"}, "Idempotency-Key", "hook-1")
		var hookGot hookAnswer
		hook.JSON(t, &hookGot)
		if hook.Status != 201 || hookGot.Secret == "" {
			t.Fatalf("webhook: %d %s", hook.Status, hook.Body)
		}
		app.Server.Drain()

		for _, secret := range []string{got.Secret, hookGot.Secret} {
			if where := secretAtRest(t, db, secret); where != "" {
				t.Fatalf("a secret rests in clear in %s", where)
			}
		}

		for range 2 {
			again := cl.Do("POST", "/tokens", map[string]any{"name": "ci"}, "Idempotency-Key", "tok-1")
			var replay tokenAnswer
			again.JSON(t, &replay)
			if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" || replay.Token.ID != got.Token.ID ||
				replay.Secret != "" || !replay.SecretWithheld {
				t.Fatalf("token replay: %d %s", again.Status, again.Body)
			}
		}
		var tokens int
		if err := store.Get(context.Background(), db, &tokens, `SELECT COUNT(*) FROM api_tokens WHERE name = 'ci'`); err != nil || tokens != 1 {
			t.Fatalf("tokens named ci: %d (%v)", tokens, err)
		}
		again := cl.Do("POST", "/webhooks", map[string]any{"url": "https://hooks.example.com/in"}, "Idempotency-Key", "hook-1")
		var hookReplay hookAnswer
		again.JSON(t, &hookReplay)
		if again.Status != 201 || hookReplay.Webhook.ID != hookGot.Webhook.ID || hookReplay.Secret != "" || !hookReplay.SecretWithheld {
			t.Fatalf("webhook replay: %d %s", again.Status, again.Body)
		}
		// The first token's secret works; no other copy of it exists.
		if res := app.API(t, got.Secret).Do("GET", "/tokens", nil); res.Status != 200 {
			t.Fatalf("the new token: %d", res.Status)
		}
	})
}

// secretAtRest names where secret is found in clear: on SQLite anywhere in
// the database's files, on PostgreSQL in the kept answers and the audit
// trail. The webhook's signing key must be kept to sign, so its own table
// is not searched on PostgreSQL (on SQLite its bytes would show: the
// search there is for api tokens alone).
func secretAtRest(t *testing.T, db *store.DB, secret string) string {
	t.Helper()
	ctx := context.Background()
	if db.Engine == store.SQLite {
		if strings.HasPrefix(secret, "ast_") {
			for _, name := range []string{db.Source, db.Source + "-wal"} {
				b, err := os.ReadFile(name)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if bytes.Contains(b, []byte(secret)) {
					return name
				}
			}
		}
	}
	var n int
	if err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM idempotency_keys WHERE body LIKE ? OR entity_id LIKE ?`,
		[]byte("%"+secret+"%"), "%"+secret+"%"); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		return "idempotency_keys"
	}
	if err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM audit_events WHERE after_json LIKE ?`, "%"+secret+"%"); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		return "audit_events"
	}
	return ""
}

// A client's retry of a create whose first request finished is answered
// from the key before it runs: the first answer byte for byte, and nothing
// written, nor even tried. On SQLite the single writer takes no write for
// it; on PostgreSQL it sends fewer statements than one transaction (BEGIN,
// a statement, ROLLBACK) would.
func TestRepeatedRequestIsAnsweredFromTheKey(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		cl := app.API(t, f.Tokens[policy.Dispatcher])
		body := map[string]any{"serial_number": sf.Serial, "service_item": "repair", "priority": "emergency", "description": "retried"}
		first := cl.Do("POST", "/service-requests", body, "Idempotency-Key", "retried")
		if first.Status != 201 {
			t.Fatalf("create: %d %s", first.Status, first.Body)
		}
		app.Server.Drain()
		rows := rowCounts(t, db, "service_requests", "audit_events", "notifications", "idempotency_keys")
		writes, trips := writerStats(db).Writes, db.RoundTrips()
		again := cl.Do("POST", "/service-requests", body, "Idempotency-Key", "retried")
		if again.Status != 201 || !bytes.Equal(again.Body, first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("repeat: %d %q %s, want the first answer", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
		}
		if n := writerStats(db).Writes - writes; n != 0 {
			t.Fatalf("SQLite's writer took %d writes for the repeat, want none", n)
		}
		if n := db.RoundTrips() - trips; n >= 3 {
			t.Fatalf("PostgreSQL: %d statements for the repeat, want fewer than a transaction's 3", n)
		}
		unchangedRows(t, db, rows)
	})
}
