package i18n_test

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"aftersales/internal/i18n"
)

// TestEveryNotificationKindHasAName keeps the notification list free of
// catalog keys: every kind the code publishes (notify.Event{Kind: ...},
// a literal or a literal prefix joined at run time) belongs to a group,
// the part before its first dot, named in both languages
// (notifykind.<group>), which names the kinds with no name of their own.
func TestEveryNotificationKindHasAName(t *testing.T) {
	t.Parallel()
	groups := map[string]string{} // group -> where
	eachSourceFile(t, func(fset *token.FileSet, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok || !isNotifyEvent(lit.Type, f.Name.Name) {
				return true
			}
			for _, e := range lit.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if k, _ := kv.Key.(*ast.Ident); !ok || k == nil || k.Name != "Kind" {
					continue
				}
				v := kv.Value
				if b, ok := v.(*ast.BinaryExpr); ok && b.Op == token.ADD {
					v = b.X
				}
				s, ok := v.(*ast.BasicLit)
				if !ok || s.Kind != token.STRING {
					continue // a kind passed in: its callers' literals are found where they build it
				}
				kind, _ := strconv.Unquote(s.Value)
				group, _, _ := strings.Cut(kind, ".")
				groups[group] = fset.Position(s.Pos()).String()
			}
			return true
		})
	})
	if len(groups) < 10 {
		t.Fatalf("found only %d groups of notification kinds: %v", len(groups), groups)
	}
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for group, where := range groups {
		if !b.Has("notifykind." + group) {
			t.Errorf("%s: kinds of %q have no name (notifykind.%s)", where, group, group)
		}
		for _, lang := range []string{"en", "zh-CN"} {
			if got := b.T(lang, "notifykind."+group); got == "" || got == "notifykind."+group {
				t.Errorf("%s: notifykind.%s has no %s text", where, group, lang)
			}
		}
	}
}

// isNotifyEvent tells whether a composite literal's type is notify.Event.
func isNotifyEvent(typ ast.Expr, pkg string) bool {
	switch x := typ.(type) {
	case *ast.SelectorExpr:
		id, _ := x.X.(*ast.Ident)
		return id != nil && id.Name == "notify" && x.Sel.Name == "Event"
	case *ast.Ident:
		return pkg == "notify" && x.Name == "Event"
	}
	return false
}
