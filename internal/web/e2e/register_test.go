package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A vendor admin registers a customer through the form and gives it a user,
// who can then sign in. A form with a bad field says what is wrong next to
// that field, keeps what was typed, and saves nothing.
func TestVendorAdminRegistersCustomerAndAddsUser(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	b := newBrowser(t, app)
	ctx := context.Background()
	countOrgs := func(name string) int {
		t.Helper()
		n := testutil.SelectOne[int](t, app.DB, `SELECT count(*) FROM organizations WHERE name = ?`, name)
		return n
	}
	const (
		name  = "宁波远航物流有限公司"
		code  = "nb-yuanhang"
		email = "qian@nb-yuanhang.example"
	)

	v := b.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	v.follow(chromedp.Click(chromedp.CSS(`.mainnav a[href="/orgs"]`)))
	v.follow(chromedp.Click(chromedp.CSS(`main a[href="/orgs/new"]`)))
	v.see("h1", "登记组织")

	// A code another organization has: the error sits at the code field.
	const form = `form[action="/orgs"]`
	v.fill(form, "kind", "customer")
	v.fill(form, "name", name)
	v.fill(form, "code", "hengxin")
	if status := v.submit(form); status != 422 {
		t.Fatalf("taken code: status %d, want 422", status)
	}
	v.see(form+` label:has(input[name=code]) .err`, "hengxin")
	if n := v.count(form + ` .err`); n != 1 {
		t.Fatalf("%d field errors shown, want 1 (at the code)", n)
	}
	if got := v.eval(`document.querySelector('` + form + ` input[name=name]').value`); got != name {
		t.Fatalf("the name typed is not kept: %q", got)
	}
	if got := v.eval(`document.querySelector('` + form + ` select[name=kind]').value`); got != "customer" {
		t.Fatalf("the kind chosen is not kept: %q", got)
	}
	if n := countOrgs(name); n != 0 {
		t.Fatalf("a form with a bad field saved %d organizations", n)
	}
	v.shot("org-new-error-zh")

	v.fill(form, "code", code)
	if status := v.submit(form); status != 200 {
		t.Fatalf("register: status %d", status)
	}
	v.see(".flash", "已登记 "+name)
	v.see("h1", name)
	v.see(".page-head", "客户", code)
	var kind string
	if err := store.Get(ctx, app.DB, &kind, `SELECT kind FROM organizations WHERE code = ?`, code); err != nil || kind != "customer" {
		t.Fatalf("registered organization: kind %q, %v", kind, err)
	}

	// Add the customer's first user.
	v.follow(chromedp.Click(chromedp.CSS(`.page-head a[href$="/users/new"]`)))
	v.see("h1", "添加用户")
	const userForm = `form[action$="/users"]`
	v.fill(userForm, "name", "钱经理")
	v.fill(userForm, "email", email)
	v.fill(userForm, "role", "customer")
	v.fill(userForm, "password", "nb-yuanhang-2026")
	if status := v.submit(userForm); status != 200 {
		t.Fatalf("add user: status %d", status)
	}
	v.see(".flash", "钱经理")
	v.see("main table", "钱经理", "客户", email)
	v.shot("org-new-user-zh")

	// The new user's language follows their browser: English here.
	u := b.visit(t, desktop, "en-GB,en;q=0.8")
	u.signIn(email, "nb-yuanhang-2026")
	u.see(".topbar", "Organizations")
	u.see("main", "Good to see you, 钱经理", "Customer", name)
}
