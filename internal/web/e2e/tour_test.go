package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"aftersales/internal/demo"
	"aftersales/internal/testutil"
)

// Two roles of two organizations sign in, one in Chinese and one in
// English, and go through the pages of the shell on a desk and on a phone:
// home, organizations, an organization, the profile with a new API token,
// and the audit trail. The language comes from the browser, from the
// switcher and from the user's own setting.
func TestTourInBothLanguages(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	b := newBrowser(t, app)
	for _, dev := range devices {
		t.Run(dev.name, func(t *testing.T) {
			t.Run("vendor admin in Chinese", func(t *testing.T) { vendorAdminInChinese(t, app, b, dev) })
			t.Run("dispatcher switches to English", func(t *testing.T) { dispatcherInEnglish(t, app, b, dev) })
			t.Run("auditor's own setting wins", func(t *testing.T) { auditorInEnglish(t, b, dev) })
		})
	}
}

func vendorAdminInChinese(t *testing.T, app *testutil.App, b *browser, dev device) {
	// A browser that asks for English gets the sign-in page in English.
	v := b.visit(t, dev, "en-US,en;q=0.9")
	v.open("/login")
	if got := v.lang(); got != "en" {
		t.Fatalf("login page for an English browser declares lang %q", got)
	}
	v.see("main", "Sign in", "Every clause of the service agreement")
	v.notSee("main", "登录")
	v.shot("login-en")

	// The switcher turns it into Chinese.
	v.follow(chromedp.Click(chromedp.CSS(`.login-card a[hreflang="zh-CN"]`)))
	if got := v.lang(); got != "zh-CN" {
		t.Fatalf("after choosing 中文 the page declares lang %q", got)
	}
	v.see("main", "登录", "服务协议的每一条")
	v.notSee("main", "Sign in")
	v.shot("login-zh")

	v.signIn("admin@haichuan.example", demo.Password)
	v.see(".topbar", "首页", "组织", "服务协议", "审计记录")
	v.notSee(".topbar", "Organizations")
	v.see("main", "您好，周海川", "厂商管理员", "海川智能装备有限公司")
	v.shot("home-vendor-admin-zh")

	v.follow(chromedp.Click(chromedp.CSS(`.mainnav a[href="/orgs"]`)))
	v.see("h1", "组织")
	v.see("main", "华东恒信技术服务有限公司", "粤安机电服务有限公司", "服务商")
	v.shot("orgs-zh")

	v.clickLink("main", "华东恒信技术服务有限公司")
	v.see("h1", "华东恒信技术服务有限公司")
	v.see("main", "用户", "陈恒信", "王调度", "调度员", "技术人员")
	v.shot("org-zh")

	secret := v.createToken("ERP 对接", "新令牌")
	if res := app.API(t, secret).Do("GET", "/me", nil); res.Status != 200 || !strings.Contains(string(res.Body), "admin@haichuan.example") {
		t.Fatalf("the token shown on the profile does not sign in to the API as its owner: %d %s", res.Status, res.Body)
	}
	v.shot("profile-token-zh")

	v.follow(chromedp.Click(chromedp.CSS(`.mainnav a[href="/audit"]`)))
	v.see("h1", "审计记录")
	v.see("main table", "admin@haichuan.example", "创建了 API 令牌")
	v.shot("audit-zh")

	v.signOut()
	v.see("main", "登录")
}

