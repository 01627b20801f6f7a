package calendar

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"aftersales/internal/problem"
)

// MaxImportSize bounds the files the importers read (16 MiB).
const MaxImportSize = 16 << 20

// ParseICS reads an iCalendar file of the kind public China-holiday
// calendars publish and returns the days off and make-up workdays it marks.
//
// What it understands, and why:
//   - A day's kind comes from X-APPLE-SPECIAL-DAY (WORK-HOLIDAY = day off,
//     ALTERNATE-WORKDAY = make-up workday) or from words in SUMMARY: 补班,
//     上班, （班）/(班) mean workday; （休）/(休), 假期, 放假, 休假, 休息 mean day off.
//     Workday words win ("上班(补春节假期)" is a workday). When SUMMARY has
//     neither, DESCRIPTION is read the same way but only if it has words of
//     one kind. Events with no mark (solar terms, festival dates that are not
//     days off) are skipped with a warning: a festival's name alone never
//     makes a day off.
//   - All-day events cover DTSTART up to, not including, DTEND; without
//     DTEND (or DURATION) they cover one day. Timed events (some calendars
//     mark make-up days 09:00–18:00 without a zone) cover each date they
//     touch, read on the clock they are written in; UTC times ("Z") are read
//     in loc. A nil loc means Asia/Shanghai.
//   - Repeating events (RRULE, RDATE) are not expanded but skipped with a
//     warning: the public files use yearly rules for festival dates, which
//     are not days off in later years.
//   - Lines may end in CRLF or LF; folded lines are joined as bytes before
//     decoding, because a fold may split a multi-byte character.
//
// Problems that would lose or invent a day (unreadable dates, a date marked
// both day off and workday) are returned as *ImportErrors naming the lines,
// together with the partial result. ParseICS never panics.
func ParseICS(data []byte, loc *time.Location) (ImportResult, error) {
	var col collector
	if loc == nil {
		loc = Shanghai
	}
	if len(data) > MaxImportSize {
		col.fail(0, "", problem.Msg("file is larger than %d MiB", MaxImportSize>>20))
		return col.finish()
	}
	p := icsParser{col: &col, loc: loc}
	p.run(unfoldICS(data))
	return col.finish()
}

type icsLine struct {
	n    int // 1-based physical line where the logical line starts
	text []byte
}

// unfoldICS splits data into logical lines: a line that begins with a space
// or tab continues the previous one (RFC 5545 §3.1).
func unfoldICS(data []byte) []icsLine {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var out []icsLine
	for n, raw := range bytes.Split(data, []byte("\n")) {
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') && len(out) > 0 {
			last := &out[len(out)-1]
			last.text = append(last.text, raw[1:]...)
			continue
		}
		out = append(out, icsLine{n: n + 1, text: append([]byte(nil), raw...)})
	}
	return out
}

type icsProp struct {
	line   int
	params map[string]string
	value  string
}

type icsEvent struct {
	line  int
	props map[string]icsProp
}

type icsParser struct {
	col         *collector
	loc         *time.Location
	sawCalendar bool
	warnedUTF8  bool
}

func (p *icsParser) run(lines []icsLine) {
	var stack []string
	var ev *icsEvent
	for _, l := range lines {
		if len(bytes.TrimSpace(l.text)) == 0 {
			continue
		}
		text := string(l.text)
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
			if !p.warnedUTF8 {
				p.col.warn(l.n, WarnEncoding, "replaced", nil, "text that is not UTF-8 was replaced")
				p.warnedUTF8 = true
			}
		}
		name, params, value, ok := splitContentLine(text)
		if !ok {
			continue // not a content line; nothing a day can depend on
		}
		switch name {
		case "BEGIN":
			comp := strings.ToUpper(strings.TrimSpace(value))
			if comp == "VCALENDAR" {
				p.sawCalendar = true
			}
			if comp == "VEVENT" && len(stack) > 0 && stack[len(stack)-1] == "VCALENDAR" {
				ev = &icsEvent{line: l.n, props: map[string]icsProp{}}
			}
			stack = append(stack, comp)
			continue
		case "END":
			comp := strings.ToUpper(strings.TrimSpace(value))
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if comp == "VEVENT" && ev != nil && (len(stack) == 0 || stack[len(stack)-1] == "VCALENDAR") {
				p.event(ev)
				ev = nil
			}
			continue
		}
		if ev != nil && len(stack) > 0 && stack[len(stack)-1] == "VEVENT" {
			if _, dup := ev.props[name]; !dup {
				ev.props[name] = icsProp{line: l.n, params: params, value: value}
			}
		}
	}
	if !p.sawCalendar {
		p.col.fail(1, "", problem.Msg("not an iCalendar file (no BEGIN:VCALENDAR)"))
	}
}

