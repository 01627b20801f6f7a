package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/calendar"
	"aftersales/internal/demo"
	"aftersales/internal/store"
)

// The demo's open month is settled in the browser: the provider reads the
// statement with its late-arrival deduction and submits it; the vendor
// disputes a line; the provider explains it; the vendor approves, and the
// statement is locked. On a desk and on a phone.
func TestSettlementInTheBrowser(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	ctx := context.Background()
	var settled, open int64
	if err := store.Get(ctx, app.DB, &settled, `SELECT id FROM settlement_statements WHERE status = 'approved'`); err != nil {
		t.Fatal(err)
	}
	if err := store.Get(ctx, app.DB, &open, `SELECT id FROM settlement_statements WHERE status = 'draft'`); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, app)

	p := br.visit(t, desktop, "zh-CN")
	p.signIn("admin@hengxin.example", demo.Password)
	p.open("/settlements")
	p.see("body", "结算单", "已审批", "草稿")
	p.shotBoth("settlements-provider")
	p.open(fmt.Sprintf("/settlements/%d", settled))
	p.see("#total-in-words", "人民币")
	p.see("#statement-lines", "到场超时", "已答复异议")
	p.shotBoth("settlement-approved")

	p.open(fmt.Sprintf("/settlements/%d", open))
	p.see("#statement-status", "草稿")
	p.press(`#submit-statement`, `.flash`)
	p.see("#statement-status", "已提交")
	p.shot("settlement-submitted")

	v := br.visit(t, desktop, "zh-CN")
	v.signIn("admin@haichuan.example", demo.Password)
	v.open(fmt.Sprintf("/settlements/%d", open))
	v.see("#statement-status", "已提交")
	v.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#statement-lines details').open = true`))
	v.fill(`form[action$="/dispute"]`, "reason", "紧急上门费只适用于紧急请求")
	v.press(`form[action$="/dispute"] button[type=submit]`, `.flash`)
	v.see("#statement-status", "有异议")
	v.see("#open-disputes", "1")
	v.shotBoth("settlement-disputed")

	p.open(fmt.Sprintf("/settlements/%d", open))
	p.fill(`form.answer`, "text", "该请求按紧急优先级受理，按协议收费")
	p.press(`form.answer button[type=submit]`, `.flash`)
	p.see("#statement-status", "已提交")
	p.shot("settlement-answered")

	v.open(fmt.Sprintf("/settlements/%d", open))
	v.press(`#approve-statement`, `.flash`)
	v.see("#statement-status", "已审批")
	v.shotBoth("settlement-locked")
}

// The settled month falls overdue: the provider gives notice of a
// suspension from the settlement page; both parties see the banner; the
// provider lifts it.
func TestSuspensionInTheBrowser(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	ctx := context.Background()
	var number, due string
	if err := store.Get(ctx, app.DB, &number, `SELECT number FROM settlement_statements WHERE status = 'approved'`); err != nil {
		t.Fatal(err)
	}
	if err := store.Get(ctx, app.DB, &due, `SELECT due_on FROM settlement_statements WHERE status = 'approved'`); err != nil {
		t.Fatal(err)
	}
	day, err := time.ParseInLocation(time.DateOnly, due, calendar.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	app.Clock.Set(day.Add(34 * time.Hour)) // 10:00 the day after the due day
	br := newBrowser(t, app)

	p := br.visit(t, phone, "zh-CN")
	p.signIn("admin@hengxin.example", demo.Password)
	p.open("/settlements")
	p.see(".suspension-notice", "因欠款暂停服务", number)
	p.fill(`.suspension-notice form`, "reason", "结算款逾期未付，经催告仍未支付")
	p.press(`.suspension-notice button[type=submit]`, `.flash`)
	p.see(".suspension-banner", "暂停", number)
	p.shotBoth("suspension-noticed-provider")

	v := br.visit(t, desktop, "zh-CN")
	v.signIn("admin@haichuan.example", demo.Password)
	v.open("/")
	v.see(".suspension-banner", "暂停", number)
	v.shot("suspension-noticed-vendor")

	p.open("/")
	p.press(`.suspension-banner button[type=submit]`, `.flash`)
	p.see(".flash", "已解除")
}
