package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/complaint"
	"aftersales/internal/policy"
	"aftersales/internal/testutil"
)

// A page's filter with a value that is not a number (or not a date, or out
// of its range) answers 400 with the filter form and a message naming the
// field in the reader's language, and lists nothing; an export refuses it
// as the API refuses a bad query value (422, the field named).
func TestBadFilterValuesAreNamed(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		req := fileRepair(t, app, f, sf, "bad filter")
		unitID := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM units WHERE serial_number = ?`, sf.Serial)
		admin := signIn(t, app, f.Users[policy.ProviderAdmin].Email)
		postStatus(t, http.StatusCreated, "create a webhook", admin, app.URL+"/settings/webhooks", url.Values{"url": {"https://erp.example/hooks"}, "kinds": {"clock.warning"}})
		hookID := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM webhooks WHERE url = 'https://erp.example/hooks'`)
		users := map[policy.Role]*http.Client{policy.ProviderAdmin: admin,
			policy.Dispatcher:  signIn(t, app, f.Users[policy.Dispatcher].Email),
			policy.VendorAdmin: signIn(t, app, f.Users[policy.VendorAdmin].Email)}

		page := "Page: “x” is not a whole number of 1 or more. Correct the filter and try again."
		pageZH := "页码：“x”不是不小于 1 的整数，请更正筛选条件后重试。"
		cases := []struct {
			name   string
			role   policy.Role
			target string
			en, zh string
			// filter is the control the page changes its filter with,
			// shown again; "" where the value is only a page of the list.
			filter string
		}{
			{"requests agreement", policy.Dispatcher, "/requests?agreement_id=abc",
				"Agreement: “abc” is not a whole number of 1 or more. Correct the filter and try again.", "服务协议：“abc”不是不小于 1 的整数，请更正筛选条件后重试。", `method="get"`},
			{"requests provider", policy.Dispatcher, "/requests?provider_id=0",
				"Service provider: “0” is not a whole number of 1 or more. Correct the filter and try again.", "服务商：“0”不是不小于 1 的整数，请更正筛选条件后重试。", `method="get"`},
			{"requests age", policy.Dispatcher, "/requests?age=9",
				"Age: “9” is not a whole number from 0 to 3. Correct the filter and try again.", "受理时长：“9”不是 0 到 3 之间的整数，请更正筛选条件后重试。", `method="get"`},
			{"complaints agreement", policy.Dispatcher, "/complaints?agreement_id=-3",
				"Agreement: “-3” is not a whole number of 1 or more. Correct the filter and try again.", "服务协议：“-3”不是不小于 1 的整数，请更正筛选条件后重试。", `href="/complaints?status=open"`},
			{"documents page", policy.Dispatcher, "/documents?offset=-1",
				"Page: “-1” is not a whole number of 0 or more. Correct the filter and try again.", "页码：“-1”不是不小于 0 的整数，请更正筛选条件后重试。", `method="get"`},
			{"documents category", policy.Dispatcher, "/documents?category=novel",
				"Category: “novel” is not one of the filter choices. Correct the filter and try again.", "类别：“novel”不是可选的筛选值，请更正筛选条件后重试。", `method="get"`},
			{"audit page", policy.ProviderAdmin, "/audit?before=x", page, pageZH, ""},
			{"text messages page", policy.ProviderAdmin, "/settings/sms?before=x", page, pageZH, `method="get"`},
			{"webhook deliveries page", policy.ProviderAdmin, "/settings/webhooks/" + itoa(hookID) + "?before=x", page, pageZH, ""},
			{"parts model", policy.Dispatcher, "/parts?model=x",
				"Model: “x” is not a whole number of 1 or more. Correct the filter and try again.", "型号：“x”不是不小于 1 的整数，请更正筛选条件后重试。", `method="get"`},
			{"stock location", policy.ProviderAdmin, "/stock?location=x",
				"Stock location: “x” is not a whole number of 1 or more. Correct the filter and try again.", "库位：“x”不是不小于 1 的整数，请更正筛选条件后重试。", ""},
			{"stock ledger page", policy.ProviderAdmin, "/stock/ledger?before=x", page, pageZH, ""},
			{"units customer", policy.VendorAdmin, "/units?customer=x",
				"Customer: “x” is not a whole number of 1 or more. Correct the filter and try again.", "客户：“x”不是不小于 1 的整数，请更正筛选条件后重试。", `method="get"`},
			{"units page", policy.VendorAdmin, "/units?after=x", page, pageZH, `method="get"`},
			{"unit labels customer", policy.VendorAdmin, "/units/labels.pdf?all=1&customer=x",
				"Customer: “x” is not a whole number of 1 or more. Correct the filter and try again.", "客户：“x”不是不小于 1 的整数，请更正筛选条件后重试。", `method="get"`},
			{"unit history page", policy.VendorAdmin, "/units/" + itoa(unitID) + "?before=x", page, pageZH, ""},
			{"sites customer", policy.VendorAdmin, "/sites?customer=x",
				"Customer: “x” is not a whole number of 1 or more. Correct the filter and try again.", "客户：“x”不是不小于 1 的整数，请更正筛选条件后重试。", ""},
			{"calendar year", policy.Dispatcher, "/calendars/cn?year=1999",
				"Year: “1999” is not a whole number from 2000 to 2100. Correct the filter and try again.", "年份：“1999”不是 2000 到 2100 之间的整数，请更正筛选条件后重试。", `method="get"`},
			{"dispatch plan", policy.Dispatcher, "/dispatch?plan=x",
				"Plan: “x” is not a whole number of 1 or more. Correct the filter and try again.", "排程方案：“x”不是不小于 1 的整数，请更正筛选条件后重试。", `method="get"`},
			{"dispatch day", policy.Dispatcher, "/dispatch?day=2026-02-30",
				"Day: “2026-02-30” is not a date like 2026-12-01. Correct the filter and try again.", "日期：“2026-02-30”不是日期（格式如 2026-12-01），请更正筛选条件后重试。", `name="day" value="2026-02-30"`},
			{"dispatch week day", policy.Dispatcher, "/dispatch?view=week&day=tomorrow",
				"Day: “tomorrow” is not a date like 2026-12-01. Correct the filter and try again.", "日期：“tomorrow”不是日期（格式如 2026-12-01），请更正筛选条件后重试。", `name="day" value="tomorrow"`},
			{"stock movement kind", policy.ProviderAdmin, "/stock/move?kind=consume",
				"Kind: “consume” is not one of the filter choices. Correct the filter and try again.", "类型：“consume”不是可选的筛选值，请更正筛选条件后重试。", `href="/stock/move?kind=receive"`},
			{"staff provider", policy.VendorAdmin, "/staff?provider=x",
				"Service provider: “x” is not a whole number of 1 or more. Correct the filter and try again.", "服务商：“x”不是不小于 1 的整数，请更正筛选条件后重试。", `href="/staff?provider=`},
			{"qualification rules vendor", policy.ProviderAdmin, "/staff/rules?vendor=x",
				"Vendor: “x” is not a whole number of 1 or more. Correct the filter and try again.", "厂商：“x”不是不小于 1 的整数，请更正筛选条件后重试。", `href="/staff/rules?vendor=`},
			{"requests priority", policy.Dispatcher, "/requests?priority=urgent",
				"Priority: “urgent” is not one of the filter choices. Correct the filter and try again.", "优先级：“urgent”不是可选的筛选值，请更正筛选条件后重试。", `method="get"`},
			{"requests area", policy.Dispatcher, "/requests?area=abc",
				"Area: “abc” cannot be used: it must be a division code or its prefix (digits). Correct the filter and try again.",
				"区域：“abc”无法使用，须为行政区划代码或其前缀（数字），请更正筛选条件后重试。", `method="get"`},
			{"requests period", policy.Dispatcher, "/requests?period=2026-13",
				"Month: “2026-13” is not a month like 2026-12. Correct the filter and try again.", "月份：“2026-13”不是月份（格式如 2026-12），请更正筛选条件后重试。", `name="period" value="2026-13"`},
			{"requests clock", policy.Dispatcher, "/requests?clock=warranty",
				"Clock: “warranty” cannot be used: it must be response, onsite, resolution or escalation. Correct the filter and try again.",
				"时限：“warranty”无法使用，须为 response（响应）、onsite（到场）、resolution（解决）或 escalation（升级），请更正筛选条件后重试。", `name="clock" value="warranty"`},
			{"requests clock state", policy.Dispatcher, "/requests?clock_state=late",
				"Clock state: “late” cannot be used: it must be met, breached or running. Correct the filter and try again.",
				"时限状态：“late”无法使用，须为 met（达标）、breached（超时）或 running（计时中），请更正筛选条件后重试。", `name="clock_state" value="late"`},
			{"requests page", policy.Dispatcher, "/requests?cursor=x",
				"Page: “x” cannot be used: it is not a cursor from a previous page. Correct the filter and try again.",
				"页码：“x”无法使用，不是上一页返回的游标，请更正筛选条件后重试。", `method="get"`},
			{"text messages state", policy.ProviderAdmin, "/settings/sms?state=lost",
				"State: “lost” cannot be used: it must be pending, sent, delivered, undelivered or failed. Correct the filter and try again.",
				"状态：“lost”无法使用，须为 pending（排队中）、sent（已发送）、delivered（已送达）、undelivered（未送达）或 failed（失败），请更正筛选条件后重试。", `method="get"`},
			{"text messages kind", policy.ProviderAdmin, "/settings/sms?kind=appointment.link",
				"Kind: “appointment.link” cannot be used: it must be survey.sent, complaint.filed or suggestion.filed. Correct the filter and try again.",
				"类型：“appointment.link”无法使用，须为 survey.sent（回访链接）、complaint.filed（投诉受理）或 suggestion.filed（建议受理），请更正筛选条件后重试。", `method="get"`},
			{"complaints status", policy.Dispatcher, "/complaints?status=pending",
				"State: “pending” is not one of the filter choices. Correct the filter and try again.", "状态：“pending”不是可选的筛选值，请更正筛选条件后重试。", `href="/complaints?status=open"`},
			{"complaints kind", policy.Dispatcher, "/complaints?kind=praise",
				"Kind: “praise” is not one of the filter choices. Correct the filter and try again.", "类型：“praise”不是可选的筛选值，请更正筛选条件后重试。", `href="/complaints?status=open"`},
			{"complaints period", policy.Dispatcher, "/complaints?period=11-2026",
				"Month: “11-2026” is not a month like 2026-12. Correct the filter and try again.", "月份：“11-2026”不是月份（格式如 2026-12），请更正筛选条件后重试。", `href="/complaints?status=open"`},
			{"callbacks status", policy.VendorAdmin, "/callbacks?status=lost",
				"State: “lost” is not one of the filter choices. Correct the filter and try again.", "状态：“lost”不是可选的筛选值，请更正筛选条件后重试。", `href="/callbacks?status=redo"`},
			{"returns status", policy.Dispatcher, "/returns?status=lost",
				"State: “lost” is not one of the filter choices. Correct the filter and try again.", "状态：“lost”不是可选的筛选值，请更正筛选条件后重试。", `href="/returns?status=shipped"`},
			{"records from", policy.Dispatcher, "/records?from=2026-02-30",
				"From: “2026-02-30” is not a date like 2026-12-01. Correct the filter and try again.", "起始日期：“2026-02-30”不是日期（格式如 2026-12-01），请更正筛选条件后重试。", `method="get"`},
		}
		for _, lang := range []string{"en", "zh-CN"} {
			for _, c := range users {
				get(t, c, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			}
			for _, c := range cases {
				res := get(t, users[c.role], app.URL+c.target)
				html := body(t, res)
				want := map[string]string{"en": c.en, "zh-CN": c.zh}[lang]
				if res.StatusCode != http.StatusBadRequest || !strings.Contains(html, `<div class="alert" role="alert">`+want+`</div>`) {
					t.Errorf("%s, %s: %d, want 400 with %q\n%.3000s", c.name, lang, res.StatusCode, want, html)
				}
				if !strings.Contains(html, c.filter) {
					t.Errorf("%s, %s: no %s to correct the filter with", c.name, lang, c.filter)
				}
			}
		}
		// Nothing is listed under a filter that could not be read.
		if html := body(t, get(t, users[policy.Dispatcher], app.URL+"/requests?agreement_id=abc")); strings.Contains(html, req.Number) {
			t.Errorf("the requests page lists %s under a bad filter", req.Number)
		}
		if html := body(t, get(t, users[policy.Dispatcher], app.URL+"/requests?agreement_id="+itoa(sf.AgreementID))); !strings.Contains(html, req.Number) {
			t.Errorf("the requests page of the agreement lacks %s", req.Number)
		}
		// Nor under a filter the list's service refused, nor under one not
		// among the filter's choices: no silent retry without it.
		for _, target := range []string{"/requests?area=abc", "/requests?period=2026-13", "/requests?clock=warranty", "/requests?priority=urgent"} {
			if html := body(t, get(t, users[policy.Dispatcher], app.URL+target)); strings.Contains(html, req.Number) {
				t.Errorf("%s lists %s", target, req.Number)
			}
		}
		if html := body(t, get(t, users[policy.Dispatcher], app.URL+"/requests?area=32&priority=general")); !strings.Contains(html, req.Number) {
			t.Errorf("the requests page of area 32 lacks %s", req.Number)
		}
		// Nor a board of another day than the one asked for, nor a stock
		// form of another kind.
		if html := body(t, get(t, users[policy.Dispatcher], app.URL+"/dispatch?day=2026-02-30")); strings.Contains(html, `id="lanes"`) || strings.Contains(html, `id="plan-form"`) {
			t.Errorf("the board of a day that does not exist shows a day")
		}
		if html := body(t, get(t, users[policy.Dispatcher], app.URL+"/dispatch?view=week&day=x")); strings.Contains(html, `id="week"`) {
			t.Errorf("the week of a day that is not a date shows a week")
		}
		if html := body(t, get(t, users[policy.ProviderAdmin], app.URL+"/stock/move?kind=consume")); strings.Contains(html, `action="/stock/move"`) {
			t.Errorf("the stock form of a kind it does not record shows a form")
		}
		// The exports refuse the same values, naming the field.
		for target, field := range map[string]string{"/units/export?format=csv&customer=x": "customer", "/records.csv?before=x": "before",
			"/requests.csv?area=abc": "query.area", "/requests.csv?priority=urgent": "priority",
			"/requests.csv?period=2026-13": "period", "/requests.csv?agreement_id=x": "agreement_id", "/requests.csv?age=9": "age"} {
			res := get(t, users[policy.VendorAdmin], app.URL+target, "Accept-Language", "en")
			if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, field) {
				t.Errorf("%s: %d\n%.600s", target, res.StatusCode, html)
			}
		}
	})
}

