package servicerequest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The running totals the homes read equal a count of the stored clock rows
// after any sequence of changes: random states of random kinds of random
// requests (of two months and two agreements' parties as first stored),
// written by four writers at once, each change in its own transaction,
// some rolled back.
func TestClockTotalsEqualTheRowsAfterRandomChanges(t *testing.T) {
	onWednesday(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture) {
		ctx := t.Context()
		var ids []int64
		for i := range 6 {
			ids = append(ids, fileRepair(t, svc, f, fmt.Sprintf("故障 %d", i)).ID)
		}
		var ag struct {
			ID       int64 `db:"agreement_id"`
			Vendor   int64 `db:"vendor_id"`
			Provider int64 `db:"provider_id"`
		}
		if err := store.Get(ctx, db, &ag, `SELECT agreement_id, vendor_id, provider_id FROM service_requests WHERE id = ?`, ids[0]); err != nil {
			t.Fatal(err)
		}
		kinds := []string{"response", "onsite", "resolution", "escalation"}
		states := []string{"running", "paused", "met", "breached", "cancelled"}
		concurrently(t, 4, func(w int) error {
			rnd := rand.New(rand.NewPCG(uint64(w), 16))
			for range 40 {
				id := ids[rnd.IntN(len(ids))]
				var rows [][]any
				for _, k := range kinds {
					if rnd.IntN(2) == 0 {
						continue
					}
					// A row stored before keeps its parties and month: these
					// only count for a kind stored for the first time.
					period, agreementID := "2026-11", ag.ID
					if rnd.IntN(3) == 0 {
						period, agreementID = "2026-10", ag.ID+1000
					}
					rows = append(rows, []any{id, k, agreementID, ag.Vendor, ag.Provider, period, states[rnd.IntN(len(states))], c.now})
				}
				rollback := rnd.IntN(5) == 0
				err := db.Tx(ctx, func(tx *sqlx.Tx) error {
					if err := servicerequest.SaveClockRows(ctx, tx, id, rows); err != nil {
						return err
					}
					if rollback {
						return errRolledBack
					}
					return nil
				})
				if err != nil && err != errRolledBack {
					return err
				}
			}
			return nil
		})
		type total struct {
			AgreementID int64  `db:"agreement_id"`
			Period      string `db:"period"`
			Kind        string `db:"kind"`
			State       string `db:"state"`
			VendorID    int64  `db:"vendor_id"`
			ProviderID  int64  `db:"provider_id"`
			N           int    `db:"n"`
		}
		read := func(query string) map[total]int { return counts(t, db, query, func(r *total) *int { return &r.N }) }
		totals := read(`SELECT agreement_id, period, kind, state, vendor_id, provider_id, SUM(n) AS n FROM request_clock_totals
			GROUP BY agreement_id, period, kind, state, vendor_id, provider_id HAVING SUM(n) <> 0`)
		counted := read(`SELECT agreement_id, period, kind, state, vendor_id, provider_id, COUNT(*) AS n FROM request_clocks
			GROUP BY agreement_id, period, kind, state, vendor_id, provider_id`)
		if len(counted) < 5 {
			t.Fatalf("too few kinds of rows to compare: %v", counted)
		}
		sameCounts(t, totals, counted)
		var negative int
		if err := store.Get(ctx, db, &negative, `SELECT COUNT(*) FROM request_clock_totals WHERE n < 0`); err != nil || negative != 0 {
			t.Fatalf("%d negative totals, %v", negative, err)
		}
	})
}

var errRolledBack = fmt.Errorf("rolled back on purpose")

// Requests of one agreement filed at once, by eight writers, are counted
// in the slots of their ids: every slot holds the count of its requests'
// stored clocks, the slots sum to a recount of the rows, and the count is
// spread over every slot.
func TestClockTotalsOfConcurrentFilingsAreSpreadOverSlots(t *testing.T) {
	onWednesday(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture) {
		ctx := t.Context()
		const writers, each = 8, 6
		concurrently(t, writers, func(w int) error {
			for i := range each {
				_, err := svc.Create(ctx, f.Users[policy.Dispatcher].Actor(), servicerequest.NewRequest{SerialNumber: "IN-SCOPE-1",
					ServiceItem: "repair", Priority: "general", Description: fmt.Sprintf("故障 %d-%d", w, i), Channel: servicerequest.Dispatcher})
				if err != nil {
					return err
				}
			}
			return nil
		})
		type slotTotal struct {
			Period string `db:"period"`
			Kind   string `db:"kind"`
			State  string `db:"state"`
			Slot   int    `db:"slot"`
			N      int    `db:"n"`
		}
		read := func(query string) map[slotTotal]int {
			return counts(t, db, query, func(r *slotTotal) *int { return &r.N })
		}
		totals := read(`SELECT period, kind, state, slot, n FROM request_clock_totals WHERE n <> 0`)
		counted := read(fmt.Sprintf(`SELECT period, kind, state, request_id %% %d AS slot, COUNT(*) AS n FROM request_clocks
			GROUP BY period, kind, state, request_id %% %d`, servicerequest.ClockSlots, servicerequest.ClockSlots))
		if len(counted) < servicerequest.ClockSlots {
			t.Fatalf("%d counts of rows, want one a slot at least: %v", len(counted), counted)
		}
		sameCounts(t, totals, counted)
		var sum, rows, slots int
		for _, q := range []struct {
			into  *int
			query string
		}{
			{&sum, `SELECT COALESCE(SUM(n), 0) FROM request_clock_totals`},
			{&rows, `SELECT COUNT(*) FROM request_clocks`},
			{&slots, `SELECT COUNT(DISTINCT slot) FROM request_clock_totals`},
		} {
			if err := store.Get(ctx, db, q.into, q.query); err != nil {
				t.Fatal(err)
			}
		}
		if sum != rows || rows < writers*each {
			t.Errorf("totals sum to %d, %d clock rows of %d requests", sum, rows, writers*each)
		}
		if slots != servicerequest.ClockSlots {
			t.Errorf("the totals fill %d slots, want %d", slots, servicerequest.ClockSlots)
		}
	})
}

