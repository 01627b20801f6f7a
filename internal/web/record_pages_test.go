package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/testutil"

	"github.com/xuri/excelize/v2"
)

// The records pages: the provider and the vendor list, read and export the
// sealed records, the provider seals a correction, and nobody else sees any.
func TestRecordPages(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		id := testutil.SealRecord(t, app, f, sf.Serial)
		page := fmt.Sprintf("/records/%d", id)

		c := signIn(t, app, f.Users[policy.Dispatcher].Email)
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
		if n := countRows(t, app.DB, "service_records"); n != 1 {
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
		// The record names its customer, and the correction shows
		// the corrected value beside the original, here and on its own page.
		beside := `<del class="prewrap">Menu &gt; Axes &gt; Zero</del>`
		for _, want := range []string{`id="record-customer">` + f.Customer.Name, beside, `<ins class="prewrap">Menu &gt; Machine &gt; Zero axes</ins>`} {
			if !strings.Contains(html, want) {
				t.Errorf("the record page lacks %q", want)
			}
		}
		correction := selectOne[int64](t, app.DB, `SELECT id FROM service_records WHERE corrects_id = ?`, id)
		if html := body(t, get(t, c, fmt.Sprintf("%s/records/%d", app.URL, correction))); !strings.Contains(html, beside) {
			t.Errorf("the correction's page does not show the original value:\n%s", html)
		}

		// The vendor's auditor exports both, as text a spreadsheet will not run.
		a := signIn(t, app, f.Users[policy.VendorAuditor].Email)
		csv := body(t, get(t, a, app.URL+"/records.csv"))
		rows := exportRows(t, csv)
		if !strings.HasPrefix(csv, "\xef\xbb\xbfid,kind,agreement,seq,") || len(rows) != 2 || !strings.Contains(csv, "the menu was named wrongly") || !strings.Contains(csv, ",Menu > Axes > Zero,") {
			t.Fatalf("export:\n%s", csv)
		}
		// The consultation names its customer and who answered it.
		consultation := rows[1]
		for col, want := range map[string]string{"customer": f.Customer.Name, "kind": "consultation", "answer": "Menu > Axes > Zero",
			"technician": f.Users[policy.Dispatcher].Email, "description": "How do I zero the axes?"} {
			if consultation[col] != want {
				t.Errorf("export %s = %q, want %q", col, consultation[col], want)
			}
		}
		if rows[0]["corrects_id"] != consultation["id"] || !strings.Contains(rows[0]["changes"], "actions=Menu > Machine > Zero axes") {
			t.Errorf("export of the correction: %v", rows[0])
		}
		// The same rows as a workbook, headed in the reader's language.
		get(t, a, app.URL+"/lang/zh-CN?next=/profile").Body.Close()
		res := get(t, a, app.URL+"/records.xlsx")
		book, err := excelize.OpenReader(res.Body)
		res.Body.Close()
		if err != nil || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("workbook: %v %s", err, res.Header.Get("Content-Type"))
		}
		sheet, err := book.GetRows("Sheet1")
		if err != nil || len(sheet) != 3 || sheet[0][0] != "记录编号" || !slices.Contains(sheet[0], "客户") || !slices.Contains(sheet[2], f.Customer.Name) {
			t.Fatalf("workbook rows (%v): %v", err, sheet)
		}
		get(t, a, app.URL+"/lang/en?next=/profile").Body.Close()
		if html := body(t, get(t, a, app.URL+page)); strings.Contains(html, `/corrections"`) {
			t.Fatal("the vendor's auditor is offered the correction form")
		}
		// A bad filter is refused, each field named, the form showing what was typed.
		bad := get(t, a, app.URL+"/records?from=yesterday&before=x")
		if html := body(t, bad); bad.StatusCode != 400 || !strings.Contains(html, `name="from" value="yesterday"`) ||
			!strings.Contains(html, "From: “yesterday” is not a date like 2026-12-01.") || !strings.Contains(html, "Page: “x” is not a whole number of 1 or more.") {
			t.Fatalf("bad filter: %d\n%s", bad.StatusCode, html)
		}

		for _, who := range []struct {
			email string
			code  int
		}{{f.Users[policy.Technician].Email, 404}, {f.Users[policy.Customer].Email, 404}, {f.OtherAdmin.Email, 404}} {
			o := signIn(t, app, who.email)
			if res := get(t, o, app.URL+page); res.StatusCode != who.code {
				t.Errorf("%s reads a record: %d, want %d", who.email, res.StatusCode, who.code)
			}
			if csv := body(t, get(t, o, app.URL+"/records.csv")); strings.Contains(csv, "Zero") {
				t.Errorf("%s exports our records", who.email)
			}
		}
	})
}

// exportRows reads a records export, newest first, each row by column name.
func exportRows(t *testing.T, text string) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff"))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("export (%v):\n%s", err, text)
	}
	out := make([]map[string]string, len(rows)-1)
	for i, r := range rows[1:] {
		out[i] = map[string]string{}
		for j, name := range rows[0] {
			out[i][name] = r[j]
		}
	}
	return out
}
