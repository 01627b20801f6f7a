package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// No page draws a field in the browser's language: no browser date or time
// picker (mm/dd/yyyy, AM/PM whatever the page's language), every date or
// time field of a form is one of ours, and every file input lies over our
// own button and text.
func TestNoFieldSpeaksTheBrowsersLanguage(t *testing.T) {
	t.Parallel()
	picker := regexp.MustCompile(`(?i)type=["']?(date|time|datetime-local|month|week)\b`)
	input := regexp.MustCompile(`<input\b[^>]*>`)
	name := regexp.MustCompile(`\bname="([a-z_]+)"`)
	var files int
	for _, glob := range []string{"templates/*.html", "templates/partials/*.html", "static/js/*.js"} {
		names, err := fs.Glob(embedded, glob)
		if err != nil || len(names) == 0 {
			t.Fatalf("%s: %v", glob, err)
		}
		for _, n := range names {
			b, err := fs.ReadFile(embedded, n)
			if err != nil {
				t.Fatal(err)
			}
			if m := picker.Find(b); m != nil {
				t.Errorf("%s: a browser picker: %s", n, m)
			}
			for _, in := range input.FindAllString(string(b), -1) {
				m := name.FindStringSubmatch(in)
				hidden := strings.Contains(in, `type="hidden"`) || strings.Contains(in, `type="radio"`)
				if m != nil && dateTimeFields[m[1]] && !hidden && !strings.Contains(in, "DateInput") && !strings.Contains(in, "TimeInput") {
					t.Errorf("%s: date or time field %q is not one of ours: %s", n, m[1], in)
				}
				if strings.Contains(in, `type="file"`) {
					files++
					if !strings.Contains(in, `class="file-input"`) {
						t.Errorf("%s: a file input the browser labels: %s", n, in)
					}
				}
			}
		}
	}
	if files < 5 {
		t.Errorf("found %d file inputs", files)
	}
}
