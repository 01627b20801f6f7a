package api_test

import (
	"fmt"
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
// reports p50 and p99 latency beside the mean.
func BenchmarkCreateServiceRequest(b *testing.B) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		for _, clients := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/clients=%d", engine, clients), func(b *testing.B) {
				db := testutil.NewDB(b, engine)
				app := testutil.NewApp(b, db)
				f := testutil.Seed(b, db)
				sf := testutil.SeedService(b, db, f)
				var n atomic.Int64
				var mu sync.Mutex
				lat := make([]time.Duration, 0, b.N)
				var wg sync.WaitGroup
				b.ResetTimer()
				for range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						cl := app.API(b, f.Tokens[policy.Dispatcher])
						var mine []time.Duration
						for i := n.Add(1); i <= int64(b.N); i = n.Add(1) {
							start := time.Now()
							res := cl.Do("POST", "/service-requests", map[string]any{"serial_number": sf.Serial, "service_item": "repair",
								"priority": "emergency", "description": "bench"}, "Idempotency-Key", fmt.Sprintf("b-%d", i))
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
				if len(lat) > 0 {
					sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				}
			})
		}
	}
}
