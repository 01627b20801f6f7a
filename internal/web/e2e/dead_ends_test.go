package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"aftersales/internal/demo"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The public QR page confirms only a request the server filed from that
// label: a link whose filed= parameter holds any other text shows no
// confirmation at all.
func TestQRPageConfirmsOnlyWhatTheServerFiled(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db, ctx := app.DB, context.Background()
	var token, other string
	if err := store.Get(ctx, db, &token, `SELECT qr_token FROM units WHERE serial_number = ?`, demo.SerialInScope); err != nil {
		t.Fatal(err)
	}
	// A real request number, but of another product.
	if err := store.Get(ctx, db, &other, `SELECT r.number FROM service_requests r JOIN units u ON u.id = r.unit_id
		WHERE u.serial_number <> ? ORDER BY r.id LIMIT 1`, demo.SerialInScope); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, app)
	b := br.visit(t, phone, "zh-CN")
	spoof := "已退款，请拨打 400-000-0000 领取赔偿"
	for _, filed := range []string{spoof, other} {
		b.open("/q/" + token + "?filed=" + url.QueryEscape(filed))
		b.notSee("body", spoof, other)
		if n := b.count(`.alert.success`); n != 0 {
			t.Fatalf("filed=%q shows a confirmation", filed)
		}
	}
	b.shot("qr-spoofed-link")
	b.do(chromedp.SendKeys(`textarea[name=description]`, "液压站漏油"), chromedp.SendKeys(`input[name=contact_phone]`, "13912345678"))
	b.do(chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.alert.success`))
	number := testutil.SelectOne[string](t, db, `SELECT number FROM service_requests ORDER BY id DESC LIMIT 1`)
	b.see(".alert.success", number)
}

// Parts the vendor has not approved, or whose approval expired, say so in
// the technician's picker and in the stock list, before anyone picks one.
func TestUnusablePartsAreBadged(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db := app.DB
	_, wo := demoRepairBooked(t, app, "导轨润滑不良")
	br := newBrowser(t, app)
	tc := br.techOnSite(t, wo.ID, `#parts-form`)
	option := func(part string) string {
		return tc.eval(`Array.from(document.querySelectorAll('#parts-form select[name=part_id] option')).find(o => o.textContent.includes(` +
			jsString(part) + `)).textContent`)
	}
	for part, want := range map[string]string{demo.PartLubricant: "认可已过期", demo.PartSeal: "未认可"} {
		if got := option(part); !strings.Contains(got, want) {
			t.Errorf("picker option of %s: %q, want %q", part, got, want)
		}
	}
	if got := option(demo.PartBelt); strings.Contains(got, "过期") || strings.Contains(got, "未认可") {
		t.Errorf("an approved part badged as unusable: %q", got)
	}

	p := br.signedIn(t, desktop, "zh-CN", "admin@hengxin.example")
	van := testutil.SelectOne[int64](t, db, `SELECT id FROM stock_locations WHERE name = ?`, demo.DemoVanLi)
	p.open(fmt.Sprintf("/stock?location=%d", van))
	p.see(fmt.Sprintf("tr:has(a[href$='/parts/%d'])", partID(t, db, demo.PartLubricant)), "认可已过期")
	p.see(fmt.Sprintf("tr:has(a[href$='/parts/%d'])", partID(t, db, demo.PartSeal)), "未认可")
	p.notSee(fmt.Sprintf("tr:has(a[href$='/parts/%d'])", partID(t, db, demo.PartBelt)), "过期", "未认可")
	p.shot("stock-unusable-parts")
}

func partID(t *testing.T, db *store.DB, number string) int64 {
	t.Helper()
	return testutil.SelectOne[int64](t, db, `SELECT id FROM parts WHERE part_number = ?`, number)
}

