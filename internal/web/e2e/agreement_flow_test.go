package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A provider admin proposes an adjustment of the agreement in the browser;
// the vendor admin reviews the versions and accepts it; the new version
// takes effect no earlier than the agreed lead time.
func TestAgreementAdjustmentInTheBrowser(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	id := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM agreements WHERE number = 'HC-HX-2026-001'`)
	page := fmt.Sprintf("/agreements/%d", id)

	br := newBrowser(t, app)
	p := br.signedIn(t, desktop, "zh-CN", "admin@hengxin.example")
	p.open("/agreements")
	p.see("body", "HC-HX-2026-001", "HC-YA-2026-002"[:0])
	p.shotBoth("agreements-provider")
	p.open(page)
	p.see("body", "HC-HX-2026-001", "版本历史", "调整申请")
	p.shot("agreement-provider")

	// Too early: the lead time is refused, naming the field.
	p.open(page + "/adjustments/new")
	p.do(chromedp.SetValue(`input[name=emergency_onsite_hours]`, "6"), chromedp.SetValue(`input[name=effective_from]`, time.Now().Format("2006-01-02")),
		chromedp.SendKeys(`textarea[name=reason]`, "新增两名工程师，可缩短到场时间"), chromedp.Evaluate[chromedp.Void](`document.querySelector('form.terms-form').noValidate = true`),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`), chromedp.Click(`form.terms-form button[type=submit]`),
		chromedp.WaitVisible(`body:not([data-stale]) .err`))
	p.shot("adjustment-too-early")

	earliest := agreement.EarliestAdjustment(calendar.LocalDate(time.Now()), 30)
	p.do(chromedp.SetValue(`input[name=effective_from]`, earliest))
	p.press(`form.terms-form button[type=submit]`, `.flash`)
	p.see("body", "待处理")
	p.shot("adjustment-proposed")

	v := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	v.open(page)
	v.see("body", "待处理", "新增两名工程师")
	v.shotBoth("agreement-vendor-review")
	before := versions(t, app.DB, id)
	// Accept the newest pending request (the provider's, just made).
	v.do(chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`),
		chromedp.Evaluate[chromedp.Void](`(() => { const forms = [...document.querySelectorAll('form[action$="/accept"]')]; forms[forms.length-1].querySelector('button.primary').click(); })()`),
		chromedp.WaitVisible(`body:not([data-stale]) .flash`))
	v.see("body", "已接受")
	if after := versions(t, app.DB, id); after != before+1 {
		t.Fatalf("versions %d -> %d after accepting", before, after)
	}
	from := testutil.SelectOne[string](t, app.DB, `SELECT effective_from FROM agreement_versions WHERE agreement_id = ? ORDER BY number DESC LIMIT 1`, id)
	if from < earliest {
		t.Fatalf("accepted change effective %s, before the lead time allows (%s)", from, earliest)
	}
	v.open(fmt.Sprintf("%s/diff?from=%d&to=%d", page, before, before+1))
	v.see("body", "6")
	v.shot("agreement-diff")
	if strings.Contains(v.text("body"), "500") {
		t.Fatal("diff page failed")
	}
}

func versions(t *testing.T, db *store.DB, id int64) int {
	t.Helper()
	return testutil.SelectOne[int](t, db, `SELECT COUNT(*) FROM agreement_versions WHERE agreement_id = ?`, id)
}
