package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/calendar"
	"aftersales/internal/testutil"
)

// noBrowserFields is the number of fields on the page the browser draws in
// its own language: date and time pickers (mm/dd/yyyy, AM/PM) and file
// inputs that are not laid over a button of ours.
const noBrowserFields = `document.querySelectorAll('input[type=date], input[type=time], input[type=datetime-local], input[type=month], input[type=week], input[type=file]:not(.file-input)').length`

// On Chinese pages, dates and times are typed the way people in China
// write them (2026年12月9日, 2026/12/9, 9点30, a full-width colon) into
// fields that speak the page's language, and the forms take them: a visit
// booked on a request, a technician's leave, a period of the records.
func TestTypedDatesInChinese(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db := app.DB
	dispatcher := demoUser(t, db, "dispatch@hengxin.example")
	zhao := demoUser(t, db, "tech.zhao@hengxin.example")
	req := fileRepair(t, app, dispatcher, "导轨润滑不足，移动时有异响")
	// A Wednesday at least a week ahead, clear of the demo's bookings.
	when := time.Now().In(calendar.Shanghai).AddDate(0, 0, 8)
	for when.Weekday() != time.Wednesday {
		when = when.AddDate(0, 0, 1)
	}
	day := calendar.DateOf(when, calendar.Shanghai)
	chinese := fmt.Sprintf("%d年%d月%d日", day.Year, day.Month, day.Day)
	slashed := fmt.Sprintf("%d/%d/%d", day.Year, day.Month, day.Day)

	br := newBrowser(t, app)

	// 1. The dispatcher books the visit, typing the day and the window.
	d := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	d.open(fmt.Sprintf("/requests/%d", req.ID))
	const assign = `form[action$="/assign"]`
	if n := d.eval(`String(` + noBrowserFields + `)`); n != "0" {
		t.Fatalf("the request page has %s fields the browser draws", n)
	}
	if hint := d.eval(`document.querySelector('` + assign + ` input[name=date]').placeholder`); !strings.Contains(hint, "年-月-日") {
		t.Errorf("the visit day's hint: %q", hint)
	}
	// The form comes with a window of 09:00–11:00: empty it, then type.
	d.eval(`(() => { for (const n of ['date', 'from', 'to']) document.querySelector('` + assign + ` input[name=' + n + ']').value = ''; return '' })()`)
	d.do(chromedp.SendKeys(chromedp.CSS(assign+` input[name=date]`), chinese),
		chromedp.SendKeys(chromedp.CSS(assign+` input[name=from]`), "9点30"),
		chromedp.SendKeys(chromedp.CSS(assign+` input[name=to]`), "11：30"))
	d.shot("typed-dates-visit") // not shotBoth: reloading at a phone's size would empty the fields
	d.press(assign+` button[type=submit]`, `.flash`)
	d.see("body", "已预约", "09:30")
	d.notSee("main", "AM", "PM", "mm/dd")
	d.shot("typed-dates-visit-booked")
	start := testutil.SelectOne[time.Time](t, db, `SELECT window_start FROM work_orders WHERE request_id = ?`, req.ID)
	if got := start.In(calendar.Shanghai); got.Format("2006-01-02 15:04") != day.String()+" 09:30" {
		t.Errorf("booked for %s, want %s 09:30", got, day)
	}

	// 2. The provider's admin records a technician's leave, date and time in one field.
	a := br.signedIn(t, phone, "zh-CN", "admin@hengxin.example")
	a.open(fmt.Sprintf("/staff/technicians/%d", zhao.ID))
	if n := a.eval(`String(` + noBrowserFields + `)`); n != "0" {
		t.Fatalf("the technician's page has %s fields the browser draws", n)
	}
	const leave = `form[action$="/leave"]`
	a.do(chromedp.SendKeys(chromedp.CSS(leave+` input[name=starts_at]`), slashed+" 8:00"), chromedp.SendKeys(chromedp.CSS(leave+` input[name=ends_at]`), chinese+" 18点"),
		chromedp.SendKeys(chromedp.CSS(leave+` input[name=reason]`), "年假"))
	a.shot("typed-dates-leave")
	a.press(leave+` button[type=submit]`, `.flash`)
	a.see("#leave", "年假", fmt.Sprintf("%02d-%02d 08:00", day.Month, day.Day))
	a.shot("typed-dates-leave-recorded")

	// 3. The vendor reads the records of a period, typed both ways.
	v := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	v.open("/records")
	if n := v.eval(`String(` + noBrowserFields + `)`); n != "0" {
		t.Fatalf("the records page has %s fields the browser draws", n)
	}
	from := calendar.DateOf(time.Now().AddDate(-1, 0, 0), calendar.Shanghai)
	today := calendar.DateOf(time.Now(), calendar.Shanghai)
	v.do(chromedp.SendKeys(chromedp.CSS(`form.filters input[name=from]`), fmt.Sprintf("%d/%d/%d", from.Year, from.Month, from.Day)),
		chromedp.SendKeys(chromedp.CSS(`form.filters input[name=to]`), fmt.Sprintf("%d年%d月%d日", today.Year, today.Month, today.Day)))
	v.shot("typed-dates-records")
	if status := v.submit(`form.filters`); status != 200 {
		t.Fatalf("records of a period: %d", status)
	}
	if n := v.count(`form.filters .err`); n != 0 {
		t.Fatalf("the typed period was refused: %s", v.text(`form.filters`))
	}
	if got := v.eval(`document.querySelector('form.filters input[name=from]').value`); got != from.String() {
		t.Errorf("the period's start reads back as %q, want %s", got, from)
	}
	if v.count(`table tbody tr`) == 0 {
		t.Errorf("no records in the typed period:\n%.800s", v.text("main"))
	}
	v.shot("typed-dates-records-filtered")
}
