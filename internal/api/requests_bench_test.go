package api_test

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkCreateServiceRequest measures POST /api/v1/service-requests
// through the whole stack: token, idempotency, unit and agreement lookup,
// scope check, insert, event, audit, clock computation and projection. It
// reports p50 and p99 latency beside the mean, and the CPU time the whole
// process (server and client together) spent per create, which is steadier
// than the wall clock when others share the machine; on SQLite the time
// its single writer spent per create, and on PostgreSQL (on this machine)
// the CPU time of the server's processes serving the database per create.
//
// The client runs in the same process. It is kept cheap so that the figure
// is the server's: the body is encoded once, and the connections are kept
// alive (one per client goroutine; the default transport keeps only two idle
// connections per host, so four clients would keep dialling).
func BenchmarkCreateServiceRequest(b *testing.B) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		for _, clients := range []int{1, 4, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", engine, clients), func(b *testing.B) {
				db := testutil.NewDB(b, engine)
				app := testutil.NewApp(b, db)
				f := testutil.Seed(b, db)
				sf := testutil.SeedService(b, db, f)
				body := []byte(fmt.Sprintf(`{"serial_number":%q,"service_item":"repair","priority":"emergency","description":"bench"}`, sf.Serial))
				transport := &http.Transport{MaxIdleConnsPerHost: clients}
				b.Cleanup(transport.CloseIdleConnections)
				var n atomic.Int64
				var mu sync.Mutex
				lat := make([]time.Duration, 0, b.N)
				var wg sync.WaitGroup
				cpu, writer, trips, server := testutil.ProcessCPU(), writerStats(db), db.RoundTrips(), testutil.ServerCPU(db)
				b.ResetTimer()
				for range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						cl := app.API(b, f.Tokens[policy.Dispatcher])
						cl.HTTP = &http.Client{Transport: transport, Timeout: 30 * time.Second}
						var mine []time.Duration
						for i := n.Add(1); i <= int64(b.N); i = n.Add(1) {
							start := time.Now()
							res := cl.Do("POST", "/service-requests", body, "Idempotency-Key", fmt.Sprintf("b-%d", i))
							mine = append(mine, time.Since(start))
							if res.Status != 201 {
								b.Errorf("status %d: %s", res.Status, res.Body)
								return
							}
						}
						mu.Lock()
						lat = append(lat, mine...)
						mu.Unlock()
					}()
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64((testutil.ProcessCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
				if server != nil {
					// PostgreSQL: the CPU its processes serving this database spent per create.
					b.ReportMetric(float64(testutil.ServerCPUSince(db, server).Microseconds())/float64(b.N), "db-cpu-µs/op")
				}
				if t := db.RoundTrips() - trips; t > 0 {
					// PostgreSQL: statements sent per create, BEGIN and COMMIT included.
					b.ReportMetric(float64(t)/float64(b.N), "round-trips/op")
				}
				if w := writerStats(db); w.Groups > writer.Groups {
					// SQLite's writer: its time per create, and the writes
					// (creates, and answers stored after them) per transaction.
					b.ReportMetric(float64((w.Busy-writer.Busy).Microseconds())/float64(b.N), "writer-µs/op")
					b.ReportMetric(float64(w.Writes-writer.Writes)/float64(w.Groups-writer.Groups), "writes/txn")
				}
				if len(lat) > 0 {
					sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				}
			})
		}
	}
}

// writerStats are SQLite's writer's counts so far (zero on PostgreSQL).
func writerStats(db *store.DB) store.WriterStats {
	s, _ := db.WriterStats()
	return s
}
