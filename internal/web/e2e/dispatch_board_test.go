package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/demo"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
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
		return day.At(h, m, calendar.Shanghai)
	}
	booked, err := app.Server.WorkOrders.Book(ctx, dispatcher.Actor(), workorder.ForRequest(requests[0].ID),
		workorder.Assignment{TechnicianID: li.ID, WindowStart: at(9, 0), WindowEnd: at(11, 0)})
	if err != nil {
		t.Fatal(err)
	}
	visitsOf := func(tech int64) int {
		n := testutil.SelectOne[int](t, db, `SELECT COUNT(*) FROM work_orders WHERE technician_id = ? AND window_start >= ? AND window_start < ? AND status = 'assigned'`,
			tech, at(0, 0).UTC(), at(24, 0).UTC())
		return n
	}

	br := newBrowser(t, app)
	d := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	d.open("/dispatch?day=" + day.String())
	d.see("#waiting", requests[1].Number, "剩余", "计划上门 2 小时")
	d.see(fmt.Sprintf(`.lane[data-technician="%d"]`, li.ID), "李工", requests[0].Number, "09:00–11:00")
	d.shotBoth("dispatch-board")
	// The booked visit's move form: "start between" chosen as it comes is
	// its booked window, 09:00 to 11:00, not a range of no width.
	d.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function(){ var s = document.querySelector('select[name="lock_%d"]');
		s.closest('details').open = true; s.value = 'range'; })()`, booked.ID)))
	if got := d.eval(fmt.Sprintf(`[document.querySelector('input[name="lock_from_%[1]d"]').value, document.querySelector('input[name="lock_to_%[1]d"]').value].join('–')`, booked.ID)); got != "09:00–11:00" {
		t.Errorf("the visit's start range is %s, want 09:00–11:00", got)
	}
	d.see(fmt.Sprintf(`#wo-%d .lock-range`, booked.ID), "最早开始", "最晚开始")
	d.shot("dispatch-move-range")
	d.open("/dispatch?day=" + day.String())

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

