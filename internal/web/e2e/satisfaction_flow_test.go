package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"aftersales/internal/demo"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The customer answers a survey from its link on a phone and complains; the
// complaint's clock runs and the dispatcher answers it; the vendor's auditor
// works the callback queue and sends the visit back for a redo; the
// dashboard shows the period below its threshold.
func TestSatisfactionFlow(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	ctx := context.Background()
	db := app.DB
	_, wo := demoRepairWorked(t, app, "主轴异响", "更换主轴轴承")
	// The survey job, run now rather than after the agreement's two hours.
	token, err := app.Server.Satisfaction.Send(ctx, *wo.RecordID)
	if err != nil || token == "" {
		t.Fatalf("send the survey: %q %v", token, err)
	}
	var link string
	if err := store.Get(ctx, db, &link, `SELECT link FROM notifications WHERE kind = 'survey.sent' ORDER BY id DESC LIMIT 1`); err != nil || link != "/survey/"+token {
		t.Fatalf("the customer's notification links %q (%v)", link, err)
	}

	br := newBrowser(t, app)
	customer := br.visit(t, phone, "zh-CN")
	customer.open(link)
	customer.see("h1", "请评价本次服务")
	customer.see("body", "服务态度", "我要投诉")
	customer.shot("survey")
	customer.do(chromedp.Click(`input[name=score][value="2"] + span`), chromedp.Click(`input[name="answers.response_speed"][value="1"] + span`),
		chromedp.Click(`details.complain summary`), chromedp.Click(`input[name=complain]`),
		chromedp.SetValue(`select[name=category]`, "slow_response"), chromedp.SendKeys(`textarea[name=description]`, "约好上午到，下午才来"))
	customer.shot("survey-complain")
	customer.press(`form button[type=submit]`, `.alert.success`)
	customer.see(".alert.success", "感谢", "投诉")
	customer.shot("survey-answered")
	complaintID := testutil.SelectOne[int64](t, db, `SELECT id FROM complaints WHERE work_order_id = ?`, wo.ID)
	customer.open(link)
	customer.see("body", "只能评价一次")

	// The dispatcher sees the complaint's clocks running and answers it.
	office := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	office.open(fmt.Sprintf("/complaints/%d", complaintID))
	office.see("body", "首次答复", "计时中", "响应慢")
	office.shot("complaint-open")
	office.do(chromedp.SendKeys(`form[action$="/reply"] textarea`, "已核实技术人员迟到，已致歉并调整排班"))
	office.press(`form[action$="/reply"] button`, `.badge.big`)
	office.see(".badge.big", "已答复")
	office.see("body", "已达成")
	office.shot("complaint-answered")
	office.signOut()

	// The auditor works the callback queue and sends the visit back for a redo.
	office.signIn("auditor@haichuan.example", demo.Password)
	office.open("/callbacks")
	cbID := testutil.SelectOne[int64](t, db, `SELECT id FROM callbacks WHERE complaint_id = ?`, complaintID)
	entry := "#callback-" + strconv.FormatInt(cbID, 10)
	// The auditor reads English (their profile's language).
	office.see(entry, "Complaint")
	office.do(chromedp.SetValue(entry+` select[name=score]`, "2"), chromedp.SendKeys(entry+` input[name=words]`, "技术人员迟到，轴承仍有响声"))
	office.press(entry+` form[action$="/call"] button`, `h1`)
	office.see(entry, "Reached", "技术人员迟到")
	office.do(chromedp.Click(entry+` input[name=outcome][value=redo]`), chromedp.SendKeys(entry+` form[action$="/decision"] input[name=reason]`, "轴承异响未排除"))
	office.shot("callbacks")
	office.press(entry+` form[action$="/decision"] button`, `h1`)
	var redo int64
	if err := store.Get(ctx, db, &redo, `SELECT work_order_id FROM redo_visits WHERE redo_of = ?`, wo.ID); err != nil {
		t.Fatalf("no redo visit: %v", err)
	}
	office.open("/callbacks?status=redo")
	office.see(entry, "Sent back to redo the work", "轴承异响未排除")

	// The dashboard: 恒信's agreement is below its threshold this period.
	office.open("/satisfaction")
	office.see("body", "Below the threshold", "Response rate", "Too few answers to judge")
	office.do(chromedp.WaitVisible(`.chart canvas`))
	if drawn := office.eval(`String(document.querySelector(".chart canvas").getContext("2d").getImageData(0, 0, 400, 200).data.some(function (b) { return b !== 0 }))`); drawn != "true" {
		t.Fatal("the chart is blank")
	}
	if n := office.count(".chart canvas"); n == 0 {
		t.Fatal("no chart drawn")
	}
	office.shotBoth("dashboard")
	if table := office.eval(`Array.from(document.querySelectorAll(".chart-table table")).map(function (t) { return t.textContent }).join(" ")`); !strings.Contains(table, "42.8 %") {
		t.Fatal("the chart's table is empty")
	}
	office.signOut()
	office.signIn("admin@hengxin.example", demo.Password)
	office.open("/satisfaction")
	if office.lang() == "en" {
		office.see("body", "Below the threshold")
	} else {
		office.see("body", "低于标准", "回复率")
	}
	office.shot("dashboard-provider")
}
