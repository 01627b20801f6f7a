package home_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/home"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkStanding measures the office homes on a generated database
// (AFTERSALES_BENCH_DB, a file or a postgres:// URL made by `aftersales
// generate`; skipped without it), migrated first: the whole home of the
// vendor's admin (海川, every agreement, per provider) and of the
// provider's dispatcher (恒信), and beside them, for scale, the former
// standing's one query (one month of requests counted by their breached
// flag). Beside the mean it reports the p50 and p95 of the runs and the
// process's CPU per run.
func BenchmarkStanding(b *testing.B) {
	db := testutil.GeneratedDB(b)
	ctx := context.Background()
	svc := &home.Service{DB: db, Now: time.Now}
	actor := func(email string) account.User {
		u, err := account.GetUserByEmail(ctx, db, email)
		if err != nil {
			b.Fatal(err)
		}
		return u
	}
	vendor, dispatcher := actor("admin@haichuan.example"), actor("dispatch@hengxin.example")
	run := func(b *testing.B, f func() error) {
		var took []time.Duration
		cpu := testutil.ProcessCPU()
		for b.Loop() {
			start := time.Now()
			if err := f(); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(start))
		}
		// This process's CPU per run: the whole query on SQLite, the
		// client's share on PostgreSQL. It holds still on a busy machine.
		b.ReportMetric(float64((testutil.ProcessCPU()-cpu).Microseconds())/1000/float64(len(took)), "cpu-ms/op")
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
	}
	home := func(u account.User) func() error {
		return func() error {
			w, err := svc.For(ctx, u.Actor())
			if err == nil && (w.Standing == nil || len(w.Standing.Agreements) == 0) {
				b.Fatalf("%s has no standing", u.Email)
			}
			return err
		}
	}
	b.Run("vendor-admin-home", func(b *testing.B) { run(b, home(vendor)) })
	b.Run("dispatcher-home", func(b *testing.B) { run(b, home(dispatcher)) })
	b.Run("former-month-of-requests", func(b *testing.B) {
		now := time.Now()
		start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		run(b, func() error {
			var n struct {
				Breached int `db:"breached"`
				Met      int `db:"met"`
			}
			return store.Get(ctx, db, &n, `SELECT COALESCE(SUM(CASE WHEN r.breached THEN 1 ELSE 0 END), 0) AS breached,
				COALESCE(SUM(CASE WHEN NOT r.breached AND r.status = 'resolved' THEN 1 ELSE 0 END), 0) AS met
				FROM service_requests r WHERE r.vendor_id = ? AND r.received_at >= ? AND r.received_at < ?`, vendor.OrgID, start, start.AddDate(0, 1, 0))
		})
	})
}
