package idempotency_test

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/idempotency"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// withheld answers like fromResource, and holds a secret in every answer:
// none is stored.
type withheld struct{ fromResource }

func (*withheld) Withheld(string) bool { return true }

// creates is a handler that creates an organization per request it runs
// (and counts them), answering with its id and the moment it ran, so that
// two runs never answer the same bytes; a body asking to be refused is
// answered 422 without writing. Before answering a create it waits for
// hold, when set.
type creates struct {
	db   *store.DB
	runs atomic.Int64
	hold chan struct{}
}

func (c *creates) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.runs.Add(1)
	body, _ := io.ReadAll(r.Body)
	if strings.Contains(string(body), "refuse") {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"refused at":"` + time.Now().Format(time.RFC3339Nano) + `"}`))
		return
	}
	now := time.Now().UTC()
	var id int64
	err := c.db.Tx(r.Context(), func(tx *sqlx.Tx) error {
		var err error
		id, err = store.InsertID(r.Context(), tx, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES ('customer', 'C', ?, ?, ?) RETURNING id`,
			"repeat-"+now.Format("150405.000000000"), now, now)
		if err == nil {
			store.NoteWritten(r.Context(), "organization", strconv.FormatInt(id, 10))
		}
		return err
	})
	if err != nil {
		// The key is taken: the middleware answers.
		return
	}
	if c.hold != nil {
		<-c.hold
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"id":` + strconv.FormatInt(id, 10) + `,"at":"` + now.Format(time.RFC3339Nano) + `"}`))
}

// middleware is the middleware on db applying to every request, answering
// an error 500 and a problem with its status alone.
func middleware(db *store.DB, replays idempotency.Replays) *idempotency.Middleware {
	return idempotency.New(idempotency.Deps{
		DB: db, Now: time.Now, Log: slog.New(slog.DiscardHandler), Replays: replays,
		Applies:  func(*http.Request) bool { return true },
		Streamed: func(string, string) bool { return false },
		Spool:    func(*http.Request, *[sha256.Size]byte) (io.Closer, error) { return nil, nil },
		Fail:     func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusInternalServerError) },
		Problem:  func(w http.ResponseWriter, kind problem.Kind, _ string) { w.WriteHeader(kind.Status()) },
	})
}

// keyed is the middleware around handler on db, with a client that sends a
// body under a key as a user.
func keyed(db *store.DB, handler http.Handler, replays idempotency.Replays) (*idempotency.Middleware, func(userID int64, key, body string) *httptest.ResponseRecorder) {
	m := middleware(db, replays)
	h := m.Wrap(handler)
	return m, func(userID int64, key, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/organizations", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Idempotency-Key", key)
		r = r.WithContext(policy.WithActor(r.Context(), policy.Actor{UserID: userID, Role: policy.VendorAdmin}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
}

func organizationsCreated(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM organizations WHERE code LIKE 'repeat-%'`); err != nil {
		t.Fatal(err)
	}
	return n
}

