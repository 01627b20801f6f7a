// Package e2e drives the product in headless Chromium the way people use
// it, on a desk and on a phone, in Chinese and in English, and keeps a
// screenshot of every page it checks. The tests share one Chromium; each
// person in a test is a visitor, a tab in a browser context of its own
// (cookies and storage), as a separate person on a separate machine would
// have.
//
// Screenshots are taken when AFTERSALES_SCREENSHOTS names a folder for them;
// without it every page is still checked for sideways overflow on each
// device, but not drawn into a picture nobody would open (the drawing was
// the largest part of Chromium's work in these tests). Without Chromium the tests
// skip, unless AFTERSALES_TEST_BROWSER=require, which makes that a failure.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"aftersales/internal/account"
	"aftersales/internal/demo"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// stepTimeout bounds one browser step, so a page that never arrives fails
// the test instead of hanging it.
const stepTimeout = 30 * time.Second

// device is a screen the pages are checked on.
type device struct {
	name          string
	width, height int64
	phone         bool
}

var (
	desktop = device{"desktop", 1280, 800, false}
	phone   = device{"phone", 390, 844, true}
	devices = []device{desktop, phone}
)

// chromium finds the browser, or skips (fails when it is required).
// AFTERSALES_TEST_CHROMIUM names one; else Chromium's headless shell comes
// first (Debian's chromium-headless-shell: the same engine without the
// browser's own windows and pages, and half the CPU for the same tests),
// then the browser itself.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("AFTERSALES_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("AFTERSALES_TEST_BROWSER") == "require" {
		t.Fatal("AFTERSALES_TEST_BROWSER=require, but no Chromium was found (install the Debian package chromium-headless-shell)")
	}
	t.Skip("browser tests skipped: no Chromium found (install the Debian package chromium-headless-shell, or set AFTERSALES_TEST_BROWSER=require to make this a failure)")
	return ""
}

// demoApp serves the product with the demo data on a fresh SQLite database
// of the test's own (a copy of the demo loaded once per test process).
func demoApp(t *testing.T) *testutil.App {
	t.Helper()
	return testutil.NewApp(t, testutil.DemoDB(t))
}

// shotDir is where screenshots and other pictures of the test go, and
// whether they are kept: the folder AFTERSALES_SCREENSHOTS names, else a
// temporary folder that disappears with the test.
func shotDir(t *testing.T) (dir string, keep bool) {
	t.Helper()
	dir = os.Getenv("AFTERSALES_SCREENSHOTS")
	if dir == "" {
		return t.TempDir(), false
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, true
}

// browser is the test's view of Chromium. Each visitor it opens has its
// own cookies, as a separate person on a separate machine would.
type browser struct {
	ctx   context.Context
	base  string
	dir   string // where pictures go
	shots bool   // whether pages are drawn into screenshots
}

// browserSlots bounds how many tests use Chromium at once: the tests run in
// parallel, and each page needs a good share of a core while it renders,
// so more at once would only make each step slower.
var browserSlots = make(chan struct{}, 3)

// newBrowser gives the test the process's Chromium, which serves the app.
// Chromium is started once per test process (starting it took 1.5 s of
// wall time per test): what a test must not share with another, its
// cookies and storage, lives in the browser contexts of its visitors,
// each new and closed with the test.
func newBrowser(t *testing.T, app *testutil.App) *browser {
	t.Helper()
	execPath := chromium(t)
	browserSlots <- struct{}{}
	t.Cleanup(func() { <-browserSlots }) // after the test's tabs have closed (cleanups run last first)
	ctx, err := sharedChromium(execPath)
	if err != nil {
		t.Fatal(err)
	}
	dir, keep := shotDir(t)
	return &browser{ctx: ctx, base: app.URL, dir: dir, shots: keep}
}

// The one Chromium of the test process, started by the first test that
// needs it and stopped by TestMain.
var (
	chromiumOnce   sync.Once
	chromiumCtx    context.Context
	chromiumErr    error
	chromiumStop   = func() {}
	chromiumTmpDir string
)

func TestMain(m *testing.M) {
	code := m.Run()
	chromiumStop()
	if chromiumTmpDir != "" {
		os.RemoveAll(chromiumTmpDir)
	}
	os.Exit(code)
}

func sharedChromium(execPath string) (context.Context, error) {
	chromiumOnce.Do(func() {
		chromiumTmpDir, chromiumErr = os.MkdirTemp("", "aftersales-chromium-")
		if chromiumErr != nil {
			return
		}
		// Puppeteer's defaults (which keep tabs that are not in front from being
		// throttled to a standstill), and what these machines need.
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(execPath),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.UserDataDir(chromiumTmpDir),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.Flag("mute-audio", true),
		)
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(actx)
		chromiumStop = func() { cancel(); cancelAlloc() }
		if chromiumErr = firstRun(ctx); chromiumErr != nil {
			chromiumErr = fmt.Errorf("start Chromium: %w", chromiumErr)
			return
		}
		chromiumCtx = ctx
	})
	return chromiumCtx, chromiumErr
}

