package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/demo"
	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The parts register at work: a technician on site tries a third-party
// seal the vendor has not approved and is refused with the reason; the
// vendor approves it for the machining centre; the technician fits it and
// a genuine bearing set; the sealed record lists both; the replaced
// bearing set shows up on the vendor's list of defective part returns.
func TestPartsFlowFromRefusalToReturn(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db, ctx := app.DB, context.Background()
	id := func(query string, args ...any) string {
		return fmt.Sprint(testutil.SelectOne[int64](t, db, query, args...))
	}
	seal, bearing := id(`SELECT id FROM parts WHERE part_number = ?`, demo.PartSeal), id(`SELECT id FROM parts WHERE part_number = ?`, demo.PartBearing)
	van := id(`SELECT id FROM stock_locations WHERE name = ?`, demo.DemoVanLi)

	// A visit booked for 李工 at 苏州精工, through the product's services.
	req, wo := demoRepairBooked(t, app, "主轴异响，密封处渗油")

	// 1. The technician checks in on a phone and tries the seal kit: refused, with the reason, in place.
	br := newBrowser(t, app)
	tc := br.techOnSite(t, wo.ID, `#parts-form`)
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
	tc.press(`#parts-form button[type=submit]`, `#parts`)
	tc.see("body", "不能使用", "未获厂商认可")
	tc.do(chromedp.ScrollIntoView(`#parts`))
	tc.shot("parts-refused")
	var ledger int
	if err := store.Get(ctx, db, &ledger, `SELECT COUNT(*) FROM stock_movements WHERE work_order_id = ?`, wo.ID); err != nil || ledger != 0 {
		t.Fatalf("a refusal booked %d movements (%v)", ledger, err)
	}

	// 2. The vendor lists the seal kit for the model and approves it until the end of next year.
	v := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	v.open("/parts")
	v.see("body", demo.PartSeal, "未认可", demo.PartLubricant, "认可已过期", demo.PartBearing, "原厂")
	v.shotBoth("parts-catalog")
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
	v.see("body", "适用型号已保存")
	until := fmt.Sprintf("%d-12-31", time.Now().Year()+1)
	v.do(chromedp.SetValue(`#approval input[name=until]`, until))
	v.press(`#approval button.primary`, `.flash`)
	v.see("body", "已记录认可", "已认可", until, "admin@haichuan.example", "HC-CNC-850")
	v.shot("part-approved")

	// 3. The technician fits the seal kit and a genuine bearing set; both are listed on the visit.
	tc.open(fmt.Sprintf("/work-orders/%d", wo.ID))
	fit(seal, "", "")
	tc.press(`#parts-form button[type=submit]`, `#parts`)
	tc.see("body", "配件已登记")
	fit(bearing, "BRG-OLD-77", "")
	tc.press(`#parts-form button[type=submit]`, `.flash`)
	tc.see("body", "配件已登记", demo.PartSeal, demo.PartBearing, "BRG-OLD-77")
	tc.do(chromedp.ScrollIntoView(`#parts`))
	tc.shot("parts-used")

	// 4. Work, signature, check-out: the sealed record lists the parts.
	tc.do(chromedp.SendKeys(`textarea[name=actions_taken]`, "更换主轴密封圈组与轴承组"))
	tc.press(`form:has(textarea[name=actions_taken]) button[type=submit]`, `.flash`)
	tc.sign()
	tc.do(chromedp.SendKeys(`input[name=signoff_name]`, "刘经理"))
	tc.press(`form:has(#signature-field) button[type=submit]`, `.flash`)
	tc.press(`form:has(select[name=result]) button[type=submit]`, `.flash`)
	tc.see("body", "服务记录已封存", demo.PartSeal)
	tc.shot("parts-sealed")
	content := testutil.SelectOne[string](t, db, `SELECT r.content_json FROM service_records r WHERE r.request_id = ?`, req.ID)
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
	v.see("body", "BRG-OLD-77", req.Number, "待寄出", "逾期")
	v.shotBoth("returns-vendor")

	// The provider's stock pages: below-safety highlighting, the ledger, a movement form.
	p := br.signedIn(t, desktop, "zh-CN", "admin@hengxin.example")
	p.open("/stock")
	p.see("body", "低于安全库存", demo.DemoStoreSuzhou)
	p.shotBoth("stock-provider")
	p.open("/stock/ledger?location=" + van)
	p.see("body", "领用", demo.PartSeal)
	p.shot("stock-ledger")
	p.open("/stock/move?kind=transfer")
	p.see(".tabs", "入库", "调拨", "盘点调整")
	p.shotBoth("stock-move")
	// A dispatcher moves stock but does not adjust it: no such tab, and
	// its address is refused.
	ds := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	ds.open("/stock/move")
	ds.see(".tabs", "入库", "调拨")
	if n := ds.count(`.tabs a[href="/stock/move?kind=adjust"]`); n != 0 {
		t.Errorf("the dispatcher's movement form offers adjustments (%d tabs)", n)
	}
	ds.shotBoth("stock-move-dispatcher")
	if status := ds.open("/stock/move?kind=adjust"); status != 403 {
		t.Errorf("a dispatcher asking for the adjustment form: %d, want 403", status)
	}
	ds.shot("stock-move-adjust-refused")
	p.open("/returns")
	p.see("body", "登记寄出")
	p.shot("returns-provider")
	// The same pages in English.
	p.open("/lang/en?next=/stock")
	p.see("body", "Below safety", "Service point store")
	p.shot("stock-provider-en")
	p.open("/parts")
	p.see("body", "Genuine", "Approval expired", "Approved")
	p.shot("parts-catalog-en")
}
