package i18n_test

import (
	"strings"
	"testing"

	"aftersales/internal/i18n"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// Every action of the policy has its word in both languages, an infinitive
// phrase, so that a refusal names what was refused ("book a stocktake
// adjustment"), never the action's code ("stock.adjust"); and no word is
// left for an action that is gone.
func TestPolicyActionsHaveWords(t *testing.T) {
	t.Parallel()
	actions := policy.Actions()
	if len(actions) < 70 {
		t.Fatalf("policy.Actions lists only %d actions", len(actions))
	}
	known := map[string]bool{}
	for _, lang := range []string{"en", "zh-CN"} {
		m, err := i18n.Catalog("messages", lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range actions {
			w := problem.Enum("may.", a)
			known[w.ID] = true
			text, ok := m[w.ID]
			switch {
			case !ok:
				t.Errorf("%s: no %s word %q", a, lang, w.ID)
			case text == "" || strings.Contains(text, string(a)):
				t.Errorf("%s: %s word %q does not say it in words", a, lang, text)
			}
		}
		for id := range m {
			if strings.HasPrefix(id, "may.") && !known[id] {
				t.Errorf("%s word %q names no action of the policy", lang, id)
			}
		}
	}
}

// A refusal on a page is a sentence ("A dispatcher may not book a stocktake
// adjustment for their own organization"): every role has its words as the
// sentence's subject and every scope its phrase, in both languages.
func TestRefusalSubjectsAndScopesHaveWords(t *testing.T) {
	t.Parallel()
	var words []problem.Word
	for _, r := range policy.Roles {
		words = append(words, problem.Enum("role_subject.", r))
	}
	for _, s := range []policy.Scope{policy.Self, policy.Own, policy.Partner, policy.Unrelated} {
		words = append(words, problem.Enum("scope_for.", s))
	}
	for _, lang := range []string{"en", "zh-CN"} {
		m, err := i18n.Catalog("messages", lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range words {
			if strings.TrimSpace(m[w.ID]) == "" {
				t.Errorf("no %s word %q", lang, w.ID)
			}
		}
	}
}
