package calendar

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"aftersales/internal/problem"
)

// ImportResult is what an importer understood from a file, for the user to
// review before anything is saved.
type ImportResult struct {
	Exceptions []Exception     // sorted by date, one per date
	Warnings   []ImportWarning // things skipped or guessed, with their lines
	Years      []YearSummary   // per calendar year found, ascending
	lines      map[Date]int    // line each exception came from
}

// YearSummary counts what an import found in one year.
type YearSummary struct {
	Year     int `json:"year"`
	Holidays int `json:"holidays"`
	Workdays int `json:"workdays"`
}

// ImportWarning is something the importer skipped or had to guess. Code is a
// stable key for grouping in a user interface.
type ImportWarning struct {
	Line    int    `json:"line"` // 1-based; 0 for the file as a whole
	Code    string `json:"code"`
	Message string `json:"message"` // in English
	// Text names the sentence (one code may have several) and Args fill it,
	// so that a page says it in the reader's language: message
	// "calendars.warn.<Text>". Previews stored before there was a Text
	// have only the English Message.
	Text string            `json:"text,omitempty"`
	Args map[string]string `json:"args,omitempty"`
}

// Warning codes.
const (
	WarnEncoding     = "encoding"       // input was not UTF-8 and was decoded as GBK/GB18030
	WarnDuplicate    = "duplicate_date" // the same date and kind appear twice
	WarnRecurring    = "recurring"      // a repeating event was ignored (RRULE not expanded)
	WarnUnmarked     = "unmarked"       // an event says neither day off nor workday
	WarnTimed        = "timed_event"    // a timed event was taken as whole day(s)
	WarnCancelled    = "cancelled"      // a cancelled event was ignored
	WarnExtraColumns = "extra_columns"  // CSV columns after the third were ignored
	WarnEmpty        = "empty"          // no days found at all
)

// LineError is a problem on one line of an imported file.
type LineError struct {
	Line   int    `json:"line"`
	Field  string `json:"field"` // e.g. "date", "kind", "DTSTART"
	Reason string `json:"reason"`
	// Msg is Reason as a message that can be said in another language.
	Msg problem.FieldError `json:"-"`
}

func (e LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason)
}

// ImportErrors lists every problem found in an imported file. Importers
// return it together with the partial result, so a preview can show both.
type ImportErrors struct {
	Errors []LineError
}

func (e *ImportErrors) Error() string {
	parts := make([]string, 0, min(len(e.Errors), 5))
	for i, le := range e.Errors {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Errors)-5))
			break
		}
		parts = append(parts, le.Error())
	}
	return "import: " + strings.Join(parts, "; ")
}

// maxImportErrors bounds the error list of one import.
const maxImportErrors = 100

// collector gathers exceptions from an importer and catches contradictions.
type collector struct {
	res  ImportResult
	errs []LineError
}

// warn notes a warning: its sentence (text) with the values that fill it,
// and the same in English.
func (c *collector) warn(line int, code, text string, args map[string]string, format string, fargs ...any) {
	c.res.Warnings = append(c.res.Warnings, ImportWarning{Line: line, Code: code, Message: fmt.Sprintf(format, fargs...), Text: text, Args: args})
}

func (c *collector) fail(line int, field string, m problem.FieldError) {
	if len(c.errs) < maxImportErrors {
		c.errs = append(c.errs, LineError{Line: line, Field: field, Reason: m.Message, Msg: m})
	}
}

// failErr notes a parser's error: its message when the parser said it
// with problem.Msg, its text otherwise.
func (c *collector) failErr(line int, field string, err error) {
	var m problem.FieldError
	if !errors.As(err, &m) {
		m = problem.Msg("%v", err)
	}
	c.fail(line, field, m)
}

func (c *collector) add(e Exception, line int) {
	if c.res.lines == nil {
		c.res.lines = map[Date]int{}
	}
	if first, seen := c.res.lines[e.Date]; seen {
		i := slices.IndexFunc(c.res.Exceptions, func(x Exception) bool { return x.Date == e.Date })
		prev := c.res.Exceptions[i]
		if prev.Kind != e.Kind {
			c.fail(line, "kind", problem.Msg("%s is a %s here but a %s on line %d", e.Date, problem.Enum("calendars.", e.Kind), problem.Enum("calendars.", prev.Kind), first))
			return
		}
		c.warn(line, WarnDuplicate, "duplicate", map[string]string{"Date": e.Date.String(), "Kind": string(e.Kind), "First": strconv.Itoa(first)},
			"%s is already a %s (line %d)", e.Date, e.Kind, first)
		return
	}
	c.res.lines[e.Date] = line
	c.res.Exceptions = append(c.res.Exceptions, e)
}

func (c *collector) finish() (ImportResult, error) {
	slices.SortFunc(c.res.Exceptions, func(a, b Exception) int { return a.Date.Compare(b.Date) })
	for _, e := range c.res.Exceptions {
		n := len(c.res.Years)
		if n == 0 || c.res.Years[n-1].Year != e.Date.Year {
			c.res.Years = append(c.res.Years, YearSummary{Year: e.Date.Year})
			n++
		}
		if e.Kind == Holiday {
			c.res.Years[n-1].Holidays++
		} else {
			c.res.Years[n-1].Workdays++
		}
	}
	if len(c.res.Exceptions) == 0 && len(c.errs) == 0 {
		c.warn(0, WarnEmpty, "empty", nil, "no days off or make-up workdays found")
	}
	if len(c.errs) > 0 {
		return c.res, &ImportErrors{Errors: c.errs}
	}
	return c.res, nil
}

// Line returns the line an imported exception came from (0 if unknown).
func (r ImportResult) Line(d Date) int { return r.lines[d] }

// YearsFound returns the years in which the import found any exception.
func (r ImportResult) YearsFound() []int {
	out := make([]int, len(r.Years))
	for i, y := range r.Years {
		out[i] = y.Year
	}
	return out
}
