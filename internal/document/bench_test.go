package document_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"aftersales/internal/document"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkSearch searches a library of 500 documents, each with about
// 2,000 characters of Chinese and English text, as a technician:
//
//	go test ./internal/document -run '^$' -bench Search
//	AFTERSALES_TEST_PG=require go test ./internal/document -run '^$' -bench Search
func BenchmarkSearch(b *testing.B) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			if engine == store.Postgres && os.Getenv("AFTERSALES_TEST_PG") == "" {
				b.Skip("set AFTERSALES_TEST_PG=require to include PostgreSQL")
			}
			db := testutil.NewDB(b, engine)
			f := testutil.Seed(b, db)
			testutil.SeedService(b, db, f)
			ctx := context.Background()
			svc := &document.Service{DB: db, Now: time.Now, Extract: &document.Extractor{}}
			words := []string{"液压系统", "主轴润滑", "伺服驱动器", "冷却泵", "spindle", "coolant", "servo", "lubrication", "导轨", "换刀机构"}
			for i := range 500 {
				var paras []string
				for j := range 20 {
					paras = append(paras, fmt.Sprintf("第%d章 %s 检查与调整 %s maintenance step %d，按规定扭矩紧固。", j, words[(i+j)%10], words[(i*7+j)%10], j))
				}
				if _, err := svc.Create(ctx, f.Users[policy.VendorAdmin].Actor(), document.Meta{Title: fmt.Sprintf("手册 %04d %s", i, words[i%10]),
					Category: document.Manual, Visibility: document.Partners, Models: []string{"FX-100"}},
					document.Upload{File: files.FromBytes("m.docx", document.SimpleDOCX(paras))}); err != nil {
					b.Fatal(err)
				}
			}
			tech := f.Users[policy.Technician].Actor()
			for _, q := range []string{"润滑", "伺服驱动", "coolant", "泵 spindle"} {
				b.Run(q, func(b *testing.B) {
					for b.Loop() {
						if got, _, err := svc.List(ctx, tech, document.Filter{Query: q, Limit: 30}); err != nil || len(got) == 0 {
							b.Fatalf("%q: %d, %v", q, len(got), err)
						}
					}
				})
			}
		})
	}
}
