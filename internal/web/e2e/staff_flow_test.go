package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/demo"
	"aftersales/internal/testutil"
)

// The rule at booking in the browser: 赵工's CNC certificate has expired,
// so he drops out of the recommendations for a machining centre with the
// reason shown; booking him anyway is refused under the technician; the
// vendor's admin grants a one-off exception and the booking goes through;
// the vendor sees the qualification matrix; the technician's page works on
// a phone.
func TestStaffExpiredCertificateFlow(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db := app.DB
	user := func(email string) account.User { return demoUser(t, db, email) }
	dispatcher, zhao := user("dispatch@hengxin.example"), user("tech.zhao@hengxin.example")
	req := fileRepair(t, app, dispatcher, "主轴异响，需要上门")
	visits := func() int {
		n := testutil.SelectOne[int](t, db, `SELECT COUNT(*) FROM work_orders WHERE request_id = ?`, req.ID)
		return n
	}

	// 1. The dispatcher opens the request: 李工 is recommended, 赵工 excluded with the reason.
	br := newBrowser(t, app)
	d := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	d.open(fmt.Sprintf("/requests/%d", req.ID))
	d.do(chromedp.WaitVisible(`#recommendations`))
	d.see("#recommendations li.rec", "李工")
	d.notSee("#recommendations li.rec", "赵工")
	d.see(fmt.Sprintf(`#recommendations li.excl[data-technician="%d"]`, zhao.ID), "赵工", "资质不符", "证书已过期", demo.DemoCertExpired)
	d.do(chromedp.ScrollIntoView(`#recommendations`))
	d.shotBoth("staff-recommendations")

	// 2. Booking him anyway is refused, naming why, and nothing is booked.
	tomorrow := calendar.DateOf(time.Now().AddDate(0, 0, 1), calendar.Shanghai).String()
	book := func() {
		d.do(chromedp.SetValue(`form[action$="/assign"] select[name=technician_id]`, fmt.Sprint(zhao.ID)),
			chromedp.SetValue(`form[action$="/assign"] input[name=date]`, tomorrow),
			chromedp.SetValue(`form[action$="/assign"] input[name=from]`, "14:00"), chromedp.SetValue(`form[action$="/assign"] input[name=to]`, "16:00"))
		d.press(`form[action$="/assign"] button[type=submit]`, `main`)
	}
	book()
	d.see(`form[action$="/assign"] .err`, demo.DemoCertExpired, "过期")
	d.do(chromedp.ScrollIntoView(`form[action$="/assign"]`))
	d.shot("staff-booking-refused")
	if n := visits(); n != 0 {
		t.Fatalf("a refused booking left %d visits", n)
	}

	// 3. The vendor's admin grants a one-off exception for 赵工 on this request.
	v := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	v.open(fmt.Sprintf("/requests/%d", req.ID))
	v.do(chromedp.WaitVisible(`#grant-exception`))
	v.do(chromedp.SetValue(`#grant-exception select[name=technician_id]`, fmt.Sprint(zhao.ID)),
		chromedp.SendKeys(`#grant-exception input[name=reason]`, "客户指定赵工，熟悉该设备改造情况"))
	v.press(`#grant-exception button[type=submit]`, `.flash`)
	v.see(".flash", "例外已授予")
	v.do(chromedp.WaitVisible(`#exceptions`))
	v.see("#exceptions", "赵工", "客户指定赵工", "尚未使用")
	v.shot("staff-exception-granted")

	// 4. The same booking now goes through, and the exception shows it was used.
	d.open(fmt.Sprintf("/requests/%d", req.ID))
	book()
	d.see("body", "已预约")
	if n := visits(); n != 1 {
		t.Fatalf("%d visits after the excepted booking", n)
	}
	d.do(chromedp.WaitVisible(`#exceptions`))
	d.see("#exceptions", "赵工", "已用于上门")
	d.shot("staff-exception-used")

	// 5. The vendor reads the provider's qualification matrix, on a desk and a phone.
	v.open("/staff")
	v.see("#matrix", "李工", demo.DemoCertExpiring, "即将到期", "赵工", demo.DemoCertExpired, "已过期")
	v.notSee("body", "登记资质认证")
	v.shotBoth("staff-matrix")

	// 6. The provider's admin opens 赵工's page on a phone, then in English.
	p := br.signedIn(t, phone, "zh-CN", "admin@hengxin.example")
	p.open(fmt.Sprintf("/staff/technicians/%d", zhao.ID))
	p.see("#certificates", demo.DemoCertExpired, "已过期")
	p.see("body", "登记资质认证")
	p.shot("staff-technician")
	p.open(fmt.Sprintf("/lang/en?next=/staff/technicians/%d", zhao.ID))
	p.see("#certificates", demo.DemoCertExpired, "expired")
	p.see("body", "Record a certification")
	p.shot("staff-technician-en")
}

// The register's forms on a phone, in both languages: the provider's admin
// records a training for 赵工 (a wrong number of hours first, named under
// the field), and adds a service point; the vendor's admin adds a rule on
// the rules page.
func TestStaffFormsOnAPhone(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db := app.DB
	zhao := demoUser(t, db, "tech.zhao@hengxin.example")
	count := func(q string) int { return testutil.SelectOne[int](t, db, q) }
	br := newBrowser(t, app)
	p := br.signedIn(t, phone, "zh-CN", "admin@hengxin.example")
	page := fmt.Sprintf("/staff/technicians/%d", zhao.ID)
	p.open(page)
	p.see("#profile h2", "人员档案")
	form := `form[action$="/trainings"]`
	p.fill(form, "course", "数控系统维修 II")
	p.do(chromedp.SetValue(form+` input[name=held_on]`, "2026-11-20"))
	p.fill(form, "hours", "0")
	p.submit(form)
	p.see(form + " .err")
	p.do(chromedp.ScrollIntoView(form))
	p.shot("staff-training-refused")
	p.fill(form, "hours", "7.5")
	p.fill(form, "trainer", "王工")
	p.submit(form)
	p.see("#trainings", "数控系统维修 II", "7.5")
	if n := count(`SELECT COUNT(*) FROM trainings WHERE hours_tenths = 75`); n != 1 {
		t.Fatalf("%d trainings of 7.5 hours", n)
	}
	p.open(page)
	p.shot("staff-technician-forms")
	p.open("/lang/en?next=" + page)
	p.see("#profile h2", "Profile")
	p.shot("staff-technician-forms-en")

	p.open("/lang/zh-CN?next=/staff")
	point := `form[action="/staff/points"]`
	p.fill(point, "name", "无锡网点")
	p.fill(point, "address", "无锡市新吴区 8 号")
	p.fill(point, "division", "320214")
	p.fill(point, "lat", "31.55")
	p.fill(point, "lng", "120.35")
	p.submit(point)
	p.see("#points", "无锡网点")
	p.do(chromedp.ScrollIntoView("#add-point"))
	p.shot("staff-point-form")

	v := br.signedIn(t, phone, "zh-CN", "admin@haichuan.example")
	v.open("/staff/rules")
	rule := `form[action="/staff/rules"]`
	v.do(chromedp.SetValue(rule+` select[name=kind]`, "permit"), chromedp.SetValue(rule+` select[name=service_item]`, "maintenance"), chromedp.SetValue(rule+` select[name=permit_type]`, "pressure_vessel"))
	v.submit(rule)
	v.see("#rules", "压力容器")
	v.shot("staff-rules")
}
