package api_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkAuthenticatedWrite measures POST /api/v1/organizations through
// the whole HTTP stack: bearer token lookup, body limits, idempotency
// reservation, validation, the insert, the partner link and the audit row.
func BenchmarkAuthenticatedWrite(b *testing.B) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		for _, parallel := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/clients=%d", engine, parallel), func(b *testing.B) {
				db := testutil.NewDB(b, engine)
				app := testutil.NewApp(b, db)
				f := testutil.Seed(b, db)
				var n atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for range parallel {
					wg.Add(1)
					go func() {
						defer wg.Done()
						cl := app.API(b, f.Tokens[policy.VendorAdmin])
						for i := n.Add(1); i <= int64(b.N); i = n.Add(1) {
							res := cl.Do("POST", "/organizations", map[string]any{"kind": "customer", "name": "Bench customer", "code": fmt.Sprintf("bench-%d", i)},
								"Idempotency-Key", fmt.Sprintf("bench-%d", i))
							if res.Status != 201 {
								b.Errorf("status %d: %s", res.Status, res.Body)
								return
							}
						}
					}()
				}
				wg.Wait()
			})
		}
	}
}
