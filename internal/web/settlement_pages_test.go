package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/settlement"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The settlement pages on the demo: the provider reads the open month in
// both languages, submits it; the vendor disputes a line; the provider
// answers; the vendor approves. A dispatcher has no settlements.
func TestSettlementPages(t *testing.T) {
	t.Parallel()
	testutil.DemoEngines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		app := testutil.NewApp(t, db)
		svc := testutil.Services(t, db)
		list := demoStatements(t, db)
		if len(list) != 2 {
			t.Fatalf("demo statements: %d", len(list))
		}
		open := list[0]
		page := fmt.Sprintf("/settlements/%d", open.ID)

		provider := signInDemo(t, app, "admin@hengxin.example")
		for _, lang := range []string{"zh-CN", "en"} {
			get(t, provider, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			for _, p := range []string{"/settlements", page, fmt.Sprintf("/settlements/%d", list[1].ID)} {
				res := get(t, provider, app.URL+p)
				html := body(t, res)
				if res.StatusCode != 200 || strings.Contains(html, "settlements.") || strings.Contains(html, "%!") {
					t.Fatalf("%s %s: %d\n%.2000s", lang, p, res.StatusCode, html)
				}
			}
		}
		html := body(t, get(t, provider, app.URL+fmt.Sprintf("/settlements/%d", list[1].ID)))
		if !strings.Contains(html, "人民币") || !strings.Contains(html, "Late on site") && !strings.Contains(html, "late on site") {
			t.Fatalf("the settled month lacks its words or its deduction:\n%s", html)
		}
		post := func(c *http.Client, path string, form url.Values) *http.Response {
			res, err := c.PostForm(app.URL+path, form)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		if res := post(provider, page+"/submit", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit: %d", res.StatusCode)
		}
		st, _ := svc.Settlements.Get(ctx, policy.Actor{Operator: true}, open.ID)
		if st.Status != settlement.Submitted || len(st.Lines) == 0 {
			t.Fatalf("after submit: %s, %d lines", st.Status, len(st.Lines))
		}
		line := st.Lines[0].ID

		vendor := signInDemo(t, app, "admin@haichuan.example")
		if !regexp.MustCompile(`action="/settlements/\d+/lines/\d+/dispute"`).MatchString(body(t, get(t, vendor, app.URL+page))) {
			t.Fatal("the vendor has no dispute form")
		}
		if res := post(vendor, fmt.Sprintf("%s/lines/%d/dispute", page, line), url.Values{"reason": {""}}); res.StatusCode != 422 {
			t.Fatalf("a dispute without a reason: %d", res.StatusCode)
		}
		if res := post(vendor, fmt.Sprintf("%s/lines/%d/dispute", page, line), url.Values{"reason": {"上门费应按一般优先级"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("dispute: %d", res.StatusCode)
		}
		if res := post(vendor, page+"/approve", nil); res.StatusCode != 422 {
			t.Fatalf("approve with an open dispute: %d", res.StatusCode)
		}
		if res := post(provider, fmt.Sprintf("%s/lines/%d/answer", page, line), url.Values{"decision": {"explain"}, "text": {"按协议紧急上门收费"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer: %d", res.StatusCode)
		}
		if res := post(vendor, page+"/approve", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", res.StatusCode)
		}
		if st, _ = svc.Settlements.Get(ctx, policy.Actor{Operator: true}, open.ID); st.Status != settlement.Approved {
			t.Fatalf("after approval: %s", st.Status)
		}

		// A partial payment, then one above what is open (refused, nothing saved).
		if res := post(vendor, page+"/pay", url.Values{"amount": {"100.00"}, "paid_on": {"2026-12-01"}, "reference": {"CMB-001"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("pay: %d", res.StatusCode)
		}
		if res := post(vendor, page+"/pay", url.Values{"amount": {"99999999.00"}, "paid_on": {"2026-12-01"}}); res.StatusCode != 422 {
			t.Fatalf("paying more than is open: %d", res.StatusCode)
		}
		if st, _ = svc.Settlements.Get(ctx, policy.Actor{Operator: true}, open.ID); st.PaidFen != 10000 {
			t.Fatalf("paid %d", st.PaidFen)
		}
		if html := body(t, get(t, vendor, app.URL+page)); !strings.Contains(html, `id="statement-payment"`) || !strings.Contains(html, "CMB-001") {
			t.Fatal("the statement page lacks its payment")
		}

		// The provider records its invoice: the amount must be the fees
		// with tax, the number 20 digits; a refusal saves nothing.
		if html := body(t, get(t, provider, app.URL+page)); !strings.Contains(html, `id="invoice-form"`) {
			t.Fatal("the provider has no invoice form")
		}
		if html := body(t, get(t, vendor, app.URL+page)); strings.Contains(html, `id="invoice-form"`) || !strings.Contains(html, `id="no-invoice"`) {
			t.Fatal("the vendor is offered the invoice form, or not told there is none")
		}
		gross := st.Totals.Fees.GrossFen
		amount := fmt.Sprintf("%d.%02d", gross/100, gross%100)
		if res := post(provider, page+"/invoice", url.Values{"number": {"1234"}, "issued_on": {"2026-12-02"}, "amount": {amount}}); res.StatusCode != 422 {
			t.Fatalf("a short invoice number: %d", res.StatusCode)
		}
		if res := post(provider, page+"/invoice", url.Values{"number": {"26322000000012345678"}, "issued_on": {"2026-12-02"}, "amount": {"1.00"}}); res.StatusCode != 422 {
			t.Fatalf("an invoice for another amount: %d", res.StatusCode)
		}
		if inv, err := svc.Settlements.InvoiceOf(ctx, policy.Actor{Operator: true}, open.ID); err != nil || inv != nil {
			t.Fatalf("a refused invoice was saved: %+v %v", inv, err)
		}
		if res := post(provider, page+"/invoice", url.Values{"number": {"26322000000012345678"}, "issued_on": {"2026-12-02"}, "amount": {amount}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("invoice: %d", res.StatusCode)
		}
		if html := body(t, get(t, vendor, app.URL+page)); !strings.Contains(html, `id="statement-invoice"`) || !strings.Contains(html, "26322000000012345678") {
			t.Fatal("the statement page lacks its invoice")
		}

		dispatcher := signInDemo(t, app, "dispatch@hengxin.example")
		if res := get(t, dispatcher, app.URL+page); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a dispatcher reads a statement: %d", res.StatusCode)
		}
	})
}
