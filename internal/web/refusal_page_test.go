package web_test

import (
	"net/http"
	"strings"
	"testing"

	"aftersales/internal/testutil"
)

// The 403 page of a refused action says it as a sentence in the reader's
// language: the role, the action and the scope in words, never a code.
func TestRefusalPageNamesTheActionInWords(t *testing.T) {
	demoEngines(t, func(t *testing.T, app *testutil.App) {
		c := signInDemo(t, app, "dispatch@hengxin.example") // may not adjust stock
		for _, tc := range []struct{ lang, want string }{
			{"zh-CN", "调度员无权为本组织登记盘点调整"},
			{"en", "A dispatcher may not book a stocktake adjustment for their own organization"},
		} {
			res := get(t, c, app.URL+"/lang/"+tc.lang+"?next=/")
			res.Body.Close()
			res = get(t, c, app.URL+"/stock/move?kind=adjust")
			html := body(t, res)
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("%s: %d, want 403", tc.lang, res.StatusCode)
			}
			if !strings.Contains(html, tc.want) {
				t.Errorf("%s: the page does not say %q", tc.lang, tc.want)
			}
			if strings.Contains(html, "stock.adjust") {
				t.Errorf("%s: the page names the action's code", tc.lang)
			}
		}
	})
}
