package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A page's filter with a value that is not a number (or not a date, or out
// of its range) answers 400 with the filter form and a message naming the
// field in the reader's language, and lists nothing; an export refuses it
// as the API refuses a bad query value (422, the field named).
func TestBadFilterValuesAreNamed(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		app, f, sf := serving(t, db)
		ctx := context.Background()
		req := fileRepair(t, app, f, sf, "bad filter")
		var unitID int64
		if err := store.Get(ctx, db, &unitID, `SELECT id FROM units WHERE serial_number = ?`, sf.Serial); err != nil {
			t.Fatal(err)
		}
		admin := signIn(t, app, f.Users[policy.ProviderAdmin].Email)
		if res, _ := post(t, admin, app.URL+"/settings/webhooks", url.Values{"url": {"https://erp.example/hooks"}, "kinds": {"clock.warning"}}); res.StatusCode != http.StatusCreated {
			t.Fatalf("create a webhook: %d", res.StatusCode)
		}
		var hookID int64
		if err := store.Get(ctx, db, &hookID, `SELECT id FROM webhooks WHERE url = 'https://erp.example/hooks'`); err != nil {
			t.Fatal(err)
		}
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
			{"staff provider", policy.VendorAdmin, "/staff?provider=x",
				"Service provider: “x” is not a whole number of 1 or more. Correct the filter and try again.", "服务商：“x”不是不小于 1 的整数，请更正筛选条件后重试。", `href="/staff?provider=`},
			{"qualification rules vendor", policy.ProviderAdmin, "/staff/rules?vendor=x",
				"Vendor: “x” is not a whole number of 1 or more. Correct the filter and try again.", "厂商：“x”不是不小于 1 的整数，请更正筛选条件后重试。", `href="/staff/rules?vendor=`},
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
		// The exports refuse the same values, naming the field.
		for target, field := range map[string]string{"/units/export?format=csv&customer=x": "customer", "/records.csv?before=x": "before"} {
			res := get(t, users[policy.VendorAdmin], app.URL+target, "Accept-Language", "en")
			if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, field) {
				t.Errorf("%s: %d\n%.600s", target, res.StatusCode, html)
			}
		}
	})
}
