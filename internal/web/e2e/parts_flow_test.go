package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/account"
	"aftersales/internal/demo"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The parts register at work: a technician on site tries a third-party
// seal the vendor has not approved and is refused with the reason; the
// vendor approves it for the machining centre; the technician fits it and
// a genuine bearing set; the sealed record lists both; the replaced
// bearing set shows up on the vendor's list of defective part returns.
func TestPartsFlowFromRefusalToReturn(t *testing.T) {
	db := testutil.NewDB(t, store.SQLite)
	ctx := context.Background()
	if _, err := demo.Load(ctx, db, time.Now); err != nil {
		t.Fatal(err)
	}
	app := testutil.NewApp(t, db)
	id := func(query string, args ...any) string {
		var n int64
		if err := store.Get(ctx, db, &n, query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return fmt.Sprint(n)
	}
	seal, bearing := id(`SELECT id FROM parts WHERE part_number = ?`, demo.PartSeal), id(`SELECT id FROM parts WHERE part_number = ?`, demo.PartBearing)
	van := id(`SELECT id FROM stock_locations WHERE name = ?`, demo.DemoVanLi)

	// A visit booked for 李工 at 苏州精工, through the product's services.
	dispatcher, err := account.GetUserByEmail(ctx, db, "dispatch@hengxin.example")
	if err != nil {
		t.Fatal(err)
	}
	tech, err := account.GetUserByEmail(ctx, db, "tech.li@hengxin.example")
	if err != nil {
		t.Fatal(err)
	}
	req, err := app.Server.Requests.Create(ctx, dispatcher.Actor(), servicerequest.NewRequest{SerialNumber: demo.SerialInScope, ServiceItem: "repair",
		Priority: "general", Description: "主轴异响，密封处渗油", Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	wo, err := app.Server.Requests.Assign(ctx, dispatcher.Actor(), req.ID, servicerequest.Assignment{TechnicianID: tech.ID, WindowStart: now, WindowEnd: now.Add(2 * time.Hour)}, 0)
	if err != nil {
		t.Fatal(err)
	}

	// 1. The technician checks in on a phone and tries the seal kit: refused, with the reason, in place.
	tc := newBrowser(t, app)
	tc.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	tc.login("tech.li@hengxin.example")
	tc.open(fmt.Sprintf("/jobs/%d", wo.ID))
	tc.submit(`#checkin-form button`, `#parts-form`)
	fit := func(part, serialOut, serialIn string) {
		tc.do(chromedp.SetValue(`#parts-form select[name=part_id]`, part), chromedp.SetValue(`#parts-form select[name=location_id]`, van))
		if serialOut != "" {
			tc.do(chromedp.SendKeys(`#parts-form input[name=serial_removed]`, serialOut))
		}
		if serialIn != "" {
			tc.do(chromedp.SendKeys(`#parts-form input[name=serial_installed]`, serialIn))
		}
	}
	fit(seal, "", "")
	tc.submit(`#parts-form button[type=submit]`, `#parts`)
	tc.mustSee("不能使用", "未获厂商认可")
	tc.do(chromedp.ScrollIntoView(`#parts`))
	tc.save("parts-refused-phone")
	var ledger int
	if err := store.Get(ctx, db, &ledger, `SELECT COUNT(*) FROM stock_movements WHERE work_order_id = ?`, wo.ID); err != nil || ledger != 0 {
		t.Fatalf("a refusal booked %d movements (%v)", ledger, err)
	}

	// 2. The vendor lists the seal kit for the model and approves it until the end of next year.
	v := newBrowser(t, app)
	v.login("admin@haichuan.example")
	v.open("/parts")
	v.mustSee(demo.PartSeal, "未认可", demo.PartLubricant, "认可已过期", demo.PartBearing, "原厂")
	v.shot("parts-catalog", true)
	v.open("/parts/" + seal)
	model := id(`SELECT id FROM product_models WHERE code = 'HC-CNC-850'`)
	// Tick the machining centre and save (the form is submitted as a click would).
	tick, cancel := context.WithTimeout(v.ctx, 10*time.Second)
	ticked, err := chromedp.Run(tick, chromedp.Evaluate[bool](`(() => { const f = document.querySelector('#models form');
		const c = f.querySelector('input[name=model_ids][value="`+model+`"]'); c.checked = true; document.body.dataset.stale = "1"; f.requestSubmit(); return c.checked })()`))
	cancel()
	if err != nil || !ticked {
		t.Fatalf("tick the model: %v %v", ticked, err)
	}
	v.do(chromedp.WaitVisible(`body:not([data-stale]) .flash`))
	v.mustSee("适用型号已保存")
	until := fmt.Sprintf("%d-12-31", time.Now().Year()+1)
	v.do(chromedp.SetValue(`#approval input[name=until]`, until))
	v.submit(`#approval button.primary`, `.flash`)
	v.mustSee("已记录认可", "已认可", until, "admin@haichuan.example", "HC-CNC-850")
	v.shot("part-approved", false)

	// 3. The technician fits the seal kit and a genuine bearing set; both are listed on the visit.
	tc.open(fmt.Sprintf("/jobs/%d", wo.ID))
	fit(seal, "", "")
	tc.submit(`#parts-form button[type=submit]`, `#parts`)
	tc.mustSee("配件已登记")
	fit(bearing, "BRG-OLD-77", "")
	tc.submit(`#parts-form button[type=submit]`, `.flash`)
	tc.mustSee("配件已登记", demo.PartSeal, demo.PartBearing, "BRG-OLD-77")
	tc.do(chromedp.ScrollIntoView(`#parts`))
	tc.save("parts-used-phone")

	// 4. Work, signature, check-out: the sealed record lists the parts.
	tc.do(chromedp.SendKeys(`textarea[name=actions_taken]`, "更换主轴密封圈组与轴承组"))
	tc.submit(`form:has(textarea[name=actions_taken]) button[type=submit]`, `.flash`)
	sigCtx, cancel := context.WithTimeout(tc.ctx, 30*time.Second)
	defer cancel()
	if n, err := chromedp.Run(sigCtx, chromedp.Evaluate[int](drawSignature)); err != nil || n < 100 {
		t.Fatalf("signature pad: %d %v", n, err)
	}
	tc.do(chromedp.SendKeys(`input[name=signoff_name]`, "刘经理"))
	tc.submit(`form:has(#signature-field) button[type=submit]`, `.flash`)
	tc.submit(`form:has(select[name=result]) button[type=submit]`, `.flash`)
	tc.mustSee("服务记录已封存", demo.PartSeal)
	tc.save("parts-sealed-phone")
	var content string
	if err := store.Get(ctx, db, &content, `SELECT r.content_json FROM service_records r WHERE r.request_id = ?`, req.ID); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"part_number":"` + demo.PartSeal + `"`, `"kind":"approved"`, `"part_number":"` + demo.PartBearing + `"`, `"serial_removed":"BRG-OLD-77"`} {
		if !strings.Contains(content, want) {
			t.Errorf("sealed record lacks %s: %s", want, content)
		}
	}
	if res, err := record.Verify(ctx, db, 0); err != nil || len(res.Breaks) > 0 {
		t.Fatalf("verify: %+v %v", res, err)
	}

	// 5. The replaced bearing set is owed back: the vendor sees it, beside the overdue one.
	v.open("/returns")
	v.mustSee("BRG-OLD-77", req.Number, "待寄出", "逾期")
	v.shot("returns-vendor", true)

	// The provider's stock pages: below-safety highlighting, the ledger, a movement form.
	p := newBrowser(t, app)
	p.login("admin@hengxin.example")
	p.open("/stock")
	p.mustSee("低于安全库存", demo.DemoStoreSuzhou)
	p.shot("stock-provider", true)
	p.open("/stock/ledger?location=" + van)
	p.mustSee("领用", demo.PartSeal)
	p.shot("stock-ledger", false)
	p.open("/stock/move?kind=transfer")
	p.shot("stock-move", true)
	p.open("/returns")
	p.mustSee("登记寄出")
	p.shot("returns-provider", false)
	// The same pages in English.
	p.open("/lang/en?next=/stock")
	p.mustSee("Below safety", "Service point store")
	p.shot("stock-provider-en", false)
	p.open("/parts")
	p.mustSee("Genuine", "Approval expired", "Approved")
	p.shot("parts-catalog-en", false)
}
