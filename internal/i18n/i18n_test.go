package i18n

import (
	"fmt"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		prefs []string
		want  string
	}{
		{nil, "zh-CN"},
		{[]string{"en-GB,en;q=0.9"}, "en"},
		{[]string{"zh-TW"}, "zh-CN"},
		{[]string{"", "en"}, "en"},
		{[]string{"garbage;;q=x", "en"}, "en"},
		{[]string{"de-DE"}, "zh-CN"},
		{[]string{"de-DE,en;q=0.5"}, "en"},
	} {
		if got := Match(c.prefs...); got != c.want {
			t.Errorf("Match(%q) = %s, want %s", c.prefs, got, c.want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"en", "zh-CN,zh;q=0.9", "*", ";q=", "x-\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := Match(s); got != "en" && got != "zh-CN" {
			t.Fatalf("Match(%q) = %q", s, got)
		}
	})
}

func TestBothLanguagesHaveTheSameMessages(t *testing.T) {
	t.Parallel()
	load := func(lang string) map[string]string {
		m, err := Catalog("messages", lang)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	en, zh := load("en"), load("zh-CN")
	for k := range en {
		if strings.TrimSpace(zh[k]) == "" {
			t.Errorf("zh-CN lacks %s", k)
		}
	}
	for k := range zh {
		if strings.TrimSpace(en[k]) == "" {
			t.Errorf("en lacks %s", k)
		}
	}
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := b.T("zh-CN", "home.greeting", map[string]any{"Name": "李工"}); !strings.Contains(got, "李工") {
		t.Errorf("template data: %q", got)
	}
	if got := b.T("en", "no.such.id"); got != "no.such.id" {
		t.Errorf("missing id: %q", got)
	}
}

// TestPlainMessagesReadAsLocalized checks the shortcut of T for messages
// with no placeholders: every message, in both languages, reads as go-i18n
// renders it, and a message with placeholders still takes its data.
func TestPlainMessagesReadAsLocalized(t *testing.T) {
	b, en := loadedWithEnglish(t)
	shortcuts := 0
	for _, lang := range []string{"zh-CN", "en"} {
		for id := range en {
			if _, ok := b.plain[lang][id]; ok {
				shortcuts++
			}
			if got, want := b.T(lang, id), b.localize(lang, id, nil); got != want {
				t.Errorf("T(%s, %s) = %q, go-i18n gives %q", lang, id, got, want)
			}
		}
	}
	if shortcuts < len(en) {
		t.Errorf("only %d of %d messages take the shortcut in two languages", shortcuts, 2*len(en))
	}
	if got := b.T("zh-CN", "no.such.message"); got != "no.such.message" {
		t.Errorf("an unknown id reads %q, want the id", got)
	}
}

// TestFilledMessagesReadAsLocalized checks the shortcut of T for messages
// whose only placeholders are {{.Name}}: every such message, in both
// languages, reads as go-i18n renders it with a string for each name (one
// with characters a template might treat otherwise), and data that lacks a
// name or gives it another type goes through go-i18n as before.
func TestFilledMessagesReadAsLocalized(t *testing.T) {
	b, en := loadedWithEnglish(t)
	filled := 0
	for _, lang := range []string{"zh-CN", "en"} {
		for id := range en {
			f, ok := b.filled[lang][id]
			if !ok {
				continue
			}
			filled++
			data := map[string]any{}
			for i, name := range f.names {
				data[name] = fmt.Sprintf("<%s & {{.%d}} 李%d>", name, i, i)
			}
			if got, want := b.T(lang, id, data), b.localize(lang, id, data); got != want {
				t.Errorf("T(%s, %s) = %q, go-i18n gives %q", lang, id, got, want)
			}
			delete(data, f.names[0])
			if got, want := b.T(lang, id, data), b.localize(lang, id, data); got != want {
				t.Errorf("T(%s, %s) without %s = %q, go-i18n gives %q", lang, id, f.names[0], got, want)
			}
			data[f.names[0]] = 42
			if got, want := b.T(lang, id, data), b.localize(lang, id, data); got != want {
				t.Errorf("T(%s, %s) with a number = %q, go-i18n gives %q", lang, id, got, want)
			}
		}
	}
	if _, ok := b.filled["zh-CN"]["notify.received.subject"]; !ok || filled < 100 {
		t.Errorf("only %d messages are filled without a template, notify.received.subject among them: %v", filled, ok)
	}
}

// What notify does for every message it publishes, inside the writer's
// transaction, costs no allocation: telling a message id is written, and
// matching a user's stored language.
func TestHasAndStoredLanguageAllocateNothing(t *testing.T) {
	b := Default()
	if !b.Has("notify.received.subject") || b.Has("notify.no_such_message") {
		t.Fatal("Has is wrong")
	}
	if Match("en") != "en" || Match("zh-CN") != "zh-CN" {
		t.Fatal("Match of a stored language is wrong")
	}
	if n := testing.AllocsPerRun(100, func() {
		_ = b.Has("notify.received.subject")
		_ = Match("zh-CN")
		_ = Match("en")
	}); n != 0 {
		t.Errorf("%v allocations a run, want none", n)
	}
}

// loadedWithEnglish is the bundle and the English catalog, whose ids are
// every message's.
func loadedWithEnglish(t *testing.T) (*Bundle, map[string]string) {
	t.Helper()
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en, err := Catalog("messages", "en")
	if err != nil {
		t.Fatal(err)
	}
	return b, en
}
