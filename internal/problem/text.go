package problem

import (
	"strings"
	"unicode/utf8"
)

// CheckText validates free text from outside: valid UTF-8, no NUL or other
// control characters except tab and newlines (PostgreSQL rejects NUL in
// text; the others are never wanted), at most max characters.
func CheckText(fs *Fields, field, s string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(s) == "":
		fs.Add(field, "is required")
	case !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError):
		fs.Add(field, "is not valid UTF-8 text")
	case utf8.RuneCountInString(s) > max:
		fs.Add(field, "is longer than %d characters", max)
	default:
		for _, r := range s {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
				fs.Add(field, "contains a control character")
				return
			}
		}
	}
}
