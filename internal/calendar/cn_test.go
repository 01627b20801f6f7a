package calendar

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// dateRange lists the dates from a to b inclusive ("2025-10-01", "2025-10-08").
func dateRange(a, b string) []string {
	var out []string
	for d, end := MustParseDate(a), MustParseDate(b); !d.After(end); d = d.AddDays(1) {
		out = append(out, d.String())
	}
	return out
}

func cnYear(year int, kind ExceptionKind) []string {
	var out []string
	for _, e := range CN().Exceptions() {
		if e.Date.Year == year && e.Kind == kind {
			out = append(out, e.Date.String())
		}
	}
	return out
}

// TestCN2025 checks the whole year against 国办发明电〔2024〕12号.
func TestCN2025(t *testing.T) {
	t.Parallel()
	var holidays []string
	holidays = append(holidays, "2025-01-01")                             // 元旦
	holidays = append(holidays, dateRange("2025-01-28", "2025-02-04")...) // 春节, 8 days
	holidays = append(holidays, dateRange("2025-04-04", "2025-04-06")...) // 清明节
	holidays = append(holidays, dateRange("2025-05-01", "2025-05-05")...) // 劳动节
	holidays = append(holidays, dateRange("2025-05-31", "2025-06-02")...) // 端午节
	holidays = append(holidays, dateRange("2025-10-01", "2025-10-08")...) // 国庆节、中秋节
	workdays := []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"}
	if len(holidays) != 28 {
		t.Fatalf("expectation has %d days off, the notice has 28", len(holidays))
	}
	assertYear(t, 2025, holidays, workdays)
}

// TestCN2026 checks the whole year against the notice of 2025-11-04.
func TestCN2026(t *testing.T) {
	t.Parallel()
	var holidays []string
	holidays = append(holidays, dateRange("2026-01-01", "2026-01-03")...) // 元旦
	holidays = append(holidays, dateRange("2026-02-15", "2026-02-23")...) // 春节, 9 days
	holidays = append(holidays, dateRange("2026-04-04", "2026-04-06")...) // 清明节
	holidays = append(holidays, dateRange("2026-05-01", "2026-05-05")...) // 劳动节
	holidays = append(holidays, dateRange("2026-06-19", "2026-06-21")...) // 端午节
	holidays = append(holidays, dateRange("2026-09-25", "2026-09-27")...) // 中秋节
	holidays = append(holidays, dateRange("2026-10-01", "2026-10-07")...) // 国庆节
	workdays := []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}
	if len(holidays) != 33 {
		t.Fatalf("expectation has %d days off, the notice has 33", len(holidays))
	}
	assertYear(t, 2026, holidays, workdays)
}

func assertYear(t *testing.T, year int, holidays, workdays []string) {
	t.Helper()
	if got := cnYear(year, Holiday); !slices.Equal(got, holidays) {
		t.Errorf("%d days off:\n got  %v\n want %v", year, got, holidays)
	}
	if got := cnYear(year, Workday); !slices.Equal(got, workdays) {
		t.Errorf("%d make-up workdays:\n got  %v\n want %v", year, got, workdays)
	}
}

func TestCNSpotChecks(t *testing.T) {
	t.Parallel()
	cn := CN()
	tests := []struct {
		name string
		date string
		kind ExceptionKind // "" means: no exception on that date
	}{
		{"2004 May Day golden week starts", "2004-05-01", Holiday},
		{"2004 May Day golden week ends", "2004-05-07", Holiday},
		{"2004 May Day make-up Saturday", "2004-05-08", Workday},
		{"2004 May Day make-up Sunday", "2004-05-09", Workday},
		{"2007 Qingming was not yet a day off", "2007-04-05", ""},
		{"2008 first Qingming day off", "2008-04-04", Holiday},
		{"2008 first Dragon Boat day off", "2008-06-09", Holiday},
		{"2008 first Mid-Autumn day off", "2008-09-15", Holiday},
		{"2008 May Day shortened to 3 days", "2008-05-04", Workday},
		{"2012 no make-up on an ordinary Wednesday", "2012-05-02", ""},
		{"2013 corrected: Qingming make-up Sunday", "2013-04-07", Workday},
		{"2013 corrected: National Day make-up Saturday", "2013-10-12", Workday},
		{"2015 victory anniversary day off", "2015-09-03", Holiday},
		{"2015 victory anniversary make-up Sunday", "2015-09-06", Workday},
		{"2019 revised May Day: 05-04 off", "2019-05-04", Holiday},
		{"2019 revised May Day: 05-05 worked", "2019-05-05", Workday},
		{"2020 extension: 01-31 off", "2020-01-31", Holiday},
		{"2020 extension: 02-01 off, no longer a make-up day", "2020-02-01", Holiday},
		{"2020 extension: 02-02 off", "2020-02-02", Holiday},
		{"2020 Feb 3 was an ordinary Monday", "2020-02-03", ""},
		{"make-up day in December for the next New Year", "2005-12-31", Workday},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := cn.Exception(MustParseDate(tc.date))
			if tc.kind == "" {
				if ok {
					t.Errorf("%s: unexpected %s %q", tc.date, e.Kind, e.Name)
				}
				return
			}
			if !ok || e.Kind != tc.kind {
				t.Errorf("%s: got %v %q, want %s", tc.date, ok, e.Kind, tc.kind)
			}
		})
	}
}

