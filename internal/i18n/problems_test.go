package i18n_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"aftersales/internal/i18n"
	"aftersales/internal/problem"
)

// problemFormats finds, in the product's source, every literal message
// format given to problem.New, problem.Field and problem.Fields.Add.
func problemFormats(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{} // format -> where
	eachSourceFile(t, func(fset *token.FileSet, f *ast.File) {
		usesProblem := false
		for _, imp := range f.Imports {
			usesProblem = usesProblem || imp.Path.Value == `"aftersales/internal/problem"`
		}
		inProblem := f.Name.Name == "problem"
		if !usesProblem && !inProblem {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) < 1 {
				return true
			}
			at := 1 // the format's argument
			switch fn := c.Fun.(type) {
			case *ast.SelectorExpr:
				if _, call := fn.X.(*ast.CallExpr); call { // w.Header().Add(...)
					return true
				}
				x, _ := fn.X.(*ast.Ident)
				switch {
				case x != nil && x.Name == "problem" && (fn.Sel.Name == "New" || fn.Sel.Name == "Field"):
				case x != nil && x.Name == "problem" && fn.Sel.Name == "Msg":
					at = 0
				case x != nil && x.Name == "problem" && fn.Sel.Name == "Because":
					at = 2
				case fn.Sel.Name == "Add":
				default:
					return true
				}
			case *ast.Ident:
				if !inProblem || fn.Name != "Msg" {
					return true
				}
				at = 0
			default:
				return true
			}
			if len(c.Args) <= at {
				return true
			}
			if lit, ok := c.Args[at].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				out[s] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	})
	return out
}

// eachSourceFile parses every Go file of the product (tests left out) and
// hands it to fn.
func eachSourceFile(t *testing.T, fn func(fset *token.FileSet, f *ast.File)) {
	t.Helper()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		fn(fset, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// sampleArgs gives a value of the right kind for each verb of an English format.
func sampleArgs(format string) []any {
	var args []any
	for _, v := range verb.FindAllString(format, -1) {
		switch v[len(v)-1] {
		case '%':
		case 'd':
			args = append(args, 7)
		case 'f':
			args = append(args, 1.5)
		default:
			args = append(args, "x")
		}
	}
	return args
}

// TestProblemMessagesTranslated keeps the zh-CN error messages complete:
// every message format in the code has a translation that uses the same
// arguments, and no translation is left for a message that is gone.
func TestProblemMessagesTranslated(t *testing.T) {
	t.Parallel()
	zh, err := i18n.Catalog("problems", "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	formats := problemFormats(t)
	var missing []string
	for f, where := range formats {
		tr, ok := zh[f]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s: %q", where, f))
			continue
		}
		args := sampleArgs(f)
		if got := fmt.Sprintf(tr, args...); strings.Contains(got, "%!") {
			t.Errorf("%q: translation %q does not take the same arguments: %s", f, tr, got)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("no zh-CN translation for %s", m)
	}
	for f := range zh {
		if _, ok := formats[f]; !ok {
			t.Errorf("zh-CN translation for a message no longer in the code: %q", f)
		}
	}
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := b.ProblemFormat("zh-CN", "is required"); !ok || got == "is required" {
		t.Errorf("ProblemFormat(zh-CN, is required) = %q, %v", got, ok)
	}
	if _, ok := b.ProblemFormat("en", "is required"); ok {
		t.Error("English has translations of English")
	}
}

// TestEnumWordsHaveMessages keeps the words of enum values inside problems
// (problem.Enum(prefix, value)) translatable: every prefix the code gives
// names messages in both languages, and zh-CN's problems read them while
// English keeps the value as it is.
func TestEnumWordsHaveMessages(t *testing.T) {
	t.Parallel()
	prefixes := map[string]string{}
	eachSourceFile(t, func(fset *token.FileSet, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) != 2 {
				return true
			}
			if fn, ok := c.Fun.(*ast.SelectorExpr); !ok || fn.Sel.Name != "Enum" {
				return true
			} else if x, ok := fn.X.(*ast.Ident); !ok || x.Name != "problem" {
				return true
			}
			lit, ok := c.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: problem.Enum's prefix is not a literal", fset.Position(c.Pos()))
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			prefixes[s] = fset.Position(lit.Pos()).String()
			return true
		})
	})
	if len(prefixes) < 10 {
		t.Fatalf("found only %d prefixes: %v", len(prefixes), prefixes)
	}
	for _, lang := range []string{"en", "zh-CN"} {
		m, err := i18n.Catalog("messages", lang)
		if err != nil {
			t.Fatal(err)
		}
		for p, where := range prefixes {
			n := 0
			for id := range m {
				if strings.HasPrefix(id, p) {
					n++
				}
			}
			if n == 0 {
				t.Errorf("%s: no %s message starts with %q", where, lang, p)
			}
		}
	}
	b := i18n.Default()
	if got, ok := b.ProblemFormat("zh-CN", "agreement_status.terminated"); !ok || got != "已终止" {
		t.Errorf("zh-CN word: %q %v", got, ok)
	}
	// English says the value as it is, but in a message with an English
	// page wording (policy's refusal).
	terminated := problem.New(problem.Conflict, "agreement is %s", problem.Enum("agreement_status.", "terminated"))
	if got := terminated.Translate(func(f string) (string, bool) { return b.ProblemFormat("en", f) }).Detail; got != "agreement is terminated" {
		t.Errorf("English translates the value: %q", got)
	}
}

// TestEnglishPageWordings keeps the English page wordings (problems/*.en.json)
// to messages in the code, taking the same arguments.
func TestEnglishPageWordings(t *testing.T) {
	t.Parallel()
	en, err := i18n.Catalog("problems", "en")
	if err != nil {
		t.Fatal(err)
	}
	formats := problemFormats(t)
	for f, tr := range en {
		if _, ok := formats[f]; !ok {
			t.Errorf("English page wording for a message not in the code: %q", f)
		}
		if got := fmt.Sprintf(tr, sampleArgs(f)...); strings.Contains(got, "%!") {
			t.Errorf("%q: English page wording %q does not take the same arguments: %s", f, tr, got)
		}
	}
}
