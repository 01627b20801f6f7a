package calendar

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Small fixtures written for these tests, each imitating one way public
// China-holiday calendars are published.

// Block events, CRLF, VTIMEZONE, a fold inside a Chinese character.
var icsBlocks = strings.ReplaceAll(`BEGIN:VCALENDAR
VERSION:2.0
X-WR-CALNAME:节假日
BEGIN:VTIMEZONE
TZID:Asia/Shanghai
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0800
TZOFFSETTO:+0800
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
SUMMARY:上班(补国庆节假期)
DTSTART;VALUE=DATE:20250928
DTEND;VALUE=DATE:20250929
DTSTAMP;VALUE=DATE:20250928
END:VEVENT
BEGIN:VEVENT
SUMMARY:国庆节、中秋节`+"\xe5\x81"+"\n \x87"+`期
DTSTART;VALUE=DATE:20251001
DTEND;VALUE=DATE:20251009
END:VEVENT
END:VCALENDAR
`, "\n", "\r\n")

// One event per day, make-up days timed 09:00-18:00 in floating time with an
// alarm, LF only, a long unfolded line.
var icsPerDay = `BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
DTSTART;VALUE=DATE:20260101
DTEND;VALUE=DATE:20260102
SUMMARY:元旦 假期 第1天/共3天
DESCRIPTION:一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。` + strings.Repeat("这是一条很长的说明。", 20) + `
STATUS:CONFIRMED
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20260102
SUMMARY:元旦 假期 第2天/共3天
END:VEVENT
BEGIN:VEVENT
DTSTART:20260104T090000
DTEND:20260104T180000
SUMMARY:元旦 补班 第1天/共1天
STATUS:TENTATIVE
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:明天要上班
TRIGGER:-PT12H
END:VALARM
END:VEVENT
END:VCALENDAR
`

// Apple style: X-APPLE-SPECIAL-DAY, no DTEND, festival RRULEs, solar terms,
// an overlap of two day-off events.
var icsApple = `BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
DTSTART;VALUE=DATE:20251001
DTEND;VALUE=DATE:20251009
SUMMARY;LANGUAGE=zh_CN:国庆节（休）
X-APPLE-SPECIAL-DAY:WORK-HOLIDAY
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20251006
SUMMARY;LANGUAGE=zh_CN:中秋节（休）
X-APPLE-SPECIAL-DAY:WORK-HOLIDAY
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20251011
SUMMARY;LANGUAGE=zh_CN:国庆节（班）
X-APPLE-SPECIAL-DAY:ALTERNATE-WORKDAY
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20251006
SUMMARY;LANGUAGE=zh_CN:中秋节
RRULE:FREQ=YEARLY;COUNT=6
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20251008
SUMMARY;LANGUAGE=zh_CN:寒露
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20270206
SUMMARY;LANGUAGE=zh_CN:春节
END:VEVENT
END:VCALENDAR
`

// Emoji summaries, the holiday's words only in DESCRIPTION, blank lines,
// events out of order.
var icsEmoji = `BEGIN:VCALENDAR
VERSION:2.0

BEGIN:VEVENT
DTSTART;VALUE=DATE:20260509
DTEND;VALUE=DATE:20260510
SUMMARY:😡 补班
DESCRIPTION:劳动节放假后补班，5月9日（周六）上班
END:VEVENT

BEGIN:VEVENT
DTSTART;VALUE=DATE:20260501
DTEND;VALUE=DATE:20260506
SUMMARY:😊 劳动节
DESCRIPTION:劳动节放假调休，5月1日至5日放假调休，共5天
END:VEVENT

END:VCALENDAR
`

func describe(res ImportResult) string {
	var parts []string
	for _, e := range res.Exceptions {
		k := "休"
		if e.Kind == Workday {
			k = "班"
		}
		parts = append(parts, e.Date.String()[5:]+k+e.Name)
	}
	return strings.Join(parts, " ")
}