// A repeat whose key's request finished is answered from the key before it
// runs: the handler is not called again, and the answer is the first's, byte
// for byte. A refusal is answered the same way; another body under the key
// is refused without running. The key is its user's: another user's request
// with the same key runs, and so does one whose key expired.
func TestFinishedRepeatDoesNotRun(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := testutil.Seed(t, db)
		alice, bob := f.Users[policy.VendorAdmin].ID, f.Users[policy.VendorAuditor].ID
		c := &creates{db: db}
		m, send := keyed(db, c, &fromResource{})
		runs := func(want int64) {
			t.Helper()
			if n := c.runs.Load(); n != want {
				t.Fatalf("the handler ran %d times, want %d", n, want)
			}
		}

		first := send(alice, "k", `{"name":"C"}`)
		if first.Code != http.StatusCreated {
			t.Fatalf("first: %d", first.Code)
		}
		m.Drain()
		for range 2 {
			again := send(alice, "k", `{"name":"C"}`)
			if again.Code != http.StatusCreated || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
				t.Fatalf("repeat: %d %q, want 201 %q replayed", again.Code, again.Body, first.Body)
			}
			if again.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("repeat's Content-Type %q", again.Header().Get("Content-Type"))
			}
		}
		runs(1)
		if code := send(alice, "k", `{"name":"D"}`).Code; code != http.StatusUnprocessableEntity {
			t.Fatalf("another body under the key: %d, want 422", code)
		}
		runs(1)

		refused := send(alice, "no", `{"refuse":true}`)
		if refused.Code != http.StatusUnprocessableEntity {
			t.Fatalf("refusal: %d", refused.Code)
		}
		again := send(alice, "no", `{"refuse":true}`)
		if again.Code != refused.Code || again.Body.String() != refused.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("refusal's repeat: %d %q, want %q", again.Code, again.Body, refused.Body)
		}
		runs(2)
		if n := organizationsCreated(t, db); n != 1 {
			t.Fatalf("%d organizations, want 1", n)
		}

		// Another user's key of the same name is another key.
		if res := send(bob, "k", `{"name":"C"}`); res.Code != http.StatusCreated || res.Body.String() == first.Body.String() {
			t.Fatalf("another user's key: %d %q", res.Code, res.Body)
		}
		runs(3)
		// An expired key is free again.
		m.Drain()
		if _, err := store.Exec(context.Background(), db, `UPDATE idempotency_keys SET created_at = ? WHERE user_id = ? AND key = 'k'`,
			time.Now().UTC().Add(-idempotency.TTL-time.Minute), alice); err != nil {
			t.Fatal(err)
		}
		if res := send(alice, "k", `{"name":"C"}`); res.Code != http.StatusCreated || res.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("expired key: %d %q", res.Code, res.Header().Get("Idempotent-Replayed"))
		}
		runs(4)
		if n := organizationsCreated(t, db); n != 3 {
			t.Fatalf("%d organizations, want 3", n)
		}
	})
}

// A repeat of a create whose answer is withheld (it holds a secret) is
// answered from the resource the key names, without running.
func TestWithheldRepeatDoesNotRun(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := testutil.Seed(t, db)
		c := &creates{db: db}
		replays := &withheld{}
		m, send := keyed(db, c, replays)
		user := f.Users[policy.VendorAdmin].ID
		if code := send(user, "secret", `{"name":"C"}`).Code; code != http.StatusCreated {
			t.Fatalf("first: %d", code)
		}
		m.Drain()
		again := send(user, "secret", `{"name":"C"}`)
		if again.Code != http.StatusCreated || again.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("repeat: %d %q", again.Code, again.Body)
		}
		if e, _ := replays.entity.Load().(string); e != "organization" {
			t.Fatalf("repeat answered from %q, want the organization", e)
		}
		if n := c.runs.Load(); n != 1 {
			t.Fatalf("the handler ran %d times, want once", n)
		}
	})
}

// A repeat that arrives while the first request is still running runs as
// it always did: its write finds the key taken, writes nothing, and it is
// answered from the resource the key names.
func TestRepeatWhileTheFirstRunsRuns(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := testutil.Seed(t, db)
		c := &creates{db: db, hold: make(chan struct{})}
		replays := &fromResource{}
		m, send := keyed(db, c, replays)
		user := f.Users[policy.VendorAdmin].ID
		done := make(chan int)
		go func() { done <- send(user, "slow", `{"name":"C"}`).Code }()
		// The first has committed its write and waits to answer.
		for organizationsCreated(t, db) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		again := send(user, "slow", `{"name":"C"}`)
		close(c.hold)
		if code := <-done; code != http.StatusCreated {
			t.Fatalf("first: %d", code)
		}
		m.Drain()
		if again.Code != http.StatusCreated || again.Header().Get("Idempotent-Replayed") != "true" || replays.entity.Load() != "organization" {
			t.Fatalf("repeat while the first runs: %d %q", again.Code, again.Body)
		}
		if n := c.runs.Load(); n != 2 {
			t.Fatalf("the handler ran %d times, want twice", n)
		}
		if n := organizationsCreated(t, db); n != 1 {
			t.Fatalf("%d organizations, want 1", n)
		}
	})
}