// A path that names a complaint, a callback or an agreement, or a
// complaint's file or a request's photo, by something that is not an id
// answers as /requests/abc does (404, "no such page"),
// never acting on id 0; versions of a diff that are not numbers name no
// version (404). The recommendations refuse a day that is not a date
// (422, the field named), and the calendar's calculator answers its
// errors with 422, as every form with errors does, in both languages.
func TestMalformedIDsAndFormsAnswerAsTheOtherPages(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		req := fileRepair(t, app, f, sf, "malformed ids")
		c, err := app.Server.Complaints.File(t.Context(), f.Users[policy.Dispatcher].Actor(), complaint.NewComplaint{Category: "fees", RequestID: req.ID, Description: "收费不清"})
		if err != nil {
			t.Fatal(err)
		}
		users := map[policy.Role]*http.Client{}
		for _, role := range []policy.Role{policy.Dispatcher, policy.VendorAdmin} {
			users[role] = signIn(t, app, f.Users[role].Email)
		}
		versionForm := agreementForm(f.Provider.ID, "")
		versionForm.Set("version", "2")
		versionForm.Set("effective_from", "2099-01-01")
		cases := []struct {
			name         string
			role         policy.Role
			method, path string
			form         url.Values
			status       int
			en, zh       string
		}{
			{"request", policy.Dispatcher, "GET", "/requests/abc", nil, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"complaint", policy.Dispatcher, "GET", "/complaints/abc", nil, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"complaint note", policy.Dispatcher, "POST", "/complaints/abc/note", url.Values{"text": {"a note"}}, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"complaint files", policy.Dispatcher, "POST", "/complaints/0/files", url.Values{}, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"complaint file", policy.Dispatcher, "GET", "/complaints/abc/files/1", nil, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"complaint's file", policy.Dispatcher, "GET", "/complaints/" + itoa(c.ID) + "/files/abc", nil, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"complaint's file 0", policy.Dispatcher, "GET", "/complaints/" + itoa(c.ID) + "/files/0", nil, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"complaint's file -1", policy.Dispatcher, "GET", "/complaints/" + itoa(c.ID) + "/files/-1", nil, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"request's photo", policy.Dispatcher, "GET", "/requests/" + itoa(req.ID) + "/photos/abc", nil, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"request's photo 0", policy.Dispatcher, "GET", "/requests/" + itoa(req.ID) + "/photos/0", nil, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"request's photo -2", policy.Dispatcher, "GET", "/requests/" + itoa(req.ID) + "/photos/-2", nil, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"callback", policy.VendorAdmin, "POST", "/callbacks/abc/call", url.Values{"version": {"1"}, "reached": {"no"}}, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"agreement version", policy.VendorAdmin, "POST", "/agreements/abc/versions", versionForm, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"agreement proposal", policy.VendorAdmin, "POST", "/agreements/x1/adjustments", versionForm, 404, "<p class=\"muted\">no such page</p>", "<p class=\"muted\">页面不存在</p>"},
			{"diff versions", policy.VendorAdmin, "GET", "/agreements/" + itoa(sf.AgreementID) + "/diff?from=abc&to=1", nil, 404, "<p class=\"muted\">no such versions</p>", "<p class=\"muted\">"},
			{"recommendations day", policy.Dispatcher, "GET", "/requests/" + itoa(req.ID) + "/recommendations?date=2026-02-30", nil, 422,
				"<li><code>date</code> must be a date like 2026-12-01</li>", "<li><code>date</code> 须为日期，如 2026-12-01</li>"},
			{"calculator", policy.VendorAdmin, "GET", "/calendars/cn?from=garbage&amount=x&unit=weeks", nil, 422,
				`<span class="err">enter a date and time</span>`, `<span class="err">请输入日期和时间</span>`},
			{"calculator days", policy.VendorAdmin, "GET", "/calendars/cn?from=2026-12-01T10:00&amount=1.5&unit=days", nil, 422,
				`<span class="err">working days must be a whole number</span>`, `<span class="err">工作日数须为整数</span>`},
		}
		counts := func() map[string]int {
			out := map[string]int{}
			for _, table := range []string{"complaint_events", "agreement_versions", "adjustment_requests", "audit_events"} {
				out[table] = countRows(t, app.DB, table)
			}
			return out
		}
		for _, lang := range []string{"en", "zh-CN"} {
			for _, c := range users {
				get(t, c, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			}
			before := counts()
			for _, c := range cases {
				var res *http.Response
				var html string
				if c.method == "POST" {
					res, html = post(t, users[c.role], app.URL+c.path, c.form)
				} else {
					res = get(t, users[c.role], app.URL+c.path)
					html = body(t, res)
				}
				want := map[string]string{"en": c.en, "zh-CN": c.zh}[lang]
				if res.StatusCode != c.status || !strings.Contains(html, want) {
					t.Errorf("%s, %s: %d, want %d with %q\n%.2000s", c.name, lang, res.StatusCode, c.status, want, html)
				}
			}
			// Nothing was written about a complaint or an agreement the
			// path did not name.
			if after := counts(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("%s: rows written: %v, before %v", lang, after, before)
			}
		}
		// A good calculation still answers 200.
		if res := get(t, users[policy.VendorAdmin], app.URL+"/calendars/cn?from=2026-12-01T10:00&amount=2&unit=days"); res.StatusCode != http.StatusOK {
			t.Errorf("a good calculation: %d", res.StatusCode)
		}
	})
}

