package api_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"aftersales/internal/labels"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func unitID(t *testing.T, db *store.DB, serial string) int64 {
	t.Helper()
	return scalar[int64](t, db, `SELECT id FROM units WHERE serial_number = ?`, serial)
}

func problemType(t *testing.T, res *testutil.Response) string {
	t.Helper()
	var p struct{ Type string }
	res.JSON(t, &p)
	return p.Type
}

func TestUnitLabelsAPI(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(labels.DefaultFontPath); err != nil && os.Getenv("AFTERSALES_TEST_BROWSER") != "require" {
		t.Skip("no label font; scripts/test installs fonts-wqy-microhei")
	}
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		app, f, _ := serving(t, db)
		vendor := app.API(t, f.Tokens[policy.VendorAdmin])
		id := unitID(t, db, "FX100-0001")

		res := vendor.Do("GET", fmt.Sprintf("/units/labels?ids=%d&hotline=400-820-1234", id), nil)
		if res.Status != 200 || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(res.Body, []byte("%PDF-")) {
			t.Fatalf("labels: %d %s %.100s", res.Status, res.Header.Get("Content-Type"), res.Body)
		}
		if p, err := exec.LookPath("pdftotext"); err == nil {
			file := filepath.Join(t.TempDir(), "l.pdf")
			os.WriteFile(file, res.Body, 0o644)
			out, err := exec.Command(p, file, "-").CombinedOutput()
			if err != nil || !strings.Contains(string(out), "FX100-0001") || !strings.Contains(string(out), "扫码报修") || !strings.Contains(string(out), "400-820-1234") {
				t.Fatalf("label text: %v\n%s", err, out)
			}
		}
		// The filter selects as the list does.
		if res := vendor.Do("GET", "/units/labels?model=FX-100&layout=a4-2x4", nil); res.Status != 200 {
			t.Fatalf("labels by filter: %d %s", res.Status, res.Body)
		}
		for _, c := range []struct{ query, location string }{
			{"ids=1x", "query.ids"},
			{"model=NOPE", "query.filter"},
			{"ids=999999", "query.ids"},
			{fmt.Sprintf("ids=%d&hotline=call+me", id), "query.hotline"},
		} {
			res := vendor.Do("GET", "/units/labels?"+c.query, nil)
			if res.Status != 422 || fieldMessages(t, res)[c.location] == "" {
				t.Errorf("%s: %d %s", c.query, res.Status, res.Body)
			}
		}
		if res := vendor.Do("GET", "/units/labels?layout=a4-9x9", nil); res.Status != 422 {
			t.Errorf("unknown layout: %d %s", res.Status, res.Body)
		}
		// Another vendor cannot print this vendor's unit.
		if res := app.API(t, f.OtherToken).Do("GET", fmt.Sprintf("/units/labels?ids=%d", id), nil); res.Status != 422 {
			t.Errorf("another vendor's labels: %d %s", res.Status, res.Body)
		}

		// More than a print run holds: refused, naming the filter.
		var csv strings.Builder
		csv.WriteString("serial_number,model,customer_code,site_name,install_date\n")
		for i := range labels.MaxLabels {
			fmt.Fprintf(&csv, "BULK-%05d,FX-100,customer-one,Plant,2025-03-07\n", i)
		}
		if res := vendor.Do("POST", "/units/imports", map[string]any{"filename": "bulk.csv", "content": csv.String()}); res.Status != 201 {
			t.Fatalf("import: %d %.300s", res.Status, res.Body)
		}
		res = vendor.Do("GET", "/units/labels", nil)
		if res.Status != 422 || !strings.Contains(fieldMessages(t, res)["query.filter"], fmt.Sprintf("%d products match", labels.MaxLabels+1)) {
			t.Fatalf("too many labels: %d %s", res.Status, res.Body)
		}
	})
}

func TestUnitLabelsWithoutFont(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app := testutil.NewApp(t, db)
	app.Server.Labels.Path = filepath.Join(t.TempDir(), "missing.ttc")
	f := testutil.Seed(t, db)
	testutil.SeedService(t, db, f)
	vendor := app.API(t, f.Tokens[policy.VendorAdmin])
	res := vendor.Do("GET", fmt.Sprintf("/units/labels?ids=%d", unitID(t, db, "FX100-0001")), nil)
	if res.Status != 503 || problemType(t, res) != "/problems/unavailable" || !strings.Contains(string(res.Body), "fonts-wqy-microhei") {
		t.Fatalf("without the font: %d %s", res.Status, res.Body)
	}
	// The rest works.
	if res := vendor.Do("GET", "/units", nil); res.Status != 200 {
		t.Fatalf("units without the font: %d", res.Status)
	}
}

