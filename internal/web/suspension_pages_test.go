package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/settlement"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The provider gives notice of a suspension for the demo's settled month
// once it is overdue; both parties see the banner in both languages; a
// dispatcher cannot give notice; the provider lifts it.
func TestSuspensionPages(t *testing.T) {
	t.Parallel()
	testutil.DemoEngines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		app := testutil.NewApp(t, db)
		svc := testutil.Services(t, db)
		list := demoStatements(t, db)
		var settled settlement.StatementHeader
		for _, h := range list {
			if h.Status == settlement.Approved {
				settled = h
			}
		}
		if settled.DueOn == "" || settled.OpenFen() == 0 {
			t.Fatalf("the demo has no approved month left to pay: %+v", list)
		}
		due, _ := time.ParseInLocation(time.DateOnly, settled.DueOn, calendar.Shanghai)
		app.Clock.Set(due.Add(36 * time.Hour)) // noon the day after the due day

		post := func(c *http.Client, path string, form url.Values) *http.Response {
			res, err := c.PostForm(app.URL+path, form)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		dispatcher := signInDemo(t, app, "dispatch@hengxin.example")
		notice := url.Values{"agreement": {fmt.Sprint(settled.AgreementID)}, "statement": {fmt.Sprint(settled.ID)}, "reason": {"结算款逾期未付"}}
		if res := post(dispatcher, "/suspensions", notice); res.StatusCode == http.StatusSeeOther {
			t.Fatal("a dispatcher gave notice")
		}

		provider := signInDemo(t, app, "admin@hengxin.example")
		html := body(t, get(t, provider, app.URL+"/settlements"))
		if !strings.Contains(html, `action="/suspensions"`) || !strings.Contains(html, settled.Number) {
			t.Fatalf("no notice form for the overdue month:\n%.3000s", html)
		}
		if res := post(provider, "/suspensions", url.Values{"agreement": notice["agreement"], "statement": notice["statement"], "reason": {""}}); res.StatusCode != 422 {
			t.Fatalf("a notice without a reason: %d", res.StatusCode)
		}
		if n := countRows(t, db, "payment_suspensions"); n != 0 {
			t.Fatalf("refused notices stored %d", n)
		}
		if res := post(provider, "/suspensions", notice); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("notice: %d", res.StatusCode)
		}
		vendor := signInDemo(t, app, "admin@haichuan.example")
		for _, lang := range []string{"zh-CN", "en"} {
			get(t, vendor, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			for _, p := range []string{"/", "/settlements", fmt.Sprintf("/agreements/%d", settled.AgreementID)} {
				res := get(t, vendor, app.URL+p)
				html := body(t, res)
				if res.StatusCode != 200 || !strings.Contains(html, "suspension-banner") || strings.Contains(html, "suspension.") || strings.Contains(html, "%!") {
					t.Fatalf("%s %s: %d\n%.3000s", lang, p, res.StatusCode, html)
				}
				if strings.Contains(html, "/lift") {
					t.Fatalf("the vendor may lift the provider's suspension on %s", p)
				}
			}
		}
		if !strings.Contains(body(t, get(t, vendor, app.URL+"/")), settled.Number) {
			t.Fatal("the banner does not name the statement")
		}
		sps, err := svc.Settlements.Suspensions(ctx, policy.Actor{Operator: true}, 0, true)
		if err != nil || len(sps) != 1 {
			t.Fatalf("suspensions %v %v", sps, err)
		}
		html = body(t, get(t, provider, app.URL+"/"))
		if !strings.Contains(html, fmt.Sprintf(`action="/suspensions/%d/lift"`, sps[0].ID)) {
			t.Fatalf("the provider cannot lift its suspension:\n%.3000s", html)
		}
		if res := post(provider, fmt.Sprintf("/suspensions/%d/lift", sps[0].ID), url.Values{"reason": {"已约定付款计划"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("lift: %d", res.StatusCode)
		}
		if strings.Contains(body(t, get(t, vendor, app.URL+"/")), "suspension-banner") {
			t.Fatal("the banner stays after the lifting")
		}
	})
}