// A form post whose body cannot be read as a form (its Content-Type does
// not parse) is a malformed request on every kind of form handler, named in
// the reader's language, and writes nothing.
func TestUnreadableFormIsAMalformedRequest(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		admin := signIn(t, app, f.Users[policy.VendorAdmin].Email)
		paths := []string{
			"/calendars",         // posted
			"/complaints/1/note", // postedForm
			"/callbacks/1/call",  // postedForm
			"/agreements/" + itoa(sf.AgreementID) + "/versions", // the terms form
			"/login",
		}
		for _, lang := range []string{"en", "zh-CN"} {
			get(t, admin, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			before := countRows(t, app.DB, "audit_events")
			want := map[string]string{"en": "the form could not be read", "zh-CN": "无法读取表单"}[lang]
			for _, p := range paths {
				res, err := admin.Post(app.URL+p, "text/plain; =x", strings.NewReader("name=x"))
				if err != nil {
					t.Fatal(err)
				}
				if html := body(t, res); res.StatusCode != http.StatusBadRequest || !strings.Contains(html, want) {
					t.Errorf("%s, %s: %d, want 400 with %q\n%.1500s", p, lang, res.StatusCode, want, html)
				}
			}
			if after := countRows(t, app.DB, "audit_events"); after != before {
				t.Errorf("%s: audit events: %d, before %d", lang, after, before)
			}
		}
	})
}

