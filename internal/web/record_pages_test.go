package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The records pages: the provider and the vendor list, read and export the
// sealed records, the provider seals a correction, and nobody else sees any.
func TestRecordPages(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		app := testutil.NewApp(t, db)
		f := testutil.Seed(t, db)
		sf := testutil.SeedService(t, db, f)
		id := testutil.SealRecord(t, app, f, sf.Serial)
		page := fmt.Sprintf("/records/%d", id)

		c := app.Browser(t)
		app.Login(t, c, f.Users[policy.Dispatcher].Email, testutil.Password)
		for _, lang := range []string{"zh-CN", "en"} {
			get(t, c, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			for _, p := range []string{"/records", page} {
				res := get(t, c, app.URL+p)
				html := body(t, res)
				if res.StatusCode != 200 || !strings.Contains(html, `href="`+page+`"`) && p == "/records" || strings.Contains(html, ">records.") {
					t.Fatalf("%s %s: %d\n%.600s", lang, p, res.StatusCode, html)
				}
			}
		}
		html := body(t, get(t, c, app.URL+page))
		if !strings.Contains(html, "Menu &gt; Axes &gt; Zero") || !strings.Contains(html, `id="chain-state"`) || !strings.Contains(html, "(1 in all)") || !strings.Contains(html, `action="`+page+`/corrections"`) {
			t.Fatalf("record page lacks its chain state or the correction form:\n%s", html)
		}

		post := func(form url.Values) *http.Response {
			res, err := c.PostForm(app.URL+page+"/corrections", form)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		// A correction without a reason is shown again with the field named; nothing is sealed.
		res2 := post(url.Values{"reason": {""}, "diagnosis": {"wrong menu"}})
		if html := body(t, res2); res2.StatusCode != 422 || !strings.Contains(html, `class="err"`) || !strings.Contains(html, "wrong menu") {
			t.Fatalf("bad correction: %d", res2.StatusCode)
		}
		if n := countRows(t, db, "service_records"); n != 1 {
			t.Fatalf("%d records after a refused correction", n)
		}
		res2 = post(url.Values{"reason": {"the menu was named wrongly"}, "actions_taken": {"Menu > Machine > Zero axes"}, "result": {"fixed"}})
		res2.Body.Close()
		if res2.StatusCode != http.StatusSeeOther || res2.Header.Get("Location") != page {
			t.Fatalf("correction: %d %s", res2.StatusCode, res2.Header.Get("Location"))
		}
		html = body(t, get(t, c, app.URL+page))
		if !strings.Contains(html, "the menu was named wrongly") || !strings.Contains(html, "(2 in all)") {
			t.Fatalf("the corrected record does not show its correction:\n%s", html)
		}

		// The vendor's auditor exports both, as text a spreadsheet will not run.
		a := app.Browser(t)
		app.Login(t, a, f.Users[policy.VendorAuditor].Email, testutil.Password)
		csv := body(t, get(t, a, app.URL+"/records.csv"))
		if !strings.HasPrefix(csv, "\xef\xbb\xbfid,agreement,seq,") || strings.Count(csv, "\n") != 3 || !strings.Contains(csv, "the menu was named wrongly") || !strings.Contains(csv, ",Menu > Axes > Zero,") {
			t.Fatalf("export:\n%s", csv)
		}
		if html := body(t, get(t, a, app.URL+page)); strings.Contains(html, `/corrections"`) {
			t.Fatal("the vendor's auditor is offered the correction form")
		}
		// A bad filter is named beside what was typed, not a failure.
		bad := get(t, a, app.URL+"/records?from=yesterday&before=x")
		if html := body(t, bad); bad.StatusCode != 200 || strings.Count(html, `class="err"`) < 1 || !strings.Contains(html, `name="from" value="yesterday"`) || !strings.Contains(html, "is not a page of this list") {
			t.Fatalf("bad filter: %d", bad.StatusCode)
		}

		for _, who := range []struct {
			email string
			code  int
		}{{f.Users[policy.Technician].Email, 404}, {f.Users[policy.Customer].Email, 404}, {f.OtherAdmin.Email, 404}} {
			o := app.Browser(t)
			app.Login(t, o, who.email, testutil.Password)
			if res := get(t, o, app.URL+page); res.StatusCode != who.code {
				t.Errorf("%s reads a record: %d, want %d", who.email, res.StatusCode, who.code)
			}
			if csv := body(t, get(t, o, app.URL+"/records.csv")); strings.Contains(csv, "Zero") {
				t.Errorf("%s exports our records", who.email)
			}
		}
	})
}

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := store.Get(t.Context(), db, &n, `SELECT COUNT(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}
