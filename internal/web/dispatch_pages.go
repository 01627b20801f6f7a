package web

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/dispatch"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
	"aftersales/internal/web/form"
	"aftersales/internal/workorder"
)

// The dispatch board: a day per technician on a time axis, the requests
// waiting for a visit with the time left on their clocks, booking and
// moving by drag and drop or by each item's form (the keyboard's and the
// phone's way), the recommendations for a selected request, and "plan the
// day". Working hours and the on-call rota are edited on /dispatch/hours.

// The board's time axis, local hours.
const (
	axisFrom = 7
	axisTo   = 21
)

// block is something placed on a lane: its left edge and width in percent
// of the axis.
type block struct {
	Left, Width float64
	From, To    string // local HH:MM
}

func placeOn(midnight time.Time, start, end time.Time) block {
	span := float64((axisTo - axisFrom) * 60)
	a := math.Max(0, start.Sub(midnight).Minutes()-axisFrom*60)
	b := math.Min(span, end.Sub(midnight).Minutes()-axisFrom*60)
	if b < a {
		b = a
	}
	return block{Left: math.Round(a/span*1000) / 10, Width: math.Round((b-a)/span*1000) / 10,
		From: start.In(calendar.Shanghai).Format("15:04"), To: end.In(calendar.Shanghai).Format("15:04")}
}

type laneVisit struct {
	dispatch.BoardVisit
	block
	Minutes int
	// LatestStart fills the "latest start" of the visit's lock range
	// (local HH:MM); its earliest start is the visit's start.
	LatestStart string
	// TravelBlock is the drive before the visit, ending at its start
	// (nil when unknown).
	TravelBlock *block
}

// latestStart is the latest start a visit's lock range offers before the
// dispatcher edits it: the visit's booked end. A dispatcher who chooses
// "start between" means the visit may move, but not far from where it is
// booked; from its start to its end lets the plan start it as late as it
// was to end, a range as wide as the visit, where its start twice would be
// "lock the time" under another name. Left empty, the whole plan would be
// refused for a value the board already knows. A visit ending after
// midnight offers 23:59, as the range is read on the board's day.
func latestStart(start, end time.Time) string {
	s, e := start.In(calendar.Shanghai), end.In(calendar.Shanghai)
	if calendar.LocalDate(e) != calendar.LocalDate(s) {
		return "23:59"
	}
	return e.Format("15:04")
}

type laneView struct {
	dispatch.Lane
	ShiftBlocks, OnCallBlocks, LeaveBlocks []block
	// BreakBlocks are the gaps between the day's working hours (lunch).
	BreakBlocks []block
	VisitBlocks []laneVisit
	Off         bool
}

type openView struct {
	dispatch.Open
	Left    string // time left, in the reader's language
	Planned string // planned time on site for an average technician
	Due     string // when the deadline falls, in the page's time zone
	Overdue bool
	Urgent  bool
	// BeforeDay: the deadline passes before the day shown begins, so any
	// visit booked on it is late.
	BeforeDay bool
}

// leftText says how long until a deadline (or since it passed).
func (v *view) leftText(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h >= 48 && h%24 == 0:
		return v.T("dispatch.days", "N", h/24)
	case h >= 48:
		return v.T("span.days_hours", "D", h/24, "H", h%24)
	case h > 0 && m == 0:
		return v.T("dispatch.hours", "H", h)
	case h > 0:
		return v.T("dispatch.hours_minutes", "H", h, "M", m)
	}
	return v.T("dispatch.minutes", "M", m)
}

// boardData is the dispatch board of a day, with a proposed plan when
// one is open.
type boardData struct {
	Board            dispatch.Board
	Lanes            []laneView
	Open             []openView
	Ticks            []block
	Day, Prev, Next  string
	AxisFrom, AxisTo int
	Limits           []int
	CanHours         bool
	Plan             *dispatch.Plan
	Map              mapView
}

