package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/testutil"
)

// A number, a decimal or a date that is not one, posted in a real form,
// is named under its input with 422 and nothing is saved: the forms used
// to read it as zero and go on.
func TestFormsNameBadNumbersAndDates(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		admin := signIn(t, app, f.Users[policy.ProviderAdmin].Email)
		get(t, admin, app.URL+"/lang/en?next=/").Body.Close()
		tech := fmt.Sprintf("%s/staff/technicians/%d", app.URL, f.Users[policy.Technician].ID)
		for _, c := range []struct {
			name, path string
			form       url.Values
			field, msg string
			rows       string // what a saved form would have added
		}{
			{"a word for a radius", app.URL + "/staff/points",
				url.Values{"name": {"苏州网点"}, "address": {"苏州市虎丘区 2 号"}, "division": {"320505"}, "lat": {"31.3"}, "lng": {"120.6"}, "radius_km": {"sixty"}, "phone": {"0512-66881234"}},
				"radius_km", "must be a whole number", `SELECT COUNT(*) FROM service_points`},
			{"hours with a unit", tech + "/trainings",
				url.Values{"course": {"数控系统维修 II"}, "held_on": {"2026-03-02"}, "hours": {"7.5h"}, "trainer": {"王工"}, "result": {"passed"}},
				"hours", "must be a number such as 12.5", `SELECT COUNT(*) FROM trainings`},
			{"a score in words", tech + "/assessments",
				url.Values{"period": {"2026-Q1"}, "score": {"九十"}, "assessor": {"李经理"}},
				"score", "must be a whole number", `SELECT COUNT(*) FROM assessments`},
			{"no such month", tech + "/leave",
				url.Values{"starts_at": {"2026-13-01 09:00"}, "ends_at": {"2026-12-02 18:00"}, "reason": {"年假"}},
				"starts_at", "must be a date and time like 2026-12-01 09:30", `SELECT COUNT(*) FROM technician_leave`},
			{"token days in words", app.URL + "/profile/tokens",
				url.Values{"name": {"ci"}, "expires_in_days": {"thirty"}},
				"expires_in_days", "must be a whole number", `SELECT COUNT(*) FROM api_tokens`},
		} {
			before := count(t, app.DB, c.rows)
			res, html := post(t, admin, c.path, c.form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", c.name, res.StatusCode)
				continue
			}
			if !strings.Contains(html, `<span class="err">`+c.msg+`</span>`) {
				t.Errorf("%s: the page does not say %q under %s", c.name, c.msg, c.field)
			}
			if !strings.Contains(html, `name="`+c.field+`"`) {
				t.Errorf("%s: the form came back without its input %s", c.name, c.field)
			}
			if after := count(t, app.DB, c.rows); after != before {
				t.Errorf("%s: %d rows before, %d after", c.name, before, after)
			}
		}
	})
}
