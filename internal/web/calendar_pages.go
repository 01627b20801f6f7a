package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

type calendarsData struct {
	Items   []registry.Info
	Missing []int // years with no holiday notice yet
}

func (s *Server) calendarsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	if items, ok := forUser(s, w, r, u, s.Calendars.List); ok {
		s.renderPage(w, r, "calendars", "calendars.title", "calendars", calendarsData{Items: items, Missing: s.Calendars.MissingYears(r.Context(), s.Now())})
	}
}

// dayCell is one day of the year grid.
type dayCell struct {
	Day     int
	InMonth bool
	Class   string // holiday, workday (make-up), weekend, or ""
	Name    string
	Date    string
}

type monthGrid struct {
	Month time.Month
	Weeks [][7]dayCell
}

// yearGrid lays out a year as twelve month grids, weeks starting on Monday.
func yearGrid(cal *calendar.Calendar, year int) []monthGrid {
	var out []monthGrid
	for m := time.January; m <= time.December; m++ {
		g := monthGrid{Month: m}
		first := calendar.NewDate(year, m, 1)
		offset := (int(first.Weekday()) + 6) % 7 // Monday = 0
		d := first.AddDays(-offset)
		for {
			var week [7]dayCell
			for i := range 7 {
				c := dayCell{Day: d.Day, InMonth: d.Month == m, Date: d.String()}
				if e, ok := cal.Exception(d); ok {
					c.Class, c.Name = string(e.Kind), e.Name
				} else if !cal.IsWorkingDay(d) {
					c.Class = "weekend"
				}
				week[i] = c
				d = d.AddDays(1)
			}
			g.Weeks = append(g.Weeks, week)
			if d.Month != m || d.Year != year {
				break
			}
		}
		out = append(out, g)
	}
	return out
}

type calendarPageData struct {
	Info      registry.Info
	Year      int
	Years     []int
	Covered   bool
	Months    []monthGrid
	Week      []weekRow
	Holidays  []calendar.Exception
	Imports   []registry.Import
	CanImport bool
	Due       *dueResult
}

type weekRow struct {
	Day   string
	Hours string
}

