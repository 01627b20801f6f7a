package web_test

import (
	"context"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"aftersales/internal/demo"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// englishSentence is three or more English words in a row: what a Chinese
// page must not show outside data (codes, names, serial numbers).
var englishSentence = regexp.MustCompile(`\b[A-Za-z]{2,}(?: [a-z]{2,}){2,}\b`)

// visibleText is the text of a page a person reads, without scripts,
// styles, code, and the values of data the page shows.
func visibleText(doc string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "code", "pre", "textarea", "option":
				skip++
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "code", "pre", "textarea", "option":
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				if t := strings.TrimSpace(string(z.Text())); t != "" {
					out = append(out, t)
				}
			}
		}
	}
}

func links(doc string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken {
			continue
		}
		name, attr := z.TagName()
		if string(name) != "a" || !attr {
			continue
		}
		for {
			k, v, more := z.TagAttr()
			if string(k) == "href" {
				out = append(out, string(v))
			}
			if !more {
				break
			}
		}
	}
}

// dataTexts are the texts people entered that the demo holds (English
// names of models and parts, descriptions, notes): a Chinese page shows
// them as they were written.
func dataTexts(t *testing.T, db *store.DB) string {
	t.Helper()
	var texts []string
	err := store.Select(context.Background(), db, &texts, `SELECT name_en FROM product_models UNION ALL SELECT name_en FROM parts
		UNION ALL SELECT description FROM service_requests UNION ALL SELECT note FROM request_events
		UNION ALL SELECT description FROM documents UNION ALL SELECT title FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(texts, "\n")
}

// Every page each role reaches from its home, in Chinese, shows no English
// sentence except data people entered and the product's own commands.
func TestChinesePagesHaveNoEnglishSentences(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	if _, err := demo.Load(context.Background(), testutil.Services(t, db)); err != nil {
		t.Fatal(err)
	}
	data := dataTexts(t, db)
	app := testutil.NewApp(t, db)
	found := map[string][]string{}
	for _, email := range []string{"admin@haichuan.example", "auditor@haichuan.example", "admin@hengxin.example", "dispatch@hengxin.example",
		"tech.li@hengxin.example", "service@sz-jinggong.example"} {
		c := app.Browser(t)
		app.Login(t, c, email, demo.Password)
		get(t, c, app.URL+"/lang/zh-CN?next=/profile").Body.Close()
		seen := map[string]bool{}
		queue := []string{"/"}
		shapes := map[string]bool{}
		number := regexp.MustCompile(`\d+`)
		for len(queue) > 0 && len(seen) < 150 {
			p := queue[0]
			queue = queue[1:]
			if seen[p] {
				continue
			}
			seen[p] = true
			res := get(t, c, app.URL+p)
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				res.Body.Close()
				continue
			}
			doc := body(t, res)
			for _, txt := range visibleText(doc) {
				for _, m := range englishSentence.FindAllString(txt, -1) {
					if strings.Contains(data, m) || strings.HasPrefix(m, "aftersales ") {
						continue
					}
					found[m] = append(found[m], email+" "+p)
				}
			}
			for _, l := range links(doc) {
				u, err := url.Parse(l)
				if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "/lang/") || strings.HasPrefix(u.Path, "/api/") ||
					strings.Contains(u.Path, "/files/") || strings.Contains(u.Path, ".") {
					continue
				}
				// One page of each shape (/requests/N) is enough.
				if shape := number.ReplaceAllString(u.Path, "N"); !shapes[shape] {
					shapes[shape] = true
					queue = append(queue, u.Path)
				}
			}
		}
		if len(seen) < 10 {
			t.Errorf("%s: only %d pages reached", email, len(seen))
		}
	}
	var keys []string
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("English on a Chinese page: %q (%v)", k, found[k][:min(3, len(found[k]))])
	}
}
