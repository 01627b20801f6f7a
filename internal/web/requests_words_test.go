package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"aftersales/internal/policy"
)

// The requests page writes each row's words (its priority, its status and
// the time left) and the columns' labels in the page's language, though
// the handler makes them rather than the template's cells.
func TestRequestsPageWordsInThePageLanguage(t *testing.T) {
	t.Parallel()
	app, f, sf := servingSQLite(t)
	c := signIn(t, app, f.Users[policy.Dispatcher].Email)
	for _, p := range []string{"emergency", "general", "general"} {
		res, err := c.PostForm(app.URL+"/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"repair"}, "priority": {p}, "description": {"主轴异响 " + p}})
		if err != nil {
			t.Fatal(err)
		}
		body(t, res)
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
