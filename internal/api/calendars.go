package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/calendar"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

type calendarListOutput items[registry.Info]

type calendarGetInput struct {
	ID   string `path:"id" maxLength:"40"`
	Year int    `query:"year" minimum:"0" maximum:"2200" doc:"Only the exceptions of this year (default: all)."`
}

type calendarDetail struct {
	registry.Info
	Week       calendar.Week        `json:"week"`
	Exceptions []calendar.Exception `json:"exceptions"`
	Warnings   []string             `json:"warnings,omitempty" doc:"Years without official holiday data, current or starting within 90 days."`
}

type calendarGetOutput struct {
	Body calendarDetail
}

type deadlineInput struct {
	ID          string `path:"id" maxLength:"40"`
	From        string `query:"from" required:"true" doc:"Start instant, RFC 3339 with offset, e.g. 2026-09-30T16:00:00+08:00."`
	WorkingDays string `query:"working_days" doc:"Respond within N working days: ends at close of business of the Nth working day after the local date of from."`
	Hours       string `query:"hours" doc:"Add N working hours (decimals allowed, e.g. 1.5)."`
}

type deadlineOutput struct {
	Body struct {
		Deadline string `json:"deadline" format:"date-time" doc:"RFC 3339 at the calendar's offset (in UTC before the zone kept standard time)."`
		Calendar string `json:"calendar"`
		From     string `json:"from" format:"date-time"`
		Rule     string `json:"rule"`
	}
}

type calendarCreateInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		ID         string               `json:"id" minLength:"2" maxLength:"40" pattern:"^[a-z0-9][a-z0-9-]+$"`
		Name       string               `json:"name" minLength:"1" maxLength:"100"`
		BaseID     string               `json:"base_id,omitempty" maxLength:"40" doc:"Derive from this calendar (e.g. cn); empty for one from scratch."`
		TimeZone   string               `json:"time_zone,omitempty" maxLength:"64" doc:"IANA zone; default the base's."`
		AlwaysOpen bool                 `json:"always_open,omitempty"`
		Week       map[string][]string  `json:"week,omitempty" doc:"Business hours per weekday, keys mon..sun, e.g. {\"mon\": [\"09:00-12:00\", \"13:00-18:00\"]}; default the base's."`
		Exceptions []calendar.Exception `json:"exceptions,omitempty" maxItems:"2000"`
	}
}

type calendarInfoOutput struct {
	Body registry.Info
}

type importCreateInput struct {
	ID   string `path:"id" maxLength:"40"`
	Body struct {
		Filename        string `json:"filename" maxLength:"200" doc:"Original file name; .ics is read as iCalendar, anything else as CSV date,kind,name."`
		Content         string `json:"content" minLength:"1" maxLength:"3000000"`
		ContentEncoding string `json:"content_encoding,omitempty" enum:"text,base64," doc:"base64 for files that are not UTF-8 (e.g. GBK CSV)."`
	}
}

type importOutput struct {
	Body registry.Import
}

type importListOutput items[registry.Import]

type importPath struct {
	ID       string `path:"id" maxLength:"40"`
	ImportID int64  `path:"import_id" minimum:"1"`
}

func (h *handlers) registerCalendars(a huma.API) {
	register(h, a, op("list-calendars", http.MethodGet, "/calendars", "List working calendars", "Calendars"), h.listCalendars)

	register(h, a, op("get-calendar", http.MethodGet, "/calendars/{id}", "A calendar with its business hours and dated exceptions", "Calendars"), h.getCalendar)

	register(h, a, op("calendar-deadline", http.MethodGet, "/calendars/{id}/deadline", "Compute a deadline on a calendar", "Calendars"), h.calendarDeadline)

	register(h, a, created(op("create-calendar", http.MethodPost, "/calendars", "Create a custom calendar for your organization", "Calendars")), h.createCalendar)

	// 503: uploads at once over the server's bound.
	imp := withErrors(created(op("create-calendar-import", http.MethodPost, "/calendars/{id}/imports", "Upload a holiday schedule (.ics or CSV) for review", "Calendars")), 503)
	imp.MaxBodyBytes = MaxCalendarImportBody
	register(h, a, imp, h.createCalendarImport)

	register(h, a, op("list-calendar-imports", http.MethodGet, "/calendars/{id}/imports", "List a calendar's imports", "Calendars"), h.listCalendarImports)

	for _, d := range []struct {
		id, verb string
		apply    bool
	}{{"apply-calendar-import", "apply", true}, {"discard-calendar-import", "discard", false}} {
		register(h, a, withErrors(op(d.id, http.MethodPost, "/calendars/{id}/imports/{import_id}/"+d.verb, "Review decision: "+d.verb+" a pending import", "Calendars"), 409), h.decideCalendarImport(d.apply))
	}
}

func (h *handlers) listCalendars(ctx context.Context, act policy.Actor, _ *struct{}) (*calendarListOutput, error) {
	return listAs[calendarListOutput](h.Calendars.List(ctx, act))
}

