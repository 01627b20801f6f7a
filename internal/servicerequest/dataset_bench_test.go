package servicerequest_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkLists measures the busiest lists and searches on a generated
// database (AFTERSALES_BENCH_DB, a file or a postgres:// URL made by
// `aftersales generate`; skipped without it), migrated first, as the
// provider's dispatcher of the demo (恒信, three quarters of the requests),
// one customer and the operator. Each search runs as List runs it (read in
// the index's order, newest first) and as it ran before
// (SearchInUrgencyOrder: every match collected, then the urgency order).
// Beside the mean it reports the p50 and p95 of the runs.
func BenchmarkLists(b *testing.B) {
	db := testutil.GeneratedDB(b)
	ctx := context.Background()
	svc := &servicerequest.Service{DB: db, Now: time.Now}
	var d struct {
		ID    int64 `db:"id"`
		OrgID int64 `db:"org_id"`
	}
	if err := store.Get(ctx, db, &d, `SELECT id, org_id FROM users WHERE email = 'dispatch@hengxin.example'`); err != nil {
		b.Fatal(err)
	}
	dispatcher := policy.Actor{UserID: d.ID, OrgID: d.OrgID, OrgKind: "provider", Role: policy.Dispatcher}
	var last struct {
		Customer int64  `db:"customer_org_id"`
		Number   string `db:"number"`
		Serial   string `db:"serial_number"`
	}
	if err := store.Get(ctx, db, &last, `SELECT customer_org_id, number, serial_number FROM service_requests WHERE provider_id = ? ORDER BY id DESC LIMIT 1`, d.OrgID); err != nil {
		b.Fatal(err)
	}
	customer := policy.Actor{UserID: 1, OrgID: last.Customer, OrgKind: "customer", Role: policy.Customer}
	operator := policy.Actor{Operator: true}

	// The cursor of the dispatcher's page 100 pages deep.
	deep := ""
	for range 100 {
		p, err := svc.List(ctx, dispatcher, servicerequest.Filter{Cursor: deep, Limit: 50})
		if err != nil || p.Next == "" {
			b.Fatalf("page: %v (%q)", err, p.Next)
		}
		deep = p.Next
	}
	run := func(b *testing.B, list func() (servicerequest.Page, error)) {
		var took []time.Duration
		n := 0
		for b.Loop() {
			start := time.Now()
			p, err := list()
			took = append(took, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			n = len(p.Items)
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
		b.ReportMetric(float64(n), "rows")
	}
	open := []servicerequest.Status{servicerequest.Received, servicerequest.Responded, servicerequest.Scheduled, servicerequest.OnSite}
	for _, c := range []struct {
		name  string
		actor policy.Actor
		f     servicerequest.Filter
	}{
		{"dispatcher/first-page", dispatcher, servicerequest.Filter{}},
		{"dispatcher/emergency", dispatcher, servicerequest.Filter{Priority: "emergency"}},
		// The requests page: the open statuses, and its emergency filter.
		{"dispatcher/open", dispatcher, servicerequest.Filter{Status: open}},
		{"dispatcher/open-emergency", dispatcher, servicerequest.Filter{Status: open, Priority: "emergency"}},
		{"dispatcher/breached", dispatcher, servicerequest.Filter{Breached: new(true)}},
		{"dispatcher/page-100-deep", dispatcher, servicerequest.Filter{Cursor: deep}},
		{"customer/first-page", customer, servicerequest.Filter{}},
		{"operator/first-page", operator, servicerequest.Filter{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.f.Limit = 50
			run(b, func() (servicerequest.Page, error) { return svc.List(ctx, c.actor, c.f) })
		})
	}
	for _, q := range []string{"主轴", "报警 停机", "刀库卡死", "齿轮", "漏", last.Number, last.Serial} {
		b.Run("search/"+q, func(b *testing.B) {
			run(b, func() (servicerequest.Page, error) {
				return svc.List(ctx, dispatcher, servicerequest.Filter{Query: q, Limit: 50})
			})
		})
		if db.Engine == store.Postgres {
			unprobed := svc.WithoutSearchProbe()
			b.Run("unprobed-search/"+q, func(b *testing.B) {
				run(b, func() (servicerequest.Page, error) {
					return unprobed.List(ctx, dispatcher, servicerequest.Filter{Query: q, Limit: 50})
				})
			})
		}
		b.Run("former-search/"+q, func(b *testing.B) {
			run(b, func() (servicerequest.Page, error) { return svc.SearchInUrgencyOrder(ctx, dispatcher, q, 50) })
		})
	}
}
