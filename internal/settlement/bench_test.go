package settlement_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/record"
	"aftersales/internal/settlement"
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
// before prices were kept), and generation prices every one of them first;
// submit: submitting the draft, which copies its kept lines.
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
		setUp := time.Now()
		sealMonth(b, w, n)
		ctx := context.Background()
		if v, err := record.Verify(ctx, db, w.agreementID); err != nil || len(v.Breaks) > 0 || v.Records != n {
			b.Fatalf("the chain of the sealed records: %+v, %v", v, err)
		}
		sealed := time.Now()
		// The first generation prices every record: from then on each has
		// its price, as if it had been priced at sealing.
		if _, err := w.svc.Generate(ctx, w.provider, w.agreementID, "2026-11"); err != nil {
			b.Fatal(err)
		}
		// A database in use has its planner statistics and visibility map
		// kept by autovacuum; after a bulk load of this size they lag, and
		// PostgreSQL would plan the period's queries for empty tables.
		if engine == store.Postgres {
			if _, err := store.Exec(ctx, db, `VACUUM ANALYZE`); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s: %d records sealed in %v, priced in %v", engine, n, sealed.Sub(setUp).Round(time.Millisecond),
			time.Since(sealed).Round(time.Millisecond))
		unprice := func() {
			for _, q := range []string{`DELETE FROM record_price_lines`, `DELETE FROM record_prices`} {
				if _, err := store.Exec(ctx, db, q); err != nil {
					b.Fatal(err)
				}
			}
		}
		for _, mode := range []string{"priced_at_sealing", "priced_on_demand"} {
			b.Run(fmt.Sprintf("%s/%d_visits/%s", engine, n, mode), func(b *testing.B) {
				start := cpuTime()
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
				// The draft's lines: its records' kept lines and its own.
				var count int
				if err := store.Get(ctx, db, &count, `SELECT (SELECT COUNT(*) FROM record_price_lines) + (SELECT COUNT(*) FROM settlement_lines)`); err != nil {
					b.Fatal(err)
				}
				reportCPU(b, start)
				b.ReportMetric(float64(count), "lines")
			})
		}
		// The workbook of the statement as the export serves it: read the
		// statement with its lines, write the workbook. Peak memory is the
		// process's resident high-water mark during the export (reset
		// before it), beside its resident size before.
		b.Run(fmt.Sprintf("%s/%d_visits/export_xlsx", engine, n), func(b *testing.B) {
			st, err := w.svc.Generate(ctx, w.provider, w.agreementID, "2026-11")
			if err != nil {
				b.Fatal(err)
			}
			t := func(id string, _ ...any) string { return id }
			var before, peak int64
			start := cpuTime()
			for b.Loop() {
				b.StopTimer()
				before = resetPeakRSS(b)
				b.StartTimer()
				d, err := w.svc.Document(ctx, w.provider, st.ID, t)
				if err != nil {
					b.Fatal(err)
				}
				if err := d.Write(io.Discard, settlement.ExportXLSX, nil); err != nil {
					b.Fatal(err)
				}
				peak = max(peak, procStatus(b, "VmHWM")-before)
			}
			reportCPU(b, start)
			b.ReportMetric(float64(before)/(1<<20), "MB-resident-before")
			b.ReportMetric(float64(peak)/(1<<20), "MB-peak-above-before")
		})
		// Submitting copies the draft's kept lines into the statement
		// (once per statement); the draft is generated again, untimed,
		// before each submission.
		b.Run(fmt.Sprintf("%s/%d_visits/submit", engine, n), func(b *testing.B) {
			start := cpuTime()
			defer func() { reportCPU(b, start) }()
			for b.Loop() {
				b.StopTimer()
				st, err := w.svc.Generate(ctx, w.provider, w.agreementID, "2026-11")
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := w.svc.Submit(ctx, w.provider, st.ID); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				for _, q := range []string{`DELETE FROM settlement_lines WHERE statement_id = ?`,
					`UPDATE settlement_statements SET status = 'draft', submitted_at = NULL, submitted_by = '' WHERE id = ?`} {
					if _, err := store.Exec(ctx, db, q, st.ID); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
			}
		})
	}
}

// cpuTime is the CPU time the process has used so far (user and system):
// on a machine shared with other work, a figure beside the wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
}

