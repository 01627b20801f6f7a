package installedbase

import (
	"strings"
	"testing"
	"time"
)

func TestCheckSerial(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, in, want string // want: normalized value, or a part of the message
		ok             bool
	}{
		{"plain", "HC850-2024-000123", "HC850-2024-000123", true},
		{"trimmed and upper-cased", "  hc850-2024-000123\t", "HC850-2024-000123", true},
		{"leading zeros kept", "000123", "000123", true},
		{"slash and dot", "A1/B2.C3_D", "A1/B2.C3_D", true},
		{"empty", "   ", "required", false},
		{"inner space", "HC850 2024", "spaces", false},
		{"control character", "HC850\x002024", "control", false},
		{"excel scientific notation", "2.02606E+17", "scientific notation", false},
		{"excel scientific lower case", "2.02606e+17", "scientific notation", false},
		{"starts with a dash", "-HC850", "letters, digits", false},
		{"too long", strings.Repeat("A", 65), "1-64", false},
		{"chinese", "序列号1", "letters, digits", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := NormalizeSerial(c.in)
			msg := CheckSerial(got)
			if c.ok {
				if msg != "" || got != c.want {
					t.Fatalf("CheckSerial(%q) = %q, %q; want %q accepted", c.in, got, msg, c.want)
				}
				return
			}
			if !strings.Contains(msg, c.want) {
				t.Fatalf("CheckSerial(%q) = %q; want a message containing %q", c.in, msg, c.want)
			}
		})
	}
}

func TestCheckDivision(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		code, want string // want: "" for valid, else a part of the message
	}{
		{"320505", ""}, // 苏州市虎丘区
		{"330106", ""}, // 杭州市西湖区
		{"110105", ""}, // 北京市朝阳区
		{"441900", ""}, // 东莞市: no county level
		{"442000", ""}, // 中山市
		{"460400", ""}, // 儋州市
		{"320571", ""}, // statistics bureau's development-zone code
		{"650102", ""}, // 乌鲁木齐市天山区
		{"3205", "6-digit"},
		{"32050a", "6-digit"},
		{"3205051", "6-digit"},
		{"710100", "province of mainland China"}, // Taiwan's code is not in the set
		{"810000", "province of mainland China"},
		{"990101", "province of mainland China"},
		{"320000", "province"},
		{"320500", "city"},
		{"", "6-digit"},
	} {
		t.Run(c.code, func(t *testing.T) {
			got := CheckDivision(c.code)
			if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
				t.Fatalf("CheckDivision(%q) = %q, want %q", c.code, got, c.want)
			}
		})
	}
}

func TestFormatPhone(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"13912345678", "13912345678", true},
		{"139 1234 5678", "13912345678", true},
		{"+86 139-1234-5678", "13912345678", true},
		{"0571-88012345", "0571-88012345", true},
		{"(0571) 8801 2345", "0571-88012345", true},
		{"010-12345678", "010-12345678", true},
		{"02158887777", "021-58887777", true},
		{"0755-1234567", "0755-1234567", true},
		{"12912345678", "", false},  // 12x is no mobile prefix
		{"1391234567", "", false},   // 10 digits
		{"88012345", "", false},     // no area code
		{"011-12345678", "", false}, // 01x other than 010 is no area code
		{"0571-123456", "", false},  // 6-digit local number
		{"phone", "", false},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, ok := FormatPhone(c.in)
			if ok != c.ok || ok && got != c.want {
				t.Fatalf("FormatPhone(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestCheckCoordinates(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		lat, lng  float64
		wantField string
	}{
		{"suzhou", 31.3146, 120.5434, ""},
		{"urumqi", 43.8256, 87.6168, ""},
		{"mohe", 53.47, 122.35, ""},
		{"latitude over 90", 91, 120, "lat"},
		{"longitude over 180", 31, 181, "lng"},
		{"swapped", 120.5434, 31.3146, "lat"},
		{"southern hemisphere", -31.3, 120.5, "lat"},
		{"europe", 48.85, 2.35, "lng"},
	} {
		t.Run(c.name, func(t *testing.T) {
			field, msg := CheckCoordinates(c.lat, c.lng)
			if field != c.wantField || (c.wantField != "") != (msg != "") {
				t.Fatalf("CheckCoordinates(%v, %v) = %q %q, want field %q", c.lat, c.lng, field, msg, c.wantField)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"2025-03-07", "2025-03-07"},
		{"2025/3/7", "2025-03-07"},
		{"2025-3-7", "2025-03-07"},
		{"2025.03.07", "2025-03-07"},
		{"2025年3月7日", "2025-03-07"},
		{" 2024/2/29 ", "2024-02-29"},
		{"2025/2/29", ""},
		{"25/3/7", ""},
		{"7/3/2025", ""},
		{"2025-03-07T10:00", ""},
		{"45723", ""},
	} {
		t.Run(c.in, func(t *testing.T) {
			d, ok := ParseDate(c.in)
			got := ""
			if ok {
				got = d.Format(time.DateOnly)
			}
			if got != c.want {
				t.Fatalf("ParseDate(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestWarrantyEnd(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		install string
		months  int
		want    string
	}{
		{"2025-03-07", 24, "2027-03-06"},
		{"2025-03-01", 12, "2026-02-28"},
		{"2024-01-31", 1, "2024-02-28"}, // 2024-02-29 is the anniversary, clamped from the 31st
		{"2023-11-30", 3, "2024-02-28"},
		{"2025-12-15", 18, "2027-06-14"},
		{"2025-06-18", 0, "2025-06-18"},
	} {
		d, _ := time.Parse(time.DateOnly, c.install)
		if got := WarrantyEnd(d, c.months).Format(time.DateOnly); got != c.want {
			t.Errorf("WarrantyEnd(%s, %d) = %s, want %s", c.install, c.months, got, c.want)
		}
	}
}