// A serial the dispatcher cannot file for (another provider's product, a
// product under no agreement) and one the vendor cannot (no agreement) are
// refused with the next step, in Chinese.
func TestScopeRefusalsSayWhatToDo(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	br := newBrowser(t, app)
	file := func(v *visitor, serial string) {
		v.open("/requests/new")
		v.do(chromedp.SendKeys(`input[name=serial_number]`, serial), chromedp.SendKeys(`textarea[name=description]`, "无法启动"))
		v.press(`form[action="/requests"] button[type=submit]`, `form[action="/requests"] .err, section .alert`)
	}
	d := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	for _, serial := range []string{"HC850-2025-000881", "HCP200-2023-00041"} {
		file(d, serial)
		d.see("body", "贵方服务的设备中没有序列号为 "+serial+" 的设备", "请由厂商报修")
		d.notSee("body", "not in force", "(none)", "agreement -")
	}
	d.shot("request-other-provider")
	v := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	file(v, "HCP200-2023-00041")
	v.see("body", "该设备不在任何服务协议下", "在设备页面将其归入服务协议")
	v.notSee("body", "agreement", "none")
	v.shot("request-no-agreement")
}

// A senior technician asked to take an escalation opens the request from
// the escalations page and answers on it.
func TestSeniorTechnicianAnswersAnEscalationOnThePage(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db, ctx := app.DB, context.Background()
	dispatcher := demoUser(t, db, "dispatch@hengxin.example")
	senior := demoUser(t, db, "tech.zhao@hengxin.example")
	req := fileRepair(t, app, dispatcher, "伺服报警 AL-21 反复出现")
	if _, err := app.Server.Requests.Escalate(ctx, dispatcher.Actor(), req.ID, servicerequest.NewEscalation{Target: servicerequest.EscalateSenior,
		AssigneeID: senior.ID, Reason: "疑似编码器故障，请赵工判断"}); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, app)
	tc := br.signedIn(t, phone, "zh-CN", "tech.zhao@hengxin.example")
	tc.open("/escalations")
	tc.see("body", req.Number)
	tc.follow(chromedp.Click(`a[href^="/requests/` + fmt.Sprint(req.ID) + `"]`))
	tc.see("body", "伺服报警 AL-21", "疑似编码器故障")
	tc.shot("escalation-request-senior")
	tc.do(chromedp.SendKeys(`form[action$="/answer"] textarea[name=answer]`, "先更换编码器电缆，再检查编码器"))
	tc.press(`form[action$="/answer"] button[type=submit]`, `.flash`)
	tc.see("body", "先更换编码器电缆")
	// Another technician still does not see the request.
	other := br.signedIn(t, desktop, "zh-CN", "tech.li@hengxin.example")
	if status := other.open(fmt.Sprintf("/requests/%d", req.ID)); status != 404 {
		t.Fatalf("another technician opens the request: %d", status)
	}
}

// The vendor, refused a request for a model its agreement does not cover,
// grants an exception on its page; the dispatcher's next request for the
// product is accepted, and the exception shows which request used it.
func TestVendorGrantsAScopeException(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	br := newBrowser(t, app)
	v := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	v.open("/requests/new")
	v.do(chromedp.SendKeys(`input[name=serial_number]`, demo.SerialNotCovered), chromedp.SendKeys(`textarea[name=description]`, "焊接偏移"))
	v.press(`form[action="/requests"] button[type=submit]`, `#grant-exception`)
	v.see("section .alert", "不在服务协议", "厂商可为该设备特批")
	v.follow(chromedp.Click(`#grant-exception`))
	if got := v.eval(`document.querySelector('input[name=serial_number]').value`); got != demo.SerialNotCovered {
		t.Fatalf("the serial number is not carried over: %q", got)
	}
	v.do(chromedp.SendKeys(`textarea[name=reason]`, "客户为战略客户，本次免费上门"))
	v.press(`#exception-form button[type=submit]`, `.flash`)
	v.see(".flash", "已特批")
	v.see("table", demo.SerialNotCovered, "等待报修")

	d := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	d.open("/requests/new")
	d.do(chromedp.SendKeys(`input[name=serial_number]`, demo.SerialNotCovered), chromedp.SendKeys(`textarea[name=description]`, "焊接偏移"))
	d.follow(chromedp.Click(`form[action="/requests"] button[type=submit]`))
	if !strings.HasPrefix(d.path(), "/requests/") || strings.HasSuffix(d.path(), "/new") {
		t.Fatalf("the request was not filed: %s", d.path())
	}
	v.open("/scope-exceptions")
	v.see("table", "已用于")
	v.shotBoth("scope-exceptions")
}
