package installedbase_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"aftersales/internal/i18n"
	"aftersales/internal/installedbase"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// vendorSheet is a vendor's list of installed products as its ERP exports
// it: Chinese headers in its own order, customer names (one written with
// full-width brackets and spaces, as the stored customer "Customer One" is
// not), addresses and division codes, a model written as code and name, a
// warranty end, and two columns the product does not use.
var vendorSheet = [][]string{
	{"序列号", "型号", "客户名称", "安装地址", "行政区划代码", "安装日期", "保修截止日期", "销售员", "备注"},
	{"VS-0001", "HC-CNC-850 数控加工中心", "苏州精工（一厂）", "苏州市吴中区 东吴北路 1 号", "320506", "2025/3/7", "2028/3/6", "张三", ""},
	{"VS-0002", "ＨＣ-CNC-850", "苏州精工(一厂)", "苏州市吴中区东吴北路1号", "320506", "2025-03-08", "", "张三", "二号机"},
	{"VS-0003", "数控加工中心", "Ｃｕｓｔｏｍｅｒ　Ｏｎｅ", "苏州市虎丘区科灵路 78 号", "", "2025年3月9日", "", "李四", ""},
	{"VS-0004", "HC-CNC-850", "无锡重机", "无锡市新吴区 长江路 9 号", "320214", "2024/12/1", "2026/11/30", "李四", ""},
}

func sheetCSV(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, ","))
		b.WriteString("\r\n")
	}
	return b.String()
}

func sheetXLSX(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestVendorSpreadsheetImports(t *testing.T) {
	t.Parallel()
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(sheetCSV(vendorSheet))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []struct {
		name, encoding string
		data           func(t *testing.T) []byte
	}{
		{"list.csv", "gbk", func(*testing.T) []byte { return []byte(gbk) }},
		{"list.xlsx", "xlsx", func(t *testing.T) []byte { return sheetXLSX(t, vendorSheet) }},
	} {
		t.Run(file.name, func(t *testing.T) {
			t.Parallel()
			testutil.Engines(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				b := newBase(t, db)
				data := file.data(t)
				orgs := orgCount(t, db)
				dry, err := b.svc.ImportUnits(ctx, b.vendor, installedbase.ImportRequest{Filename: file.name, Data: data, DryRun: true})
				if err != nil || !dry.OK() || dry.Rows != 4 || dry.Encoding != file.encoding {
					t.Fatalf("dry run: %v %+v", err, dry)
				}
				if strings.Join(dry.Ignored, ",") != "销售员,备注" {
					t.Errorf("ignored columns %q, want 销售员,备注", dry.Ignored)
				}
				got := map[string]string{}
				for _, c := range dry.Customers {
					got[c.Customer] = c.Action
				}
				if len(dry.Customers) != 3 || got["苏州精工（一厂）"] != "created" || got["Customer One"] != "matched" || got["无锡重机"] != "created" {
					t.Errorf("customers in the dry run: %+v", dry.Customers)
				}
				sites := map[string]installedbase.ImportParty{}
				for _, s := range dry.Sites {
					sites[s.Customer] = s
				}
				if len(dry.Sites) != 3 || sites["苏州精工（一厂）"].Rows != 2 || sites["苏州精工（一厂）"].Action != "created" ||
					sites["Customer One"].Site != "Plant" || sites["Customer One"].Action != "matched" || sites["无锡重机"].Division != "320214" {
					t.Errorf("sites in the dry run: %+v", dry.Sites)
				}
				if n := orgCount(t, db); n != orgs {
					t.Errorf("the dry run created organizations: %d", n)
				}

				rep, err := b.svc.ImportUnits(ctx, b.vendor, installedbase.ImportRequest{Filename: file.name, Data: data})
				if err != nil || rep.Imported != 4 {
					t.Fatalf("import: %v %+v", err, rep)
				}
				if c, s := rep.Created(); c != 2 || s != 2 {
					t.Errorf("created %d customers and %d sites, want 2 and 2", c, s)
				}
				u, err := b.svc.UnitBySerial(ctx, b.vendor, "VS-0002")
				if err != nil || u.CustomerName != "苏州精工（一厂）" || u.WarrantyEnd != "2027-03-07" {
					t.Fatalf("VS-0002: %+v %v", u, err)
				}
				first, err := b.svc.UnitBySerial(ctx, b.vendor, "VS-0001")
				if err != nil || first.SiteID != u.SiteID || first.WarrantyEnd != "2028-03-06" {
					t.Fatalf("VS-0001 (the same site, its own warranty end): %+v %v", first, err)
				}
				if v3, _ := b.svc.UnitBySerial(ctx, b.vendor, "VS-0003"); v3.SiteID != b.site.ID {
					t.Errorf("VS-0003 at site %d, want the stored site %d", v3.SiteID, b.site.ID)
				}
				site, err := b.svc.GetSite(ctx, b.vendor, u.SiteID)
				if err != nil || site.Division != "320506" || site.Address != "苏州市吴中区 东吴北路 1 号" {
					t.Fatalf("created site: %+v %v", site, err)
				}
				// The created customers are the vendor's: imported again,
				// the same names match and nothing more is created.
				again := [][]string{vendorSheet[0], {"VS-0005", "HC-CNC-850", "苏州精工（一厂）", "苏州市吴中区东吴北路1号", "", "2025/3/7", "", "", ""}}
				rep, err = b.svc.ImportUnits(ctx, b.vendor, installedbase.ImportRequest{Filename: "again.csv", Data: []byte(sheetCSV(again)), DryRun: true})
				if c, s := rep.Created(); err != nil || !rep.OK() || c != 0 || s != 0 {
					t.Fatalf("imported again: %v %+v", err, rep)
				}
			})
		})
	}
}