// splitContentLine splits `NAME;PARAM=V;PARAM="a:b":value`.
func splitContentLine(s string) (name string, params map[string]string, value string, ok bool) {
	inQuote := false
	colon := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case ':':
			if !inQuote {
				colon = i
			}
		}
		if colon >= 0 {
			break
		}
	}
	if colon <= 0 {
		return "", nil, "", false
	}
	head, value := s[:colon], s[colon+1:]
	parts := strings.Split(head, ";")
	name = strings.ToUpper(strings.TrimSpace(parts[0]))
	if name == "" {
		return "", nil, "", false
	}
	for _, part := range parts[1:] {
		k, v, _ := strings.Cut(part, "=")
		if params == nil {
			params = map[string]string{}
		}
		params[strings.ToUpper(strings.TrimSpace(k))] = strings.Trim(v, `"`)
	}
	return name, params, value, true
}

func (p *icsParser) event(ev *icsEvent) {
	summary := unescapeText(ev.props["SUMMARY"].value)
	label := strings.TrimSpace(summary)
	if label == "" {
		label = "(no summary)"
	}
	if strings.EqualFold(strings.TrimSpace(ev.props["STATUS"].value), "CANCELLED") {
		p.col.warn(ev.line, WarnCancelled, "cancelled", event(summary), "cancelled event %q ignored", label)
		return
	}
	if _, ok := ev.props["RRULE"]; ok {
		p.col.warn(ev.props["RRULE"].line, WarnRecurring, "recurring", event(summary), "repeating event %q ignored: repeats are not expanded", label)
		return
	}
	if _, ok := ev.props["RDATE"]; ok {
		p.col.warn(ev.props["RDATE"].line, WarnRecurring, "recurring", event(summary), "repeating event %q ignored: repeats are not expanded", label)
		return
	}
	kind, ok := classifyEvent(ev, summary)
	if !ok {
		p.col.warn(ev.line, WarnUnmarked, "unmarked", event(summary), "event %q is marked neither as a day off nor as a workday; ignored", label)
		return
	}
	first, last, timed, ok := p.eventDays(ev)
	if !ok {
		return
	}
	if timed {
		p.col.warn(ev.line, WarnTimed, "timed", map[string]string{"Event": strings.TrimSpace(summary), "First": first.String(), "Last": last.String()}, "timed event %q taken as the whole day(s) %s..%s", label, first, last)
	}
	name := holidayName(summary, unescapeText(ev.props["DESCRIPTION"].value))
	for d := first; !d.After(last); d = d.AddDays(1) {
		p.col.add(Exception{Date: d, Kind: kind, Name: name}, ev.line)
	}
}

var (
	workdayWords = []string{"补班", "上班", "（班）", "(班)", "【班】", "[班]"}
	holidayWords = []string{"（休）", "(休)", "【休】", "[休]", "假期", "放假", "休假", "休息"}
)

