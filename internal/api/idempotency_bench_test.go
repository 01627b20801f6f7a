package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkRepeatedCreate measures a repeat of POST /api/v1/service-requests
// under an Idempotency-Key whose first request finished: what a client's
// retry after a timeout costs the server. One client sends the same body
// under the same key b.N times; each answer must be the stored one. It
// reports the CPU time of the whole process per repeat, on PostgreSQL the
// statements sent per repeat, and on SQLite the writes the single writer
// took per repeat.
func BenchmarkRepeatedCreate(b *testing.B) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			db := testutil.NewDB(b, engine)
			app := testutil.NewApp(b, db)
			f := testutil.Seed(b, db)
			sf := testutil.SeedService(b, db, f)
			body := []byte(fmt.Sprintf(`{"serial_number":%q,"service_item":"repair","priority":"emergency","description":"retried"}`, sf.Serial))
			cl := app.API(b, f.Tokens[policy.Dispatcher])
			cl.HTTP = &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
			if res := cl.Do("POST", "/service-requests", body, "Idempotency-Key", "retried"); res.Status != 201 {
				b.Fatalf("first: %d %s", res.Status, res.Body)
			}
			app.Server.Drain()
			cpu, writer, trips := testutil.ProcessCPU(), writerStats(db), db.RoundTrips()
			b.ResetTimer()
			for range b.N {
				res := cl.Do("POST", "/service-requests", body, "Idempotency-Key", "retried")
				if res.Status != 201 || res.Header.Get("Idempotent-Replayed") != "true" {
					b.Fatalf("repeat: %d %s", res.Status, res.Body)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((testutil.ProcessCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			if engine == store.Postgres {
				b.ReportMetric(float64(db.RoundTrips()-trips)/float64(b.N), "round-trips/op")
			} else {
				b.ReportMetric(float64(writerStats(db).Writes-writer.Writes)/float64(b.N), "writes/op")
			}
		})
	}
}