// start makes the first run on ctx, which starts the browser or opens the
// tab: it lives as long as the context of that run, which must therefore
// carry no timeout, so the wait for it is bounded here instead.
func start(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if err := firstRun(ctx); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func firstRun(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		return errors.New("no answer within a minute")
	}
}

// visitor is one person at the browser, on a device, with the languages
// their browser asks for.
type visitor struct {
	*browser
	t   *testing.T
	ctx context.Context
	dev device
}

// visit opens a fresh tab with empty cookies, the size of dev, that asks for
// acceptLanguage; the tab closes when t ends.
func (b *browser) visit(t *testing.T, dev device, acceptLanguage string) *visitor {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	start(t, ctx, "open a tab")
	v := &visitor{browser: b, t: t, ctx: ctx, dev: dev}
	v.do(emulate(dev), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": acceptLanguage}})
		return err
	}))
	return v
}

func (v *visitor) do(actions ...chromedp.Action[chromedp.Void]) {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		v.t.Fatalf("browser: %v", err)
	}
}

// run runs action within a step's time and answers what it yields; what
// names the step when it fails.
func run[T any](v *visitor, what string, action chromedp.Action[T]) T {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.ctx, stepTimeout)
	defer cancel()
	x, err := chromedp.Run(ctx, action)
	if err != nil {
		v.t.Fatalf("%s: %v", what, err)
	}
	return x
}

// open loads path and waits for the page to be drawn (every page ends with
// the layout's footer); it returns the status.
func (v *visitor) open(path string) int64 {
	v.t.Helper()
	res := run(v, "open "+path, chromedp.NavigateResponse(v.base+path))
	v.do(chromedp.WaitVisible("footer"))
	return res.Status
}

// follow runs actions that load a new page (a click on a link or a button),
// waits for it, and returns its status.
func (v *visitor) follow(actions ...chromedp.Action[chromedp.Void]) int64 {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		v.t.Fatalf("browser: %v", err)
	}
	return res.Status
}

// path is the path (and query) of the page shown.
func (v *visitor) path() string {
	v.t.Helper()
	loc := v.eval(`location.href`)
	u, err := url.Parse(loc)
	if err != nil {
		v.t.Fatal(err)
	}
	return u.RequestURI()
}

// eval evaluates a JavaScript expression that yields a string.
func (v *visitor) eval(expr string) string {
	v.t.Helper()
	return run(v, "evaluate "+expr, chromedp.Evaluate[string](expr))
}

// text is the visible text of the first element matching sel.
func (v *visitor) text(sel string) string {
	v.t.Helper()
	return run(v, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// count is how many elements match sel.
func (v *visitor) count(sel string) int {
	v.t.Helper()
	return run(v, "count of "+sel, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
}

// see fails unless the element matching sel shows every one of want.
func (v *visitor) see(sel string, want ...string) {
	v.t.Helper()
	got := v.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			v.t.Fatalf("%s on %s does not show %q; it shows:\n%.1200s", sel, v.path(), w, got)
		}
	}
}

// notSee fails if the element matching sel shows any of unwanted.
func (v *visitor) notSee(sel string, unwanted ...string) {
	v.t.Helper()
	got := v.text(sel)
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			v.t.Fatalf("%s on %s shows %q, which it must not; it shows:\n%.1200s", sel, v.path(), w, got)
		}
	}
}

// lang is the language the page declares.
func (v *visitor) lang() string {
	v.t.Helper()
	return v.eval(`document.documentElement.lang`)
}

// fill puts value into the form field named name, replacing what is there.
// It sets the value as the browser's autofill would, rather than key by key,
// which is several times slower and tests nothing more on these plain forms.
func (v *visitor) fill(form, name, value string) {
	v.t.Helper()
	v.do(chromedp.SetValue(chromedp.CSS(form+` [name="`+name+`"]`), value))
}

// submit presses the form's submit button and returns the status of the page
// that comes back.
func (v *visitor) submit(form string) int64 {
	v.t.Helper()
	return v.follow(chromedp.Click(chromedp.CSS(form + ` button[type=submit]`)))
}

