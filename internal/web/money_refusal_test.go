package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/testutil"
)

// refusedWith posts a form that must be refused (422) and returns the
// page's alert text, failing when there is none: a refusal the person is
// not told of looks like a form that did nothing.
func refusedWith(t *testing.T, c *http.Client, u string, form url.Values) string {
	t.Helper()
	res, page := post(t, c, u, form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("%s %v: %d, want 422", u, form, res.StatusCode)
	}
	_, rest, ok := strings.Cut(page, `<div class="alert" role="alert">`)
	if !ok {
		t.Fatalf("%s %v: refused with no message on the page", u, form)
	}
	msg, _, _ := strings.Cut(rest, "</div>")
	return html.UnescapeString(msg)
}

// An amount the statement's and the returns' forms refuse is said on the
// page, in the page's language, in yuan, with the field by its label.
func TestRefusedAmountsAreSaidInYuan(t *testing.T) {
	demoEngines(t, func(t *testing.T, app *testutil.App) {
		approved := demoStatements(t, app.DB)[1]
		pay := fmt.Sprintf("%s/settlements/%d/pay", app.URL, approved.ID)
		vendor := signInDemo(t, app, "admin@haichuan.example")
		provider := signInDemo(t, app, "admin@yuean.example")
		ret := testutil.SelectOne[int64](t, app.DB, `SELECT MIN(id) FROM part_returns`)
		returns := fmt.Sprintf("%s/returns/%d/", app.URL, ret)
		postStatus(t, http.StatusSeeOther, "ship", provider, returns+"ship", url.Values{"version": {"1"}, "carrier": {"顺丰"}, "tracking_number": {"SF1"}})
		postStatus(t, http.StatusSeeOther, "receive", vendor, returns+"receive", url.Values{"version": {"2"}})
		for _, lang := range []string{"zh-CN", "en"} {
			get(t, vendor, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			yuanOnly := map[string]string{"zh-CN": "元为单位", "en": "yuan"}[lang]
			for _, bad := range []string{"abc", "-5", "1.234"} {
				if msg := refusedWith(t, vendor, pay, url.Values{"amount": {bad}, "paid_on": {"2026-12-01"}}); !strings.Contains(msg, yuanOnly) {
					t.Errorf("%s: paying %q: %q", lang, bad, msg)
				}
				if msg := refusedWith(t, vendor, returns+"credit", url.Values{"version": {"3"}, "credit": {bad}}); !strings.Contains(msg, yuanOnly) {
					t.Errorf("%s: crediting %q: %q", lang, bad, msg)
				}
			}
			for what, msg := range map[string]string{
				"paying more than is open": refusedWith(t, vendor, pay, url.Values{"amount": {"99999999"}, "paid_on": {"2026-12-01"}}),
				"crediting more than cost": refusedWith(t, vendor, returns+"credit", url.Values{"version": {"3"}, "credit": {"99999999"}}),
			} {
				if !strings.Contains(msg, "¥") || strings.Contains(msg, "fen") || strings.Contains(msg, "分") || strings.Contains(msg, "_fen") {
					t.Errorf("%s: %s: %q, want an amount in yuan", lang, what, msg)
				}
			}
			label := map[string]string{"zh-CN": "结算金额（元）", "en": "Credit"}[lang]
			if msg := refusedWith(t, vendor, returns+"credit", url.Values{"version": {"3"}, "credit": {"99999999"}}); !strings.Contains(msg, label) {
				t.Errorf("%s: the credit's refusal does not name its field: %q", lang, msg)
			}
		}
		if n := testutil.SelectOne[int](t, app.DB, `SELECT COUNT(*) FROM settlement_payments WHERE statement_id = ?`, approved.ID); n != 0 {
			t.Errorf("%d payments saved by refused forms", n)
		}
	})
}