// resetPeakRSS collects the garbage, returns the heap to the system,
// resets the process's resident high-water mark (Linux: 5 into
// /proc/self/clear_refs) and returns its resident size.
func resetPeakRSS(b *testing.B) int64 {
	b.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("peak memory is not measured here: %v", err)
	}
	return procStatus(b, "VmRSS")
}

// procStatus reads a size from /proc/self/status, in bytes.
func procStatus(b *testing.B, field string) int64 {
	b.Helper()
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// sealMonth seals n visits in November 2026, as record.Seal would one at
// a time, but written in multi-row INSERTs of 1,000 records, in
// transactions of 20,000: the same rows (sequence, chain of hashes, head
// of the chain), without a round trip per statement. The records have no
// price yet: the first generation prices them.
func sealMonth(b *testing.B, w *world, n int) {
	b.Helper()
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC)
	lat, lng := 31.40, 120.60
	var head struct {
		Seq  int64  `db:"last_seq"`
		Hash string `db:"last_hash"`
	}
	err := store.Get(ctx, w.db, &head, `SELECT last_seq, last_hash FROM record_chains WHERE agreement_id = ?`, w.agreementID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		head.Hash = record.Genesis
		if _, err := store.Exec(ctx, w.db, `INSERT INTO record_chains (agreement_id, last_seq, last_hash) VALUES (?, 0, ?)`,
			w.agreementID, record.Genesis); err != nil {
			b.Fatal(err)
		}
	case err != nil:
		b.Fatal(err)
	}
	const rows, perTx = 1000, 20_000
	for txStart := 0; txStart < n; txStart += perTx {
		err := w.db.Tx(ctx, func(tx *sqlx.Tx) error {
			for start := txStart; start < min(txStart+perTx, n); start += rows {
				query := []byte(`INSERT INTO service_records (agreement_id, seq, vendor_id, provider_id, request_id, corrects_id,
					content_json, sealed_at, retain_until, prev_hash, hash) VALUES `)
				var args []any
				for i := start; i < min(start+rows, n); i++ {
					in := base.Add(time.Duration(i) * (29 * 24 * time.Hour / time.Duration(n)))
					due, state := in.Add(time.Hour), sla.StateMet
					if i%10 == 0 {
						due, state = in.Add(-75*time.Minute), sla.StateBreached
					}
					c := record.Content{Version: record.Version, Kind: record.KindVisit, Visit: &record.Visit{Request: fmt.Sprintf("SR-%06d", i), Agreement: "HX-2026-01",
						ServiceItem: "repair", Priority: "general", ReceivedAt: in.Add(-time.Hour), Product: record.Product{SerialNumber: "FX100-0001", Model: "FX-100"},
						Place: record.Place{Division: "320505", Lat: &lat, Lng: &lng}, CheckedIn: in, CheckedOut: in.Add(80 * time.Minute), OnSiteSeconds: 4800,
						Result: "fixed", Parts: []record.FittedPart{{PartNumber: "P-1", Name: "Encoder", Kind: "genuine", Quantity: 1, UnitPriceFen: fen(40000)}},
						Clocks: []record.ClockOutcome{{Clock: sla.OnSite, State: state, DueAt: due, StoppedAt: &in, MarginSeconds: int64(due.Sub(in) / time.Second)}}}}
					content, err := json.Marshal(c)
					if err != nil {
						return err
					}
					sealed := in.Add(90 * time.Minute).UTC().Truncate(time.Microsecond)
					seq := head.Seq + 1
					hash := record.Hash(seq, head.Hash, sealed, string(content))
					if i > start {
						query = append(query, ',')
					}
					query = append(query, "(?,?,?,?,?,?,?,?,?,?,?)"...)
					args = append(args, w.agreementID, seq, w.f.Vendor.ID, w.f.Provider.ID, nil, nil, string(content), sealed,
						sealed.AddDate(0, 36, 0).Format("2006-01-02"), head.Hash, hash)
					head.Seq, head.Hash = seq, hash
				}
				if _, err := store.Exec(ctx, tx, string(query), args...); err != nil {
					return err
				}
			}
			_, err := store.Exec(ctx, tx, `UPDATE record_chains SET last_seq = ?, last_hash = ? WHERE agreement_id = ?`,
				head.Seq, head.Hash, w.agreementID)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
