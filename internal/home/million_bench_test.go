package home_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftersales/internal/home"
	"aftersales/internal/policy"
	"aftersales/internal/satisfaction"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkVendorHomeMillion measures the vendor's home (home.For and this
// month's satisfaction, as the page reads them) over a million requests
// received in the last thirteen months under ten agreements, each resolved
// one with its completed visit, and about 2.5 million stored clocks, on
// each engine, written on the engine itself by a few INSERT … SELECT over
// a generated series. Beside it, for the before, the standing's former
// query: the vendor's stored clocks grouped row by row.
func BenchmarkVendorHomeMillion(b *testing.B) {
	for _, engine := range testutil.EngineList {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			db := testutil.NewDB(b, engine)
			f := testutil.Seed(b, db)
			sf := testutil.SeedService(b, db, f)
			svc := testutil.Services(b, db)
			vendor := f.Users[policy.VendorAdmin].Actor()
			ids := testutil.MoreAgreements(b, svc.Agreements, f, sf, 10)
			now := time.Date(2026, 12, 20, 4, 0, 0, 0, time.UTC)
			start := time.Now()
			n := testutil.BenchSize("AFTERSALES_BENCH_REQUESTS", 1_000_000)
			generateRequests(b, db, f, sf, ids, now, n)
			b.Logf("%s: %d requests generated in %s", engine, n, time.Since(start).Round(time.Second))
			homes := &home.Service{DB: db, Now: func() time.Time { return now }}
			sat := svc.Satisfaction
			sat.Now = func() time.Time { return now }
			// The figures are those of the rows (checked once, outside the timing).
			w, err := homes.For(ctx, vendor)
			if err != nil {
				b.Fatal(err)
			}
			var counted, shown int
			if err := store.Get(ctx, db, &counted, `SELECT COUNT(*) FROM request_clocks WHERE vendor_id = ? AND kind IN ('response', 'onsite', 'resolution')
				AND state <> 'cancelled'`, f.Vendor.ID); err != nil {
				b.Fatal(err)
			}
			for _, l := range w.Standing.Agreements {
				for _, p := range l.Periods {
					t := p.Totals()
					shown += t.Met + t.Breached + t.Running
				}
			}
			if shown != counted || len(w.Standing.Agreements) != 10 {
				b.Fatalf("the home shows %d clocks of %d agreements, the rows hold %d", shown, len(w.Standing.Agreements), counted)
			}
			b.Run("vendor-home", func(b *testing.B) {
				for b.Loop() {
					if _, err := homes.For(ctx, vendor); err != nil {
						b.Fatal(err)
					}
					if _, err := sat.Board(ctx, vendor, satisfaction.PeriodOf(now), 1); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("dispatcher-home", func(b *testing.B) {
				dispatcher := f.Users[policy.Dispatcher].Actor()
				for b.Loop() {
					if _, err := homes.For(ctx, dispatcher); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("former-grouping-of-the-clocks", func(b *testing.B) {
				for b.Loop() {
					var rows []struct {
						AgreementID int64  `db:"agreement_id"`
						Period      string `db:"period"`
						Kind        string `db:"kind"`
						Met         int    `db:"met"`
						Breached    int    `db:"breached"`
						Running     int    `db:"running"`
					}
					if err := store.Select(ctx, db, &rows, `SELECT agreement_id, period, kind,
						COALESCE(SUM(CASE WHEN state = 'met' THEN 1 ELSE 0 END), 0) AS met,
						COALESCE(SUM(CASE WHEN state = 'breached' THEN 1 ELSE 0 END), 0) AS breached,
						COALESCE(SUM(CASE WHEN state IN ('running', 'paused') THEN 1 ELSE 0 END), 0) AS running
						FROM request_clocks WHERE vendor_id = ? AND period >= ? AND period <= ? AND kind IN ('response', 'onsite', 'resolution')
						GROUP BY agreement_id, period, kind`, f.Vendor.ID, w.Standing.Periods[home.Months-1], w.Standing.Period); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// generateRequests writes n requests over the thirteen months before now
// (one in fifty still open, one in fifty cancelled, the others resolved
// with a completed visit), their clocks (response and resolution, on-site
// for every other one; one in seven late) and the clocks' running totals
// as storing each would have kept them.
func generateRequests(b testing.TB, db *store.DB, f *testutil.Fixture, sf testutil.ServiceFixture, agreements []int64, now time.Time, n int) {
	b.Helper()
	ctx := context.Background()
	var unit int64
	if err := store.Get(ctx, db, &unit, `SELECT id FROM units WHERE serial_number = ?`, sf.Serial); err != nil {
		b.Fatal(err)
	}
	var first int64
	if err := store.Get(ctx, db, &first, `SELECT COALESCE(MAX(id), 0) + 1 FROM service_requests`); err != nil {
		b.Fatal(err)
	}
	series := `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?) SELECT i FROM g`
	ts := "?"
	if db.Engine == store.Postgres {
		series = `SELECT i FROM generate_series(1, ?::bigint) AS g(i)`
		ts = "CAST(? AS TIMESTAMPTZ)"
	}
	// The month of request i is i % 13 back from now; received on its 10th
	// (this month: hours before now, so that the open ones fall in each age).
	received := "CASE i % 13"
	period := "CASE i % 13"
	var recArgs, periodArgs []any
	local := now.In(time.FixedZone("CST", 8*3600))
	for m := range home.Months {
		at := time.Date(local.Year(), local.Month(), 10, 9, 0, 0, 0, local.Location()).AddDate(0, -m, 0)
		if m == 0 {
			at = now.Add(-time.Duration(30) * time.Hour)
		}
		received += fmt.Sprintf(" WHEN %d THEN %s", m, ts)
		recArgs = append(recArgs, at.UTC())
		period += fmt.Sprintf(" WHEN %d THEN ?", m)
		periodArgs = append(periodArgs, at.In(local.Location()).Format("2006-01"))
	}
	received += " END"
	period += " END"
	agreementOf := "CASE i % 10"
	for k, id := range agreements {
		agreementOf += fmt.Sprintf(" WHEN %d THEN %d", k, id)
	}
	agreementOf += " END"
	status := `CASE WHEN i % 50 = 0 THEN 'received' WHEN i % 50 = 1 THEN 'scheduled' WHEN i % 50 = 2 THEN 'cancelled' ELSE 'resolved' END`
	exec := func(what, query string, args ...any) {
		b.Helper()
		start := time.Now()
		if _, err := store.Exec(ctx, db, query, args...); err != nil {
			b.Fatalf("%s: %v", what, err)
		}
		b.Logf("%s: %s", what, time.Since(start).Round(time.Millisecond))
	}
	// The period rides in the description, for the clocks' rows below.
	args := append(append([]any{f.Vendor.ID, f.Provider.ID, f.Customer.ID, unit, sf.Serial}, periodArgs...), recArgs...)
	args = append(append(args, recArgs...), n)
	exec("requests", `INSERT INTO service_requests (number, agreement_id, vendor_id, provider_id, customer_org_id, unit_id,
		serial_number, model, site_division, channel, service_item, priority, status, description, received_at, breached, updated_at)
		SELECT 'B-' || i, `+agreementOf+`, ?, ?, ?, ?, ?, 'FX-100', '320100', 'portal', 'repair', 'general', `+status+`,
			`+period+`, `+received+`, FALSE, `+received+`
		FROM (`+series+`) AS s`, args...)
	state := func(late string) string {
		return `CASE WHEN r.status IN ('received', 'scheduled') THEN 'running' WHEN r.status = 'cancelled' THEN 'cancelled'
			WHEN ` + late + ` THEN 'breached' ELSE 'met' END`
	}
	for _, k := range []struct{ kind, late, which string }{
		{"response", "r.id % 7 = 0", "TRUE"},
		{"onsite", "r.id % 7 = 1", "r.id % 2 = 0"},
		{"resolution", "r.id % 7 = 2", "TRUE"},
	} {
		exec("clocks "+k.kind, `INSERT INTO request_clocks (request_id, kind, agreement_id, vendor_id, provider_id, period, state, due_at)
			SELECT r.id, '`+k.kind+`', r.agreement_id, r.vendor_id, r.provider_id, r.description, `+state(k.late)+`, r.received_at
			FROM service_requests r WHERE r.id >= ? AND `+k.which, first)
	}
	exec("visits", `INSERT INTO work_orders (request_id, technician_id, assigned_by, window_start, window_end, status, checked_out_at, result,
		created_at, updated_at)
		SELECT r.id, ?, ?, r.received_at, r.received_at, 'completed', r.received_at, 'fixed', r.received_at, r.received_at
		FROM service_requests r WHERE r.id >= ? AND r.status = 'resolved'`, f.Users[policy.Technician].ID, f.Users[policy.Dispatcher].ID, first)
	exec("totals", `DELETE FROM request_clock_totals`)
	exec("totals", fmt.Sprintf(`INSERT INTO request_clock_totals (agreement_id, period, kind, state, vendor_id, provider_id, slot, n)
		SELECT agreement_id, period, kind, state, vendor_id, provider_id, request_id %% %[1]d, COUNT(*) FROM request_clocks
		GROUP BY agreement_id, period, kind, state, vendor_id, provider_id, request_id %% %[1]d`, servicerequest.ClockSlots))
	if db.Engine == store.Postgres {
		for _, t := range []string{"service_requests", "request_clocks", "request_clock_totals", "work_orders"} {
			exec("analyze "+t, `VACUUM ANALYZE `+t)
		}
	} else {
		exec("analyze", `ANALYZE`)
	}
}
