package e2e

import (
	"net/http"
	"testing"
)

// A link to the requests list with an agreement that is not a number shows
// the list's filter form and, above it, which filter is wrong and why, in
// the reader's language; it lists nothing and the person can filter again.
func TestBadFilterIsNamedAboveTheForm(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	dispatcher, _ := demoCrew(t, app.DB)
	br := newBrowser(t, app)
	for lang, want := range map[string]string{
		"zh-CN": "服务协议：“abc”不是不小于 1 的整数，请更正筛选条件后重试。",
		"en":    "Agreement: “abc” is not a whole number of 1 or more. Correct the filter and try again.",
	} {
		v := br.signedIn(t, desktop, lang, dispatcher.Email)
		v.open("/lang/" + lang + "?next=/profile") // the user's own language setting wins over the browser's
		if status := v.open("/requests?agreement_id=abc"); status != http.StatusBadRequest {
			t.Fatalf("%s: status %d", lang, status)
		}
		v.see(`main > .alert[role=alert]`, want)
		if n := v.count(`main form[method=get]`); n == 0 {
			t.Fatalf("%s: no filter form", lang)
		}
		if n := v.count(`table tbody a[href^="/requests/"]`); n != 0 {
			t.Fatalf("%s: %d requests listed under a bad filter", lang, n)
		}
		v.shot("bad-filter-" + lang)
		if status := v.open("/requests"); status != http.StatusOK {
			t.Fatalf("%s: the list without the filter: %d", lang, status)
		}
	}
}
