package record_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/record"
	"aftersales/internal/testutil"
)

// BenchmarkPurgeDue runs the retention job over a generated dataset as the
// server runs it every six hours, reporting the heap's rise above where it
// stood (peak-MB) beside the time.
//
//	AFTERSALES_BENCH_DB=… go test -run '^$' -bench BenchmarkPurgeDue -benchtime 3x ./internal/record/
func BenchmarkPurgeDue(b *testing.B) {
	db := testutil.GeneratedDB(b)
	ctx := context.Background()
	stop := testutil.HeapPeak()
	for b.Loop() {
		if _, err := record.PurgeDue(ctx, db, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(stop(), "peak-MB")
}
