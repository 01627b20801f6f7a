package installedbase

import (
	"math"
	"regexp"
	"strings"
	"time"
	"unicode"

	"aftersales/internal/problem"
)

// Checks of values from outside: each returns "" for a good value, or what
// is wrong with it, so that callers can name the field (or the import line).

// NormalizeSerial trims and upper-cases a serial number as printed on
// labels. Leading zeros stay: a serial number is text, never a number.
func NormalizeSerial(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

var (
	serialPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._/-]{0,63}$`)
	// scientificPattern is what a spreadsheet makes of a long numeric serial
	// number (202606000000000123 shown as 2.02606E+17): the digits are gone.
	scientificPattern = regexp.MustCompile(`^[0-9]+([.,][0-9]+)?E[+-]?[0-9]+$`)
)

// problemAdder is where checks record a problem with a field: a
// problem.Fields, or the problems of an import line. The message formats
// are translated by the zh-CN problem catalog.
type problemAdder interface {
	Add(field, format string, args ...any)
}

// firstMessage runs a check and returns its first message, or "".
func firstMessage(check func(problemAdder)) string {
	var fs problem.Fields
	check(&fs)
	if len(fs) == 0 {
		return ""
	}
	return fs[0].Message
}

// CheckSerial names what is wrong with a normalized serial number, or "".
func CheckSerial(s string) string {
	return firstMessage(func(a problemAdder) { addSerialProblem(a, "serial_number", s) })
}

// addSerialProblem records what is wrong with a normalized serial number.
func addSerialProblem(a problemAdder, field, s string) bool {
	switch {
	case s == "":
		a.Add(field, "is required")
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		a.Add(field, "must not contain spaces or control characters")
	case scientificPattern.MatchString(s):
		a.Add(field, "%s looks like a number a spreadsheet turned into scientific notation, which loses digits: "+
			"format the column as text and type the serial number again", s)
	case !serialPattern.MatchString(s):
		a.Add(field, "must be 1-64 letters, digits or . _ / - starting with a letter or digit")
	default:
		return false
	}
	return true
}

// NormalizeModelCode trims and upper-cases a model code.
func NormalizeModelCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

var modelCodePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._/-]{0,39}$`)

// CheckModelCode names what is wrong with a normalized model code, or "".
func CheckModelCode(s string) string {
	switch {
	case s == "":
		return "is required"
	case !modelCodePattern.MatchString(s):
		return "must be 1-40 letters, digits or . _ / - starting with a letter or digit"
	}
	return ""
}

// provinces are the two-digit prefixes of mainland China's provincial-level
// divisions in GB/T 2260.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true, "50": true,
	"51": true, "52": true, "53": true, "54": true, "61": true, "62": true, "63": true, "64": true, "65": true,
}

// citiesWithoutCounties are prefecture-level cities with no county level:
// their own code is the most precise there is.
var citiesWithoutCounties = map[string]bool{
	"441900": true, // 东莞市
	"442000": true, // 中山市
	"460400": true, // 儋州市
	"620200": true, // 嘉峪关市
}

// CheckDivision names what is wrong with an administrative division code
// of a site, or "". A site needs a county-level code (区/县/县级市), or a
// city's own code where the city has no counties. Development-zone codes of
// the statistics bureau (xxxx7x) are accepted: they are what customers copy.
func CheckDivision(code string) string {
	return firstMessage(func(a problemAdder) { addDivisionProblem(a, "division", code) })
}

// addDivisionProblem records what is wrong with a site's division code.
func addDivisionProblem(a problemAdder, field, code string) bool {
	switch {
	case len(code) != 6 || strings.Trim(code, "0123456789") != "":
		a.Add(field, "must be a 6-digit administrative division code such as 320505")
	case !provinces[code[:2]]:
		a.Add(field, "%s is not in a province of mainland China (the first two digits)", code)
	case code[2:] == "0000":
		a.Add(field, "%s is a province; give the county (区/县) code", code)
	case code[4:] == "00" && !citiesWithoutCounties[code]:
		a.Add(field, "%s is a city; give the county (区/县) code", code)
	default:
		return false
	}
	return true
}

var (
	mobilePattern   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlinePattern = regexp.MustCompile(`^0[0-9]{9,11}$`)
)

// NormalizePhone removes spaces, dashes, brackets and a +86 country code.
func NormalizePhone(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '（', '）', '\u00a0':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(s, "+86"); ok {
		s = rest
	} else if rest, ok := strings.CutPrefix(s, "0086"); ok {
		s = rest
	}
	return s
}

// FormatPhone checks a Chinese mobile number (1[3-9] and 9 digits) or a
// landline with its area code, and returns it in one form: the mobile's 11
// digits, or "0571-88012345". ok is false when it is neither.
func FormatPhone(s string) (string, bool) {
	n := NormalizePhone(s)
	switch {
	case mobilePattern.MatchString(n):
		return n, true
	case landlinePattern.MatchString(n):
		// 010 and 02x are three-digit area codes, all others four.
		area := 4
		if n[1] == '1' || n[1] == '2' {
			area = 3
		}
		local := len(n) - area
		if local < 7 || local > 8 || n[1] == '1' && n[2] != '0' {
			return s, false
		}
		return n[:area] + "-" + n[area:], true
	}
	return s, false
}

// CheckCoordinates names what is wrong with a site's position, or "".
// Sites are in mainland China, so a point outside its bounding box is a
// typo, most often latitude and longitude swapped.
func CheckCoordinates(lat, lng float64) (field, msg string) {
	switch {
	case lat >= 73 && lat <= 136 && lng >= 3 && lng <= 54:
		return "lat", "latitude and longitude look swapped"
	case math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90:
		return "lat", "must be a latitude from -90 to 90"
	case math.IsNaN(lng) || math.IsInf(lng, 0) || lng < -180 || lng > 180:
		return "lng", "must be a longitude from -180 to 180"
	case lat < 3.8 || lat > 53.6:
		return "lat", "is outside China (3.8 to 53.6 degrees north)"
	case lng < 73.4 || lng > 135.1:
		return "lng", "is outside China (73.4 to 135.1 degrees east)"
	}
	return "", ""
}

// roundMicro rounds a coordinate to 6 decimals (about 0.1 m), the
// precision stored.
func roundMicro(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// ParseDate reads a civil date as people type it: 2025-03-07, 2025/3/7,
// 2025.3.7 or 2025年3月7日.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(s)
	parts := strings.Split(s, "-")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-1-2", s)
	return t, err == nil
}

// WarrantyEnd is the last day of a warranty of months starting on install:
// the day before the same date months later, a short month clamping the
// date (2024-01-31 + 1 month ends 2024-02-28).
func WarrantyEnd(install time.Time, months int) time.Time {
	if months <= 0 {
		return install
	}
	y, m, d := install.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
}
