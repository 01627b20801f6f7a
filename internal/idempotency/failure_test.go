package idempotency_test

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/idempotency"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// fromResource answers a repeat from the resource its key names, as the
// API's replays do, and remembers which one it was asked for.
type fromResource struct{ entity, id atomic.Value }

func (*fromResource) Withheld(string) bool { return false }

func (f *fromResource) Answer(_ context.Context, _, entity, id string) (idempotency.Replayed, bool, error) {
	f.entity.Store(entity)
	f.id.Store(id)
	return idempotency.Replayed{Status: http.StatusCreated, Header: http.Header{}, Body: []byte(`{"id":` + id + `}`)}, true, nil
}

// A request that fails after its write committed (its deadline passed on the
// way out, say) keeps its key: the key names what was written, and a repeat
// is answered from it instead of writing it again.
func TestKeyOutlivesAFailureAfterTheCommit(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := testutil.Seed(t, db)
		created := func(w http.ResponseWriter, r *http.Request) {
			now := time.Now().UTC()
			err := db.Tx(r.Context(), func(tx *sqlx.Tx) error {
				id, err := store.InsertID(r.Context(), tx, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES ('customer', 'C', ?, ?, ?) RETURNING id`,
					"after-commit-"+time.Now().Format("150405.000000000"), now, now)
				if err != nil {
					return err
				}
				store.NoteWritten(r.Context(), "organization", strconv.FormatInt(id, 10))
				return nil
			})
			if err != nil {
				// A repeat's write meets the key its first request holds, and
				// is not made; the middleware answers it.
				return
			}
			// The write is committed; the answer fails anyway.
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		replays := &fromResource{}
		m, keyedSend := keyed(db, http.HandlerFunc(created), replays)
		send := func() int {
			return keyedSend(f.Users[policy.VendorAdmin].ID, "fails-after-commit", `{"name":"C"}`).Code
		}
		if code := send(); code != http.StatusServiceUnavailable {
			t.Fatalf("first: %d, want 503", code)
		}
		m.Drain()
		if code := send(); code != http.StatusCreated {
			t.Fatalf("repeat: %d, want 201 from the resource", code)
		}
		var n int
		if err := store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM organizations WHERE code LIKE 'after-commit-%'`); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d organizations created, want one", n)
		}
		if e, _ := replays.entity.Load().(string); e != "organization" {
			t.Fatalf("repeat answered from %q, want the organization written", e)
		}
	})
}