func dispatcherInEnglish(t *testing.T, app *testutil.App, b *browser, dev device) {
	// A browser that asks for Chinese gets Chinese until the user switches.
	v := b.visit(t, dev, "zh-CN,zh;q=0.9,en;q=0.5")
	v.open("/login")
	if got := v.lang(); got != "zh-CN" {
		t.Fatalf("login page for a Chinese browser declares lang %q", got)
	}
	v.see("main", "登录")
	v.signIn("dispatch@hengxin.example", demo.Password)
	v.see(".topbar", "组织")
	v.see("main", "调度员")

	v.follow(chromedp.Click(chromedp.CSS(`.topbar a[hreflang="en"]`)))
	if got := v.lang(); got != "en" {
		t.Fatalf("after choosing English the page declares lang %q", got)
	}
	v.see(".topbar", "Home", "Organizations", "Calendars")
	v.notSee(".topbar", "组织", "Audit")
	v.see("main", "Good to see you", "Dispatcher", "华东恒信技术服务有限公司")
	v.shot("home-dispatcher-en")

	v.follow(chromedp.Click(chromedp.CSS(`.mainnav a[href="/orgs"]`)))
	v.see("h1", "Organizations")
	v.see("main", "华东恒信技术服务有限公司", "Provider")
	v.shot("orgs-en")

	v.clickLink("main", "华东恒信技术服务有限公司")
	v.see("main", "Users", "王调度", "Dispatcher", "Technician")
	v.shot("org-en")

	secret := v.createToken("Dispatch board", "Your new token")
	if res := app.API(t, secret).Do("GET", "/me", nil); res.Status != 200 || !strings.Contains(string(res.Body), "dispatch@hengxin.example") {
		t.Fatalf("the token shown on the profile does not sign in to the API as its owner: %d %s", res.Status, res.Body)
	}
	v.shot("profile-token-en")

	v.open("/calendars/cn?year=2026")
	v.see("main", "2026", "Deadline calculator")
	v.shot("calendar-cn-2026-en")

	// The choice is kept: after signing out the sign-in page stays English,
	// and it is the dispatcher's setting now, on any browser.
	v.signOut()
	v.see("main", "Sign in")
	again := b.signedIn(t, dev, "zh-CN,zh;q=0.9", "dispatch@hengxin.example")
	again.see(".topbar", "Organizations")

	// And switching back works the same way.
	again.follow(chromedp.Click(chromedp.CSS(`.topbar a[hreflang="zh-CN"]`)))
	if got := again.lang(); got != "zh-CN" {
		t.Fatalf("after choosing 中文 the page declares lang %q", got)
	}
	again.see(".topbar", "组织")
}

func auditorInEnglish(t *testing.T, b *browser, dev device) {
	// The auditor's own setting (English) wins over a Chinese browser.
	v := b.signedIn(t, dev, "zh-CN,zh;q=0.9", "auditor@haichuan.example")
	if got := v.lang(); got != "en" {
		t.Fatalf("the auditor's pages declare lang %q", got)
	}
	v.see(".topbar", "Organizations", "Audit trail")
	v.see("main", "Good to see you, Lin Auditor", "Vendor auditor")
	v.shot("home-vendor-auditor-en")

	v.follow(chromedp.Click(chromedp.CSS(`.mainnav a[href="/audit"]`)))
	v.see("h1", "Audit trail")
	v.see("main table", "uploaded a document")
	v.shot("audit-en")
}

// clickLink follows the first link inside scope whose text contains text.
func (v *visitor) clickLink(scope, text string) {
	v.t.Helper()
	href := v.eval(`(() => { for (const a of document.querySelectorAll(` + jsString(scope+" a") + `))
	  if (a.textContent.includes(` + jsString(text) + `)) return a.getAttribute('href'); return ''; })()`)
	if href == "" {
		v.t.Fatalf("no link %q on %s", text, v.path())
	}
	v.follow(chromedp.Click(chromedp.CSS(scope + ` a[href="` + href + `"]`)))
}

// createToken creates an API token on the profile page and returns the
// secret it shows once.
func (v *visitor) createToken(name, announce string) string {
	v.t.Helper()
	v.follow(chromedp.Click(chromedp.CSS(`.topbar a.who`)))
	const form = `form[action="/profile/tokens"]`
	v.fill(form, "name", name)
	if status := v.submit(form); status != 201 {
		v.t.Fatalf("create token: status %d", status)
	}
	v.see(".alert.secret", announce)
	secret := strings.TrimSpace(v.text(".alert.secret code.token"))
	if len(secret) < 20 {
		v.t.Fatalf("the new token shown is %q", secret)
	}
	v.see("#tokens table", name)
	return secret
}