func warningCodes(res ImportResult) map[string]int {
	m := map[string]int{}
	for _, w := range res.Warnings {
		m[w.Code]++
	}
	return m
}

func TestParseICS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		input    string
		want     string
		warnings map[string]int
	}{
		{"blocks, CRLF, fold inside a character", icsBlocks,
			"09-28班国庆节 10-01休国庆节、中秋节 10-02休国庆节、中秋节 10-03休国庆节、中秋节 10-04休国庆节、中秋节 " +
				"10-05休国庆节、中秋节 10-06休国庆节、中秋节 10-07休国庆节、中秋节 10-08休国庆节、中秋节", map[string]int{}},
		{"one event per day, timed make-up day, alarm", icsPerDay,
			"01-01休元旦 01-02休元旦 01-04班元旦", map[string]int{WarnTimed: 1}},
		{"apple marks, no DTEND, RRULE, solar terms, overlap", icsApple,
			"10-01休国庆节 10-02休国庆节 10-03休国庆节 10-04休国庆节 10-05休国庆节 10-06休国庆节 10-07休国庆节 10-08休国庆节 10-11班国庆节",
			map[string]int{WarnDuplicate: 1, WarnRecurring: 1, WarnUnmarked: 2}},
		{"emoji, words only in description", icsEmoji,
			"05-01休劳动节 05-02休劳动节 05-03休劳动节 05-04休劳动节 05-05休劳动节 05-09班劳动节", map[string]int{}},
		{"valid calendar without events", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "", map[string]int{WarnEmpty: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ParseICS([]byte(tc.input), nil)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := describe(res); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if got := warningCodes(res); len(got) != len(tc.warnings) {
				t.Errorf("warnings %v, want %v", res.Warnings, tc.warnings)
			} else {
				for code, n := range tc.warnings {
					if got[code] != n {
						t.Errorf("warning %s: %d, want %d (%v)", code, got[code], n, res.Warnings)
					}
				}
			}
			for _, w := range res.Warnings {
				if w.Code != WarnEmpty && w.Line == 0 {
					t.Errorf("warning without a line: %+v", w)
				}
			}
		})
	}
}

func TestParseICSYears(t *testing.T) {
	t.Parallel()
	res, err := ParseICS([]byte(icsApple), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Years) != 1 || res.Years[0] != (YearSummary{Year: 2025, Holidays: 8, Workdays: 1}) {
		t.Errorf("years = %+v", res.Years)
	}
	if line := res.Line(MustParseDate("2025-10-11")); line != 14 {
		t.Errorf("line of 2025-10-11 = %d, want 14", line)
	}
}

func TestParseICSErrors(t *testing.T) {
	t.Parallel()
	ev := func(body string) string {
		return "BEGIN:VCALENDAR\nBEGIN:VEVENT\n" + body + "END:VEVENT\nEND:VCALENDAR\n"
	}
	tests := []struct {
		name  string
		input string
		want  LineError
	}{
		{"not a calendar", "hello\nworld\n", LineError{Line: 1, Field: "", Reason: "not an iCalendar"}},
		{"bad start", ev("SUMMARY:春节（休）\nDTSTART;VALUE=DATE:2025-01-28\n"), LineError{Line: 4, Field: "DTSTART", Reason: "not a date"}},
		{"no such day", ev("SUMMARY:春节（休）\nDTSTART;VALUE=DATE:20250230\n"), LineError{Line: 4, Field: "DTSTART", Reason: "no such day"}},
		{"missing start", ev("SUMMARY:春节（休）\n"), LineError{Line: 2, Field: "DTSTART", Reason: "no start"}},
		{"bad end", ev("SUMMARY:春节（休）\nDTSTART;VALUE=DATE:20250128\nDTEND;VALUE=DATE:x\n"), LineError{Line: 5, Field: "DTEND", Reason: "not a date"}},
		{"absurdly long block", ev("SUMMARY:春节（休）\nDTSTART;VALUE=DATE:20250101\nDTEND;VALUE=DATE:20260101\n"), LineError{Line: 2, Field: "DTEND", Reason: "365 days"}},
		{"contradiction names both lines",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:国庆节（休）\nDTSTART;VALUE=DATE:20251001\nDTEND;VALUE=DATE:20251009\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nSUMMARY:国庆节（班）\nDTSTART;VALUE=DATE:20251008\nEND:VEVENT\nEND:VCALENDAR\n",
			LineError{Line: 7, Field: "kind", Reason: "holiday on line 2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseICS([]byte(tc.input), nil)
			var ie *ImportErrors
			if !errors.As(err, &ie) || len(ie.Errors) != 1 {
				t.Fatalf("want one import error, got %v", err)
			}
			g := ie.Errors[0]
			if g.Line != tc.want.Line || g.Field != tc.want.Field || !strings.Contains(g.Reason, tc.want.Reason) {
				t.Errorf("got %+v, want %+v", g, tc.want)
			}
		})
	}
}