func TestCNInvariants(t *testing.T) {
	t.Parallel()
	cn := CN()
	if got := cn.CoveredYears(); len(got) != 23 || got[0] != 2004 || got[22] != 2026 {
		t.Errorf("CoveredYears = %v, want 2004..2026", got)
	}
	perYear := map[int]int{}
	for _, e := range cn.Exceptions() {
		if e.Name == "" {
			t.Errorf("%s has no name", e.Date)
		}
		if wd := e.Date.Weekday(); e.Kind == Workday && wd != time.Saturday && wd != time.Sunday {
			t.Errorf("make-up workday %s is a %s, not a weekend day", e.Date, wd)
		}
		if e.Kind == Holiday {
			perYear[e.Date.Year]++
		}
	}
	for y := CNFirstYear; y <= CNLastYear; y++ {
		if perYear[y] < 20 {
			t.Errorf("%d has only %d days off", y, perYear[y])
		}
	}
	if cn.ID() != "cn" || cn.Location().String() != "Asia/Shanghai" {
		t.Errorf("cn = %s", cn)
	}
}

func TestMissingYears(t *testing.T) {
	t.Parallel()
	cn := CN()
	tests := []struct {
		name string
		now  time.Time
		want []int
	}{
		{"mid 2026: nothing missing", cst(2026, 6, 1, 12, 0), nil},
		{"late November 2026: 2027 starts within 90 days", cst(2026, 11, 25, 12, 0), []int{2027}},
		{"early 2027: current year missing", cst(2027, 3, 1, 12, 0), []int{2027}},
		{"December 2027: both missing", cst(2027, 12, 15, 12, 0), []int{2027, 2028}},
		{"New Year's Eve in UTC is already 2027 in Beijing", time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), []int{2027}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cn.MissingYears(tc.now, 90*24*time.Hour); !slices.Equal(got, tc.want) {
				t.Errorf("MissingYears = %v, want %v", got, tc.want)
			}
		})
	}
	plain := MustNew(Spec{ID: "plain", TimeZone: "UTC", Week: OfficeWeek(Hours(9, 17))})
	if got := plain.MissingYears(cst(2030, 1, 1, 0, 0), 90*24*time.Hour); got != nil {
		t.Errorf("a calendar without official data reported %v", got)
	}
}

// testdata returns a folder of testdata/, failing the test when it is
// missing: the public calendars the cross-checks read are kept in the
// repository (testdata/holidays/README.md names their sources).
func testdata(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"testdata"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("test data missing: %v", err)
	}
	return p
}

// TestCNAgainstNateScarletJSON cross-checks 2025 and 2026 with the JSON
// published by NateScarlet/holiday-cn, which is scraped from the notices.
func TestCNAgainstNateScarletJSON(t *testing.T) {
	t.Parallel()
	dir := testdata(t, "holidays", "json")
	cn := CN()
	for _, year := range []int{2025, 2026} {
		raw, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(year)+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Days []struct {
				Name     string `json:"name"`
				Date     string `json:"date"`
				IsOffDay bool   `json:"isOffDay"`
			} `json:"days"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		listed := map[Date]bool{}
		for _, d := range doc.Days {
			date := MustParseDate(d.Date)
			listed[date] = true
			want := Workday
			if d.IsOffDay {
				want = Holiday
			}
			if e, ok := cn.Exception(date); !ok || e.Kind != want {
				t.Errorf("%s: json says %s (%s), built-in has %v %s", d.Date, want, d.Name, ok, e.Kind)
			}
		}
		for _, e := range cn.Exceptions() {
			if e.Date.Year == year && !listed[e.Date] {
				t.Errorf("%s %s is built in but not in the json", e.Date, e.Kind)
			}
		}
	}
}
