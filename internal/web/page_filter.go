package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
)

// pageQuery reads the numbers and dates of a page's filter (an agreement,
// a customer, a year, the page of a list) from its query. A value it cannot
// read is not dropped, which would show a list the person did not ask for:
// it is kept, named, and the page (renderFiltered) answers 400 with the
// filter form as written, a message naming each bad field, and no list.
type pageQuery struct {
	url.Values
	bad []badParam
}

// badParam is one value of the query that could not be read.
type badParam struct {
	name, value string
	// min and max bound the whole number expected; a date when date is set,
	// a month when month is; no upper bound when max is 0.
	min, max    int64
	date, month bool
	// choices are the values a choice (a priority, a state) may take.
	choices []string
	// refusal is why the list's service refused the value (an area that
	// is not a division code, a search too long), when the page did not
	// read it itself.
	refusal *problem.FieldError
}

func readQuery(r *http.Request) *pageQuery { return &pageQuery{Values: r.URL.Query()} }

// whenRead lists with list when the page's filter reads well; a filter that
// does not lists nothing (the page names its bad values). On an error it
// answers the error page and reports false.
func whenRead[T any](s *Server, w http.ResponseWriter, r *http.Request, q *pageQuery, list func() (T, error)) (T, bool) {
	var items T
	if !q.OK() {
		return items, true
	}
	items, err := list()
	if err != nil {
		s.fail(w, r, err)
		return items, false
	}
	return items, true
}

// ID reads the id of a row (an agreement, a customer, the last row of the
// page before): 0 when absent.
func (p *pageQuery) ID(name string) int64 { return p.AtLeast(name, 1) }

// AtLeast reads a whole number of min or more: 0 when absent.
func (p *pageQuery) AtLeast(name string, min int64) int64 {
	v := p.Get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min {
		p.bad = append(p.bad, badParam{name: name, value: v, min: min})
		return 0
	}
	return n
}

// Between reads a whole number from min to max; given is false when it is
// absent or bad.
func (p *pageQuery) Between(name string, min, max int) (n int, given bool) {
	v := p.Get(name)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		p.bad = append(p.bad, badParam{name: name, value: v, min: int64(min), max: int64(max)})
		return 0, false
	}
	return n, true
}

// Day reads a local date such as 2026-12-01 as its midnight in Shanghai:
// zero when absent.
func (p *pageQuery) Day(name string) time.Time {
	v := p.Get(name)
	if v == "" {
		return time.Time{}
	}
	d, err := calendar.LocalMidnight(v)
	if err != nil {
		p.bad = append(p.bad, badParam{name: name, value: v, date: true})
		return time.Time{}
	}
	return d
}

// Month reads a month such as 2026-12, as written: "" when absent.
func (p *pageQuery) Month(name string) string {
	v := p.Get(name)
	if v == "" {
		return ""
	}
	if _, err := time.Parse("2006-01", v); err != nil {
		p.bad = append(p.bad, badParam{name: name, value: v, month: true})
		return ""
	}
	return v
}

// Flag reads a switch of the filter (overdue=1): 1 is on, 0 or absent off;
// any other value is named, not read as on (or off) for being there.
func (p *pageQuery) Flag(name string) bool {
	return oneOf(p, name, "1", "0") == "1"
}

// oneOf reads one of choices (a priority, a state, a category) from p:
// "" when absent.
func oneOf[T ~string](p *pageQuery, name string, choices ...T) T {
	v := p.Get(name)
	if v == "" || slices.Contains(choices, T(v)) {
		return T(v)
	}
	names := make([]string, len(choices))
	for i, c := range choices {
		names[i] = string(c)
	}
	p.bad = append(p.bad, badParam{name: name, value: v, choices: names})
	return ""
}

// refused keeps the values a list's service refused (a validation problem
// whose fields name values of the query, as "query.area" or "state"), so
// that the page names them as it names the values it reads itself, rather
// than listing without them. It reports false, keeping nothing, when err
// is not such a refusal: the caller fails with it.
func (p *pageQuery) refused(err error) bool {
	pr, ok := problem.As(err)
	if !ok || pr.Kind != problem.Invalid || len(pr.Fields) == 0 {
		return false
	}
	bad := make([]badParam, 0, len(pr.Fields))
	for i := range pr.Fields {
		name := strings.TrimPrefix(pr.Fields[i].Field, "query.")
		v := p.Get(name)
		if v == "" {
			return false
		}
		bad = append(bad, badParam{name: name, value: v, refusal: &pr.Fields[i]})
	}
	p.bad = append(p.bad, bad...)
	return true
}

// OK reports whether every value was read.
func (p *pageQuery) OK() bool { return len(p.bad) == 0 }

// Err is the bad values as a validation problem naming each, for an answer
// that is not a page (an export), as the API answers a bad query value;
// nil when every value was read.
func (p *pageQuery) Err() error {
	var fs problem.Fields
	for _, b := range p.bad {
		switch {
		case b.refusal != nil:
			fs.Put(b.name, *b.refusal)
		case b.choices != nil:
			fs.Add(b.name, "must be one of %s", strings.Join(b.choices, ", "))
		case b.date:
			fs.Add(b.name, "must be a date like 2026-12-01")
		case b.month:
			fs.Add(b.name, "must be a month like 2026-12")
		case b.max == 0:
			fs.Add(b.name, "must be a whole number of %d or more", b.min)
		default:
			fs.Add(b.name, "must be a whole number from %d to %d", b.min, b.max)
		}
	}
	return fs.Err()
}

// messages are the bad values as the page says them, in its language: the
// field's name as the filter form labels it, the value as written (cut
// short), what was expected.
func (p *pageQuery) messages(v *view) []string {
	out := make([]string, len(p.bad))
	for i, b := range p.bad {
		value := []rune(b.value)
		if len(value) > 40 {
			value = append(value[:40], '…')
		}
		args := []any{"Field", v.T("filters.field." + b.name), "Value", string(value), "Min", b.min, "Max", b.max}
		switch {
		case b.refusal != nil:
			why := v.translate(&problem.Error{Kind: problem.Invalid, Fields: []problem.FieldError{*b.refusal}}).Fields[0].Message
			out[i] = v.T("filters.bad_value", append(args, "Reason", why)...)
		case b.choices != nil:
			out[i] = v.T("filters.bad_choice", args...)
		case b.date:
			out[i] = v.T("filters.bad_date", args...)
		case b.month:
			out[i] = v.T("filters.bad_month", args...)
		case b.max == 0:
			out[i] = v.T("filters.bad_number", args...)
		default:
			out[i] = v.T("filters.bad_range", args...)
		}
	}
	return out
}

// mark puts the bad values on the page, above it, and turns an answer
// that would have been 200 into 400; the filter form shows the query as
// written. It returns the status to answer with.
func (p *pageQuery) mark(v *view, status int) int {
	if p.OK() {
		return status
	}
	v.FilterErrors = p.messages(v)
	if v.Form == nil {
		v.Form = p.Values
	}
	if status == http.StatusOK {
		status = http.StatusBadRequest
	}
	return status
}

// renderFiltered renders a page with a filter: 200, or 400 with the bad
// values named (mark); the handler lists nothing then.
func (s *Server) renderFiltered(w http.ResponseWriter, r *http.Request, page string, v *view, p *pageQuery) {
	s.render(w, r, p.mark(v, http.StatusOK), page, v)
}
