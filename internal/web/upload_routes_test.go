package web

import (
	"testing"

	"aftersales/internal/edge"
)

// Each route that changes something runs under the deadline of what it
// does: imports and uploads long, everything else short.
func TestDeadlinesByRoute(t *testing.T) {
	t.Parallel()
	d := edge.DefaultDeadlines
	for _, c := range []struct {
		method, path string
		want         edge.RouteDeadline
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
		if got := routeTable.Deadline(d, c.method, c.path); got != c.want {
			t.Errorf("%s %s: %+v, want %+v", c.method, c.path, got, c.want)
		}
	}
}
