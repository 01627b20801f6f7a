package installedbase_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkImportUnits100k imports 100,000 units from one CSV file into
// SQLite, checking every row first, all in one transaction:
//
//	go test ./internal/installedbase -run '^$' -bench ImportUnits100k -benchtime 3x
func BenchmarkImportUnits100k(b *testing.B) {
	db := testutil.NewDB(b, store.SQLite)
	f := testutil.Seed(b, db)
	ctx := context.Background()
	svc := &installedbase.Service{DB: db, Now: time.Now}
	vendor := f.Users[policy.VendorAdmin].Actor()
	if _, err := svc.CreateModel(ctx, vendor, installedbase.ModelInput{Code: "HC-CNC-850", Name: "数控加工中心", WarrantyMonths: 24}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateSite(ctx, vendor, installedbase.SiteInput{CustomerOrgID: f.Customer.ID, Name: "一号厂房", Address: "苏州市虎丘区", Division: "320505"}); err != nil {
		b.Fatal(err)
	}
	const n = 100_000
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var buf bytes.Buffer
		buf.WriteString("序列号,型号,客户代码,网点名称,安装日期\n")
		for j := range n {
			fmt.Fprintf(&buf, "HC850-%02d-%06d,HC-CNC-850,customer-one,一号厂房,2025/%d/%d\n", i, j, j%12+1, j%28+1)
		}
		b.StartTimer()
		rep, err := svc.ImportUnits(ctx, vendor, installedbase.ImportRequest{Filename: "100k.csv", Data: buf.Bytes()})
		if err != nil || rep.Imported != n {
			b.Fatalf("imported %d: %v %+v", rep.Imported, err, rep.Errors[:min(3, len(rep.Errors))])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
}
