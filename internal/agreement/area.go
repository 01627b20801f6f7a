package agreement

import (
	"fmt"
	"slices"
	"strings"

	"aftersales/internal/problem"
)

// mainlandProvinces are the first two digits of the division codes of
// mainland China (GB/T 2260). 71 (Taiwan), 81 (Hong Kong) and 82 (Macau) have
// codes but lie outside the mainland, where these agreements apply.
var mainlandProvinces = []string{
	"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
	"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
}

// citiesWithoutCounties are prefecture-level cities with no county level
// (东莞, 中山, 儋州, 嘉峪关): their sites carry the city's own six-digit code.
var citiesWithoutCounties = []string{"441900", "442000", "460400", "620200"}

// CheckDivision checks the form of one service-area code: a province (2
// digits), city (4) or county (6) of mainland China, used as a prefix. It
// returns "" or why the code is refused. Whether a county code is in use
// today is not checked: codes are renumbered over the years, and a code
// held in an agreement must keep meaning what it meant.
func CheckDivision(code string) string {
	for _, r := range code {
		if r < '0' || r > '9' {
			return fmt.Sprintf("%q is not a division code: digits only", code)
		}
	}
	switch len(code) {
	case 2, 4, 6:
	default:
		return fmt.Sprintf("%q is not a division code: use 2 digits for a province, 4 for a city, 6 for a county", code)
	}
	prov := code[:2]
	switch {
	case prov == "71" || prov == "81" || prov == "82":
		return fmt.Sprintf("%s is Taiwan, Hong Kong or Macau, outside mainland China", code)
	case !slices.Contains(mainlandProvinces, prov):
		return fmt.Sprintf("%s is not a province of mainland China", prov)
	case len(code) == 4 && code[2:] == "00":
		return fmt.Sprintf("%s names no city; enter %s for the whole province", code, prov)
	case len(code) == 6 && code[2:] == "0000":
		// 320000 written out means the province; as a prefix it would
		// match nothing below it.
		return fmt.Sprintf("%s is the province %s written with six digits; enter %s to cover all of it", code, prov, prov)
	case len(code) == 6 && code[4:] == "00" && !slices.Contains(citiesWithoutCounties, code):
		return fmt.Sprintf("%s is the city %s written with six digits; enter %s to cover all of it", code, code[:4], code[:4])
	}
	return ""
}

// checkArea validates every code of a service area and refuses duplicates
// and codes already covered by a shorter one in the list.
func checkArea(fs *problem.Fields, field string, codes []string) {
	if len(codes) > maxAreaCodes {
		fs.Add(field, "at most %d division codes", maxAreaCodes)
	}
	for i, c := range codes {
		f := fmt.Sprintf("%s[%d]", field, i)
		if msg := CheckDivision(c); msg != "" {
			fs.Add(f, "%s", msg)
			continue
		}
		for j, other := range codes {
			if j == i || CheckDivision(other) != "" {
				continue
			}
			if other == c && j < i {
				fs.Add(f, "%s is already listed at position %d", c, j)
				break
			}
			if other != c && strings.HasPrefix(c, other) {
				fs.Add(f, "%s is already covered by %s at position %d", c, other, j)
				break
			}
		}
	}
}

// InArea reports whether the 6-digit division code of a site lies under
// one of the area codes.
func InArea(area []string, division string) bool {
	if division == "" {
		return false
	}
	for _, a := range area {
		if a != "" && strings.HasPrefix(division, a) {
			return true
		}
	}
	return false
}
