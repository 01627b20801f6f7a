package web

import (
	"testing"
	"time"
)

// Each route that changes something runs under the deadline of what it
// does: imports and uploads long, everything else short; a deadline left
// zero is the default.
func TestDeadlinesByRoute(t *testing.T) {
	t.Parallel()
	d := Deadlines{Ordinary: RouteDeadline{Total: time.Second}}.withDefaults()
	if d.Ordinary.Body != time.Second || d.Upload != DefaultDeadlines.Upload || d.Import != DefaultDeadlines.Import {
		t.Fatalf("defaults filled wrongly: %+v", d)
	}
	d = Deadlines{}.withDefaults()
	for _, c := range []struct {
		method, path string
		want         RouteDeadline
	}{
		{"POST", "/api/v1/units/imports", d.Import},
		{"POST", "/units/import", d.Import},
		{"POST", "/units/import/confirm", d.Import},
		{"POST", "/api/v1/calendars/cn/imports", d.Import},
		{"POST", "/api/v1/service-requests/12/photos", d.Upload},
		{"POST", "/api/v1/documents", d.Upload},
		{"POST", "/work-orders/7/photos", d.Upload},
		{"POST", "/q/abc", d.Upload},
		{"POST", "/api/v1/service-requests", d.Ordinary},
		{"PATCH", "/api/v1/documents", d.Ordinary},
		{"POST", "/login", d.Ordinary},
	} {
		if got := d.of(c.method, c.path); got != c.want {
			t.Errorf("%s %s: %+v, want %+v", c.method, c.path, got, c.want)
		}
	}
	if d.Ordinary.Total >= d.Upload.Total || d.Ordinary.Total >= d.Import.Total {
		t.Errorf("ordinary requests may take as long as uploads or imports: %+v", d)
	}
}