// A request whose clocks were never stored (filed before they were) is in
// the backlog: the clock job stores its clocks, and the totals count them,
// at most WatchBacklog requests a run; a closed one is not among the due
// checks.
func TestClockBacklogIsStoredAPageAtATime(t *testing.T) {
	onWednesday(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture) {
		ctx := t.Context()
		var ids []int64
		// Three requests, as if filed before clocks were stored: no rows, in
		// the backlog; one of them resolved long ago, out of the due checks.
		for i := range 3 {
			ids = append(ids, fileRepair(t, svc, f, fmt.Sprintf("旧单 %d", i)).ID)
		}
		if _, err := store.Exec(ctx, db, `DELETE FROM request_clocks`); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Exec(ctx, db, `DELETE FROM request_clock_totals`); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Exec(ctx, db, `UPDATE service_requests SET status = 'cancelled', next_check_at = NULL WHERE id = ?`, ids[0]); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if _, err := store.Exec(ctx, db, `INSERT INTO request_clocks_backlog (request_id) VALUES (?)`, id); err != nil {
				t.Fatal(err)
			}
		}
		count := func(query string, args ...any) int {
			t.Helper()
			var n int
			if err := store.Get(ctx, db, &n, query, args...); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Two a run: the first run leaves one for the next.
		run := svc.WithBacklogPerRun(2)
		for i, left := range []int{1, 0} {
			if _, err := run.Watch(ctx, nil, c.now.Add(time.Duration(i+1)*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if n := count(`SELECT COUNT(*) FROM request_clocks_backlog`); n != left {
				t.Fatalf("run %d: %d requests left in the backlog, want %d", i+1, n, left)
			}
		}
		for _, id := range ids {
			if n := count(`SELECT COUNT(*) FROM request_clocks WHERE request_id = ?`, id); n == 0 {
				t.Fatalf("request %d: no clocks stored", id)
			}
		}
		if n := count(`SELECT COUNT(*) FROM request_clocks WHERE request_id = ? AND state IN ('running', 'paused')`, ids[0]); n != 0 {
			t.Fatalf("the cancelled request has %d clocks running", n)
		}
		if rows, sum := count(`SELECT COUNT(*) FROM request_clocks`), count(`SELECT COALESCE(SUM(n), 0) FROM request_clock_totals`); rows != sum {
			t.Fatalf("%d rows, totals %d", rows, sum)
		}
	})
}

// counts reads the rows of query, each a key and its count n (where nOf
// points), into a map from the key (n zeroed) to the counts summed.
func counts[K comparable](t *testing.T, db *store.DB, query string, nOf func(*K) *int) map[K]int {
	t.Helper()
	var rows []K
	if err := store.Select(context.Background(), db, &rows, query); err != nil {
		t.Fatal(err)
	}
	out := map[K]int{}
	for _, r := range rows {
		n := nOf(&r)
		count := *n
		*n = 0
		out[r] += count
	}
	return out
}

// concurrently runs write(0) to write(n-1) at once and fails t with what
// any of them returns.
func concurrently(t *testing.T, n int, write func(w int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range n {
		wg.Go(func() {
			if err := write(w); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// sameCounts checks that the stored totals equal the counts of the rows,
// key by key, neither holding a key the other lacks.
func sameCounts[K comparable](t *testing.T, totals, counted map[K]int) {
	t.Helper()
	for k, n := range counted {
		if totals[k] != n {
			t.Errorf("%+v: total %d, the rows count %d", k, totals[k], n)
		}
	}
	for k, n := range totals {
		if _, ok := counted[k]; !ok {
			t.Errorf("%+v: total %d, no such rows", k, n)
		}
	}
}
