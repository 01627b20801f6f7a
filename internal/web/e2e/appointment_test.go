package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/demo"
	"aftersales/internal/servicerequest"
	"aftersales/internal/workorder"
)

// A customer opens the appointment link a dispatcher sent, on a phone and
// without an account, and picks another free window of the technician:
// the visit moves there; the link then says it was used.
func TestCustomerPicksAWindowOnAPhone(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	ctx := context.Background()
	dispatcher, err := account.GetUserByEmail(ctx, app.DB, "dispatch@hengxin.example")
	if err != nil {
		t.Fatal(err)
	}
	li, err := account.GetUserByEmail(ctx, app.DB, "tech.li@hengxin.example")
	if err != nil {
		t.Fatal(err)
	}
	a := app.Server.App
	r, err := a.Requests.Create(ctx, dispatcher.Actor(), servicerequest.NewRequest{SerialNumber: demo.SerialInScope, ServiceItem: "repair",
		Priority: "general", Description: "主轴异响", ContactName: "刘经理", ContactPhone: "13912345678", Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	day := calendar.DateOf(time.Now().AddDate(0, 0, 4), calendar.Shanghai)
	start := day.At(9, 0, calendar.Shanghai)
	wo, err := a.WorkOrders.Book(ctx, dispatcher.Actor(), workorder.ForRequest(r.ID), workorder.Assignment{TechnicianID: li.ID, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	sent, err := a.Appointments.Send(ctx, dispatcher.Actor(), wo.ID, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}

	br := newBrowser(t, app)
	c := br.visit(t, phone, "zh-CN")
	if status := c.open(sent.Path); status != 200 {
		t.Fatalf("the link: %d", status)
	}
	c.see("main", "您的上门服务", r.Number, "李工", "保持已预约时间")
	c.shot("appointment-link")
	// The first window offered after the booked one.
	c.do(chromedp.Click(chromedp.CSS(`#appointment-form label.window:nth-of-type(2) input`)))
	picked := c.eval(`document.querySelector('#appointment-form input[name=start]:checked').value`)
	c.press(`#appointment-form button[type=submit]`, `#answer`)
	c.see("#answer", "上门时间已改为")
	c.shot("appointment-picked")
	got, err := workorder.Get(ctx, app.DB, wo.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, err := time.Parse(time.RFC3339, picked)
	if err != nil || !got.WindowStart.Equal(want) || got.WindowStart.Equal(start) {
		t.Fatalf("the visit is at %v; the customer picked %q", got.WindowStart, picked)
	}
	c.open(sent.Path)
	c.see("#answer", "该链接已使用过")
}
