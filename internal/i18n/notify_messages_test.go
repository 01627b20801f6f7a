package i18n_test

import (
	"encoding/json"
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// notifyCall is one notify.Msg call in the product's source: the message
// id and the argument names given, when they are all literals.
type notifyCall struct {
	id, where string
	args      map[string]bool
	literal   bool // every argument name is a literal string
}

func notifyCalls(t *testing.T) []notifyCall {
	t.Helper()
	var out []notifyCall
	eachSourceFile(t, func(fset *token.FileSet, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) == 0 {
				return true
			}
			fn, ok := c.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, _ := fn.X.(*ast.Ident); x == nil || x.Name != "notify" || fn.Sel.Name != "Msg" {
				return true
			}
			lit, ok := c.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true // an id built at run time: its package's tests render it
			}
			call := notifyCall{where: fset.Position(lit.Pos()).String(), args: map[string]bool{}, literal: true}
			call.id, _ = strconv.Unquote(lit.Value)
			for i := 1; i < len(c.Args); i += 2 {
				name, ok := c.Args[i].(*ast.BasicLit)
				if !ok {
					call.literal = false
					continue
				}
				s, _ := strconv.Unquote(name.Value)
				call.args[s] = true
			}
			out = append(out, call)
			return true
		})
	})
	return out
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// Every notification text domain code names is in both catalogs, and each
// language's text uses only the values the call gives.
func TestNotificationMessagesAreInBothCatalogs(t *testing.T) {
	t.Parallel()
	catalogs := map[string]map[string]string{}
	for _, lang := range []string{"en", "zh-CN"} {
		// The language's catalog and the areas' catalogs of it.
		areas, _ := filepath.Glob("messages/*." + lang + ".json")
		m := map[string]string{}
		for _, name := range append([]string{"messages/" + lang + ".json"}, areas...) {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
		}
		catalogs[lang] = m
	}
	calls := notifyCalls(t)
	if len(calls) < 10 {
		t.Fatalf("found %d notify.Msg calls; the search is broken", len(calls))
	}
	for _, c := range calls {
		if !strings.HasPrefix(c.id, "notify.") {
			t.Errorf("%s: notification message %q is not under notify.", c.where, c.id)
		}
		for lang, m := range catalogs {
			text := strings.TrimSpace(m[c.id])
			if text == "" {
				t.Errorf("%s: %s lacks %s", c.where, lang, c.id)
				continue
			}
			if !c.literal {
				continue
			}
			for _, p := range placeholder.FindAllStringSubmatch(text, -1) {
				if !c.args[p[1]] {
					t.Errorf("%s: %s %s uses {{.%s}}, which the call does not give", c.where, lang, c.id, p[1])
				}
			}
		}
	}
}
