package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/testutil"
)

func TestRequestPages(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		c := signIn(t, app, f.Users[policy.Dispatcher].Email)
		// Bad input is shown beside the field and nothing is filed.
		res, html := post(t, c, app.URL+"/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"repair"}, "priority": {"general"}, "description": {""}, "contact_phone": {"call me"}})
		if res.StatusCode != 422 || strings.Count(html, `class="err"`) < 2 {
			t.Fatalf("bad form: %d", res.StatusCode)
		}
		// Out of scope: the reason in words.
		res, html = post(t, c, app.URL+"/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"part_replacement"}, "priority": {"general"}, "description": {"x"}})
		if res.StatusCode != 422 || !strings.Contains(html, "does not cover this service item") || strings.Contains(html, "协议不包含此服务项目") {
			t.Fatalf("out of scope: %d", res.StatusCode)
		}
		if n := countRows(t, app.DB, "service_requests"); n != 0 {
			t.Fatalf("%d requests after refused forms", n)
		}
		res, _ = post(t, c, app.URL+"/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"consultation"}, "priority": {"general"}, "description": {"How do I zero the axes?"}})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/requests/") {
			t.Fatalf("file: %d %s", res.StatusCode, loc)
		}
		html = body(t, get(t, c, app.URL+loc))
		if !strings.Contains(html, `action="`+loc+`/answer"`) {
			t.Fatal("a consultation has no answer form")
		}
		// The history says in the page's language (the dispatcher's English)
		// what the product noted itself.
		if !strings.Contains(html, "by Phone (dispatcher)") || strings.Contains(html, "来自电话（调度员）") || strings.Contains(html, "— dispatcher<") {
			t.Fatal("the received event's channel is not shown in words")
		}
		post(t, c, app.URL+loc+"/answer", url.Values{"version": {"1"}, "answer": {"Menu > Axes > Zero, then confirm."}})
		if html := body(t, get(t, c, app.URL+loc, "Accept-Language", "en")); !strings.Contains(html, "Resolved") || strings.Contains(html, "已解决") {
			t.Fatal("answered consultation not resolved")
		}
		// A description a spreadsheet would run as a formula is exported as text.
		post(t, c, app.URL+"/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"consultation"}, "priority": {"general"}, "description": {`=HYPERLINK("http://evil.example","open")`}})
		csv := body(t, get(t, c, app.URL+"/requests.csv"))
		if !strings.HasPrefix(csv, "\xef\xbb\xbfnumber,") || !strings.Contains(csv, sf.Serial) {
			t.Fatalf("csv: %.200q", csv)
		}
		if !strings.Contains(csv, `"'=HYPERLINK(""http://evil.example"",""open"")"`) || strings.Contains(csv, `,"=HYPERLINK`) {
			t.Fatalf("the formula is not guarded: %q", csv)
		}
		// The export holds what the page lists: the open requests by
		// default, the closed ones in the closed view; the page's link
		// carries its filters.
		if strings.Contains(csv, "How do I zero the axes?") {
			t.Fatal("the export of the open requests holds the resolved consultation")
		}
		if closed := body(t, get(t, c, app.URL+"/requests.csv?view=closed")); !strings.Contains(closed, "How do I zero the axes?") || strings.Contains(closed, "HYPERLINK") {
			t.Fatalf("the export of the closed view: %.300q", closed)
		}
		if html := body(t, get(t, c, app.URL+"/requests?view=closed&q=zero")); !strings.Contains(html, `href="/requests.csv?q=zero&amp;view=closed"`) {
			t.Fatal("the page's export link does not carry its view and search")
		}
		// Another vendor's admin sees none of it.
		other := signIn(t, app, f.OtherAdmin.Email)
		if csv := body(t, get(t, other, app.URL+"/requests.csv")); strings.Contains(csv, sf.Serial) {
			t.Fatal("another tenant exports our requests")
		}
		if res := get(t, other, app.URL+loc); res.StatusCode != 404 {
			t.Fatalf("another tenant reads a request: %d", res.StatusCode)
		}
	})
}

// The requests page writes each row's words (its priority, its status and
// the time left) and the columns' labels in the page's language, though
// the handler makes them rather than the template's cells.
func TestRequestsPageWordsInThePageLanguage(t *testing.T) {
	t.Parallel()
	app, f, sf := servingSQLite(t)
	c := signIn(t, app, f.Users[policy.Dispatcher].Email)
	for _, p := range []string{"emergency", "general", "general"} {
		post(t, c, app.URL+"/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"repair"}, "priority": {p}, "description": {"主轴异响 " + p}})
	}
	row := regexp.MustCompile(`(?s)<tr class="tone-[a-z]+">.*?</tr>`)
	for lang, want := range map[string][]string{
		"en":    {`data-label="Next deadline"`, `data-label="Priority"`, `data-label="Status"`, `>Emergency</span>`, `>General</span>`, `>Received</td>`},
		"zh-CN": {`data-label="最近时限"`, `data-label="优先级"`, `data-label="状态"`, `>紧急</span>`, `>一般</span>`, `>已受理</td>`},
	} {
		get(t, c, app.URL+"/lang/"+lang+"?next=/").Body.Close()
		html := body(t, get(t, c, app.URL+"/requests"))
		rows := row.FindAllString(html, -1)
		if len(rows) != 3 {
			t.Fatalf("%s: %d rows, want 3", lang, len(rows))
		}
		all := strings.Join(rows, "\n")
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: the rows lack %s", lang, w)
			}
		}
		// The time left reads as the span messages do ("3h 59m", "3 小时 59 分").
		span := map[string]*regexp.Regexp{"en": regexp.MustCompile(`due-chip [a-z]+">-?\d+(h \d\dm|d \d+h)<`),
			"zh-CN": regexp.MustCompile(`due-chip [a-z]+">-?\d+ (小时 \d+ 分|天 \d+ 小时)<`)}[lang]
		if n := len(span.FindAllString(all, -1)); n != 3 {
			t.Errorf("%s: %d rows show the time left as a span, want 3:\n%s", lang, n, all)
		}
	}
}

