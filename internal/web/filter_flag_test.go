package web_test

import (
	"net/http"
	"strings"
	"testing"

	"aftersales/internal/testutil"
)

// A list's switch reads 1 as on and 0 as off; another value is named with
// a 400 and no list, never read as on for being there. The demo has one
// overdue return of two.
func TestFilterSwitchesAreRead(t *testing.T) {
	demoEngines(t, func(t *testing.T, app *testutil.App) {
		c := signInDemo(t, app, "admin@haichuan.example")
		rows := func(html string) int { return strings.Count(html, "BRG-2025-04") }
		for q, want := range map[string]int{"": 2, "?overdue=1": 1, "?overdue=0": 2} {
			res := get(t, c, app.URL+"/returns"+q)
			if html := body(t, res); res.StatusCode != http.StatusOK || rows(html) != want {
				t.Errorf("/returns%s: %d, %d rows, want %d", q, res.StatusCode, rows(html), want)
			}
		}
		for _, u := range []string{"/returns?overdue=no", "/complaints?late=x"} {
			res := get(t, c, app.URL+u)
			if html := body(t, res); res.StatusCode != http.StatusBadRequest || rows(html) != 0 || strings.Contains(html, "filters.field.") {
				t.Errorf("%s: %d, %d rows", u, res.StatusCode, rows(html))
			}
		}
	})
}
