// Package spreadsheet keeps exported text from being run as a formula by
// the spreadsheet programs that open it (Excel, WPS, LibreOffice). A CSV
// cell whose text starts with =, +, -, @, a tab or a carriage return is
// read as a formula, whatever its quoting: a service request described as
// =HYPERLINK(...) on the public QR page would become a live link in the
// dispatcher's export. Such text is written with a leading apostrophe,
// which those programs take as "this is text" and do not show.
package spreadsheet

import "strings"

// triggers are the first characters that make a cell a formula, and the
// apostrophe itself, escaped too so that Unguard(Guard(s)) == s for every s.
const triggers = "=+-@\t\r'"

// Guard returns s as safe cell text.
func Guard(s string) string {
	if s != "" && strings.IndexByte(triggers, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// Unguard reverses Guard for text read back from a file: one leading
// apostrophe before a trigger character is dropped.
func Unguard(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.IndexByte(triggers, s[1]) >= 0 {
		return s[1:]
	}
	return s
}