// The dispatcher sets a request's needed parts on its page: a bad
// quantity is shown beside it and saves nothing; a good list is saved and
// shown chosen, and on the board beside the waiting request; a
// technician cannot set them.
func TestRequestNeededPartsForm(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		a := testutil.Services(t, app.DB)
		bearing, err := a.Parts.Create(t.Context(), f.Users[policy.VendorAdmin].Actor(), parts.Input{PartNumber: "SP-100", Name: "主轴轴承", Kind: parts.Genuine, UnitCostFen: 128000})
		if err != nil {
			t.Fatal(err)
		}
		c := signIn(t, app, f.Users[policy.Dispatcher].Email)
		res, _ := post(t, c, app.URL+"/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"repair"}, "priority": {"general"}, "description": {"主轴异响"}})
		loc := res.Header.Get("Location")
		html := body(t, get(t, c, app.URL+loc))
		if !strings.Contains(html, "Needed parts") || !strings.Contains(html, `action="`+loc+`/parts"`) || !strings.Contains(html, "SP-100 主轴轴承") {
			t.Fatalf("no needed parts form on the request page: %s", html)
		}
		id := itoa(bearing.ID)
		res, html = post(t, c, app.URL+loc+"/parts", url.Values{"part_id": {id, ""}, "qty": {"0", "1"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "must be 1 to 999") || countRows(t, app.DB, "request_parts") != 0 {
			t.Fatalf("a bad quantity: %d, %d saved", res.StatusCode, countRows(t, app.DB, "request_parts"))
		}
		res, _ = post(t, c, app.URL+loc+"/parts", url.Values{"part_id": {id, ""}, "qty": {"2", "1"}})
		if res.StatusCode != http.StatusSeeOther || countRows(t, app.DB, "request_parts") != 1 {
			t.Fatalf("saving: %d, %d saved", res.StatusCode, countRows(t, app.DB, "request_parts"))
		}
		if html := body(t, get(t, c, app.URL+loc)); !strings.Contains(html, `value="`+id+`" selected`) || !strings.Contains(html, `name="qty" inputmode="numeric" value="2"`) {
			t.Fatal("the saved part is not shown")
		}
		if html := body(t, get(t, c, app.URL+"/dispatch")); !strings.Contains(html, "Needed parts: SP-100 × 2") {
			t.Fatal("the board does not show the waiting request's needed parts")
		}
		tech := signIn(t, app, f.Users[policy.Technician].Email)
		res, _ = post(t, tech, app.URL+loc+"/parts", url.Values{"part_id": {id}, "qty": {"5"}})
		if res.StatusCode < 400 || countRows(t, app.DB, "request_parts") != 1 {
			t.Fatalf("a technician sets the parts: %d", res.StatusCode)
		}
	})
}
