package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// The register's forms on a phone, in both languages: the provider's admin
// records a training for 赵工 (a wrong number of hours first, named under
// the field), and adds a service point; the vendor's admin adds a rule on
// the rules page.
func TestStaffFormsOnAPhone(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db := app.DB
	zhao := demoUser(t, db, "tech.zhao@hengxin.example")
	count := func(q string) int { return selectOne[int](t, db, q) }
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