// signIn signs in through the login page and waits for the signed-in page.
func (v *visitor) signIn(email, password string) {
	v.t.Helper()
	if !strings.HasPrefix(v.path(), "/login") {
		v.open("/login")
	}
	const form = `form[action="/login"]`
	v.fill(form, "email", email)
	v.fill(form, "password", password)
	if status := v.submit(form); status != 200 {
		v.t.Fatalf("sign in as %s: status %d", email, status)
	}
	if v.count(".topbar") != 1 {
		v.t.Fatalf("sign in as %s did not reach a signed-in page; it shows:\n%.800s", email, v.text("main"))
	}
}

// signOut presses the sign-out button in the top bar.
func (v *visitor) signOut() {
	v.t.Helper()
	v.submit(`form[action="/logout"]`)
}

// press clicks a button that loads a new page and waits for the new page to
// show wait. The current page is marked first, so that an element of the
// page being left (a flash of the previous step) cannot satisfy the wait.
func (v *visitor) press(click, wait string) {
	v.t.Helper()
	v.do(chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`), chromedp.Click(click),
		chromedp.WaitVisible(`body:not([data-stale]) `+wait))
}

// shot checks that nothing on the page is wider than the screen, and saves
// the whole page as <name>-<device>.png when screenshots are kept.
func (v *visitor) shot(name string) {
	v.t.Helper()
	// A page that moves on by itself (htmx following a background job) may
	// be between two documents: wait until one is drawn.
	wide := loading
	for range 50 {
		v.do(chromedp.WaitVisible("footer"))
		if wide = v.eval(overflowing); wide != loading {
			break
		}
	}
	if wide != "" {
		v.t.Errorf("%s (%s): wider than the %dpx screen: %s", name, v.dev.name, v.dev.width, wide)
	}
	if !v.shots {
		return
	}
	// From the top: the page's sticky top bar would otherwise be drawn
	// across the middle of the whole-page picture, where the page was scrolled.
	v.eval(`scrollTo(0, 0), ''`)
	png := run(v, "screenshot "+name, chromedp.FullScreenshot(100))
	file := filepath.Join(v.dir, name+"-"+v.dev.name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		v.t.Fatal(err)
	}
}

// shotOf saves the element matching sel alone as <name>-<device>.png, at
// twice its size: a part of a page (an open form) to look at closely.
func (v *visitor) shotOf(name, sel string) {
	v.t.Helper()
	png := run(v, "screenshot of "+sel, chromedp.ScreenshotScale(sel, 2, chromedp.NodeVisible))
	file := filepath.Join(v.dir, name+"-"+v.dev.name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		v.t.Fatal(err)
	}
}

// shotBoth saves the page on the visitor's device and again on a phone,
// reloaded at the phone's size, then returns to the device.
func (v *visitor) shotBoth(name string) {
	v.t.Helper()
	v.shot(name)
	own := v.dev
	v.resize(phone)
	v.shot(name)
	v.resize(own)
}

// resize makes the tab the size of dev and reloads the page.
func (v *visitor) resize(dev device) {
	v.t.Helper()
	v.dev = dev
	v.do(emulate(dev), chromedp.Reload(), chromedp.WaitVisible("footer"))
}

func emulate(dev device) chromedp.Action[chromedp.Void] {
	if dev.phone {
		return chromedp.EmulateViewport(dev.width, dev.height, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	return chromedp.EmulateViewport(dev.width, dev.height)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`)
	return `'` + r.Replace(s) + `'`
}

// overflowing names the visible elements that stick out past the right edge
// of the screen, which would make the page scroll sideways ("" when none).
// Elements inside a container that scrolls on its own, or clips them, are
// fine.
const overflowing = `(() => {
  if (!document.documentElement || !document.body) return '` + loading + `';
  const w = document.documentElement.clientWidth, out = [];
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p); if (/(auto|scroll|hidden|clip)/.test(s.overflowX) && p !== document.body && p !== document.documentElement) return true; } return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= w + 1 || scrolls(el)) continue;
    out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') + ' right=' + Math.round(r.right));
    if (out.length >= 5) break;
  }
  return out.join(', ');
})()`

// loading is what overflowing answers between two documents.
const loading = "(loading)"

// demoUser is the demo's user with email.
func demoUser(t *testing.T, db *store.DB, email string) account.User {
	t.Helper()
	u, err := account.GetUserByEmail(t.Context(), db, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// fileRepair files a general repair of the demo's unit in scope, as by
// phone to the dispatcher by.
func fileRepair(t *testing.T, app *testutil.App, by account.User, description string) servicerequest.View {
	t.Helper()
	req, err := app.Server.Requests.Create(t.Context(), by.Actor(), servicerequest.NewRequest{SerialNumber: demo.SerialInScope,
		ServiceItem: "repair", Priority: "general", Description: description, Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	return req
}