func TestHolidayName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"上班(补春节假期)":     "春节",
		"春节 假期 第1天/共9天": "春节",
		"春节 补班 第1天/共2天": "春节",
		"😊 春节":          "春节",
		"国庆节（休）":        "国庆节",
		"😡 补班":          "",
	} {
		if got := holidayName(in, ""); got != want {
			t.Errorf("holidayName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseICSSharedFiles imports each public calendar kept in testdata/.
// For every year a file covers, the working days it implies must be those of
// the built-in data; for 2025 and 2026 the listed days must be
// exactly the built-in ones. (Some files, like the notices themselves, leave
// out weekend days inside a block, e.g. 2024-06-08/09: that changes nothing.)
func TestParseICSSharedFiles(t *testing.T) {
	t.Parallel()
	dir := testdata(t, "holidays", "ics")
	files, err := filepath.Glob(filepath.Join(dir, "*.ics"))
	if err != nil || len(files) < 6 {
		t.Fatalf("want the 6 public calendars in %s, found %v (%v)", dir, files, err)
	}
	cn := CN()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := ParseICS(data, nil)
			if err != nil {
				t.Fatalf("import failed: %v", err)
			}
			byDate := map[Date]ExceptionKind{}
			for _, e := range res.Exceptions {
				byDate[e.Date] = e.Kind
			}
			imported, err := New(Spec{ID: "imported", TimeZone: "Asia/Shanghai",
				Week: OfficeWeek(Hours(9, 12), Hours(13, 18)), Exceptions: res.Exceptions})
			if err != nil {
				t.Fatal(err)
			}
			for _, y := range res.Years {
				if !yearCovered(res, y.Year) {
					continue
				}
				for d := (Date{y.Year, 1, 1}); d.Year == y.Year; d = d.AddDays(1) {
					if got, want := imported.IsWorkingDay(d), cn.IsWorkingDay(d); got != want {
						t.Errorf("%s: working day per file %v, built-in %v", d, got, want)
					}
				}
			}
			for _, year := range []int{2025, 2026} {
				if !yearCovered(res, year) {
					t.Logf("%d not covered by this file", year)
					continue
				}
				for _, e := range cn.Exceptions() {
					if e.Date.Year == year && byDate[e.Date] != e.Kind {
						t.Errorf("%s: built-in %s, file %q", e.Date, e.Kind, byDate[e.Date])
					}
				}
				for d, k := range byDate {
					if d.Year != year {
						continue
					}
					if e, ok := cn.Exception(d); !ok || e.Kind != k {
						t.Errorf("%s: file %s, built-in %v %q", d, k, ok, e.Kind)
					}
				}
			}
		})
	}
}

// yearCovered: a file covers a year when it marks at least its Spring
// Festival and National Day; a stray day from a neighbouring block does not count.
func yearCovered(res ImportResult, year int) bool {
	for _, y := range res.Years {
		if y.Year == year {
			return y.Holidays >= 20
		}
	}
	return false
}