func (s *Server) boardPage(w http.ResponseWriter, r *http.Request, u account.User) {
	ctx, a := r.Context(), u.Actor()
	q := readQuery(r)
	if q.Get("view") == "week" {
		s.weekPage(w, r, u, q)
		return
	}
	v := s.newView(r, "dispatch.title", "dispatch")
	b, ok := onDay(s, w, r, q, func() (dispatch.Board, error) { return s.Dispatch.Board(ctx, a, 0, q.Get("day")) })
	if !ok {
		return
	}
	if !q.OK() {
		// No board of another day than the one asked for: the day as
		// written, named above the page.
		v.Data = boardData{}
		s.renderFiltered(w, r, "dispatch", v, q)
		return
	}
	day := calendar.MustParseDate(b.Day)
	midnight := day.At(0, 0, calendar.Shanghai)
	lanes := make([]laneView, 0, len(b.Lanes))
	for _, l := range b.Lanes {
		lv := laneView{Lane: l, Off: len(l.Shift) == 0}
		for i, sp := range l.Shift {
			lv.ShiftBlocks = append(lv.ShiftBlocks, placeOn(midnight, sp.Start, sp.End))
			if i > 0 && l.Shift[i-1].End.Before(sp.Start) {
				lv.BreakBlocks = append(lv.BreakBlocks, placeOn(midnight, l.Shift[i-1].End, sp.Start))
			}
		}
		for _, sp := range l.OnCall {
			lv.OnCallBlocks = append(lv.OnCallBlocks, placeOn(midnight, sp.Start, sp.End))
		}
		for _, sp := range l.Leave {
			lv.LeaveBlocks = append(lv.LeaveBlocks, placeOn(midnight, sp.Start, sp.End))
		}
		for _, vs := range l.Visits {
			lvv := laneVisit{BoardVisit: vs, block: placeOn(midnight, vs.Start, vs.End), Minutes: int(vs.End.Sub(vs.Start).Minutes()),
				LatestStart: latestStart(vs.Start, vs.End)}
			if vs.Travel != nil && vs.Travel.Minutes > 0 {
				tb := placeOn(midnight, vs.Start.Add(-time.Duration(vs.Travel.Minutes)*time.Minute), vs.Start)
				lvv.TravelBlock = &tb
			}
			lv.VisitBlocks = append(lv.VisitBlocks, lvv)
		}
		lanes = append(lanes, lv)
	}
	open := make([]openView, 0, len(b.Open))
	for _, o := range b.Open {
		ov := openView{Open: o, Planned: v.leftText(time.Duration(o.Minutes) * time.Minute)}
		if left, ok := o.Left(b.Now); ok {
			ov.Left, ov.Overdue, ov.Urgent = v.leftText(left), left < 0, left >= 0 && left < 4*time.Hour
			ov.Due, ov.BeforeDay = v.Time(o.DueAt), !ov.Overdue && o.DueAt.Before(midnight)
		}
		open = append(open, ov)
	}
	var ticks []block
	for hr := axisFrom; hr < axisTo; hr++ {
		t := midnight.Add(time.Duration(hr) * time.Hour)
		ticks = append(ticks, placeOn(midnight, t, t.Add(time.Hour)))
	}
	d := boardData{Board: b, Lanes: lanes, Open: open, Ticks: ticks, Day: b.Day,
		Prev: day.AddDays(-1).String(), Next: day.AddDays(1).String(), AxisFrom: axisFrom, AxisTo: axisTo,
		Limits: []int{3, 5, 10, 20}, CanHours: policy.Allowed(a, policy.StaffManage, policy.Own)}
	if id := q.ID("plan"); id != 0 {
		p, err := s.Dispatch.GetPlan(ctx, a, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Plan, d.Map = &p, planMap(p.Proposal)
	} else if q.Get("plan") == "" {
		// The day's plan waiting for a decision, while the board is as planned.
		p, ok, err := s.Dispatch.PendingPlan(ctx, a, b)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if ok {
			d.Plan, d.Map = &p, planMap(p.Proposal)
		}
	}
	v.Data = d
	s.renderFiltered(w, r, "dispatch", v, q)
}

// mapView is the plan's schematic map, drawn as SVG by the product.
type mapView struct {
	ViewBox string
	Routes  []mapRoute
}

type mapRoute struct {
	Points string // polyline
	Base   dispatch.XY
	Stops  []dispatch.XY
	Class  string
	Name   string
}

func planMap(p dispatch.Proposal) mapView {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	see := func(q dispatch.XY) {
		minX, maxX, minY, maxY = math.Min(minX, q.X), math.Max(maxX, q.X), math.Min(minY, -q.Y), math.Max(maxY, -q.Y)
	}
	var out mapView
	for i, r := range p.Routes {
		mr := mapRoute{Base: dispatch.XY{X: r.Base.X, Y: -r.Base.Y}, Class: fmt.Sprintf("r%d", i%6), Name: r.Name}
		see(r.Base)
		pts := []string{fmt.Sprintf("%.2f,%.2f", r.Base.X, -r.Base.Y)}
		for _, st := range r.Stops {
			see(st.Where)
			mr.Stops = append(mr.Stops, dispatch.XY{X: st.Where.X, Y: -st.Where.Y})
			pts = append(pts, fmt.Sprintf("%.2f,%.2f", st.Where.X, -st.Where.Y))
		}
		pts = append(pts, pts[0])
		mr.Points = strings.Join(pts, " ")
		out.Routes = append(out.Routes, mr)
	}
	if math.IsInf(minX, 1) {
		minX, minY, maxX, maxY = -1, -1, 1, 1
	}
	pad := math.Max(1, math.Max(maxX-minX, maxY-minY)*0.08)
	out.ViewBox = fmt.Sprintf("%.2f %.2f %.2f %.2f", minX-pad, minY-pad, maxX-minX+2*pad, maxY-minY+2*pad)
	return out
}

// boardBack returns to the board of day, saying msg.
func (s *Server) boardBack(w http.ResponseWriter, r *http.Request, day, msg string, extra ...string) {
	if msg != "" {
		s.flash(r, msg)
	}
	q := url.Values{"day": {day}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	http.Redirect(w, r, "/dispatch?"+q.Encode(), http.StatusSeeOther)
}

// refusal is a problem as the reader reads it: a booking refusal names its
// reason first.
func (s *Server) refusalText(r *http.Request, err error) (string, bool) {
	p, ok := problem.As(err)
	if !ok {
		return "", false
	}
	p = s.translate(r, p)
	msg := p.Detail
	for _, f := range p.Fields {
		msg = strings.TrimSpace(msg + " " + f.Message)
	}
	if p.Reason != "" && s.I18n.Has("staff.reason_"+p.Reason) {
		msg = s.msg(r, "staff.reason_"+p.Reason) + ": " + msg
	}
	return msg, true
}

// boardMove books a waiting request (no work_order_id) or moves a booked
// visit to a technician at a time; the board's script posts it on a drop,
// the item's form on a click or Enter.
func (s *Server) boardMove(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	day := f.String("day")
	script := r.Header.Get("X-Board") != ""
	answer := func(err error) {
		if err == nil {
			if script {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			s.boardBack(w, r, day, s.msg(r, "dispatch.moved"))
			return
		}
		msg, ok := s.refusalText(r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		if script {
			p, _ := problem.As(err)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(p.Kind.Status())
			_, _ = w.Write([]byte(msg))
			return
		}
		s.boardBack(w, r, day, msg)
	}
	requestID, woID, tech := f.Int64("request_id"), f.Int64("work_order_id"), f.Int64("technician_id")
	// A booked visit keeps its length; a new one takes the agreement's
	// planned time for its service item at the technician's efficiency.
	minutes := f.Int("minutes")
	d := f.Date("day")
	if d == (calendar.Date{}) {
		f.Add("day", "must be a date YYYY-MM-DD")
	}
	clock, ok := f.Clock("time")
	if !ok {
		f.Add("time", "must be a time HH:MM")
	}
	err := f.Err()
	if err != nil {
		answer(err)
		return
	}
	start := d.At(0, clock, calendar.Shanghai)
	if minutes <= 0 || woID == 0 {
		planned, err := s.Dispatch.PlannedVisit(r.Context(), u.Actor(), requestID, tech, start)
		if err != nil {
			answer(err)
			return
		}
		minutes = int(planned.Minutes())
	}
	asg := workorder.Assignment{TechnicianID: tech, WindowStart: start, WindowEnd: start.Add(time.Duration(minutes) * time.Minute)}
	if woID > 0 {
		_, err = s.WorkOrders.Reassign(r.Context(), u.Actor(), workorder.ForRequest(requestID), woID, asg)
	} else {
		_, err = s.WorkOrders.Book(r.Context(), u.Actor(), workorder.ForRequest(requestID), asg)
	}
	answer(err)
}

func (s *Server) boardPlan(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	posted := r.PostForm
	limit := f.Int("time_limit")
	if err := f.Err(); err != nil {
		msg, _ := s.refusalText(r, err)
		s.boardBack(w, r, f.String("day"), msg)
		return
	}
	locks, err := planLocks(f, posted)
	if err != nil {
		s.boardBack(w, r, f.String("day"), s.lockRefusal(r, err))
		return
	}
	p, err := s.Dispatch.MakePlan(r.Context(), u.Actor(), dispatch.PlanInput{Day: f.String("day"), TimeLimit: time.Duration(limit) * time.Second, Locks: locks})
	if err != nil {
		if msg, ok := s.refusalText(r, err); ok && problem.Is(err, problem.Invalid) {
			s.boardBack(w, r, f.String("day"), msg)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.boardBack(w, r, p.Day, "", "plan", strconv.FormatInt(p.ID, 10))
}

// planLocks reads the locks the board's visits post with the plan form:
// lock_<visit> is the kind of lock (none when empty), lock_from_<visit>
// and lock_to_<visit> a range's earliest and latest start on the posted
// day. A key of the form that names no visit by its id, a kind of lock
// there is not, or a range's time that is not one is refused under its
// key, never left out of the plan.
func planLocks(f *form.Form, posted url.Values) ([]dispatch.Lock, error) {
	day, dayErr := calendar.ParseDate(f.String("day"))
	var locks []dispatch.Lock
	for _, key := range slices.Sorted(maps.Keys(posted)) {
		rest, ok := strings.CutPrefix(key, "lock_")
		if !ok {
			continue
		}
		visit, ranged := strings.CutPrefix(rest, "from_")
		if !ranged {
			visit, ranged = strings.CutPrefix(rest, "to_")
		}
		wo, err := strconv.ParseInt(visit, 10, 64)
		if err != nil || wo < 1 {
			f.Add(key, "“%s” does not name a visit by its id", key)
			continue
		}
		kind := f.String(key)
		if ranged || kind == "" {
			continue
		}
		if !slices.Contains(dispatch.LockKinds, kind) {
			f.Add(key, "must be technician, time, both or range")
			continue
		}
		lk := dispatch.Lock{WorkOrderID: wo, Kind: kind}
		if kind == dispatch.LockRange && dayErr == nil {
			// A start range on the board's day, from the visit's form.
			for _, end := range []struct {
				field string
				to    **time.Time
			}{{"lock_from_" + visit, &lk.From}, {"lock_to_" + visit, &lk.To}} {
				clock, ok := f.Clock(end.field)
				if !ok {
					f.Add(end.field, "must be a time HH:MM")
					continue
				}
				at := day.At(0, clock, calendar.Shanghai)
				*end.to = &at
			}
		}
		locks = append(locks, lk)
	}
	return locks, f.Err()
}

// lockRefusal says the first field of the plan form's refusal in the
// reader's language, after the label of its input.
func (s *Server) lockRefusal(r *http.Request, err error) string {
	p, ok := problem.As(err)
	if !ok || len(p.Fields) == 0 {
		msg, _ := s.refusalText(r, err)
		return msg
	}
	fe := s.translate(r, p).Fields[0]
	label := "dispatch.lock"
	switch {
	case strings.HasPrefix(fe.Field, "lock_from_"):
		label = "dispatch.lock_from_field" // the form's "Earliest start", said apart from its form
	case strings.HasPrefix(fe.Field, "lock_to_"):
		label = "dispatch.lock_to_field"
	}
	return s.msg(r, "labelled", "Label", s.msg(r, label), "Message", fe.Message)
}

func (s *Server) boardAccept(w http.ResponseWriter, r *http.Request, u account.User) {
	id, ok := s.postedTo(w, r)
	if !ok {
		return
	}
	p, err := s.Dispatch.AcceptPlan(r.Context(), u.Actor(), id)
	var mr *dispatch.MoveRefused
	switch {
	case errors.As(err, &mr):
		msg, _ := s.refusalText(r, mr.Problem)
		s.boardBack(w, r, p.Day, s.msg(r, "dispatch.plan_refused", "Number", numberIn(p.Proposal, mr.RequestID))+" "+msg, "plan", strconv.FormatInt(id, 10))
	case problem.Is(err, problem.Conflict):
		msg, _ := s.refusalText(r, err)
		s.boardBack(w, r, p.Day, msg)
	case err != nil:
		s.fail(w, r, err)
	default:
		s.boardBack(w, r, p.Day, s.msg(r, "dispatch.plan_booked", "N", p.Proposal.Bookings+p.Proposal.Moves))
	}
}

func numberIn(p dispatch.Proposal, requestID int64) string {
	for _, r := range p.Routes {
		for _, st := range r.Stops {
			if st.RequestID == requestID {
				return st.Number
			}
		}
	}
	return strconv.FormatInt(requestID, 10)
}

func (s *Server) boardDiscard(w http.ResponseWriter, r *http.Request, u account.User) {
	id, ok := s.postedTo(w, r)
	if !ok {
		return
	}
	p, err := s.Dispatch.DiscardPlan(r.Context(), u.Actor(), id)
	if err != nil {
		if msg, ok := s.refusalText(r, err); ok && problem.Is(err, problem.Conflict) {
			s.boardBack(w, r, p.Day, msg)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.boardBack(w, r, p.Day, s.msg(r, "dispatch.plan_discarded_msg"))
}

// hoursRow is a technician or a point with its template, one text per weekday.
type hoursRow struct {
	ID       int64
	Name     string
	Source   string
	Calendar string
	Days     []hoursDay
}

type hoursDay struct{ Key, Slots string }

var weekKeys = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func hoursDays(h staff.Hours) []hoursDay {
	out := make([]hoursDay, 0, 7)
	for _, k := range weekKeys {
		out = append(out, hoursDay{Key: k, Slots: strings.Join(h.Week[k], ", ")})
	}
	return out
}

func (s *Server) renderHours(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	ctx, a := r.Context(), u.Actor()
	techs, err := s.Staff.ListTechnicians(ctx, a, u.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	points, err := s.Staff.ListPoints(ctx, a, u.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var trows, prows []hoursRow
	for _, t := range techs {
		h, err := s.Staff.HoursOf(ctx, a, t.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		trows = append(trows, hoursRow{ID: t.ID, Name: t.Name, Source: h.Source, Calendar: h.CalendarID, Days: hoursDays(h)})
	}
	for _, p := range points {
		h, _, err := s.Staff.PointHours(ctx, a, p.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		prows = append(prows, hoursRow{ID: p.ID, Name: p.Name, Calendar: h.CalendarID, Days: hoursDays(h)})
	}
	now := s.Now()
	rota, err := s.Staff.OnCallOf(ctx, a, u.OrgID, now.Add(-24*time.Hour), now.AddDate(0, 0, 60))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cals, err := s.Calendars.List(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "dispatch.hours_title", "dispatch")
	v.Data = hoursData{Techs: trows, Points: prows, Rota: rota, Calendars: cals, WeekKeys: weekKeys,
		CanManage: policy.Allowed(a, policy.StaffManage, policy.Own)}
	s.renderForm(w, r, status, "dispatch_hours", v, formErr)
}

type hoursData struct {
	Techs, Points []hoursRow
	Rota          []staff.OnCall
	Calendars     []registry.Info
	WeekKeys      []string
	CanManage     bool
}

// hoursSet saves a template posted as one text per weekday ("08:30-12:00, 13:00-17:30").
func (s *Server) hoursSet(point bool) func(http.ResponseWriter, *http.Request, account.User) {
	return func(w http.ResponseWriter, r *http.Request, u account.User) {
		id, f, ok := s.postedForm(w, r)
		if !ok {
			return
		}
		in := staff.HoursInput{CalendarID: f.String("calendar_id"), Week: map[string][]string{}}
		for _, k := range weekKeys {
			for _, slot := range strings.FieldsFunc(f.String(k), func(c rune) bool { return c == ',' || c == '，' || c == ';' || c == ' ' }) {
				in.Week[k] = append(in.Week[k], slot)
			}
		}
		var err error
		if point {
			_, err = s.Staff.SetPointHours(r.Context(), u.Actor(), id, in)
		} else {
			_, err = s.Staff.SetTechnicianHours(r.Context(), u.Actor(), id, in)
		}
		if s.refused(w, r, err, func(err error) {
			msg, _ := s.refusalText(r, err)
			s.flashRedirect(w, r, msg, "/dispatch/hours")
		}) {
			return
		}
		s.flashRedirect(w, r, s.msg(r, "dispatch.hours_saved"), "/dispatch/hours")
	}
}

func (s *Server) onCallAdd(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	tech := f.Int64("technician_id")
	on := staff.OnCall{StartsAt: f.DateTime("starts_at", calendar.Shanghai), EndsAt: f.DateTime("ends_at", calendar.Shanghai), Note: f.String("note")}
	err := f.Err()
	if err == nil {
		_, err = s.Staff.AddOnCall(r.Context(), u.Actor(), tech, on)
	}
	if s.refused(w, r, err, func(err error) { s.renderHours(w, r, u, http.StatusUnprocessableEntity, err) }) {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "dispatch.on_call_added"), "/dispatch/hours#rota")
}

func (s *Server) onCallDelete(w http.ResponseWriter, r *http.Request, u account.User) {
	id, ok := s.postedTo(w, r)
	if !ok {
		return
	}
	if err := s.Staff.DeleteOnCall(r.Context(), u.Actor(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/dispatch/hours#rota", http.StatusSeeOther)
}

// LateText says how late a planned visit starts after its deadline.
func (v *view) LateText(minutes int) string { return v.leftText(time.Duration(minutes) * time.Minute) }

// weekDayNames are the message keys of Monday to Sunday.
var weekDayNames = []string{"dispatch.week_mon", "dispatch.week_tue", "dispatch.week_wed", "dispatch.week_thu", "dispatch.week_fri", "dispatch.week_sat", "dispatch.week_sun"}

type weekColumn struct {
	Day, Name, Date string
	Today           bool
}

type weekData struct {
	Week              dispatch.Week
	Columns           []weekColumn
	Prev, Next, First string // days
}

// weekPage is the board's week: a row per technician, a column per day,
// the visits of each day, each day linking to its board.
func (s *Server) weekPage(w http.ResponseWriter, r *http.Request, u account.User, q *pageQuery) {
	v := s.newView(r, "dispatch.week_title", "dispatch")
	wk, ok := onDay(s, w, r, q, func() (dispatch.Week, error) { return s.Dispatch.WeekOf(r.Context(), u.Actor(), 0, q.Get("day")) })
	if !ok {
		return
	}
	if !q.OK() {
		v.Data = weekData{}
		s.renderFiltered(w, r, "dispatch_week", v, q)
		return
	}
	today := calendar.DateOf(s.Dispatch.Now(), calendar.Shanghai).String()
	cols := make([]weekColumn, len(wk.Days))
	for i, d := range wk.Days {
		cols[i] = weekColumn{Day: d, Name: v.T(weekDayNames[i]), Date: d[5:7] + "/" + d[8:], Today: d == today}
	}
	first := calendar.MustParseDate(wk.Days[0])
	v.Data = weekData{Week: wk, Columns: cols, Prev: first.AddDays(-7).String(), Next: first.AddDays(7).String(), First: wk.Days[0]}
	s.render(w, r, http.StatusOK, "dispatch_week", v)
}

// onDay loads the board's day (or its week) through load when the
// query's day reads as a date (none: the provider's day), as a page's
// filter: a day it cannot read, or one the board refuses, is kept in q
// for the page to name (400), and nothing is loaded. On any other error
// it answers the error page and reports false.
func onDay[T any](s *Server, w http.ResponseWriter, r *http.Request, q *pageQuery, load func() (T, error)) (T, bool) {
	q.Day("day")
	return whenRead(s, w, r, q, func() (T, error) {
		out, err := load()
		if err != nil && q.refused(err) {
			err = nil
		}
		return out, err
	})
}