func TestVendorSpreadsheetProblems(t *testing.T) {
	inBase(t, func(t *testing.T, ctx context.Context, b base) {
		rows := [][]string{
			vendorSheet[0],
			{"BAD-1", "HC-CNC-850", "Customer One", "苏州市虎丘区科灵路 78 号", "320506", "2025/3/7", "", "", ""}, // division disagrees with the site's
			{"BAD-2", "HC-CNC-850", "新客户", "某市某路 1 号", "", "2025/3/7", "", "", ""},                      // a new site without a division
			{"BAD-3", "HC-CNC-850", "新客户", "某市某路 2 号", "320500", "2025/3/7", "", "", ""},                // a city, not a county
			{"BAD-4", "HC-CNC-850", "新客户", "某市某路 3 号", "990101", "2025/3/7", "", "", ""},                // no such province
			{"BAD-5", "HC-CNC-850", "新客户", "某市某路 4 号", "320506", "2025/3/7", "2025/3/6", "", ""},        // warranty ends before install
			{"BAD-6", "HC-CNC-850", "新客户", "某市某路 4 号", "320506", "2025/3/7", "2025/2/30", "", ""},       // not a date
			{"BAD-7", "XX-1 不存在", "新客户", "某市某路 4 号", "320506", "2025/3/7", "", "", ""},                  // unknown model
			{"BAD-8", "HC-CNC-850", "", "某市某路 4 号", "320506", "2025/3/7", "", "", ""},                   // no customer
			{"BAD-9", "HC-CNC-850", "新客户", "", "320506", "2025/3/7", "", "", ""},                        // no address
		}
		orgs := orgCount(t, b.svc.DB)
		rep, err := b.svc.ImportUnits(ctx, b.vendor, installedbase.ImportRequest{Filename: "bad.csv", Data: []byte(sheetCSV(rows))})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]string{}
		for _, e := range rep.Errors {
			got[e.Line] += e.Field + ": " + e.Reason + "; "
		}
		want := map[int]string{2: "division: disagrees with the division code 320505 of the site Plant", 3: "division: is required for a new site",
			4: "division: 320500 is a city", 5: "division: 990101 is not in a province", 6: "warranty_end: is before the install date 2025-03-07",
			7: "warranty_end: must be a date", 8: "model: unknown model", 9: "customer_name: is required", 10: "site_address: is required"}
		for line, w := range want {
			if !strings.Contains(got[line], w) {
				t.Errorf("line %d: %q, want %q", line, got[line], w)
			}
		}
		if len(rep.Errors) != len(want) || rep.Imported != 0 {
			t.Errorf("%d errors (want %d), %d imported: %+v", len(rep.Errors), len(want), rep.Imported, got)
		}
		if n := orgCount(t, b.svc.DB); n != orgs {
			t.Errorf("a refused import created organizations: %d", n)
		}

		// Every reason reads in Chinese on a Chinese page.
		bundle, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range rep.Errors {
			zh := e.Translate(func(f string) (string, bool) { return bundle.ProblemFormat("zh-CN", f) })
			if zh.Reason == e.Reason {
				t.Errorf("line %d: %q has no Chinese", e.Line, e.Reason)
			}
		}

		// A column that is required and missing is named with its Chinese header.
		rep, _ = b.svc.ImportUnits(ctx, b.vendor, installedbase.ImportRequest{Data: []byte("序列号,型号,客户名称,安装日期\nA,HC-CNC-850,x,2025/1/1\n"), DryRun: true})
		if len(rep.Errors) != 1 || rep.Errors[0].Field != "site_address" || !strings.Contains(rep.Errors[0].Reason, "安装地址") {
			t.Errorf("missing address column: %+v", rep.Errors)
		}
	})
}

func orgCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM organizations`); err != nil {
		t.Fatal(err)
	}
	return n
}
