// Package i18n translates the user interface into zh-CN and en. Messages
// live in JSON catalogs named for their language: en.json and zh-CN.json
// hold what the product began with, and an area of the product may keep its
// own pair (settlement.en.json, settlement.zh-CN.json); an id lives in one
// catalog only. A missing translation falls back to English, then to the
// message id, so a page never breaks for want of one.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed messages/*.json problems/*.json
var files embed.FS

// Supported are the languages of the interface, the default first.
var Supported = []language.Tag{language.SimplifiedChinese, language.English}

// Names are the languages as shown in the switcher, in their own script.
var Names = map[string]string{"zh-CN": "中文", "en": "English"}

var matcher = language.NewMatcher(Supported)

// Bundle holds every message in every language.
type Bundle struct {
	b          *goi18n.Bundle
	localizers map[string]*goi18n.Localizer
	// problems maps, per language, the English format of an error message
	// (as domain code writes it, e.g. "is longer than %d characters") to
	// that language's format. English has a few too: the page's wording of
	// a message whose English detail, as the API answers it, names codes
	// ("role dispatcher may not stock.adjust (own)"); the page says words.
	problems map[string]map[string]string
	// words are, per language, the messages by id: the words of enum values
	// inside translated problems (problem.Word). English reads them only
	// inside a message that has an English page wording.
	words map[string]map[string]string
	// plain are, per language, the messages with no placeholders, as T
	// returns them (the English one where the language has none): a page
	// translates a few hundred words, and go-i18n's Localize builds and
	// runs a template for each.
	plain map[string]map[string]string
	// filled are, per language, the messages whose only placeholders are
	// {{.Name}}, split at them (the English one where the language has
	// none): T fills them with the values given, when each is a string,
	// as text/template would print them, without running go-i18n's
	// template (a notification's texts are rendered inside the writer's
	// turn on SQLite, and the template's run cost more than its insert).
	filled map[string]map[string]fill
	// english are the ids of the English messages (Has).
	english map[string]bool
}

// fill is a message split at its {{.Name}} placeholders: texts has one
// more element than names, the text before each placeholder and the rest.
type fill struct {
	texts, names []string
}

