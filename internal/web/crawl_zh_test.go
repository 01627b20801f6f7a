package web_test

import (
	"context"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// englishSentence is two or more English words in a row, whatever their
// case ("Choose Files", "Not found", "unit create"), a weekday or a duration
// written in English abbreviations ("Fri", "3h 20m"): what a Chinese page
// must not show outside data (codes, names, serial numbers).
var englishSentence = regexp.MustCompile(`\b[A-Za-z]{2,}(?: [A-Za-z]{2,})+\b|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b|\b\d+ ?[hmd]\b`)

// readAttributes are the attributes a person reads or hears: hints in empty
// fields, tooltips, names a screen reader speaks, a picture's text.
var readAttributes = map[string]bool{"placeholder": true, "title": true, "aria-label": true, "alt": true}

// visibleText is the text of a page a person reads, without scripts,
// styles, code, and the values of data the page shows.
func visibleText(doc string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if skip == 0 && hasAttr {
				out = append(out, attributeTexts(string(name), z)...)
			}
			if tt == html.SelfClosingTagToken {
				continue
			}
			switch string(name) {
			case "script", "style", "code", "pre", "textarea":
				skip++
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "code", "pre", "textarea":
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

// attributeTexts are the texts of a tag's attributes a person reads: the
// read attributes, and the value of a button.
func attributeTexts(tag string, z *html.Tokenizer) []string {
	var out []string
	var typ, value, class string
	english := false
	for {
		k, v, more := z.TagAttr()
		switch key := string(k); {
		case readAttributes[key]:
			if t := strings.TrimSpace(string(v)); t != "" {
				out = append(out, t)
			}
		case key == "type":
			typ = string(v)
		case key == "value":
			value = strings.TrimSpace(string(v))
		case key == "class":
			class = string(v)
		case key == "lang":
			english = strings.HasPrefix(string(v), "en")
		}
		if !more {
			break
		}
	}
	if english { // a field for the English text, with an English example
		return nil
	}
	if value != "" && (tag == "button" || tag == "input" && (typ == "submit" || typ == "button" || typ == "reset")) {
		out = append(out, value)
	}
	// Inputs the browser draws in its own language, whatever the page's:
	// a date picker's mm/dd/yyyy and AM/PM, a file input's "Choose Files".
	// (A file input of ours lies transparent over our own button and text.)
	if tag == "input" && (typ == "date" || typ == "datetime-local" || typ == "time" || typ == "month" || typ == "week" || typ == "file" && !strings.Contains(class, "file-input")) {
		out = append(out, "the browser draws this input ("+typ+")")
	}
	return out
}

// partOfCode reports a match inside a code of the product's, which a
// Chinese page shows as it is: an event kind ("clock.warning
// clock.breached"), a field's key ("serial_number").
func partOfCode(txt string, at []int) bool {
	codeChar := func(b byte) bool { return b == '.' || b == '_' || b == '*' || b == '-' || b == '/' }
	return at[0] > 0 && codeChar(txt[at[0]-1]) || at[1] < len(txt) && codeChar(txt[at[1]])
}

// englishIn is the English a Chinese page shows outside data: the
// sentences of its text and of the attributes people read, except what
// data holds (names, descriptions people wrote) and the product's codes
// and commands.
func englishIn(doc, data string) []string {
	var out []string
	for _, txt := range visibleText(doc) {
		for _, at := range englishSentence.FindAllStringIndex(txt, -1) {
			m := txt[at[0]:at[1]]
			if strings.Contains(data, m) || strings.HasPrefix(m, "aftersales ") || partOfCode(txt, at) {
				continue
			}
			out = append(out, m)
		}
	}
	return out
}

// The crawl's reader finds two English words in a row in text, in the
// attributes people read and in a select's options, and leaves data,
// codes and the browser's inputs of ours alone.
func TestCrawlReadsWhatPeopleRead(t *testing.T) {
	doc := `<main><p>设备 Not found</p><input placeholder="Search here"><a title="Open record" href="/x">打开</a>
<button aria-label="Close dialog">×</button><img alt="Company logo" src="/l.png"><select><option>Send email</option></select>
<p>型号 CNC-500 重 12 kg</p><p>客户 Grace Ho</p><code>aftersales calendar import</code><p>事件 clock.warning clock.breached</p>
<p>周 Fri</p><p>用时 3h</p><input type="date" name="d"><input type="file" class="file-input" name="f"><input type="file" name="g">
<input type="submit" value="Save changes"><input lang="en" placeholder="Model name"><textarea>Free text typed</textarea></main>`
	got := englishIn(doc, "Grace Ho")
	want := []string{"Not found", "Search here", "Open record", "Close dialog", "Company logo", "Send email", "Fri", "3h",
		"the browser draws this input", "the browser draws this input", "Save changes"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("found %q\nwant  %q", got, want)
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
		UNION ALL SELECT description FROM documents UNION ALL SELECT title FROM documents
		UNION ALL SELECT name FROM organizations UNION ALL SELECT name FROM users UNION ALL SELECT name FROM sites
		UNION ALL SELECT address FROM sites UNION ALL SELECT contact_name FROM sites UNION ALL SELECT name FROM stock_locations
		UNION ALL SELECT name FROM service_points UNION ALL SELECT address FROM service_points`)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(texts, "\n")
}

// Every page each role reaches from its home, in Chinese, shows no English
// sentence except data people entered and the product's own commands.
func TestChinesePagesHaveNoEnglishSentences(t *testing.T) {
	t.Parallel()
	db := testutil.DemoDB(t)
	data := dataTexts(t, db)
	app := testutil.NewApp(t, db)
	found := map[string][]string{}
	for _, email := range []string{"admin@haichuan.example", "auditor@haichuan.example", "admin@hengxin.example", "dispatch@hengxin.example",
		"tech.li@hengxin.example", "service@sz-jinggong.example"} {
		c := signInDemo(t, app, email)
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
			for _, m := range englishIn(doc, data) {
				found[m] = append(found[m], email+" "+p)
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
