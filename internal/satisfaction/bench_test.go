package satisfaction_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkVendorBoard measures the vendor's dashboard (twelve periods of
// each of its ten agreements) over a million surveyed visits, 70 % of them
// answered, and 20,000 complaints, on each engine.
func BenchmarkVendorBoard(b *testing.B) {
	for _, engine := range testutil.EngineList {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			db := testutil.NewDB(b, engine)
			f := testutil.Seed(b, db)
			sf := testutil.SeedService(b, db, f)
			svc := testutil.Services(b, db)
			vendor := f.Users[policy.VendorAdmin].Actor()
			ids := testutil.MoreAgreements(b, svc.Agreements, f, sf, 10)
			generate(b, db, ids, f.Vendor.ID, f.Provider.ID, f.Customer.ID, testutil.BenchSize("AFTERSALES_BENCH_VISITS", 1_000_000))
			s := svc.Satisfaction
			s.Now = func() time.Time { return time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC) }
			b.ResetTimer()
			for b.Loop() {
				boards, err := s.Board(ctx, vendor, "2026-12", 12)
				if err != nil || len(boards) != 10 {
					b.Fatalf("%d boards, %v", len(boards), err)
				}
			}
		})
	}
}

// generate writes the surveys and complaints in a few statements on the
// engine itself: one INSERT … SELECT over a generated series each.
func generate(b *testing.B, db *store.DB, agreements []int64, vendor, provider, customer int64, n int) {
	b.Helper()
	ctx := context.Background()
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	series := `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?) SELECT i FROM g`
	period := `printf('2026-%02d', i % 12 + 1)`
	ts := "?" // a time in a CASE: PostgreSQL must be told its type
	if db.Engine == store.Postgres {
		ts = "CAST(? AS TIMESTAMPTZ)"
		series = `SELECT i FROM generate_series(1, ?::bigint) AS g(i)`
		period = `'2026-' || lpad((i % 12 + 1)::text, 2, '0')`
	}
	agreementOf := "CASE i % 10"
	for k, id := range agreements {
		agreementOf += fmt.Sprintf(" WHEN %d THEN %d", k, id)
	}
	agreementOf += " END"
	start := time.Now()
	if _, err := store.Exec(ctx, db, `INSERT INTO surveys (record_id, work_order_id, request_id, agreement_id, vendor_id, provider_id,
		customer_org_id, period, sealed_at, sent_at, expires_at, token_hash, locale, scale_min, scale_max, satisfied_from, questions_json,
		answered_at, score, satisfied)
		SELECT i, i, i, `+agreementOf+`, ?, ?, ?, `+period+`, ?, ?, ?, 'h' || i, 'zh-CN', 1, 5, 4, '[]',
			CASE WHEN i % 10 < 7 THEN `+ts+` END, CASE WHEN i % 10 < 7 THEN i % 5 + 1 END, (i % 10 < 7 AND i % 5 + 1 >= 4)
		FROM (`+series+`) AS s`, vendor, provider, customer, at, at, at, at, n); err != nil {
		b.Fatal(err)
	}
	// The tallies, as sending and answering each survey would have kept them.
	if _, err := store.Exec(ctx, db, `INSERT INTO survey_tallies (agreement_id, period, scale_max, sent, answers, satisfied, score_sum)
		SELECT agreement_id, period, scale_max, COUNT(*), COUNT(answered_at), SUM(CASE WHEN satisfied THEN 1 ELSE 0 END), COALESCE(SUM(score), 0)
		FROM surveys GROUP BY agreement_id, period, scale_max`); err != nil {
		b.Fatal(err)
	}
	if _, err := store.Exec(ctx, db, `INSERT INTO complaints (kind, category, channel, status, agreement_id, vendor_id, provider_id, customer_org_id,
		description, filed_by, filed_at, period, first_answer_due, close_due, closed_at, updated_at)
		SELECT 'complaint', 'attitude', 'portal', CASE WHEN i % 3 = 0 THEN 'open' ELSE 'closed' END, `+agreementOf+`, ?, ?, ?,
			'bench', 'bench', ?, `+period+`, ?, ?, CASE WHEN i % 3 = 0 THEN NULL ELSE `+ts+` END, ?
		FROM (`+series+`) AS s`, vendor, provider, customer, at, at.Add(24*time.Hour), at.Add(120*time.Hour), at.Add(48*time.Hour), at, n/50); err != nil {
		b.Fatal(err)
	}
	if db.Engine == store.Postgres {
		if _, err := store.Exec(ctx, db, `VACUUM ANALYZE surveys`); err != nil {
			b.Fatal(err)
		}
		if _, err := store.Exec(ctx, db, `VACUUM ANALYZE complaints`); err != nil {
			b.Fatal(err)
		}
	} else if _, err := store.Exec(ctx, db, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d surveys and %d complaints written in %s", db.Engine, n, n/50, time.Since(start).Round(time.Millisecond))
}
