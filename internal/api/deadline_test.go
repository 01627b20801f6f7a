package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/edge"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/web"
)

// warm signs the client in once, so that its token's last use is stamped
// (a write, once a minute) before the writer is held: what waits for the
// writer is then the create itself.
func warm(t *testing.T, cl *testutil.Client) {
	t.Helper()
	if res := cl.Do("GET", "/organizations", nil); res.Status != http.StatusOK {
		t.Fatalf("list: %d %s", res.Status, res.Body)
	}
}

// holdWriter keeps SQLite's writer busy for d (as a large import does) and
// returns once it holds it; the returned channel is closed when it lets go.
func holdWriter(t *testing.T, db *store.DB, d time.Duration) <-chan struct{} {
	t.Helper()
	held, released := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(released)
		err := db.Tx(context.Background(), func(*sqlx.Tx) error {
			close(held)
			time.Sleep(d)
			return nil
		})
		if err != nil {
			t.Errorf("holding the writer: %v", err)
		}
	}()
	<-held
	return released
}

// withDeadline is a SQLite database, the app on it answering its ordinary
// routes within d, and the fixture.
func withDeadline(t *testing.T, d edge.RouteDeadline) (*store.DB, *testutil.App, *testutil.Fixture) {
	t.Helper()
	db := testutil.NewDB(t, store.SQLite)
	app := testutil.NewAppWith(t, db, web.Options{Edge: edge.Options{Deadlines: edge.Deadlines{Ordinary: d}}})
	return db, app, testutil.Seed(t, db)
}

func orgCount(t *testing.T, db *store.DB, code string) int {
	t.Helper()
	return scalar[int](t, db, `SELECT COUNT(*) FROM organizations WHERE code = ?`, code)
}

// A create that waits more than 5 s for SQLite's writer (behind an import,
// say) but is inside its route's deadline succeeds.
func TestCreateWaitingLongForTheWriterSucceeds(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app, f := seeded(t, db)
	cl := app.API(t, f.Tokens[policy.VendorAdmin])
	warm(t, cl)
	released := holdWriter(t, db, 6*time.Second)
	res := cl.Do("POST", "/organizations", map[string]any{"kind": "customer", "name": "Patient customer", "code": "patient"})
	<-released
	if res.Status != http.StatusCreated {
		t.Fatalf("create behind a busy writer: %d %s", res.Status, res.Body)
	}
	if n := orgCount(t, db, "patient"); n != 1 {
		t.Fatalf("%d organizations saved, want 1", n)
	}
}

// A create still waiting for the writer at its route's deadline is answered
// 503 with Retry-After, saves nothing, and leaves its Idempotency-Key free
// for the retry.
func TestCreatePastItsDeadlineIs503AndSavesNothing(t *testing.T) {
	t.Parallel()
	db, app, f := withDeadline(t, edge.RouteDeadline{Total: time.Second})
	cl := app.API(t, f.Tokens[policy.VendorAdmin])
	body := map[string]any{"kind": "customer", "name": "Hurried customer", "code": "hurried"}
	warm(t, cl)
	released := holdWriter(t, db, 3*time.Second)
	res := cl.Do("POST", "/organizations", body, "Idempotency-Key", "hurried-1")
	<-released
	assertOutOfTime(t, res)
	if n := orgCount(t, db, "hurried"); n != 0 {
		t.Fatalf("%d organizations saved by a request answered 503", n)
	}
	if again := cl.Do("POST", "/organizations", body, "Idempotency-Key", "hurried-1"); again.Status != http.StatusCreated {
		t.Fatalf("retry after the writer is free: %d %s", again.Status, again.Body)
	}
	if n := orgCount(t, db, "hurried"); n != 1 {
		t.Fatalf("%d organizations after the retry, want 1", n)
	}
}

// A body that arrives slower than its route allows is answered 503 with
// Retry-After, and nothing of it is saved.
func TestBodyPastItsDeadlineIs503(t *testing.T) {
	t.Parallel()
	db, app, f := withDeadline(t, edge.RouteDeadline{Body: time.Second, Total: 10 * time.Second})
	body := `{"kind":"customer","name":"Slow customer","code":"slow"}`
	pr, pw := io.Pipe()
	go func() {
		// One byte every 100 ms: 5.5 s for the whole body.
		for i := range len(body) {
			time.Sleep(100 * time.Millisecond)
			if _, err := pw.Write([]byte{body[i]}); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, err := http.NewRequest("POST", app.URL+"/api/v1/organizations", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+f.Tokens[policy.VendorAdmin])
	resp, err := app.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	pr.CloseWithError(io.ErrClosedPipe)
	b, _ := io.ReadAll(resp.Body)
	assertOutOfTime(t, &testutil.Response{Status: resp.StatusCode, Header: resp.Header, Body: b})
	if n := orgCount(t, db, "slow"); n != 0 {
		t.Fatalf("%d organizations saved from a body that came too late", n)
	}
}

func assertOutOfTime(t *testing.T, res *testutil.Response) {
	t.Helper()
	if res.Status != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("Content-Type %q", ct)
	}
	if got := problemType(t, res); got != "/problems/deadline-exceeded" {
		t.Fatalf("problem type %q: %s", got, res.Body)
	}
	var secs int
	if _, err := fmt.Sscan(res.Header.Get("Retry-After"), &secs); err != nil || secs <= 0 {
		t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
	}
}

// An import that waits more than 5 s for SQLite's writer (behind another
// import) succeeds: imports have a deadline of minutes.
func TestImportWaitingLongForTheWriterSucceeds(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app, f, _ := serving(t, db)
	cl := app.API(t, f.Tokens[policy.VendorAdmin])
	warm(t, cl)
	csv := "serial_number,model,customer_code,site_name,install_date\nLATE-IMP-1,FX-100,customer-one,Plant,2025/3/7\nLATE-IMP-2,FX-100,customer-one,Plant,2025/3/8\n"
	released := holdWriter(t, db, 6*time.Second)
	res := cl.Do("POST", "/units/imports", map[string]any{"filename": "late.csv", "content": csv})
	<-released
	var rep struct{ Imported int }
	res.JSON(t, &rep)
	if res.Status != http.StatusCreated || rep.Imported != 2 {
		t.Fatalf("import behind a busy writer: %d %s", res.Status, res.Body)
	}
	var n int
	if err := store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM units WHERE serial_number LIKE 'LATE-IMP-%'`); err != nil || n != 2 {
		t.Fatalf("%d units saved (%v), want 2", n, err)
	}
}
