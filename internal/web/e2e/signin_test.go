package e2e

import (
	"strings"
	"testing"

	"aftersales/internal/demo"
)

// A wrong password keeps the visitor on the sign-in page with the reason and
// what they typed; after signing out, the pages send them back to sign in.
func TestWrongPasswordAndSignOut(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	b := newBrowser(t, app)
	v := b.visit(t, desktop, "zh-CN")

	v.open("/login")
	const form = `form[action="/login"]`
	v.fill(form, "email", "tech.li@hengxin.example")
	v.fill(form, "password", "not-the-password")
	if status := v.submit(form); status != 401 {
		t.Fatalf("wrong password: status %d, want 401", status)
	}
	if p := v.path(); p != "/login" {
		t.Fatalf("wrong password leads to %s, want the sign-in page", p)
	}
	v.see(`.login-card [role=alert]`, "邮箱或密码错误")
	if n := v.count(".topbar"); n != 0 {
		t.Fatal("wrong password shows a signed-in page")
	}
	if got := v.eval(`document.querySelector('input[name=email]').value`); got != "tech.li@hengxin.example" {
		t.Fatalf("the email typed is not kept: %q", got)
	}
	if got := v.eval(`document.querySelector('input[name=password]').value`); got != "" {
		t.Fatal("the wrong password is sent back into the form")
	}
	v.shot("login-failed-zh")

	// The right password from the same form signs in.
	v.fill(form, "password", demo.Password)
	v.submit(form)
	if p := v.path(); p != "/" {
		t.Fatalf("signing in leads to %s, want /", p)
	}
	v.see("main", "您好，李工", "技术人员")

	v.signOut()
	if p := v.path(); p != "/login" {
		t.Fatalf("signing out leads to %s, want /login", p)
	}
	for _, page := range []string{"/", "/profile"} {
		v.open(page)
		if p := v.path(); !strings.HasPrefix(p, "/login") {
			t.Fatalf("after signing out, %s shows %s instead of the sign-in page", page, p)
		}
		if v.count(form) != 1 || v.count(".topbar") != 0 {
			t.Fatalf("after signing out, %s does not show the sign-in form", page)
		}
	}
	// Signing in again returns to the page that was asked for.
	v.fill(form, "email", "tech.li@hengxin.example")
	v.fill(form, "password", demo.Password)
	v.submit(form)
	if p := v.path(); p != "/profile" {
		t.Fatalf("signing in from /profile's redirect leads to %s", p)
	}
}
