package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"aftersales/internal/web/form"
)

// Dates and times are typed into text fields, not the browser's date and
// time pickers: those draw mm/dd/yyyy and AM/PM in the browser's language
// whatever the page's. The fields show the page's hint; the server reads
// what people type in China (2026-12-07, 2026/12/7, 2026年12月7日, 9:30,
// 9点30, full-width digits) into the forms the handlers parse
// (form.NormalizeDateTime).

// DateInput is the attributes of a date field.
func (v *view) DateInput() template.HTMLAttr {
	return template.HTMLAttr(`type="text" autocomplete="off" maxlength="20" pattern="\s*\d{4}\s*[\-\/.年]\s*\d{1,2}\s*[\-\/.月]\s*\d{1,2}\s*日?\s*" placeholder="` +
		template.HTMLEscapeString(v.T("input.date_hint")) + `" title="` + template.HTMLEscapeString(v.T("input.date_title")) + `"`)
}

// TimeInput is the attributes of a time-of-day field (24-hour clock).
func (v *view) TimeInput() template.HTMLAttr {
	return template.HTMLAttr(`type="text" autocomplete="off" maxlength="8" pattern="\s*\d{1,2}\s*[:：点時时]\s*\d{0,2}\s*分?\s*" placeholder="` +
		template.HTMLEscapeString(v.T("input.time_hint")) + `" title="` + template.HTMLEscapeString(v.T("input.time_title")) + `"`)
}

// DateTimeInput is the attributes of a field holding a date and a time.
func (v *view) DateTimeInput() template.HTMLAttr {
	return template.HTMLAttr(`type="text" autocomplete="off" maxlength="30" placeholder="` +
		template.HTMLEscapeString(v.T("input.datetime_hint")) + `" title="` + template.HTMLEscapeString(v.T("input.datetime_title")) + `"`)
}

// dateTimeFields are the form fields that hold a date, a time or both.
var dateTimeFields = map[string]bool{"date": true, "from": true, "to": true, "until": true, "issued_on": true, "expires_on": true,
	"review_due_on": true, "paid_on": true, "effective_on": true, "install_date": true, "warranty_end": true,
	"effective_from": true, "term_start": true, "term_end": true, "held_on": true, "starts_at": true, "ends_at": true, "day": true,
	"renew_issued_on": true, "renew_expires_on": true, "renew_review_due_on": true}

// typedDates rewrites the date and time fields of a page's query and
// url-encoded form into the forms the handlers parse (NormalizeDateTime);
// a value it cannot read reaches the handler as typed.
func typedDates(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		if q := r.URL.Query(); normalizeValues(q) {
			r.URL.RawQuery = q.Encode()
		}
		if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			if err := r.ParseForm(); err == nil {
				normalizeValues(r.PostForm)
				normalizeValues(r.Form)
			}
		}
		next.ServeHTTP(w, r)
	})
}

func normalizeValues(vs url.Values) (changed bool) {
	for k, list := range vs {
		if !dateTimeFields[k] {
			continue
		}
		for i, x := range list {
			if n, ok := form.NormalizeDateTime(x); ok && n != x {
				list[i], changed = n, true
			}
		}
	}
	return changed
}
