package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/fees"
	"aftersales/internal/parts"
	"aftersales/internal/record"
	"aftersales/internal/settlement"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The customer's receipt (收费明细) on the demo: a visit whose unit's
// warranty had ended is priced for the customer from the agreement's fee
// schedule, and the request's customer opens its receipt from the request
// page in both languages, with the lines, the tax and the total of the
// record's pricing. A customer of another organization gets 404; a visit
// under warranty has no receipt.
func TestCustomerReceiptPage(t *testing.T) {
	demoEngines(t, func(t *testing.T, app *testutil.App) {
		ctx, db := context.Background(), app.DB
		svc := testutil.Services(t, db)
		// The demo's visits to units whose warranty had ended are the
		// customer's: one is the receipt looked at.
		var visits []struct {
			RecordID    int64  `db:"record_id"`
			RequestID   int64  `db:"request_id"`
			UnitID      int64  `db:"unit_id"`
			Customer    int64  `db:"customer_org_id"`
			WarrantyEnd string `db:"warranty_end"`
		}
		if err := store.Select(ctx, db, &visits, `SELECT p.record_id, r.request_id, sr.unit_id, sr.customer_org_id, u.warranty_end
			FROM record_prices p JOIN service_records r ON r.id = p.record_id JOIN service_requests sr ON sr.id = r.request_id
			JOIN units u ON u.id = sr.unit_id
			WHERE p.payer = 'customer' AND p.line_count > 0 AND p.unpriced_reason = '' AND r.corrects_id IS NULL
			ORDER BY p.record_id`); err != nil {
			t.Fatal(err)
		}
		if len(visits) < 2 {
			t.Fatalf("the demo has %d visits out of warranty", len(visits))
		}
		out, under := visits[0], visits[0]
		for _, v := range visits[1:] {
			if v.RequestID != out.RequestID {
				under = v
				break
			}
		}
		if under.RecordID == out.RecordID {
			t.Fatalf("the demo has no two requests with visits out of warranty: %+v", visits)
		}
		customerOf := func(org int64, same bool) string {
			var email string
			op := "="
			if !same {
				op = "<>"
			}
			if err := store.Get(ctx, db, &email, `SELECT email FROM users WHERE role = 'customer' AND active = ? AND org_id `+op+` ? ORDER BY id LIMIT 1`, true, org); err != nil {
				t.Fatalf("a customer of org %d (%v): %v", org, same, err)
			}
			return email
		}
		loadRecord := func(id int64) record.Record {
			return testutil.SelectOne[record.Record](t, db, `SELECT * FROM service_records WHERE id = ?`, id)
		}
		rec := loadRecord(out.RecordID)
		// The price kept when the demo sealed the visit is the one a fresh
		// pricing gives: the service points the terms wrote inline and
		// those the later version refers to in the register are the same.
		kept, err := settlement.CustomerReceipts(ctx, db, out.RequestID)
		if err != nil || len(kept) != 1 {
			t.Fatalf("kept receipts: %+v %v", kept, err)
		}
		if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			return svc.Settlements.RecordSealed(ctx, tx, rec, time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC))
		}); err != nil {
			t.Fatal(err)
		}

		// What the record's pricing gives, computed here from the record,
		// the terms and the calendars.
		content, err := rec.Content()
		if err != nil {
			t.Fatal(err)
		}
		var req struct {
			Number string          `db:"number"`
			Lat    sql.NullFloat64 `db:"site_lat"`
			Lng    sql.NullFloat64 `db:"site_lng"`
		}
		if err := store.Get(ctx, db, &req, `SELECT number, site_lat, site_lng FROM service_requests WHERE id = ?`, out.RequestID); err != nil {
			t.Fatal(err)
		}
		in := settlement.Input{Record: rec, Content: content, RequestNo: req.Number, WarrantyEnd: out.WarrantyEnd}
		if req.Lat.Valid && req.Lng.Valid {
			in.Site = settlement.Site{Lat: &req.Lat.Float64, Lng: &req.Lng.Float64}
		}
		versions, err := agreement.Versions(ctx, db, rec.AgreementID)
		if err != nil {
			t.Fatal(err)
		}
		reg := registry.New(db)
		want, ok := settlement.Price(in, versions, func(id string) *calendar.Calendar {
			c, _ := reg.Get(ctx, id)
			return c
		})
		if !ok || want.Payer != settlement.PayerCustomer || want.Unpriced != nil || len(want.Lines) == 0 {
			t.Fatalf("the record's pricing: %+v", want)
		}
		total := fees.Sum(want.Lines)

		got, err := settlement.CustomerReceipts(ctx, db, out.RequestID)
		if err != nil || len(got) != 1 {
			t.Fatalf("receipts: %+v %v", got, err)
		}
		if fmt.Sprint(kept[0].Lines) != fmt.Sprint(got[0].Lines) {
			t.Errorf("the demo's kept price %+v, priced again %+v", kept[0].Lines, got[0].Lines)
		}
		if fmt.Sprint(got[0].Lines) != fmt.Sprint(want.Lines) || got[0].Totals.GrossFen != total.GrossFen || got[0].InWords != fees.AmountInWords(total.GrossFen) {
			t.Fatalf("the receipt %+v\nthe pricing %+v", got[0], want.Lines)
		}

		receipt := fmt.Sprintf("/requests/%d/receipt", out.RequestID)
		var provider struct {
			Name    string `db:"name"`
			Address string `db:"address"`
		}
		if err := store.Get(ctx, db, &provider, `SELECT o.name, o.address FROM organizations o JOIN service_records r ON r.provider_id = o.id
			WHERE r.id = ?`, out.RecordID); err != nil {
			t.Fatal(err)
		}
		if got[0].Provider != provider.Name || got[0].ProviderAddress != provider.Address || provider.Address == "" {
			t.Fatalf("the receipt names %q (%q), the record's provider is %+v", got[0].Provider, got[0].ProviderAddress, provider)
		}
		customer := signInDemo(t, app, customerOf(out.Customer, true))
		for _, lang := range []string{"zh-CN", "en"} {
			get(t, customer, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			page := body(t, get(t, customer, app.URL+fmt.Sprintf("/requests/%d", out.RequestID)))
			if !strings.Contains(page, `href="`+receipt+`"`) {
				t.Fatalf("%s: the request page has no link to its receipt", lang)
			}
			res := get(t, customer, app.URL+receipt)
			html := body(t, res)
			if res.StatusCode != 200 || strings.Contains(html, "receipts.") || strings.Contains(html, "settlements.") || strings.Contains(html, "%!") {
				t.Fatalf("%s receipt: %d\n%.3000s", lang, res.StatusCode, html)
			}
			if n := strings.Count(html, `class="receipt-line"`); n != len(want.Lines) {
				t.Fatalf("%s: %d lines on the receipt, the pricing has %d", lang, n, len(want.Lines))
			}
			for _, l := range want.Lines {
				if !strings.Contains(html, `data-kind="`+string(l.Kind)+`"`) || !strings.Contains(html, `class="num line-gross">`+parts.FormatYuan(l.GrossFen)+"</td>") {
					t.Fatalf("%s: the receipt lacks the %s line of %s", lang, l.Kind, parts.FormatYuan(l.GrossFen))
				}
			}
			for _, r := range total.ByRate {
				if !strings.Contains(html, parts.FormatYuan(r.TaxFen)) {
					t.Fatalf("%s: the receipt lacks the tax %s at %d bp", lang, parts.FormatYuan(r.TaxFen), r.RateBP)
				}
			}
			if !strings.Contains(html, `<dd class="num receipt-total"><b>`+parts.FormatYuan(total.GrossFen)+`</b></dd>`) ||
				!strings.Contains(html, fees.AmountInWords(total.GrossFen)) {
				t.Fatalf("%s: the receipt's total is not %s (%s)\n%s", lang, parts.FormatYuan(total.GrossFen), fees.AmountInWords(total.GrossFen), html)
			}
			if !strings.Contains(html, `class="receipt-provider">`+template.HTMLEscapeString(provider.Name)) ||
				!strings.Contains(html, template.HTMLEscapeString(provider.Address)) || !strings.Contains(html, `href="`+receipt+`.pdf"`) {
				t.Fatalf("%s: the receipt does not name its provider %+v or link its PDF\n%s", lang, provider, html)
			}
			// The PDF: the same receipt on A4 with the font embedded.
			text := receiptPDF(t, customer, app.URL+receipt+".pdf", "receipt-pdf-"+lang)
			pageNo := map[string]string{"zh-CN": "第 1 页 / 共 1 页", "en": "Page 1 of 1"}[lang]
			for _, want := range []string{got[0].InWords, provider.Name, strings.TrimPrefix(parts.FormatYuan(total.GrossFen), "¥"), pageNo,
				map[string]string{"zh-CN": "服务收费明细", "en": "Service charges"}[lang]} {
				if !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(want, " ", "")) { // pdftotext drops the spaces between CJK
					t.Errorf("%s: the receipt's PDF lacks %q:\n%s", lang, want, text)
				}
			}
			for _, r := range total.ByRate {
				if !strings.Contains(text, strings.TrimPrefix(parts.FormatYuan(r.TaxFen), "¥")) {
					t.Errorf("%s: the receipt's PDF lacks the tax %s", lang, parts.FormatYuan(r.TaxFen))
				}
			}
		}

		// A customer of another organization is not told the request exists.
		stranger := signInDemo(t, app, customerOf(out.Customer, false))
		for _, path := range []string{receipt, receipt + ".pdf"} {
			if res := get(t, stranger, app.URL+path); res.StatusCode != 404 {
				t.Fatalf("another customer's %s: %d", path, res.StatusCode)
			}
		}

		// A visit under warranty: the unit's warranty is extended and the
		// visits of another request priced again as sealing prices them; the
		// vendor pays, and the request has no receipt nor a link to one.
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE units SET warranty_end = '2099-12-31' WHERE id = ?`), under.UnitID); err != nil {
			t.Fatal(err)
		}
		for _, v := range visits {
			if v.RequestID == under.RequestID {
				if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
					return svc.Settlements.RecordSealed(ctx, tx, loadRecord(v.RecordID), time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC))
				}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got, err := settlement.CustomerReceipts(ctx, db, under.RequestID); err != nil || len(got) != 0 {
			t.Fatalf("receipts under warranty: %+v %v", got, err)
		}
		other := signInDemo(t, app, customerOf(under.Customer, true))
		if page := body(t, get(t, other, app.URL+fmt.Sprintf("/requests/%d", under.RequestID))); strings.Contains(page, `id="receipt-link"`) {
			t.Fatal("a visit under warranty offers a receipt")
		}
		for _, path := range []string{"receipt", "receipt.pdf"} {
			if res := get(t, other, app.URL+fmt.Sprintf("/requests/%d/%s", under.RequestID, path)); res.StatusCode != 404 {
				t.Fatalf("the %s of a visit under warranty: %d", path, res.StatusCode)
			}
		}
	})
}

// receiptPDF downloads a receipt's PDF, renders its pages to PNG with
// pdftoppm (kept in AFTERSALES_SCREENSHOTS when set, as name-N.png) and
// returns its text (pdftotext -layout). Without poppler-utils it only
// checks that a PDF came back, and returns "".
func receiptPDF(t *testing.T, c *http.Client, url, name string) string {
	t.Helper()
	res := get(t, c, url)
	defer res.Body.Close()
	pdf, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("%s: %d %s %.200q", url, res.StatusCode, res.Header.Get("Content-Type"), pdf)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("AFTERSALES_TEST_BROWSER") == "require" {
			t.Fatal("pdftotext is not installed (Debian package poppler-utils)")
		}
		return ""
	}
	in := filepath.Join(t.TempDir(), name+".pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("AFTERSALES_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "80", in, filepath.Join(dir, name)).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	if pages, _ := filepath.Glob(filepath.Join(dir, name+"*.png")); len(pages) == 0 {
		t.Fatal("pdftoppm rendered no page")
	}
	out, err := exec.Command("pdftotext", "-layout", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
