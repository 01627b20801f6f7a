package web_test

import (
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"aftersales/internal/demo"
	"aftersales/internal/testutil"
)

// BenchmarkRequestsPage measures the dispatcher's requests page (the open
// requests in urgency order, a filter and a search) through the whole
// server on a generated database (AFTERSALES_BENCH_DB, a file or a
// postgres:// URL made by `aftersales generate`; skipped without it), as
// the demo's dispatcher of 恒信. Beside the mean it reports the p50 and p95
// of the runs, and the CPU time of the process (server and client) per page.
func BenchmarkRequestsPage(b *testing.B) {
	db := testutil.GeneratedDB(b)
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
			cpu := testutil.ProcessCPU()
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
			b.ReportMetric(float64((testutil.ProcessCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