// Planning a demo day in the browser: three technicians at 苏州网点, twenty
// visits (nine waiting repairs of a CNC machine, one laser repair that a
// vendor rule keeps from everyone, nine short visits already booked, and
// the demo's redo visit of 李工's in 杭州, too far to reach from 苏州 by its
// time: it stays, and its hours are kept free).
// The plan lists the laser repair as unplaced with its reason; 王调度 locks
// one booked visit to its technician and time, plans again (the lock holds:
// the visit is kept where it was) and books the plan: every waiting CNC
// repair has its visit, the laser repair still waits.
func TestPlanTheDayInTheBrowser(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db, ctx := app.DB, context.Background()
	user := func(email string) account.User { return demoUser(t, db, email) }
	dispatcher, admin, vendor := user("dispatch@hengxin.example"), user("admin@hengxin.example"), user("admin@haichuan.example")
	li, zhao := user("tech.li@hengxin.example"), user("tech.zhao@hengxin.example")
	day := calendar.DateOf(time.Now(), calendar.Shanghai).AddDays(1)
	at := func(h, m int) time.Time {
		return day.At(h, m, calendar.Shanghai)
	}

	// A third technician at 苏州网点, and 赵工's CNC certificate renewed.
	point := testutil.SelectOne[int64](t, db, `SELECT id FROM service_points WHERE name = '苏州网点'`)
	sun, err := app.Server.Accounts.CreateUser(ctx, admin.Actor(), account.NewUser{OrgID: admin.OrgID, Email: "tech.sun@hengxin.example", Name: "孙工",
		Role: policy.Technician, Password: testutil.Password, Locale: "zh-CN"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Server.Staff.UpdateTechnician(ctx, admin.Actor(), sun.ID, staff.TechnicianInput{ServicePointID: &point, EfficiencyPermille: 1500}, 1); err != nil {
		t.Fatal(err)
	}
	today := calendar.DateOf(time.Now(), calendar.Shanghai)
	for i, tech := range []int64{sun.ID, zhao.ID} {
		if _, err := app.Server.Staff.AddCertification(ctx, admin.Actor(), tech, staff.CertInput{Kind: staff.VendorCert, VendorID: &vendor.OrgID, ProductLine: "数控机床",
			Level: 3, Number: fmt.Sprintf("HC-CNC-2026-09%02d", i), IssuedOn: today.AddDays(-30).String(), ExpiresOn: today.AddDays(700).String()}); err != nil {
			t.Fatal(err)
		}
	}
	// Laser repairs need a pressure-vessel permit nobody at 恒信 holds.
	if _, err := app.Server.Staff.CreateRule(ctx, vendor.Actor(), vendor.OrgID, staff.RuleInput{Kind: staff.PermitRule, ProductLine: "激光设备",
		ServiceItem: "repair", PermitType: "pressure_vessel"}); err != nil {
		t.Fatal(err)
	}
	file := func(serial, what string) servicerequest.View {
		r, err := app.Server.Requests.Create(ctx, dispatcher.Actor(), servicerequest.NewRequest{SerialNumber: serial, ServiceItem: "repair",
			Priority: "general", Description: what, Channel: servicerequest.Dispatcher})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var waiting []servicerequest.View
	for i := range 9 {
		waiting = append(waiting, file(demo.SerialInScope, fmt.Sprintf("主轴异响 %d", i+1)))
	}
	laser := file("HCL3015-2025-00302", "激光器功率下降")
	// Booked visits of an hour (half an hour for 李工's last), each tech's
	// windows apart from the demo's visit 李工 has in 杭州 at 09:00.
	type slot struct {
		tech        int64
		h, m, until int
	}
	var booked []workorder.WorkOrder
	for i, sl := range []slot{{li.ID, 12, 30, 60}, {li.ID, 18, 30, 60}, {li.ID, 19, 30, 30},
		{zhao.ID, 8, 30, 60}, {zhao.ID, 12, 30, 60}, {zhao.ID, 18, 30, 60},
		{sun.ID, 8, 30, 60}, {sun.ID, 12, 30, 60}, {sun.ID, 18, 30, 60}} {
		r := file(demo.SerialInScope, fmt.Sprintf("复查 %d", i+1))
		start := at(sl.h, sl.m)
		wo, err := app.Server.WorkOrders.Book(ctx, dispatcher.Actor(), workorder.ForRequest(r.ID),
			workorder.Assignment{TechnicianID: sl.tech, WindowStart: start, WindowEnd: start.Add(time.Duration(sl.until) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		booked = append(booked, wo)
	}
	visitsOn := func() int {
		n := testutil.SelectOne[int](t, db, `SELECT COUNT(*) FROM work_orders WHERE window_start >= ? AND window_start < ? AND status = 'assigned'`,
			at(0, 0).UTC(), at(24, 0).UTC())
		return n
	}

	br := newBrowser(t, app)
	d := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	d.open("/dispatch?day=" + day.String())
	d.see("#waiting", waiting[0].Number, laser.Number, "截止")

	// 1. Plan: everything placed but the laser repair, which says why.
	d.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#plan-form select[name=time_limit]').value = '3'`))
	d.press(`#plan-day`, `#plan`)
	d.see("#plan", "排程方案", "新预约", "未能安排", laser.Number, "没有具备资质的技术人员", "保持原预约")
	for _, r := range append(waiting, laser) {
		want := 1
		if r.ID == laser.ID {
			want = 0
		}
		if n := d.count(fmt.Sprintf(`#plan .plan-stop[data-request="%d"]`, r.ID)); n != want {
			t.Errorf("%s is on %d planned routes, want %d", r.Number, n, want)
		}
	}

	// 2. Lock one booked visit to its technician and time; plan again.
	locked := booked[4] // 赵工 at 12:30
	d.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function(){ var s = document.querySelector('select[name="lock_%d"]');
		s.closest('details').open = true; s.value = 'both'; })()`, locked.ID)))
	d.press(`#plan-day`, `#plan`)
	stop := fmt.Sprintf(`#plan .plan-stop[data-work-order="%d"]`, locked.ID)
	d.see(stop, "12:30–13:30", "保持不变")
	if got := d.eval(fmt.Sprintf(`document.querySelector('%s').closest('.plan-route').dataset.technician`, stop)); got != fmt.Sprint(locked.TechnicianID) {
		t.Fatalf("the locked visit went to technician %s, want %d", got, locked.TechnicianID)
	}
	d.shotBoth("dispatch-plan-locked")

	planID := d.eval(`document.querySelector('#plan').dataset.plan`)

	// 3. Book the plan: nine new visits, the laser repair still waiting.
	before := visitsOn()
	d.press(`#accept-plan`, `footer`)
	d.see("main", "方案已预约")
	if got := visitsOn(); got != before+len(waiting) {
		t.Fatalf("%d visits on the day after booking, want %d", got, before+len(waiting))
	}
	for _, r := range waiting {
		var n int
		if err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM work_orders WHERE request_id = ? AND status = 'assigned'`, r.ID); err != nil || n != 1 {
			t.Fatalf("request %s has %d visits (%v)", r.Number, n, err)
		}
	}
	var lockedNow workorder.WorkOrder
	if err := store.Get(ctx, db, &lockedNow.TechnicianID, `SELECT technician_id FROM work_orders WHERE id = ?`, locked.ID); err != nil || lockedNow.TechnicianID != locked.TechnicianID {
		t.Fatalf("the locked visit is with %d after booking (%v)", lockedNow.TechnicianID, err)
	}
	d.see("#waiting", laser.Number)
	d.notSee("#waiting", waiting[0].Number)
	d.shotBoth("dispatch-plan-booked")

	// The booked plan in English (the language is the user's: last).
	e := br.signedIn(t, desktop, "en", "dispatch@hengxin.example")
	e.open("/lang/en?next=" + url.QueryEscape("/dispatch?day="+day.String()+"&plan="+planID))
	e.see("#plan", "Proposed plan", "Not placed", laser.Number, "accepted")
	e.shot("dispatch-plan-en")
}

// A booked visit's move form reads well on a desk and on a phone, in both
// languages: no label of it wraps, the "start between" times say what they
// are for, and the form opens whole inside the board, for a visit at the
// start of the day as for one at its end.
func TestBoardMoveFormReadsWell(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	dispatcher, li := demoCrew(t, app.DB)
	day := calendar.DateOf(time.Now().AddDate(0, 0, 3), calendar.Shanghai)
	var visits []workorder.WorkOrder
	for i, w := range [][2]int{{7*60 + 30, 30}, {9 * 60, 120}, {19*60 + 30, 60}} {
		r := fileRepair(t, app, dispatcher, fmt.Sprintf("主轴异响 %d", i+1))
		start := day.At(0, 0, calendar.Shanghai).Add(time.Duration(w[0]) * time.Minute)
		wo, err := app.Server.WorkOrders.Book(context.Background(), dispatcher.Actor(), workorder.ForRequest(r.ID),
			workorder.Assignment{TechnicianID: li.ID, WindowStart: start, WindowEnd: start.Add(time.Duration(w[1]) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		visits = append(visits, wo)
	}
	waiting := fileRepair(t, app, dispatcher, "主轴异响 4")
	br := newBrowser(t, app)
	for _, tc := range []struct{ lang, hint string }{{"zh-CN", "最早开始"}, {"en", "Earliest"}} {
		for _, dev := range devices {
			v := br.signedIn(t, dev, tc.lang, "dispatch@hengxin.example")
			v.open("/lang/" + tc.lang + "?next=" + url.QueryEscape("/dispatch?day="+day.String()))
			for i, wo := range visits {
				form := fmt.Sprintf(`#wo-%d form.move-form`, wo.ID)
				// Opened as a click opens it, then a frame later (the board
				// places an open form in the toggle event's turn).
				v.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`new Promise(function(done){ document.querySelectorAll('details[open]').forEach(function(d){ d.open = false; });
					var s = document.querySelector('select[name="lock_%d"]'); s.closest('details').open = true; s.value = 'range';
					setTimeout(function(){ requestAnimationFrame(function(){ done(); }); }, 0); })`, wo.ID), chromedp.EvalAwaitPromise))
				v.see(form, tc.hint)
				if got := v.eval(wrappedLabels(form)); got != "" {
					t.Errorf("%s, %s: the move form's labels wrap: %s", tc.lang, dev.name, got)
				}
				if got := v.eval(outside(form, "#lanes")); got != "" {
					t.Errorf("%s, %s: the move form of the visit at %s is cut off by the board: %s", tc.lang, dev.name, wo.WindowStart.In(calendar.Shanghai).Format("15:04"), got)
				}
				if i == 1 {
					v.shot("dispatch-move-form-" + tc.lang)
					v.shotOf("dispatch-move-form-close-"+tc.lang, form)
				}
			}
			// The waiting request's form books it the same way.
			book := fmt.Sprintf(`#open-%d form.move-form`, waiting.ID)
			v.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelectorAll('details[open]').forEach(function(d){ d.open = false; });
				document.querySelector('#open-%d details.move').open = true`, waiting.ID)))
			if got := v.eval(wrappedLabels(book)); got != "" {
				t.Errorf("%s, %s: the booking form's labels wrap: %s", tc.lang, dev.name, got)
			}
			v.shotOf("dispatch-book-form-close-"+tc.lang, book)
		}
	}
}

// wrappedLabels names the labels of the form matching sel whose own text
// (not the field inside them) runs over more than one line.
func wrappedLabels(sel string) string {
	return `(function(){ var out = [];
		document.querySelectorAll(` + jsString(sel+" label") + `).forEach(function(l){
			if (!l.offsetParent) return;
			var tops = {}, r = document.createRange();
			l.childNodes.forEach(function(n){
				if (n.nodeType !== 3 || !n.textContent.trim()) return;
				r.selectNodeContents(n);
				Array.prototype.forEach.call(r.getClientRects(), function(b){ if (b.width > 0) tops[Math.round(b.top)] = true; });
			});
			var lines = Object.keys(tops).length;
			if (lines > 1) out.push(l.textContent.trim().split("\n")[0] + " (" + lines + " lines)");
		});
		return out.join("; "); })()`
}

// outside says how far the element matching sel sticks out sideways of the
// element matching box (which clips it), or nothing.
func outside(sel, box string) string {
	return `(function(){ var e = document.querySelector(` + jsString(sel) + `).getBoundingClientRect(), b = document.querySelector(` + jsString(box) + `).getBoundingClientRect();
		var out = [];
		if (e.left < b.left - 0.5) out.push(Math.round(b.left - e.left) + "px on the left");
		if (e.right > b.right + 0.5) out.push(Math.round(e.right - b.right) + "px on the right");
		return out.join(", "); })()`
}
