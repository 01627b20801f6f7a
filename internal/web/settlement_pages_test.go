package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/settlement"
	"aftersales/internal/testutil"
)

// The settlement pages on the demo: the provider reads the open month in
// both languages, submits it; the vendor disputes a line; the provider
// answers; the vendor approves. A dispatcher has no settlements.
func TestSettlementPages(t *testing.T) {
	demoEngines(t, func(t *testing.T, app *testutil.App) {
		ctx := context.Background()
		svc := testutil.Services(t, app.DB)
		list := demoStatements(t, app.DB)
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
		postStatus(t, http.StatusSeeOther, "submit", provider, app.URL+page+"/submit", nil)
		st, _ := svc.Settlements.Get(ctx, policy.Actor{Operator: true}, open.ID)
		if st.Status != settlement.Submitted || len(st.Lines) == 0 {
			t.Fatalf("after submit: %s, %d lines", st.Status, len(st.Lines))
		}
		line := st.Lines[0].ID

		vendor := signInDemo(t, app, "admin@haichuan.example")
		if !regexp.MustCompile(`action="/settlements/\d+/lines/\d+/dispute"`).MatchString(body(t, get(t, vendor, app.URL+page))) {
			t.Fatal("the vendor has no dispute form")
		}
		postStatus(t, 422, "a dispute without a reason", vendor, app.URL+fmt.Sprintf("%s/lines/%d/dispute", page, line), url.Values{"reason": {""}})
		postStatus(t, http.StatusSeeOther, "dispute", vendor, app.URL+fmt.Sprintf("%s/lines/%d/dispute", page, line), url.Values{"reason": {"上门费应按一般优先级"}})
		postStatus(t, 422, "approve with an open dispute", vendor, app.URL+page+"/approve", nil)
		postStatus(t, http.StatusSeeOther, "answer", provider, app.URL+fmt.Sprintf("%s/lines/%d/answer", page, line), url.Values{"decision": {"explain"}, "text": {"按协议紧急上门收费"}})
		postStatus(t, http.StatusSeeOther, "approve", vendor, app.URL+page+"/approve", nil)
		if st, _ = svc.Settlements.Get(ctx, policy.Actor{Operator: true}, open.ID); st.Status != settlement.Approved {
			t.Fatalf("after approval: %s", st.Status)
		}

		// A partial payment, then one above what is open (refused, nothing saved).
		postStatus(t, http.StatusSeeOther, "pay", vendor, app.URL+page+"/pay", url.Values{"amount": {"100.00"}, "paid_on": {"2026-12-01"}, "reference": {"CMB-001"}})
		postStatus(t, 422, "paying more than is open", vendor, app.URL+page+"/pay", url.Values{"amount": {"99999999.00"}, "paid_on": {"2026-12-01"}})
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
		postStatus(t, 422, "a short invoice number", provider, app.URL+page+"/invoice", url.Values{"number": {"1234"}, "issued_on": {"2026-12-02"}, "amount": {amount}})
		postStatus(t, 422, "an invoice for another amount", provider, app.URL+page+"/invoice", url.Values{"number": {"26322000000012345678"}, "issued_on": {"2026-12-02"}, "amount": {"1.00"}})
		if inv, err := svc.Settlements.InvoiceOf(ctx, policy.Actor{Operator: true}, open.ID); err != nil || inv != nil {
			t.Fatalf("a refused invoice was saved: %+v %v", inv, err)
		}
		postStatus(t, http.StatusSeeOther, "invoice", provider, app.URL+page+"/invoice", url.Values{"number": {"26322000000012345678"}, "issued_on": {"2026-12-02"}, "amount": {amount}})
		if html := body(t, get(t, vendor, app.URL+page)); !strings.Contains(html, `id="statement-invoice"`) || !strings.Contains(html, "26322000000012345678") {
			t.Fatal("the statement page lacks its invoice")
		}

		dispatcher := signInDemo(t, app, "dispatch@hengxin.example")
		if res := get(t, dispatcher, app.URL+page); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a dispatcher reads a statement: %d", res.StatusCode)
		}
	})
}

