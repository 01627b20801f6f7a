package servicerequest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkSearch measures a first page of a full-text search among 5,000
// requests, for a Chinese pair, a Latin prefix and the one-character
// fallback to LIKE.
func BenchmarkSearch(b *testing.B) {
	db := testutil.NewDB(b, store.SQLite)
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)}
	svc, f := setup(b, db, c)
	dispatcher := f.Users[policy.Dispatcher].Actor()
	words := []string{"主轴异响并报警", "冷却液泄漏", "伺服驱动器过热", "spindle alarm", "coolant leak", "导轨润滑不足", "刀库换刀失败"}
	for i := 0; i < 5000; i++ {
		d := fmt.Sprintf("%s，第 %d 台，%s", words[i%len(words)], i, words[(i/7)%len(words)])
		if _, err := svc.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: "IN-SCOPE-1", ServiceItem: "repair", Priority: "general", Description: d, Channel: servicerequest.Dispatcher}); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []string{"", "换刀", "spind", "漏"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.List(ctx, dispatcher, servicerequest.Filter{Query: q, Limit: 50}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