// placeholder is a {{.Name}} placeholder, Name its submatch.
var placeholder = regexp.MustCompile(`\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// fillOf splits text at its placeholders; false if it has other actions
// (or none at all).
func fillOf(text string) (fill, bool) {
	var f fill
	at := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(text, -1) {
		f.texts = append(f.texts, text[at:m[0]])
		f.names = append(f.names, text[m[2]:m[3]])
		at = m[1]
	}
	f.texts = append(f.texts, text[at:])
	for _, t := range f.texts {
		if strings.Contains(t, "{{") {
			return fill{}, false
		}
	}
	return f, len(f.names) > 0
}

// with is the message filled with data; false unless data gives every
// placeholder a string.
func (f fill) with(data map[string]any) (string, bool) {
	n := 0
	for _, t := range f.texts {
		n += len(t)
	}
	for _, name := range f.names {
		v, ok := data[name].(string)
		if !ok {
			return "", false
		}
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	for i, name := range f.names {
		b.WriteString(f.texts[i])
		b.WriteString(data[name].(string))
	}
	b.WriteString(f.texts[len(f.names)])
	return b.String(), true
}

// Load returns the embedded messages, read once per process: a Bundle is
// only read, so every service shares one (reading the catalogs costs
// about a hundred milliseconds of CPU).
var Load = sync.OnceValues(load)

func load() (*Bundle, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	words := map[string]map[string]string{}
	for _, lang := range []string{"en", "zh-CN"} {
		m, err := Catalog("messages", lang)
		if err != nil {
			return nil, err
		}
		words[lang] = m
		names, _ := fs.Glob(files, "messages/*"+lang+".json")
		for _, name := range names {
			if _, err := b.LoadMessageFileFS(files, name); err != nil {
				return nil, fmt.Errorf("load %s: %w", name, err)
			}
		}
	}
	out := &Bundle{b: b, localizers: map[string]*goi18n.Localizer{}, problems: map[string]map[string]string{}, words: words}
	for _, lang := range []string{"en", "zh-CN"} {
		m, err := Catalog("problems", lang)
		if err != nil {
			return nil, err
		}
		out.problems[lang] = m
	}
	for _, code := range []string{"zh-CN", "en"} {
		out.localizers[code] = goi18n.NewLocalizer(b, code, "en")
	}
	en, err := Catalog("messages", "en")
	if err != nil {
		return nil, err
	}
	out.english = make(map[string]bool, len(en))
	for id := range en {
		out.english[id] = true
	}
	out.plain = map[string]map[string]string{}
	out.filled = map[string]map[string]fill{}
	for _, code := range []string{"zh-CN", "en"} {
		out.plain[code] = map[string]string{}
		out.filled[code] = map[string]fill{}
		for id, text := range en {
			if own, ok := words[code][id]; ok {
				text = own
			}
			if !strings.Contains(text, "{{") {
				out.plain[code][id] = out.localize(code, id, nil)
			} else if f, ok := fillOf(text); ok {
				out.filled[code][id] = f
			}
		}
	}
	return out, nil
}

// Catalog merges the embedded catalogs of one language in dir ("messages"
// or "problems"): lang.json and every area.lang.json. An id written in two
// catalogs is an error, so that no area overrides another's text by accident.
func Catalog(dir, lang string) (map[string]string, error) {
	names, err := fs.Glob(files, dir+"/*.json")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, name := range names {
		base := path.Base(name)
		if base != lang+".json" && !strings.HasSuffix(base, "."+lang+".json") {
			continue
		}
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("load %s: %w", name, err)
		}
		for k, v := range m {
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("load %s: %q is already in another %s catalog", name, k, lang)
			}
			out[k] = v
		}
	}
	return out, nil
}

// Match picks the supported language for preferences such as a cookie
// value, a user setting or an Accept-Language header, first match wins.
func Match(prefs ...string) string {
	for _, p := range prefs {
		switch p {
		case "":
			continue
		case "zh-CN", "en":
			return p // a user's stored setting, as most calls have it: no parsing
		}
		tags, _, err := language.ParseAcceptLanguage(p)
		if err != nil || len(tags) == 0 {
			continue
		}
		tag, _, conf := matcher.Match(tags...)
		if conf == language.No {
			continue
		}
		if base, _ := tag.Base(); base.String() == "zh" {
			return "zh-CN"
		}
		return "en"
	}
	return "zh-CN"
}

// T translates id into lang; data fills {{.Name}} placeholders.
func (b *Bundle) T(lang, id string, data ...map[string]any) string {
	if len(data) == 0 {
		if s, ok := b.plain[lang][id]; ok {
			return s
		}
		return b.localize(lang, id, nil)
	}
	if f, ok := b.filled[lang][id]; ok {
		if s, ok := f.with(data[0]); ok {
			return s
		}
	}
	return b.localize(lang, id, data[0])
}

// localize is T through go-i18n.
func (b *Bundle) localize(lang, id string, data map[string]any) string {
	l, ok := b.localizers[lang]
	if !ok {
		l = b.localizers["en"]
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if data != nil {
		cfg.TemplateData = data
	}
	s, err := l.Localize(cfg)
	if err != nil || s == "" {
		return id
	}
	return s
}

// Has reports whether id has an English message (tests use it to find
// message ids used in templates but never written; notify checks every
// event's texts with it, inside the transaction that publishes it).
func (b *Bundle) Has(id string) bool {
	return b.english[id]
}

// ProblemFormat returns lang's format for an English error message format,
// or false when there is none (an untranslated message, or English for
// all but the few messages with an English page wording). Asked for a
// message id (the word of an enum value inside a problem, problem.Word), it
// returns lang's message; problem.Error.Translate asks for words only
// inside a message it translated, so English keeps the values of every
// other message as they are.
func (b *Bundle) ProblemFormat(lang, format string) (string, bool) {
	if t, ok := b.problems[lang][format]; ok {
		return t, true
	}
	t, ok := b.words[lang][format]
	return t, ok
}

// Key turns an enum value into its message id, e.g. ("role", "vendor_admin")
// into "role.vendor_admin".
func Key(prefix, value string) string { return prefix + "." + strings.ToLower(value) }

// Default is the embedded catalogs, loaded once. They are part of the
// binary and checked by the package's tests, so loading cannot fail at run
// time; code that renders texts outside a page (notifications) uses it.
var Default = sync.OnceValue(func() *Bundle {
	b, err := Load()
	if err != nil {
		panic(err)
	}
	return b
})
