package agreement

import (
	"fmt"
	"testing"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	a := sampleTerms()
	a.ServicePoints = []ServicePoint{{Name: "苏州网点", Lat: 31.3, Lng: 120.6, RadiusKM: 80}, {Name: "杭州网点", Lat: 30.3, Lng: 120.2, RadiusKM: 60}}
	b := sampleTerms()
	b.ServiceArea = []string{"33", "32", "31"} // reordered, 3101 removed, 31 added
	b.Emergency.OnSiteHours = 6
	b.Emergency.CalendarID = "cn"
	b.CoveredModels = append(b.CoveredModels, "HC-PRESS-200")
	b.Resolution = &ResolutionTargets{EmergencyHours: 24}
	b.ServicePoints = []ServicePoint{{Name: "杭州网点", Lat: 30.3, Lng: 120.2, RadiusKM: 60}, {Name: "苏州网点", Lat: 31.3, Lng: 120.6, RadiusKM: 100}}
	b.SatisfactionPermille = 900

	got := Diff(a, b)
	want := []string{
		"covered_models added <nil> → HC-PRESS-200",
		"service_area removed 3101 → <nil>",
		"service_area added <nil> → 31",
		"service_points[苏州网点].radius_km changed 80 → 100",
		"emergency.onsite_hours changed 8 → 6",
		"emergency.calendar_id changed 24x7 → cn",
		"resolution.emergency_hours added <nil> → 24",
		"satisfaction_threshold_permille changed 925 → 900",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d changes, want %d: %+v", len(got), len(want), got)
	}
	for i, c := range got {
		if s := fmt.Sprintf("%s %s %v → %v", c.Field, c.Kind, c.From, c.To); s != want[i] {
			t.Errorf("change %d: %s, want %s", i, s, want[i])
		}
	}
	if d := Diff(a, a); len(d) != 0 {
		t.Errorf("a version differs from itself: %+v", d)
	}
	back := Diff(b, a)
	if len(back) != len(want) || back[6].Field != "resolution.emergency_hours" || back[6].Kind != Removed {
		t.Errorf("reverse diff: %+v", back)
	}
}
