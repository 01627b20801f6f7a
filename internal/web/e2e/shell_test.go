package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// Two roles sign in, in both languages, and see a finished shell.
func TestSignInAsTwoRolesInBothLanguages(t *testing.T) {
	app := newApp(t)
	b := newBrowser(t, app)

	b.open("/login")
	b.mustSee("登录", "服务协议的每一条")
	b.shot("login-zh", true)

	// A wrong password keeps the visitor on the sign-in page with the reason.
	b.do(chromedp.SendKeys(`input[name=email]`, "admin@haichuan.example"), chromedp.SendKeys(`input[name=password]`, "wrong password"))
	b.submit(`form[action="/login"] button[type=submit]`, `.alert`)
	b.mustSee("邮箱或密码错误")

	b.login("admin@haichuan.example")
	b.mustSee("您好", "厂商管理员", "组织", "服务协议")
	b.shot("home-vendor-admin-zh", true)
	b.open("/orgs")
	b.mustSee("华东恒信技术服务有限公司", "粤安机电服务有限公司")
	b.shot("orgs-zh", false)
	b.logout()

	// The switcher changes the language, and it is remembered.
	b.submit(`a[hreflang="en"]`, `form[action="/login"]`)
	b.mustSee("Sign in", "Every clause of the service agreement")
	b.shot("login-en", false)
	// The dispatcher's own setting is Chinese; switching in the top bar changes it.
	b.login("dispatch@hengxin.example")
	b.mustSee("调度员")
	b.submit(`.topbar a[hreflang="en"]`, `.topbar`)
	b.mustSee("Good to see you", "Dispatcher", "Calendars")
	b.shot("home-dispatcher-en", true)
	b.open("/calendars/cn?year=2026")
	b.mustSee("2026", "Deadline calculator")
	b.shot("calendar-cn-2026-en", false)
	b.logout()
	b.open("/")
	b.mustSee("Sign in")
}