func classifyEvent(ev *icsEvent, summary string) (ExceptionKind, bool) {
	switch strings.ToUpper(strings.TrimSpace(ev.props["X-APPLE-SPECIAL-DAY"].value)) {
	case "ALTERNATE-WORKDAY":
		return Workday, true
	case "WORK-HOLIDAY":
		return Holiday, true
	}
	if containsAny(summary, workdayWords) {
		return Workday, true
	}
	if containsAny(summary, holidayWords) {
		return Holiday, true
	}
	desc := unescapeText(ev.props["DESCRIPTION"].value)
	w, h := containsAny(desc, workdayWords), containsAny(desc, holidayWords)
	switch {
	case w && !h:
		return Workday, true
	case h && !w:
		return Holiday, true
	}
	return "", false
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// maxEventDays bounds one event: holiday blocks are a few days long.
const maxEventDays = 62

// eventDays returns the first and last date an event covers.
func (p *icsParser) eventDays(ev *icsEvent) (first, last Date, timed, ok bool) {
	startProp, has := ev.props["DTSTART"]
	if !has {
		p.col.fail(ev.line, "DTSTART", problem.Msg("event has no start date"))
		return
	}
	start, startTimed, err := p.parseICSTime(startProp)
	if err != nil {
		p.col.failErr(startProp.line, "DTSTART", err)
		return
	}
	first, last = start.date, start.date
	if endProp, has := ev.props["DTEND"]; has {
		end, endTimed, err := p.parseICSTime(endProp)
		if err != nil {
			p.col.failErr(endProp.line, "DTEND", err)
			return
		}
		last = lastDayBefore(end, endTimed)
	} else if durProp, has := ev.props["DURATION"]; has {
		d, err := parseICSDuration(durProp.value)
		if err != nil {
			p.col.failErr(durProp.line, "DURATION", err)
			return
		}
		end := start.add(d)
		last = lastDayBefore(end, startTimed)
	}
	if last.Before(first) {
		last = first
	}
	if n := last.dayNumber() - first.dayNumber() + 1; n > maxEventDays {
		p.col.fail(ev.line, "DTEND", problem.Msg("event covers %d days (%s..%s); a holiday block is at most %d", n, first, last, maxEventDays))
		return
	}
	return first, last, startTimed, true
}

// icsTime is a DATE or DATE-TIME value as a wall-clock reading.
type icsTime struct {
	date   Date
	minute int // minutes since midnight; 0 for DATE values
	second int
}

func (t icsTime) add(d time.Duration) icsTime {
	base := time.Date(t.date.Year, t.date.Month, t.date.Day, 0, t.minute, t.second, 0, time.UTC).Add(d)
	return icsTime{date: Date{base.Year(), base.Month(), base.Day()}, minute: base.Hour()*60 + base.Minute(), second: base.Second()}
}

// lastDayBefore returns the last date touched by an event ending at end
// (exclusive): for an end at midnight that is the day before, otherwise the
// end's own date.
func lastDayBefore(end icsTime, timed bool) Date {
	if !timed || (end.minute == 0 && end.second == 0) {
		return end.date.AddDays(-1)
	}
	return end.date
}

var icsDateTime = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$`)

func (p *icsParser) parseICSTime(prop icsProp) (icsTime, bool, error) {
	v := strings.TrimSpace(prop.value)
	m := icsDateTime.FindStringSubmatch(v)
	if m == nil {
		return icsTime{}, false, problem.Msg("%q is not a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS)", v)
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	date := Date{y, time.Month(mo), d}
	if !date.Valid() {
		return icsTime{}, false, problem.Msg("%q: no such day", v)
	}
	if m[4] == "" {
		return icsTime{date: date}, false, nil
	}
	h, _ := strconv.Atoi(m[4])
	mi, _ := strconv.Atoi(m[5])
	s, _ := strconv.Atoi(m[6])
	if h > 23 || mi > 59 || s > 60 {
		return icsTime{}, false, problem.Msg("%q: no such time", v)
	}
	if m[7] == "Z" {
		local := time.Date(y, time.Month(mo), d, h, mi, min(s, 59), 0, time.UTC).In(p.loc)
		return icsTime{date: DateOf(local, p.loc), minute: local.Hour()*60 + local.Minute(), second: local.Second()}, true, nil
	}
	return icsTime{date: date, minute: h*60 + mi, second: min(s, 59)}, true, nil
}

var icsDurationRE = regexp.MustCompile(`^\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

func parseICSDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	m := icsDurationRE.FindStringSubmatch(v)
	if m == nil || v == "P" || v == "+P" {
		return 0, problem.Msg("%q is not a duration such as P1D", v)
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var total time.Duration
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > 1000 {
			return 0, problem.Msg("%q is too long", v)
		}
		total += time.Duration(n) * u
	}
	return total, nil
}

func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var dayCounter = regexp.MustCompile(`第\s*\d+\s*天\s*/\s*共\s*\d+\s*天`)

var markerRemover = strings.NewReplacer(
	"（休）", "", "(休)", "", "【休】", "", "[休]", "",
	"（班）", "", "(班)", "", "【班】", "", "[班]", "",
	"补班", "", "上班", "", "假期", "", "放假", "", "休假", "",
)

// holidayName turns an event summary into the holiday's name:
// "上班(补春节假期)" → "春节", "春节 假期 第1天/共9天" → "春节", "😊 春节" → "春节".
// When the summary is only a mark ("😡 补班"), the name is taken from the
// start of the description ("劳动节放假后补班，…" → "劳动节"), else it is empty.
func holidayName(summary, description string) string {
	if s := cleanName(summary); s != "" {
		return s
	}
	if i := strings.IndexAny(description, "，,。 \n"); i >= 0 {
		description = description[:i]
	}
	for _, w := range []string{"放假", "补班", "上班"} {
		if i := strings.Index(description, w); i >= 0 {
			description = description[:i]
		}
	}
	return cleanName(description)
}

func cleanName(s string) string {
	s = dayCounter.ReplaceAllString(s, "")
	s = markerRemover.Replace(s)
	trim := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }
	s = strings.TrimFunc(s, trim)
	s = strings.TrimPrefix(s, "补")
	return strings.TrimFunc(s, trim)
}

// event is the argument of a warning about one event: its summary, empty
// when it has none.
func event(summary string) map[string]string {
	return map[string]string{"Event": strings.TrimSpace(summary)}
}
