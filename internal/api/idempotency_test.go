package api_test

import (
	"context"
	"sync"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Filing a service request with an Idempotency-Key: the key is reserved in
// the transaction that files the request, so concurrent repeats file one
// request, a refusal is remembered like a success, and a key cannot be
// reused for another body.
func TestIdempotentServiceRequests(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		app := testutil.NewApp(t, db)
		f := testutil.Seed(t, db)
		sf := testutil.SeedService(t, db, f)
		cl := app.API(t, f.Tokens[policy.Dispatcher])
		body := map[string]any{"serial_number": sf.Serial, "service_item": "repair", "priority": "emergency", "description": "noise"}
		requests := func() int {
			var n int
			if err := store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM service_requests`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := requests()

		var wg sync.WaitGroup
		statuses := make(chan int, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- cl.Do("POST", "/service-requests", body, "Idempotency-Key", "race").Status
			}()
		}
		wg.Wait()
		close(statuses)
		created := 0
		for s := range statuses {
			switch s {
			case 201:
				created++
			case 409:
			default:
				t.Fatalf("concurrent repeat answered %d", s)
			}
		}
		if n := requests(); n != before+1 || created == 0 {
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
		if n := requests(); n != before+1 {
			t.Fatalf("requests: %d, want %d", n-before, 1)
		}
		// One key row per key, and none left waiting for an answer.
		var pending int
		if err := store.Get(context.Background(), db, &pending, `SELECT COUNT(*) FROM idempotency_keys WHERE status = 0`); err != nil || pending != 0 {
			t.Fatalf("keys without an answer: %d (%v)", pending, err)
		}
	})
}
