package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"aftersales/internal/demo"
	"aftersales/internal/store"
)

// Who is told when a request arrives: the customer files an emergency on
// the web and gets its number and promised times; the provider's
// dispatcher is told at once, the emergency marked; the customer hears
// when the visit is booked (window and technician) and when it is done.
func TestRequestArrivalAndVisitAreAnnounced(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db, ctx := app.DB, context.Background()
	br := newBrowser(t, app)
	c := br.signedIn(t, phone, "zh-CN", "service@sz-jinggong.example")
	c.open("/requests/new")
	c.do(chromedp.SendKeys(`input[name=serial_number]`, demo.SerialInScope), chromedp.SendKeys(`textarea[name=description]`, "主轴抱死，整线停产"),
		chromedp.SetValue(`select[name=priority]`, "emergency"))
	c.follow(chromedp.Click(`form[action="/requests"] button[type=submit]`))
	var r struct {
		ID     int64  `db:"id"`
		Number string `db:"number"`
	}
	if err := store.Get(ctx, db, &r, `SELECT id, number FROM service_requests ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	c.open("/notifications")
	c.see("body", "已收到报修 "+r.Number, "前响应", "前到场")

	d := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	d.open("/notifications")
	d.see("body", "紧急报修 "+r.Number, "主轴抱死")
	d.shot("notice-new-emergency")

	dispatcher, tech := demoCrew(t, db)
	workedVisit(t, app, dispatcher, tech, r.ID, "主轴轴承损坏", "更换主轴轴承")
	c.open("/notifications")
	c.see("body", r.Number+"：已预约", "李工将于", r.Number+"：上门服务已完成", "已修复")
	c.shot("notice-customer")

	// Email per kind, on the profile.
	c.open("/profile#notifications")
	c.see("#email-kinds", "我提交的报修已受理", "我方设备已预约上门")
	c.do(chromedp.Click(`#email-kinds input[value="visit.booked"]`))
	c.press(`form[action="/profile/notifications"] button[type=submit]`, `.flash`)
	if got := c.eval(`document.querySelector('#email-kinds input[value="visit.booked"]').checked ? "on" : "off"`); got != "off" {
		t.Fatalf("the choice was not kept: %s", got)
	}
	c.shot("profile-email-kinds")
}
