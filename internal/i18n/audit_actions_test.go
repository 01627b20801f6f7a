package i18n_test

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"aftersales/internal/i18n"
)

// Every audit action the product records with a literal name has a name
// in both languages, so the audit trail never shows "unit create".
func TestAuditActionsNamed(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	zh, err := i18n.Catalog("messages", "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	eachSourceFile(t, func(fset *token.FileSet, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) < 6 {
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, isIdent := sel.X.(*ast.Ident); !isIdent || x.Name != "audit" || sel.Sel.Name != "Record" {
				return true
			}
			lit, ok := c.Args[5].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			action, _ := strconv.Unquote(lit.Value)
			found++
			if !b.Has("action."+action) || strings.TrimSpace(zh["action."+action]) == "" {
				t.Errorf("%s: audit action %s has no name in both languages", fset.Position(lit.Pos()), action)
			}
			return true
		})
	})
	if found < 20 {
		t.Fatalf("found %d audit actions; the search is broken", found)
	}
}
