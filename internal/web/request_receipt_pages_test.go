package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/demo"
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
	t.Parallel()
	testutil.DemoEngines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		app := testutil.NewApp(t, db)
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
			var rec record.Record
			if err := store.Get(ctx, db, &rec, `SELECT * FROM service_records WHERE id = ?`, id); err != nil {
				t.Fatal(err)
			}
			return rec
		}
		rec := loadRecord(out.RecordID)
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
		if fmt.Sprint(got[0].Lines) != fmt.Sprint(want.Lines) || got[0].Totals.GrossFen != total.GrossFen || got[0].InWords != fees.AmountInWords(total.GrossFen) {
			t.Fatalf("the receipt %+v\nthe pricing %+v", got[0], want.Lines)
		}

		receipt := fmt.Sprintf("/requests/%d/receipt", out.RequestID)
		customer := app.Browser(t)
		app.Login(t, customer, customerOf(out.Customer, true), demo.Password)
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
		}

		// A customer of another organization is not told the request exists.
		stranger := app.Browser(t)
		app.Login(t, stranger, customerOf(out.Customer, false), demo.Password)
		if res := get(t, stranger, app.URL+receipt); res.StatusCode != 404 {
			t.Fatalf("another customer's receipt: %d", res.StatusCode)
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
		other := app.Browser(t)
		app.Login(t, other, customerOf(under.Customer, true), demo.Password)
		if page := body(t, get(t, other, app.URL+fmt.Sprintf("/requests/%d", under.RequestID))); strings.Contains(page, `id="receipt-link"`) {
			t.Fatal("a visit under warranty offers a receipt")
		}
		if res := get(t, other, app.URL+fmt.Sprintf("/requests/%d/receipt", under.RequestID)); res.StatusCode != 404 {
			t.Fatalf("the receipt of a visit under warranty: %d", res.StatusCode)
		}
	})
}
