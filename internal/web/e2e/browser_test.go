// Package e2e drives the product in headless Chromium as people use it, and
// keeps screenshots of what they see. Set AFTERSALES_SCREENSHOTS to a folder
// to keep them; without it they go to a temporary folder.
package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/demo"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// browser is one Chromium tab on the product.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("AFTERSALES_TEST_BROWSER") == "require" {
		t.Fatal("Chromium is required (AFTERSALES_TEST_BROWSER=require) but not installed; scripts/test installs it")
	}
	t.Skip("Chromium not installed; run scripts/test to install it")
	return ""
}

// newApp serves the product with the demo data on a fresh SQLite database.
func newApp(t *testing.T) *testutil.App {
	db := testutil.NewDB(t, store.SQLite)
	if _, err := demo.Load(context.Background(), db, time.Now); err != nil {
		t.Fatal(err)
	}
	return testutil.NewApp(t, db)
}

func newBrowser(t *testing.T, app *testutil.App) *browser {
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	dir := os.Getenv("AFTERSALES_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The first action starts the browser, which lives as long as its context:
	// it must not carry a timeout.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx, chromedp.EmulateViewport(1280, 860)) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start chromium: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("chromium did not start within a minute")
	}
	return &browser{t: t, ctx: ctx, base: app.URL, dir: dir}
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base+path), chromedp.WaitVisible("footer"))
}

// text is the page's visible text.
func (b *browser) text() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text("body"))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

func (b *browser) mustSee(parts ...string) {
	b.t.Helper()
	txt := b.text()
	for _, p := range parts {
		if !strings.Contains(txt, p) {
			b.t.Fatalf("page lacks %q; it shows:\n%.1500s", p, txt)
		}
	}
}

func (b *browser) login(email string) {
	b.t.Helper()
	b.open("/login")
	b.do(chromedp.SendKeys(`input[name=email]`, email), chromedp.SendKeys(`input[name=password]`, demo.Password),
		chromedp.Click(`form[action="/login"] button[type=submit]`), chromedp.WaitVisible(`.topbar`))
}

func (b *browser) logout() {
	b.t.Helper()
	b.do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`form[action="/login"]`))
}

// shot saves the page at desktop size and, with phone set, at 390x844.
func (b *browser) shot(name string, phone bool) {
	b.t.Helper()
	b.save(name)
	if phone {
		b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitVisible("footer"))
		b.save(name + "-phone")
		b.do(chromedp.EmulateViewport(1280, 860), chromedp.Reload(), chromedp.WaitVisible("footer"))
	}
}

func (b *browser) save(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// submit clicks a submit button and waits for the next page to show wait.
// The current page is marked first, so that an element of the page being
// left (a flash of the previous step) cannot satisfy the wait.
func (b *browser) submit(click, wait string) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`), chromedp.Click(click),
		chromedp.WaitVisible(`body:not([data-stale]) `+wait))
}
