package settlement

import (
	"reflect"
	"testing"

	"aftersales/internal/agreement"
)

// The windows of days the versions are in force on decide as InForce does.
func TestVersionWindowsAgreeWithInForce(t *testing.T) {
	t.Parallel()
	v := func(n int, from string) agreement.Version { return agreement.Version{Number: n, EffectiveFrom: from} }
	cases := []struct {
		versions []agreement.Version
		want     []versionWindow
	}{
		{nil, []versionWindow{{0, "0000-00-00", ""}}},
		{[]agreement.Version{v(1, "2026-01-01")}, []versionWindow{{1, "2026-01-01", ""}, {0, "0000-00-00", "2026-01-01"}}},
		{[]agreement.Version{v(2, "2026-12-06"), v(1, "2026-01-01")},
			[]versionWindow{{1, "2026-01-01", "2026-12-06"}, {2, "2026-12-06", ""}, {0, "0000-00-00", "2026-01-01"}}},
		// Two versions taking effect on one day: the later one is in force.
		{[]agreement.Version{v(1, "2026-01-01"), v(2, "2026-03-01"), v(3, "2026-03-01")},
			[]versionWindow{{1, "2026-01-01", "2026-03-01"}, {3, "2026-03-01", ""}, {0, "0000-00-00", "2026-01-01"}}},
	}
	for _, c := range cases {
		got := versionWindows(c.versions)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: %+v, want %+v", c.versions, got, c.want)
		}
		for _, day := range []string{"2025-12-31", "2026-01-01", "2026-02-28", "2026-03-01", "2026-12-05", "2026-12-06", "2027-06-01"} {
			want := 0
			if x, ok := agreement.InForce(c.versions, day); ok {
				want = x.Number
			}
			n := 0
			for _, w := range got {
				if day >= w.from && (w.to == "" || day < w.to) {
					n++
					if w.number != want {
						t.Errorf("%+v on %s: window of version %d, in force %d", c.versions, day, w.number, want)
					}
				}
			}
			if n != 1 {
				t.Errorf("%+v on %s: %d windows", c.versions, day, n)
			}
		}
	}
}
