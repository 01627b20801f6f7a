package notify

import (
	"fmt"
	"strings"

	"aftersales/internal/i18n"
)

// Text is what an event says, rendered in each recipient's language when it
// is published: a Message from the catalogs, or a Localized text given in
// full (words a person wrote, such as an escalation's answer).
type Text interface {
	in(b *i18n.Bundle, locale string) string
	check(b *i18n.Bundle) error
}

// Message is a text from the message catalogs (internal/i18n, ids under
// "notify."): domain code names what to say and with which values, never
// the words. An argument that is itself a Text is rendered in the same
// language first, e.g. the clock's name.
type Message struct {
	ID   string
	Args map[string]any
}

// Msg is a Message with its arguments in pairs: Msg("notify.x", "Number", n).
func Msg(id string, pairs ...any) Message {
	m := Message{ID: id, Args: make(map[string]any, len(pairs)/2)}
	for i := 0; i+1 < len(pairs); i += 2 {
		name, ok := pairs[i].(string)
		if !ok {
			name = fmt.Sprint(pairs[i])
		}
		m.Args[name] = pairs[i+1]
	}
	return m
}

func (m Message) in(b *i18n.Bundle, locale string) string {
	args := make(map[string]any, len(m.Args))
	for k, v := range m.Args {
		if t, ok := v.(Text); ok {
			v = t.in(b, locale)
		}
		args[k] = v
	}
	return b.T(locale, m.ID, args)
}

func (m Message) check(b *i18n.Bundle) error {
	if !strings.HasPrefix(m.ID, "notify.") || !b.Has(m.ID) {
		return fmt.Errorf("message %q is not in the catalogs", m.ID)
	}
	for k, v := range m.Args {
		if t, ok := v.(Text); ok {
			if err := t.check(b); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	}
	return nil
}

// Localized is a text given per locale ("zh-CN", "en").
type Localized map[string]string

// In returns the text in locale, else in any other language given.
func (l Localized) In(locale string) string {
	if s := l[locale]; s != "" {
		return s
	}
	for _, k := range []string{"zh-CN", "en"} {
		if s := l[k]; s != "" {
			return s
		}
	}
	return ""
}

func (l Localized) in(_ *i18n.Bundle, locale string) string { return l.In(locale) }

func (l Localized) check(*i18n.Bundle) error { return nil }

// Render is t as a recipient with locale reads it; a nil Text is empty.
func Render(t Text, locale string) string { return render(i18n.Default(), t, locale) }

func render(b *i18n.Bundle, t Text, locale string) string {
	if t == nil {
		return ""
	}
	return t.in(b, locale)
}
