package settlement_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/record"
	"aftersales/internal/sla"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkGenerateStatement generates the statement of a month of
// AFTERSALES_BENCH_VISITS visits (default 100,000), each with a visit fee,
// labour, travel, one part and an on-site clock (every tenth late), on
// SQLite, and on PostgreSQL with AFTERSALES_BENCH_PG=1. Sealing the visits
// is set-up, not measured. priced_at_sealing: the records were priced as
// they were sealed (what a check-out does), and generation copies their
// prices; priced_on_demand: the records have no stored price (sealed
// before prices were kept), and generation prices every one of them first.
func BenchmarkGenerateStatement(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("AFTERSALES_BENCH_VISITS")); err == nil && v > 0 {
		n = v
	}
	engines := []store.Engine{store.SQLite}
	if os.Getenv("AFTERSALES_BENCH_PG") != "" {
		engines = append(engines, store.Postgres)
	}
	for _, engine := range engines {
		db := testutil.NewDB(b, engine)
		w := newBenchWorld(b, db)
		sealMonth(b, w, n)
		ctx := context.Background()
		// The first generation prices every record: from then on each has
		// its price, as if it had been priced at sealing.
		if _, err := w.svc.Generate(ctx, w.provider, w.agreementID, "2026-11"); err != nil {
			b.Fatal(err)
		}
		unprice := func() {
			for _, q := range []string{`DELETE FROM record_price_lines`, `DELETE FROM record_prices`} {
				if _, err := store.Exec(ctx, db, q); err != nil {
					b.Fatal(err)
				}
			}
		}
		for _, mode := range []string{"priced_at_sealing", "priced_on_demand"} {
			b.Run(fmt.Sprintf("%s/%d_visits/%s", engine, n, mode), func(b *testing.B) {
				for b.Loop() {
					if mode == "priced_on_demand" {
						b.StopTimer()
						unprice()
						b.StartTimer()
					}
					if _, err := w.svc.Generate(ctx, w.provider, w.agreementID, "2026-11"); err != nil {
						b.Fatal(err)
					}
				}
				var count int
				if err := store.Get(ctx, db, &count, `SELECT COUNT(*) FROM settlement_lines`); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(count), "lines")
			})
		}
	}
}

// sealMonth seals n visits in November 2026 in one transaction.
func sealMonth(b *testing.B, w *world, n int) {
	b.Helper()
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC)
	lat, lng := 31.40, 120.60
	err := w.db.Tx(ctx, func(tx *sqlx.Tx) error {
		for i := range n {
			in := base.Add(time.Duration(i) * (29 * 24 * time.Hour / time.Duration(n)))
			due, state := in.Add(time.Hour), sla.StateMet
			if i%10 == 0 {
				due, state = in.Add(-75*time.Minute), sla.StateBreached
			}
			c := record.Content{Kind: record.KindVisit, Visit: &record.Visit{Request: fmt.Sprintf("SR-%06d", i), Agreement: "HX-2026-01",
				ServiceItem: "repair", Priority: "general", ReceivedAt: in.Add(-time.Hour), Product: record.Product{SerialNumber: "FX100-0001", Model: "FX-100"},
				Place: record.Place{Division: "320505", Lat: &lat, Lng: &lng}, CheckedIn: in, CheckedOut: in.Add(80 * time.Minute), OnSiteSeconds: 4800,
				Result: "fixed", Parts: []record.FittedPart{{PartNumber: "P-1", Name: "Encoder", Kind: "genuine", Quantity: 1, UnitPriceFen: fen(40000)}},
				Clocks: []record.ClockOutcome{{Clock: sla.OnSite, State: state, DueAt: due, StoppedAt: &in, MarginSeconds: int64(due.Sub(in) / time.Second)}}}}
			if _, err := record.Seal(ctx, tx, in.Add(90*time.Minute), record.New{AgreementID: w.agreementID, VendorID: w.f.Vendor.ID,
				ProviderID: w.f.Provider.ID, Content: c, RetentionMonths: 36}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
