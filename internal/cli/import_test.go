package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestImportUnitsCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "a.db")
	if code, _, errOut := run(t, "demo", "--db", dsn); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	csv := "序列号,型号,客户代码,网点名称,安装日期\nCLI-0001,HC-CNC-850,sz-jinggong,苏州精工 一号厂房,2025/3/7\nCLI-0002,HC-LASER-3015,hz-mingde,杭州明德医院 设备科,2025-03-08\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(csv))
	good := filepath.Join(dir, "units.csv")
	if err := os.WriteFile(good, gbk, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte(csv+"DEMO-IN-SCOPE-1,HC-CNC-850,sz-jinggong,苏州精工 一号厂房,2025/3/9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "import", "units", bad, "--db", dsn)
	if code != 1 || !strings.Contains(out, "line 4 serial_number") || !strings.Contains(errOut, "nothing was imported") {
		t.Fatalf("bad file: %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut = run(t, "import", "units", good, "--dry-run", "--vendor", "haichuan", "--db", dsn); code != 0 || !strings.Contains(out, "gbk") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut = run(t, "import", "units", good, "--db", dsn); code != 0 || !strings.Contains(out, "Imported 2 units") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	if code, _, _ = run(t, "import", "units", good, "--db", dsn); code != 1 {
		t.Fatal("importing the same file twice succeeded")
	}
	if code, _, _ = run(t, "import", "units", good, "--vendor", "hengxin", "--db", dsn); code != 2 {
		t.Fatalf("a provider as --vendor: exit %d", code)
	}
}

// The commands that take one FILE refuse none, two, or a missing one with a
// usage error (exit 2), and accept the file before or after the flags.
func TestFileArguments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "a.db")
	for _, args := range [][]string{
		{"import", "units", "--db", dsn},
		{"import", "units", "a.csv", "b.csv", "--db", dsn},
		{"calendar", "import", "--db", dsn},
		{"import", "units", "--bogus", "a.csv"},
	} {
		if code, _, errOut := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut)
		}
	}
	if code, _, errOut := run(t, "import", "units", "--dry-run", "--db", dsn, filepath.Join(dir, "missing.csv")); code == 0 || !strings.Contains(errOut, "missing.csv") {
		t.Errorf("missing file: exit %d, %s", code, errOut)
	}
}
