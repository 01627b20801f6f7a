package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A vendor admin imports a large file on the page: the check and then the
// import run in the background while the page shows their progress; all
// rows arrive together.
func TestLargeImportShowsProgress(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	var csv strings.Builder
	csv.WriteString("序列号,型号,客户代码,网点名称,安装日期\n")
	const n = 15_000
	for i := range n {
		fmt.Fprintf(&csv, "BULK-2026-%06d,HC-CNC-850,sz-jinggong,苏州精工 一号厂房,2025/3/%d\n", i, 1+i%28)
	}
	file := filepath.Join(t.TempDir(), "设备清单.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, app)
	b := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	b.open("/units/import")
	b.do(chromedp.SetUploadFiles(`input[name=file]`, []string{file}))
	b.press(`form[action="/units/import"] button[type=submit]`, `#import-progress, form[action="/units/import/confirm"]`)
	b.shot("import-progress")
	// htmx polls the progress and moves on to the check's outcome.
	b.do(chromedp.WaitVisible(`form[action="/units/import/confirm"]`))
	b.see("body", fmt.Sprint(n))
	b.shot("import-checked")
	b.press(`form[action="/units/import/confirm"] button[type=submit]`, `#import-progress, .flash`)
	b.do(chromedp.WaitVisible(`.flash`))
	b.see("body", fmt.Sprintf("已导入 %d 台设备", n))
	b.open("/units?serial=BULK-2026-014999")
	b.see("body", "BULK-2026-014999")
}