// An export imports again as it was: export, remove the units, import the
// file, export again; the two files are the same.
func TestUnitExportRoundTrip(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		vendor := app.API(t, f.Tokens[policy.VendorAdmin])
		rows := "序列号,型号,客户代码,网点名称,安装日期\n=\"000123\",FX-100,customer-one,Plant,2024/2/29\nSN-CN-1,FX-100,customer-one,Plant,2025-01-01\n"
		if res := vendor.Do("POST", "/units/imports", map[string]any{"filename": "a.csv", "content": rows}); res.Status != 201 {
			t.Fatalf("import: %d %s", res.Status, res.Body)
		}
		for _, format := range []string{"csv", "xlsx"} {
			first := vendor.Do("GET", "/units/export?format="+format, nil)
			if first.Status != 200 {
				t.Fatalf("export %s: %d %s", format, first.Status, first.Body)
			}
			if format == "csv" {
				if !bytes.HasPrefix(first.Body, []byte("\ufeffserial_number,model,customer_code,site_name,install_date,agreement_number\r\n")) ||
					!bytes.Contains(first.Body, []byte(`="000123",FX-100,customer-one,Plant,2024-02-29,`)) {
					t.Fatalf("csv export:\n%s", first.Body)
				}
			} else {
				x, err := excelize.OpenReader(bytes.NewReader(first.Body))
				if err != nil {
					t.Fatal(err)
				}
				cell, _ := x.GetCellValue("Sheet1", "A3")
				typ, _ := x.GetCellType("Sheet1", "A3")
				if cell != "000123" || typ == excelize.CellTypeNumber {
					t.Fatalf("xlsx A3 = %q (%v)", cell, typ)
				}
			}
			if _, err := db.ExecContext(t.Context(), db.Rebind(`DELETE FROM units WHERE vendor_id = ?`), f.Vendor.ID); err != nil {
				t.Fatal(err)
			}
			res := vendor.Do("POST", "/units/imports", map[string]any{"filename": "again." + format, "content_encoding": "base64",
				"content": base64.StdEncoding.EncodeToString(first.Body)})
			if res.Status != 201 {
				t.Fatalf("import the %s export: %d %s", format, res.Status, res.Body)
			}
			second := vendor.Do("GET", "/units/export?format=csv", nil)
			if format == "csv" && !bytes.Equal(first.Body, second.Body) {
				t.Fatalf("export after re-import differs:\n%s\n---\n%s", first.Body, second.Body)
			}
			if !bytes.Contains(second.Body, []byte("SN-CN-1,FX-100,customer-one,Plant,2025-01-01,")) {
				t.Fatalf("re-imported %s:\n%s", format, second.Body)
			}
		}
		// Chinese column names, and a filter.
		res := vendor.Do("GET", "/units/export?format=csv&chinese_headers=true&serial=000123", nil)
		if !bytes.HasPrefix(res.Body, []byte("\ufeff序列号,型号,客户代码,网点名称,安装日期,协议编号\r\n")) || bytes.Count(res.Body, []byte("\n")) != 2 {
			t.Fatalf("filtered export:\n%s", res.Body)
		}
		if res := vendor.Do("GET", "/units/export?format=pdf", nil); res.Status != 422 {
			t.Fatalf("export as pdf: %d", res.Status)
		}
		// Another vendor exports none of them.
		res = app.API(t, f.OtherToken).Do("GET", "/units/export", nil)
		if res.Status != 200 || bytes.Count(res.Body, []byte("\n")) != 1 {
			t.Fatalf("another vendor's export:\n%s", res.Body)
		}
	})
}

func TestUnitHistoryAPI(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
		id := unitID(t, db, "FX100-0001")
		var numbers []string
		for i := range 3 {
			res := dispatcher.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair",
				"priority": "general", "description": fmt.Sprintf("fault %d", i)})
			var out struct {
				ID     int64
				Number string
			}
			res.JSON(t, &out)
			numbers = append(numbers, out.Number)
			if i == 0 {
				if res := dispatcher.Do("POST", fmt.Sprintf("/service-requests/%d/work-orders", out.ID), freshVisit(f.Users[policy.Technician].ID)); res.Status != 201 {
					t.Fatalf("assign: %d %s", res.Status, res.Body)
				}
			}
		}
		type page struct {
			Items []struct {
				Number string
				Status string
				Clocks []struct{ Kind, State string }
				Visits []struct{ Technician, Status string }
			}
			Next int64
		}
		var p page
		res := app.API(t, f.Tokens[policy.Customer]).Do("GET", fmt.Sprintf("/units/%d/history?limit=2", id), nil)
		res.JSON(t, &p)
		if res.Status != 200 || len(p.Items) != 2 || p.Items[0].Number != numbers[2] || p.Next == 0 || len(p.Items[0].Clocks) == 0 {
			t.Fatalf("customer's first page: %d %s", res.Status, res.Body)
		}
		res = app.API(t, f.Tokens[policy.Customer]).Do("GET", fmt.Sprintf("/units/%d/history?limit=2&before=%d", id, p.Next), nil)
		p = page{}
		res.JSON(t, &p)
		if len(p.Items) != 1 || p.Items[0].Number != numbers[0] || p.Next != 0 || len(p.Items[0].Visits) != 1 || p.Items[0].Visits[0].Technician == "" {
			t.Fatalf("customer's second page: %s", res.Body)
		}
		// The technician sees the request with his visit only.
		p = page{}
		app.API(t, f.Tokens[policy.Technician]).Do("GET", fmt.Sprintf("/units/%d/history", id), nil).JSON(t, &p)
		if len(p.Items) != 1 || p.Items[0].Number != numbers[0] {
			t.Fatalf("technician's history: %+v", p)
		}
		if res := app.API(t, f.OtherToken).Do("GET", fmt.Sprintf("/units/%d/history", id), nil); res.Status != 404 {
			t.Fatalf("another vendor: %d %s", res.Status, res.Body)
		}
		if res := dispatcher.Do("GET", "/units/999999/history", nil); res.Status != 404 {
			t.Fatalf("unknown unit: %d", res.Status)
		}
	})
}