// A form's value that is not one its field takes (a model that is not a
// number, a lock of the day's plan on a key that names no visit or of a
// kind there is not, a movement of a kind the stock form does not record)
// is refused naming the field, in the reader's language, and nothing is
// saved; the stock form without a kind opens on its first, receiving.
func TestMalformedFormValuesAreRefusedAndSaveNothing(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		vendor := signIn(t, app, f.Users[policy.VendorAdmin].Email)
		provider := signIn(t, app, f.Users[policy.ProviderAdmin].Email)
		dispatcher := signIn(t, app, f.Users[policy.Dispatcher].Email)
		model := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM product_models WHERE code = 'FX-100'`)
		postStatus(t, http.StatusSeeOther, "a part", vendor, app.URL+"/parts", url.Values{"part_number": {"P-1"}, "name": {"主轴轴承"},
			"kind": {"genuine"}, "unit_cost": {"12.50"}, "model_ids": {itoa(model)}})
		part := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM parts WHERE part_number = 'P-1'`)
		newPart := func(models ...string) url.Values {
			return url.Values{"part_number": {"P-2"}, "name": {"密封圈"}, "kind": {"genuine"}, "unit_cost": {"3"}, "model_ids": models}
		}
		board := func(lock ...string) url.Values {
			v := url.Values{"day": {"2030-01-09"}, "time_limit": {"1"}}
			for i := 0; i+1 < len(lock); i += 2 {
				v.Set(lock[i], lock[i+1])
			}
			return v
		}
		cases := []struct {
			name   string
			client *http.Client
			path   string
			form   url.Values
			status int
			// then is the page the answer leads to, which shows the refusal.
			then   string
			en, zh string
		}{
			{"new part's model", vendor, "/parts", newPart(itoa(model), "x"), 422, "",
				`<span class="err">must be a whole number</span>`, `<span class="err">须为整数</span>`},
			{"new part's model 0", vendor, "/parts", newPart("0"), 422, "",
				`<span class="err">model 0 is not a product model of the part&#39;s vendor</span>`, `<span class="err">产品型号 0 不属于该配件的厂商</span>`},
			{"part's models", vendor, "/parts/" + itoa(part) + "/models", url.Values{"version": {"1"}, "model_ids": {"1.5"}}, 422, "",
				`<span class="err">must be a whole number</span>`, `<span class="err">须为整数</span>`},
			{"plan's lock of no visit", dispatcher, "/dispatch/plans", board("lock_abc", "technician"), 303, "/dispatch?day=2030-01-09",
				`Lock when planning: “lock_abc” does not name a visit by its id`, `排程时锁定：“lock_abc”没有以编号指明一次上门`},
			{"plan's lock of visit 0", dispatcher, "/dispatch/plans", board("lock_0", "time"), 303, "/dispatch?day=2030-01-09",
				`Lock when planning: “lock_0” does not name a visit by its id`, `排程时锁定：“lock_0”没有以编号指明一次上门`},
			{"plan's range of no visit", dispatcher, "/dispatch/plans", board("lock_from_-4", "09:00"), 303, "/dispatch?day=2030-01-09",
				`Earliest start of the lock: “lock_from_-4” does not name a visit by its id`, `锁定的最早开始：“lock_from_-4”没有以编号指明一次上门`},
			{"plan's lock of no kind", dispatcher, "/dispatch/plans", board("lock_7", "sideways"), 303, "/dispatch?day=2030-01-09",
				`Lock when planning: must be technician, time, both or range`, `排程时锁定：须为 technician（锁定技术人员）、time（锁定时间）、both（技术人员和时间）或 range（在时段内开始）`},
			{"movement of no kind", provider, "/stock/move", url.Values{"kind": {"consume"}, "qty": {"1"}}, 422, "",
				`<div class="alert" role="alert">Movement: must be receive, transfer or adjust</div>`, `<div class="alert" role="alert">类型：须为 receive、transfer 或 adjust</div>`},
		}
		counts := func() string {
			out := ""
			for _, table := range []string{"parts", "part_models", "dispatch_plans", "stock_movements", "audit_events"} {
				out += fmt.Sprintf("%s %d ", table, countRows(t, app.DB, table))
			}
			return out
		}
		for _, lang := range []string{"en", "zh-CN"} {
			for _, c := range []*http.Client{vendor, provider, dispatcher} {
				get(t, c, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			}
			before := counts()
			for _, c := range cases {
				res, html := post(t, c.client, app.URL+c.path, c.form)
				if res.StatusCode != c.status {
					t.Errorf("%s, %s: %d, want %d", c.name, lang, res.StatusCode, c.status)
				}
				if c.then != "" {
					if loc := res.Header.Get("Location"); loc != c.then {
						t.Errorf("%s, %s: to %q, want %q", c.name, lang, loc, c.then)
					}
					html = body(t, get(t, c.client, app.URL+c.then))
				}
				if want := map[string]string{"en": c.en, "zh-CN": c.zh}[lang]; !strings.Contains(html, want) {
					t.Errorf("%s, %s: no %q\n%.3000s", c.name, lang, want, html[strings.Index(html, "<main"):])
				}
			}
			if after := counts(); after != before {
				t.Errorf("%s: rows written: %s, before %s", lang, after, before)
			}
		}
		// The stock form opens on receiving when no kind is asked for.
		for _, target := range []string{"/stock/move", "/stock/move?kind="} {
			res := get(t, provider, app.URL+target)
			if html := body(t, res); res.StatusCode != http.StatusOK || !strings.Contains(html, `<input type="hidden" name="kind" value="receive">`) {
				t.Errorf("%s: %d, not the receiving form", target, res.StatusCode)
			}
		}
	})
}
