package api_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"aftersales/internal/labels"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A statement downloads through the API as a workbook and a PDF in the
// language asked for; a reader of another organization finds nothing.
func TestSettlementExportAPI(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		path := withSettlements(t, app, f, "/settlements/%SETTLEMENT%") + "/export"
		vendor := app.API(t, f.Tokens[policy.VendorAdmin])
		for lang, title := range map[string]string{"zh-CN": "服务费结算单", "en": "Settlement statement for services"} {
			res := vendor.Do("GET", path+"?format=xlsx&lang="+lang, nil)
			if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/vnd.openxmlformats") ||
				!strings.Contains(res.Header.Get("Content-Disposition"), "JS-SETTLE-WALK-") {
				t.Fatalf("xlsx %s: %d %v %.200s", lang, res.Status, res.Header, res.Body)
			}
			book, err := excelize.OpenReader(bytes.NewReader(res.Body))
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := book.GetCellValue("Sheet1", "A1"); v != title {
				t.Errorf("xlsx %s title %q, want %q", lang, v, title)
			}
			_ = book.Close()
		}
		if res := vendor.Do("GET", path+"?format=doc", nil); res.Status != 422 || !strings.Contains(string(res.Body), "format") {
			t.Errorf("format doc: %d %.300s", res.Status, res.Body)
		}
		if res := app.API(t, f.Tokens[policy.Customer]).Do("GET", path+"?format=xlsx", nil); res.Status != 404 {
			t.Errorf("the customer: %d", res.Status)
		}
		if _, err := os.Stat(labels.DefaultFontPath); err != nil && os.Getenv("AFTERSALES_TEST_BROWSER") != "require" {
			return // no CJK font: scripts/test installs fonts-wqy-microhei
		}
		res := app.API(t, f.Tokens[policy.ProviderAdmin]).Do("GET", path, nil)
		if res.Status != 200 || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(res.Body, []byte("%PDF-")) {
			t.Errorf("pdf: %d %v %.100q", res.Status, res.Header, res.Body)
		}
	})
}
