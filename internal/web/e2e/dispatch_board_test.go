package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/servicerequest"
	"aftersales/internal/workorder"
)

// The dispatch board in the browser: 王调度 drags a waiting request onto
// 李工's row; moves a booked visit with its form from the keyboard (to 赵工,
// whose certificate has expired: refused, with the reason in Chinese; then
// to another time); books a waiting request from the keyboard; plans the
// rest of the day and books the plan; sees the drive drawn before a visit.
func TestDispatchBoardInTheBrowser(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db, ctx := app.DB, context.Background()
	user := func(email string) account.User { return demoUser(t, db, email) }
	dispatcher, li, zhao := user("dispatch@hengxin.example"), user("tech.li@hengxin.example"), user("tech.zhao@hengxin.example")
	var requests []servicerequest.View
	for i := range 4 {
		requests = append(requests, fileRepair(t, app, dispatcher, fmt.Sprintf("主轴异响 %d", i+1)))
	}
	day := calendar.DateOf(time.Now().AddDate(0, 0, 3), calendar.Shanghai)
	at := func(h, m int) time.Time {
		return time.Date(day.Year, day.Month, day.Day, h, m, 0, 0, calendar.Shanghai)
	}
	booked, err := app.Server.WorkOrders.Book(ctx, dispatcher.Actor(), workorder.ForRequest(requests[0].ID),
		workorder.Assignment{TechnicianID: li.ID, WindowStart: at(9, 0), WindowEnd: at(11, 0)})
	if err != nil {
		t.Fatal(err)
	}
	visitsOf := func(tech int64) int {
		n := selectOne[int](t, db, `SELECT COUNT(*) FROM work_orders WHERE technician_id = ? AND window_start >= ? AND window_start < ? AND status = 'assigned'`,
			tech, at(0, 0).UTC(), at(24, 0).UTC())
		return n
	}

	br := newBrowser(t, app)
	d := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	d.open("/dispatch?day=" + day.String())
	d.see("#waiting", requests[1].Number, "剩余", "计划上门 2 小时")
	d.see(fmt.Sprintf(`.lane[data-technician="%d"]`, li.ID), "李工", requests[0].Number, "09:00–11:00")
	d.shotBoth("dispatch-board")

	// 1. Drag a waiting request onto 李工's row, at 13:00.
	drag := fmt.Sprintf(`(function(){
		var el = document.getElementById('open-%d'), track = document.querySelector('.lane .track[data-technician="%d"]');
		var box = track.getBoundingClientRect(), x = box.left + box.width * (13 - 7) / 14, dt = new DataTransfer();
		el.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
		track.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt, clientX: x, clientY: box.top + 10}));
		track.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt, clientX: x, clientY: box.top + 10}));
		document.body.dataset.stale = "1";
	})()`, requests[1].ID, li.ID)
	d.do(chromedp.Evaluate[chromedp.Void](drag), chromedp.WaitVisible(`body:not([data-stale]) footer`))
	// The agreement plans 120 minutes for a repair; 李工 works at 1.15 times
	// the average, so his visit is planned for 104.
	d.see(fmt.Sprintf(`.lane[data-technician="%d"]`, li.ID), requests[1].Number, "13:00–14:44")
	d.notSee("#waiting", requests[1].Number)

	// 2. From the keyboard: open the booked visit's form, pick 赵工 and
	// submit with Enter: refused, the reason said; then a later time.
	form := fmt.Sprintf(`#wo-%d form.move-form`, booked.ID)
	d.do(chromedp.Focus(fmt.Sprintf(`#wo-%d summary`, booked.ID)), chromedp.KeyEvent("\r"), chromedp.WaitVisible(form+` select[name=technician_id]`),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('%s select[name=technician_id]').value = '%d'`, form, zhao.ID)),
		chromedp.Focus(form+` input[name=time]`),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`), chromedp.KeyEvent("\r"), chromedp.WaitVisible(`body:not([data-stale]) footer`))
	d.see(".flash, .notice, main", "证书已过期")
	if visitsOf(zhao.ID) != 0 {
		t.Fatal("a refused move booked 赵工")
	}
	d.do(chromedp.Focus(fmt.Sprintf(`#wo-%d summary`, booked.ID)), chromedp.KeyEvent("\r"), chromedp.WaitVisible(form+` input[name=time]`),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('%s input[name=time]').value = ''`, form)), chromedp.SendKeys(form+` input[name=time]`, "15:00"),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`), chromedp.KeyEvent("\r"), chromedp.WaitVisible(`body:not([data-stale]) footer`))
	d.see(fmt.Sprintf(`#wo-%d`, booked.ID), "15:00–17:00")

	// 3. Book a waiting request from the keyboard: its "预约" form, 李工
	// at 09:00, submitted with Enter.
	book := fmt.Sprintf(`#open-%d form.move-form`, requests[2].ID)
	d.do(chromedp.Focus(fmt.Sprintf(`#open-%d summary`, requests[2].ID)), chromedp.KeyEvent("\r"), chromedp.WaitVisible(book+` input[name=time]`),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('%s select[name=technician_id]').value = '%d'`, book, li.ID)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('%s input[name=time]').value = ''`, book)), chromedp.SendKeys(book+` input[name=time]`, "09:00"),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`), chromedp.KeyEvent("\r"), chromedp.WaitVisible(`body:not([data-stale]) footer`))
	d.see(fmt.Sprintf(`.lane[data-technician="%d"]`, li.ID), requests[2].Number, "09:00–10:44")
	d.notSee("#waiting", requests[2].Number)

	// 4. Plan the day: the request still waiting goes to 李工.
	d.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#plan-form select[name=time_limit]').value = '3'`))
	d.press(`#plan-day`, `#plan`)
	d.see("#plan", "排程方案", requests[3].Number, "新预约")
	d.do(chromedp.ScrollIntoView(`#plan`))
	d.shotBoth("dispatch-board-plan")
	d.press(`#accept-plan`, `footer`)
	d.see("main", "方案已预约")
	d.see(fmt.Sprintf(`.lane[data-technician="%d"]`, li.ID), requests[2].Number, requests[3].Number)
	if n := visitsOf(li.ID); n != 4 {
		t.Fatalf("李工 has %d visits that day, want 4", n)
	}
	d.shot("dispatch-board-booked")
	// The drive from the service point is drawn before 李工's first visit,
	// with its minutes; his other visits are at the same site: no drive.
	lane := fmt.Sprintf(`.lane[data-technician="%d"]`, li.ID)
	if n := d.eval(fmt.Sprintf(`String(document.querySelectorAll('%s .travel[data-travel]').length)`, lane)); n != "1" {
		t.Fatalf("李工's lane draws %s drives, want the one from the service point to the site", n)
	}
	d.see(lane+" .travel", "分")
	if title := d.eval(fmt.Sprintf(`document.querySelector('%s .travel[data-travel]').title`, lane)); !strings.Contains(title, "从上一站路程") || !strings.Contains(title, "公里") {
		t.Fatalf("a drive's title says %q", title)
	}

	// 5. The week: 李工's row holds the day's four visits, the day links back.
	d.press(`#week-view`, `#week`)
	d.see(fmt.Sprintf(`#week tr[data-technician="%d"] td[data-day="%s"]`, li.ID, day), "4 次上门", requests[1].Number, requests[3].Number)
	d.shotBoth("dispatch-week")
	d.press(fmt.Sprintf(`#week thead a[href="/dispatch?day=%s"]`, day), `#lanes`)
}