func (h *handlers) getCalendar(ctx context.Context, act policy.Actor, in *calendarGetInput) (*calendarGetOutput, error) {
	info, cal, err := h.Calendars.Visible(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	spec := cal.Spec()
	d := calendarDetail{Info: info, Week: spec.Week, Exceptions: []calendar.Exception{}}
	for _, e := range spec.Exceptions {
		if in.Year == 0 || e.Date.Year == in.Year {
			d.Exceptions = append(d.Exceptions, e)
		}
	}
	for _, y := range cal.MissingYears(time.Now(), 90*24*time.Hour) {
		d.Warnings = append(d.Warnings, fmt.Sprintf("no official holiday data for %d", y))
	}
	return &calendarGetOutput{Body: d}, nil
}

func (h *handlers) calendarDeadline(ctx context.Context, act policy.Actor, in *deadlineInput) (*deadlineOutput, error) {
	from, days, dur, err := deadlineArgs(in)
	if err != nil {
		return nil, err
	}
	_, cal, err := h.Calendars.Visible(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	out := &deadlineOutput{}
	var due time.Time
	if days >= 0 {
		due = cal.WorkingDaysDeadline(from, days)
		out.Body.Rule = fmt.Sprintf("close of business of working day %d after the local date received", days)
	} else {
		due = cal.AddWorkingDuration(from, dur)
		out.Body.Rule = fmt.Sprintf("%s of working time", dur)
	}
	out.Body.Deadline = calendar.Shown(due, cal.Location()).Format(time.RFC3339)
	out.Body.From = calendar.Shown(from, cal.Location()).Format(time.RFC3339)
	out.Body.Calendar = cal.ID()
	return out, nil
}

func (h *handlers) createCalendar(ctx context.Context, act policy.Actor, in *calendarCreateInput) (*calendarInfoOutput, error) {
	var err error
	b := in.Body
	ci := registry.CustomInput{ID: b.ID, Name: b.Name, BaseID: b.BaseID, TimeZone: b.TimeZone, AlwaysOpen: b.AlwaysOpen, Exceptions: b.Exceptions}
	if b.Week != nil {
		if ci.Week, err = parseWeek(b.Week); err != nil {
			return nil, err
		}
	}
	return bodyAs[calendarInfoOutput](h.Calendars.CreateCustom(ctx, act, ci))
}

func (h *handlers) createCalendarImport(ctx context.Context, act policy.Actor, in *importCreateInput) (*importOutput, error) {
	data, err := uploadContent(in.Body.Content, in.Body.ContentEncoding)
	if err != nil {
		return nil, err
	}
	return bodyAs[importOutput](h.Calendars.PreviewImport(ctx, act, in.ID, in.Body.Filename, data))
}

func (h *handlers) listCalendarImports(ctx context.Context, act policy.Actor, in *idString) (*importListOutput, error) {
	return listAs[importListOutput](h.Calendars.ListImports(ctx, act, in.ID))
}

// decideCalendarImport applies a pending import, or discards it when apply is false.
func (h *handlers) decideCalendarImport(apply bool) func(context.Context, policy.Actor, *importPath) (*importOutput, error) {
	return func(ctx context.Context, act policy.Actor, in *importPath) (*importOutput, error) {
		res, err := h.Calendars.DecideImport(ctx, act, in.ID, in.ImportID, apply)
		if err != nil {
			return nil, err
		}
		return &importOutput{Body: res}, nil
	}
}

type idString struct {
	ID string `path:"id" maxLength:"40"`
}

// deadlineArgs validates the deadline query: days >= 0 for working days,
// else dur for working hours.
func deadlineArgs(in *deadlineInput) (from time.Time, days int, dur time.Duration, err error) {
	var fs problem.Fields
	from, perr := time.Parse(time.RFC3339, in.From)
	switch {
	case perr != nil:
		fs.Add("query.from", "must be an RFC 3339 instant with offset, e.g. 2026-09-30T16:00:00+08:00")
	case !calendar.Supports(from):
		fs.Add("query.from", "must be from 1900 to 2199: calendars compute no deadline outside these years")
	}
	days = -1
	switch {
	case (in.WorkingDays == "") == (in.Hours == ""):
		fs.Add("query.working_days", "give exactly one of working_days and hours")
	case in.WorkingDays != "":
		n, err := strconv.Atoi(in.WorkingDays)
		if err != nil || n < 0 || n > 366 {
			fs.Add("query.working_days", "must be a whole number from 0 to 366")
		}
		days = n
	default:
		f, err := strconv.ParseFloat(in.Hours, 64)
		if err != nil || f < 0 || f > 10000 || f != f {
			fs.Add("query.hours", "must be a number of hours from 0 to 10000")
		}
		dur = time.Duration(f * float64(time.Hour)).Round(time.Second)
	}
	return from, days, dur, fs.Err()
}

// parseWeek reads business hours keyed by weekday.
func parseWeek(m map[string][]string) (calendar.Week, error) {
	var w calendar.Week
	var fs problem.Fields
	keys := map[string]time.Weekday{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		keys[calendar.WeekdayKey(d)] = d
	}
	for k, slots := range m {
		d, ok := keys[k]
		if !ok {
			fs.Add("body.week."+k, "is not a weekday; use mon, tue, wed, thu, fri, sat, sun")
			continue
		}
		for i, text := range slots {
			sl, err := calendar.ParseSlot(text)
			if err != nil {
				fs.Add(fmt.Sprintf("body.week.%s[%d]", k, i), "%v", err)
				continue
			}
			w[d] = append(w[d], sl)
		}
	}
	return w, fs.Err()
}

// MaxCalendarImportBody bounds the body of import-calendar-schedule: a
// schedule at its limit in base64, and room for the rest.
const MaxCalendarImportBody = 4 << 20
