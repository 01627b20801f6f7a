package stock_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"aftersales/internal/parts"
	"aftersales/internal/stock"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkConsume measures fitting a part on a work order: the visit,
// request, part, unit and location are read, the approval and
// compatibility checked, the on-hand row taken by a conditional UPDATE,
// the ledger row, the return and the audit row written, and safety stock
// checked, in one transaction. With clients=4 the goroutines consume the
// same part from the same store, so they contend for one on-hand row.
func BenchmarkConsume(b *testing.B) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		for _, clients := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/clients=%d", engine, clients), func(b *testing.B) {
				ctx := context.Background()
				w := newWorld(b, testutil.NewDB(b, engine))
				p := w.part(b, parts.Input{PartNumber: "BENCH-1", Name: "bench", Kind: parts.Genuine, UnitCostFen: 100,
					ModelIDs: []int64{w.modelID}, ReturnRequired: true})
				w.receive(b, w.providerAdmin, w.store, p, int64(b.N)+10)
				if _, err := w.stock.SetSafety(ctx, w.providerAdmin, w.store.ID, p.ID, 5); err != nil {
					b.Fatal(err)
				}
				wo := w.visit(b, w.tech, true)
				var n atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := n.Add(1); i <= int64(b.N); i = n.Add(1) {
							if _, err := w.stock.Consume(ctx, w.dispatcher, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.store.ID, PartID: p.ID, Qty: 1}); err != nil {
								b.Error(err)
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