type dueResult struct {
	From, Deadline, Rule string
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	ctx := r.Context()
	id := r.PathValue("id")
	info, cal, err := s.Calendars.Visible(ctx, u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Now().In(cal.Location())
	year := now.Year()
	q := readQuery(r)
	if y, ok := q.Between("year", 2000, 2100); ok {
		year = y
	}
	d := calendarPageData{Info: info, Year: year, Covered: cal.Covers(year) || len(cal.CoveredYears()) == 0,
		Months: yearGrid(cal, year), CanImport: canImport(u, info)}
	for y := max(2004, year-3); y <= year+1; y++ {
		d.Years = append(d.Years, y)
	}
	for _, e := range cal.Exceptions() {
		if e.Date.Year == year {
			d.Holidays = append(d.Holidays, e)
		}
	}
	spec := cal.Spec()
	for _, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		var parts []string
		for _, sl := range spec.Week[wd] {
			parts = append(parts, sl.String())
		}
		hours := strings.Join(parts, ", ")
		if spec.AlwaysOpen {
			hours = "00:00-24:00"
		}
		d.Week = append(d.Week, weekRow{Day: "weekday." + calendar.WeekdayKey(wd), Hours: hours})
	}
	if d.Imports, err = s.Calendars.ListImports(ctx, u.Actor(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "calendars.detail", "calendars")
	v.Title = info.Name
	if q.Has("from") {
		v.Form = q.Values
		due, err := computeDue(cal, q.Get("from"), q.Get("amount"), q.Get("unit"))
		if err != nil {
			formErr = err
		}
		d.Due = due
	}
	v.Data = d
	if formErr != nil {
		// The calculator's errors, or the upload's, under their inputs:
		// 422, as every form with errors answers.
		if err := formErrors(v, formErr); err != nil {
			s.fail(w, r, err)
			return
		}
		if status == http.StatusOK {
			status = http.StatusUnprocessableEntity
		}
	}
	s.render(w, r, q.mark(v, status), "calendar", v)
}

type calendarImportData struct {
	Info      registry.Info
	Import    registry.Import
	CanDecide bool
}

func canImport(u account.User, info registry.Info) bool {
	if info.OwnerOrgID == nil {
		return policy.Allowed(u.Actor(), policy.CalendarManageShared, policy.Own)
	}
	return *info.OwnerOrgID == u.OrgID && policy.Allowed(u.Actor(), policy.CalendarManage, policy.Own)
}

// computeDue is the page's deadline calculator: from is a local
// datetime-local value in the calendar's zone.
func computeDue(cal *calendar.Calendar, from, amount, unit string) (*dueResult, error) {
	var fs problem.Fields
	start, err := time.ParseInLocation("2006-01-02T15:04", from, cal.Location())
	if err != nil {
		fs.Add("from", "enter a date and time")
	}
	n, err := strconv.ParseFloat(amount, 64)
	if err != nil || n < 0 || n > 1000 || n != n {
		fs.Add("amount", "enter a number from 0 to 1000")
	}
	if unit != "days" && unit != "hours" {
		fs.Add("unit", "choose working days or working hours")
	}
	if unit == "days" && n != float64(int(n)) {
		fs.Add("amount", "working days must be a whole number")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	var due time.Time
	rule := ""
	if unit == "days" {
		due = cal.WorkingDaysDeadline(start, int(n))
		rule = "calendars.rule_days"
	} else {
		due = cal.AddWorkingDuration(start, time.Duration(n*float64(time.Hour)).Round(time.Second))
		rule = "calendars.rule_hours"
	}
	loc := cal.Location()
	return &dueResult{From: start.In(loc).Format("2006-01-02 15:04 Mon"), Deadline: due.In(loc).Format("2006-01-02 15:04 Mon"), Rule: rule}, nil
}

func (s *Server) calendarImportUpload(w http.ResponseWriter, r *http.Request, u account.User) {
	id := r.PathValue("id")
	if err := r.ParseMultipartForm(registry.MaxImportBytes); err != nil {
		s.renderCalendar(w, r, u, http.StatusUnprocessableEntity, problem.Field("file", "choose an .ics or .csv file of at most 2 MB"))
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderCalendar(w, r, u, http.StatusUnprocessableEntity, problem.Field("file", "choose an .ics or .csv file"))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, registry.MaxImportBytes+1))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	imp, err := s.Calendars.PreviewImport(r.Context(), u.Actor(), id, hdr.Filename, data)
	if s.refused(w, r, err, func(err error) {
		p, _ := problem.As(err)
		s.renderCalendar(w, r, u, http.StatusUnprocessableEntity, flattenFields(s.translate(r, p), "file"))
	}) {
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/calendars/%s/imports/%d", id, imp.ID), http.StatusSeeOther)
}

// flattenFields puts every field message of a validation problem under one
// form field, each prefixed with its location (file lines, for imports).
func flattenFields(err error, field string) error {
	p, _ := problem.As(err)
	var msgs []string
	for _, f := range p.Fields {
		loc := strings.TrimPrefix(strings.TrimPrefix(f.Field, "content"), ".")
		if loc != "" {
			msgs = append(msgs, loc+": "+f.Message)
		} else {
			msgs = append(msgs, f.Message)
		}
	}
	return problem.Field(field, "%s", strings.Join(msgs, "; "))
}

func (s *Server) calendarImportPage(w http.ResponseWriter, r *http.Request, u account.User) {
	id := r.PathValue("id")
	iid, err := pathIDNamed(r, "import")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	info, _, err := s.Calendars.Visible(r.Context(), u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	imp, err := s.Calendars.GetImport(r.Context(), u.Actor(), id, iid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPage(w, r, "calendar_import", "calendars.import_review", "calendars", calendarImportData{Info: info, Import: imp, CanDecide: canImport(u, info) && imp.State == "pending"})
}

func (s *Server) calendarImportDecide(w http.ResponseWriter, r *http.Request, u account.User) {
	id := r.PathValue("id")
	iid, err := pathIDNamed(r, "import")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	apply := r.PathValue("decision") == "apply"
	if !apply && r.PathValue("decision") != "discard" {
		s.fail(w, r, problem.New(problem.NotFound, "no such decision"))
		return
	}
	if _, err := s.Calendars.DecideImport(r.Context(), u.Actor(), id, iid, apply); err != nil {
		s.fail(w, r, err)
		return
	}
	done := "calendars.import_discarded"
	if apply {
		done = "calendars.import_applied"
	}
	s.flashRedirect(w, r, s.msg(r, done), "/calendars/"+id)
}

func (s *Server) calendarNewPage(w http.ResponseWriter, r *http.Request, u account.User) {
	if err := policy.Allow(u.Actor(), policy.CalendarManage, policy.Own); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPage(w, r, "calendar_new", "calendars.new", "calendars", weekdayKeys())
}

func weekdayKeys() []string { return []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} }

func (s *Server) calendarCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	in := registry.CustomInput{ID: f.String("id"), Name: f.String("name"), BaseID: f.String("base_id"), TimeZone: strings.TrimSpace(f.String("time_zone")),
		AlwaysOpen: f.Bool("always_open")}
	// The week's texts may hold several bad slots, each named.
	fs := f.Problems()
	keys := map[string]time.Weekday{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		keys[calendar.WeekdayKey(d)] = d
	}
	custom := false
	for _, k := range weekdayKeys() {
		text := strings.TrimSpace(f.String("week_" + k))
		if text == "" {
			continue
		}
		custom = true
		if text == "-" {
			continue
		}
		for _, part := range strings.Split(strings.ReplaceAll(text, "，", ","), ",") {
			sl, err := calendar.ParseSlot(strings.TrimSpace(part))
			if err != nil {
				fs.Add("week_"+k, "%v", err)
				continue
			}
			in.Week[keys[k]] = append(in.Week[keys[k]], sl)
		}
	}
	if custom && weekIsEmpty(in.Week) && !in.AlwaysOpen {
		fs.Add("week_mon", "give business hours for at least one day")
	}
	if text := strings.TrimSpace(f.String("exceptions")); text != "" {
		res, err := calendar.ParseCSV([]byte(text))
		var ie *calendar.ImportErrors
		switch {
		case errors.As(err, &ie):
			var msgs []string
			for _, le := range ie.Errors {
				msgs = append(msgs, fmt.Sprintf("line %d %s: %s", le.Line, le.Field, le.Reason))
			}
			fs.Add("exceptions", "%s", strings.Join(msgs, "; "))
		case err != nil:
			fs.Add("exceptions", "%v", err)
		default:
			in.Exceptions = res.Exceptions
		}
	}
	var info registry.Info
	err := fs.Err()
	if err == nil {
		info, err = s.Calendars.CreateCustom(r.Context(), u.Actor(), in)
	}
	if s.refused(w, r, err, func(err error) {
		v := s.newView(r, "calendars.new", "calendars")
		v.Data, v.Form = weekdayKeys(), r.PostForm
		_ = formErrors(v, remapWeekFields(err))
		s.render(w, r, http.StatusUnprocessableEntity, "calendar_new", v)
	}) {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "calendars.created", "Name", info.Name), "/calendars/"+info.ID)
}

func weekIsEmpty(w calendar.Week) bool {
	for _, d := range w {
		if len(d) > 0 {
			return false
		}
	}
	return true
}

// remapWeekFields turns the domain's "week.mon[1]" into the form's "week_mon".
func remapWeekFields(err error) error {
	p, ok := problem.As(err)
	if !ok {
		return err
	}
	out := *p
	out.Fields = nil
	for _, f := range p.Fields {
		name := f.Field
		if strings.HasPrefix(name, "week.") {
			name = "week_" + strings.SplitN(strings.TrimPrefix(name, "week."), "[", 2)[0]
		} else if strings.HasPrefix(name, "exceptions") {
			name = "exceptions"
		}
		f.Field = name
		out.Fields = append(out.Fields, f)
	}
	return &out
}

// ImportWarning says what a calendar import skipped or guessed in the
// page's language; a preview stored before warnings had their sentence
// keeps its English message.
func (v *view) ImportWarning(w calendar.ImportWarning) string {
	if w.Text == "" {
		return w.Message
	}
	var args []any
	for k, a := range w.Args {
		switch {
		case k == "Kind":
			a = v.T("calendars." + a)
		case k == "Event" && a == "":
			a = v.T("calendars.warn.no_summary")
		}
		args = append(args, k, a)
	}
	return v.T("calendars.warn."+w.Text, args...)
}
