package spreadsheet

import "testing"

func TestGuard(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                        "",
		"主轴报警":                    "主轴报警",
		"=HYPERLINK(\"x\",\"y\")": "'=HYPERLINK(\"x\",\"y\")",
		"+86 755 1234":            "'+86 755 1234",
		"-1":                      "'-1",
		"@SUM(A1)":                "'@SUM(A1)",
		"\tx":                     "'\tx",
		"'quoted":                 "''quoted",
		"a=b":                     "a=b",
	} {
		if got := Guard(in); got != want {
			t.Errorf("Guard(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever the text, guarding and unguarding gives it back, and a guarded
// cell never starts with a formula character.
func FuzzGuard(f *testing.F) {
	for _, s := range []string{"", "=1+1", "'", "''=", "-", "abc", "'abc", "@", "\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g := Guard(s)
		if g != "" && (g[0] == '=' || g[0] == '+' || g[0] == '-' || g[0] == '@' || g[0] == '\t' || g[0] == '\r') {
			t.Fatalf("Guard(%q) = %q starts a formula", s, g)
		}
		if back := Unguard(g); back != s {
			t.Fatalf("Unguard(Guard(%q)) = %q", s, back)
		}
	})
}
