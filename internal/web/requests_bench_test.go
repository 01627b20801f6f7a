package web_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"aftersales/internal/demo"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkRequestsPage measures the dispatcher's requests page (the open
// requests in urgency order, a filter and a search) through the whole
// server on a generated database (AFTERSALES_BENCH_DB, a file or a
// postgres:// URL made by `aftersales generate`; skipped without it), as
// the demo's dispatcher of 恒信. Beside the mean it reports the p50 and p95
// of the runs, and the CPU time of the process (server and client) per page.
func BenchmarkRequestsPage(b *testing.B) {
	dsn := os.Getenv("AFTERSALES_BENCH_DB")
	if dsn == "" {
		b.Skip("AFTERSALES_BENCH_DB names no generated database")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	app := testutil.NewApp(b, db)
	c := app.Browser(b)
	app.Login(b, c, "dispatch@hengxin.example", demo.Password)
	for _, p := range []struct{ name, path string }{
		{"open", "/requests"},
		{"emergency", "/requests?priority=emergency"},
		{"breached", "/requests?view=breached"},
		{"search", "/requests?q=%E4%B8%BB%E8%BD%B4"},
	} {
		b.Run(p.name, func(b *testing.B) {
			var took []time.Duration
			cpu := processCPU()
			for b.Loop() {
				start := time.Now()
				res, err := c.Get(app.URL + p.path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				took = append(took, time.Since(start))
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: status %d", p.path, res.StatusCode)
				}
			}
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
