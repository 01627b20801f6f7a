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
