package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// The second variant of the visit: the customer cannot sign on the screen,
// so the technician sends a code to the customer's portal users and types
// the code the customer reads out.
func TestVisitSignedOffByCode(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db, ctx := app.DB, context.Background()
	dispatcher, tech := demoCrew(t, db)
	v := fileRepair(t, app, dispatcher, "防护门联锁失效")
	start := time.Now().Add(time.Hour).Truncate(time.Hour)
	wo, err := app.Server.WorkOrders.Book(ctx, dispatcher.Actor(), workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: tech.ID, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	br := newBrowser(t, app)
	tc := br.techOnSite(t, wo.ID, `textarea[name=actions_taken]`)
	tc.do(chromedp.SendKeys(`textarea[name=actions_taken]`, "更换联锁开关"))
	tc.press(`form:has(textarea[name=actions_taken]) button[type=submit]`, `.flash`)
	tc.press(`form[action$="/signoff-code"] button`, `.flash`)
	tc.see("body", "确认码已发送", "service@sz-jinggong.example")
	title := testutil.SelectOne[string](t, db, `SELECT title FROM notifications WHERE kind = 'signoff.code' ORDER BY id DESC LIMIT 1`)
	code := regexp.MustCompile(`\d{6}`).FindString(title)
	tc.do(chromedp.SendKeys(`#signoff-code input[name=signoff_name]`, "刘经理"), chromedp.SendKeys(`input[name=signoff_code]`, code),
		chromedp.ScrollIntoView(`#signoff-code`))
	tc.shot("signoff-code")
	tc.press(`#signoff-code form:has(input[name=signoff_code]) button[type=submit]`, `.flash`)
	tc.see("body", "刘经理", "确认码确认")
	tc.press(`form:has(select[name=result]) button[type=submit]`, `.flash`)
	tc.see("body", "服务记录已封存")
	content := testutil.SelectOne[string](t, db, `SELECT content_json FROM service_records ORDER BY id DESC LIMIT 1`)
	if !strings.Contains(content, `"code_sent_to":`) || !strings.Contains(content, "service@sz-jinggong.example") {
		t.Fatalf("record sign-off: %s", content)
	}
}