// The provider gives notice of a suspension for the demo's settled month
// once it is overdue; both parties see the banner in both languages; a
// dispatcher cannot give notice; the provider lifts it.
func TestSuspensionPages(t *testing.T) {
	demoEngines(t, func(t *testing.T, app *testutil.App) {
		ctx := context.Background()
		svc := testutil.Services(t, app.DB)
		list := demoStatements(t, app.DB)
		var settled settlement.StatementHeader
		for _, h := range list {
			if h.Status == settlement.Approved {
				settled = h
			}
		}
		if settled.DueOn == "" || settled.OpenFen() == 0 {
			t.Fatalf("the demo has no approved month left to pay: %+v", list)
		}
		due, _ := time.ParseInLocation(time.DateOnly, settled.DueOn, calendar.Shanghai)
		app.Clock.Set(due.Add(36 * time.Hour)) // noon the day after the due day

		dispatcher := signInDemo(t, app, "dispatch@hengxin.example")
		notice := url.Values{"agreement": {fmt.Sprint(settled.AgreementID)}, "statement": {fmt.Sprint(settled.ID)}, "reason": {"结算款逾期未付"}}
		if res, _ := post(t, dispatcher, app.URL+"/suspensions", notice); res.StatusCode == http.StatusSeeOther {
			t.Fatal("a dispatcher gave notice")
		}

		provider := signInDemo(t, app, "admin@hengxin.example")
		html := body(t, get(t, provider, app.URL+"/settlements"))
		if !strings.Contains(html, `action="/suspensions"`) || !strings.Contains(html, settled.Number) {
			t.Fatalf("no notice form for the overdue month:\n%.3000s", html)
		}
		postStatus(t, 422, "a notice without a reason", provider, app.URL+"/suspensions", url.Values{"agreement": notice["agreement"], "statement": notice["statement"], "reason": {""}})
		if n := countRows(t, app.DB, "payment_suspensions"); n != 0 {
			t.Fatalf("refused notices stored %d", n)
		}
		postStatus(t, http.StatusSeeOther, "notice", provider, app.URL+"/suspensions", notice)
		vendor := signInDemo(t, app, "admin@haichuan.example")
		for _, lang := range []string{"zh-CN", "en"} {
			get(t, vendor, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			for _, p := range []string{"/", "/settlements", fmt.Sprintf("/agreements/%d", settled.AgreementID)} {
				res := get(t, vendor, app.URL+p)
				html := body(t, res)
				if res.StatusCode != 200 || !strings.Contains(html, "suspension-banner") || strings.Contains(html, "suspension.") || strings.Contains(html, "%!") {
					t.Fatalf("%s %s: %d\n%.3000s", lang, p, res.StatusCode, html)
				}
				if strings.Contains(html, "/lift") {
					t.Fatalf("the vendor may lift the provider's suspension on %s", p)
				}
			}
		}
		if !strings.Contains(body(t, get(t, vendor, app.URL+"/")), settled.Number) {
			t.Fatal("the banner does not name the statement")
		}
		sps, err := svc.Settlements.Suspensions(ctx, policy.Actor{Operator: true}, 0, true)
		if err != nil || len(sps) != 1 {
			t.Fatalf("suspensions %v %v", sps, err)
		}
		html = body(t, get(t, provider, app.URL+"/"))
		if !strings.Contains(html, fmt.Sprintf(`action="/suspensions/%d/lift"`, sps[0].ID)) {
			t.Fatalf("the provider cannot lift its suspension:\n%.3000s", html)
		}
		postStatus(t, http.StatusSeeOther, "lift", provider, app.URL+fmt.Sprintf("/suspensions/%d/lift", sps[0].ID), url.Values{"reason": {"已约定付款计划"}})
		if strings.Contains(body(t, get(t, vendor, app.URL+"/")), "suspension-banner") {
			t.Fatal("the banner stays after the lifting")
		}
	})
}
