package sla

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
)

var (
	shanghai = func() *time.Location {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			panic(err)
		}
		return loc
	}()
	allDay = calendar.MustNew(calendar.Spec{ID: "cn-24x7", Name: "24/7", TimeZone: "Asia/Shanghai", AlwaysOpen: true})
)

func lookup(id string) (*calendar.Calendar, error) {
	switch id {
	case "cn":
		return calendar.CN(), nil
	case "cn-24x7":
		return allDay, nil
	}
	return nil, fmt.Errorf("no calendar %q", id)
}

// terms: emergency: respond within 2 hours and on site within 4 hours, around
// the clock, resolved within 24 hours; general: respond within 2 working
// days, resolved within 5 working days, on business hours.
var terms = Terms{
	Emergency: []Target{
		{Kind: Response, Within: 2 * time.Hour, CalendarID: "cn-24x7"},
		{Kind: OnSite, Within: 4 * time.Hour, CalendarID: "cn-24x7"},
		{Kind: Resolution, Within: 24 * time.Hour, CalendarID: "cn-24x7"},
	},
	General: []Target{
		{Kind: Response, WorkingDays: 2, CalendarID: "cn"},
		{Kind: Resolution, WorkingDays: 5, CalendarID: "cn"},
	},
}

func at(m time.Month, d, h, min int) time.Time { return time.Date(2025, m, d, h, min, 0, 0, shanghai) }

// log builds events with increasing Seq.
func log(events ...Event) []Event {
	for i := range events {
		events[i].Seq = int64(i + 1)
	}
	return events
}

func received(t time.Time, p Priority) Event {
	return Event{Kind: Received, At: t, Priority: p, Actor: "customer"}
}
func ev(k EventKind, t time.Time) Event { return Event{Kind: k, At: t, Actor: "dispatcher"} }
func pause(t time.Time, r PauseReason) Event {
	return Event{Kind: Paused, At: t, Reason: r, Actor: "dispatcher", Note: "customer asked to come back later"}
}
func reclassify(t time.Time, p Priority) Event { return Event{Kind: Reclassified, At: t, Priority: p} }

// want describes one clock: state, due time, and met time when set.
type want struct {
	kind     ClockKind
	state    ClockState
	due      time.Time
	met      time.Time
	priority Priority
}

func TestCompute(t *testing.T) {
	t.Parallel()
	wed := at(3, 12, 10, 0) // Wednesday 2025-03-12 10:00
	tests := []struct {
		name    string
		terms   Terms
		events  []Event
		now     time.Time
		want    []want
		ignored []string // reasons of ignored events, in order (substrings)
	}{
		{"general: responded next day, met",
			terms, log(received(wed, General), ev(Responded, at(3, 13, 15, 0))), at(3, 14, 10, 0),
			[]want{
				{kind: Response, state: StateMet, due: at(3, 14, 18, 0), met: at(3, 13, 15, 0)},
				{kind: Resolution, state: StateRunning, due: at(3, 19, 18, 0)},
			}, nil},
		{"general: no response by Friday close, breached on Monday",
			terms, log(received(wed, General)), at(3, 17, 9, 0),
			[]want{{kind: Response, state: StateBreached, due: at(3, 14, 18, 0)}, {kind: Resolution, state: StateRunning, due: at(3, 19, 18, 0)}}, nil},
		{"general: responded late stays breached, with the time of the response",
			terms, log(received(wed, General), ev(Responded, at(3, 17, 10, 0))), at(3, 18, 9, 0),
			[]want{{kind: Response, state: StateBreached, due: at(3, 14, 18, 0), met: at(3, 17, 10, 0)}, {kind: Resolution, state: StateRunning, due: at(3, 19, 18, 0)}}, nil},
		{"general: response exactly at the due time is met",
			terms, log(received(wed, General), ev(Responded, at(3, 14, 18, 0))), at(3, 18, 9, 0),
			[]want{{kind: Response, state: StateMet, due: at(3, 14, 18, 0), met: at(3, 14, 18, 0)}, {kind: Resolution, state: StateRunning, due: at(3, 19, 18, 0)}}, nil},
		{"general: received on Saturday of National Day week",
			terms, log(received(at(10, 4, 11, 0), General)), at(10, 4, 12, 0),
			// 10-09, 10-10, 10-11 (make-up Saturday), 10-13, 10-14
			[]want{{kind: Response, state: StateRunning, due: at(10, 10, 18, 0)}, {kind: Resolution, state: StateRunning, due: at(10, 14, 18, 0)}}, nil},
		{"emergency: a check-in on site is also the response",
			terms, log(received(at(3, 15, 22, 0), Emergency), ev(CheckedIn, at(3, 15, 23, 30))), at(3, 16, 1, 0),
			[]want{
				{kind: Response, state: StateMet, due: at(3, 16, 0, 0), met: at(3, 15, 23, 30)},
				{kind: OnSite, state: StateMet, due: at(3, 16, 2, 0), met: at(3, 15, 23, 30)},
				{kind: Resolution, state: StateRunning, due: at(3, 16, 22, 0)},
			}, nil},
		{"pause shifts the due time by the working time paused",
			terms, log(received(wed, General), pause(at(3, 13, 9, 0), WaitingCustomer), ev(Resumed, at(3, 14, 9, 0))), at(3, 15, 9, 0),
			[]want{{kind: Response, state: StateRunning, due: at(3, 17, 18, 0)}, {kind: Resolution, state: StateRunning, due: at(3, 20, 18, 0)}}, nil},
		{"open pause: clocks paused, due time moves with now",
			terms, log(received(wed, General), pause(at(3, 13, 9, 0), WaitingVendorParts)), at(3, 13, 15, 0),
			// paused 5 working hours so far (09-12, 13-15): Friday 18:00 + 5h = Monday 15:00
			[]want{{kind: Response, state: StatePaused, due: at(3, 17, 15, 0)}, {kind: Resolution, state: StatePaused, due: at(3, 20, 15, 0)}}, nil},
		{"pause outside working time shifts nothing",
			terms, log(received(wed, General), pause(at(3, 12, 19, 0), WaitingCustomer), ev(Resumed, at(3, 13, 8, 0))), at(3, 13, 9, 0),
			[]want{{kind: Response, state: StateRunning, due: at(3, 14, 18, 0)}, {kind: Resolution, state: StateRunning, due: at(3, 19, 18, 0)}}, nil},
		{"pause reason not allowed by the agreement is ignored",
			Terms{General: terms.General, PauseReasons: []PauseReason{WaitingCustomer}},
			log(received(wed, General), pause(at(3, 13, 9, 0), Suspension), ev(Resumed, at(3, 14, 9, 0))), at(3, 15, 9, 0),
			[]want{{kind: Response, state: StateBreached, due: at(3, 14, 18, 0)}, {kind: Resolution, state: StateRunning, due: at(3, 19, 18, 0)}},
			[]string{`"suspension" is not allowed`, "not paused"}},
		{"pause after the response was met changes only the clocks still running",
			terms, log(received(wed, General), ev(Responded, at(3, 12, 11, 0)), pause(at(3, 13, 9, 0), WaitingCustomer), ev(Resumed, at(3, 13, 18, 0))), at(3, 14, 9, 0),
			[]want{{kind: Response, state: StateMet, due: at(3, 14, 18, 0), met: at(3, 12, 11, 0)}, {kind: Resolution, state: StateRunning, due: at(3, 20, 18, 0)}}, nil},
		{"pause after the due time does not lift a breach",
			terms, log(received(wed, General), pause(at(3, 17, 9, 0), WaitingCustomer)), at(3, 17, 10, 0),
			[]want{{kind: Response, state: StateBreached, due: at(3, 14, 18, 0)}, {kind: Resolution, state: StatePaused, due: at(3, 20, 10, 0)}}, nil},
		{"resolution stops every clock: a remote fix meets response and on-site",
			terms, log(received(wed, Emergency), ev(Resolved, at(3, 12, 11, 0)), ev(Responded, at(3, 12, 11, 30))), at(3, 12, 18, 0),
			[]want{
				{kind: Response, state: StateMet, due: at(3, 12, 12, 0), met: at(3, 12, 11, 0)},
				{kind: OnSite, state: StateMet, due: at(3, 12, 14, 0), met: at(3, 12, 11, 0)},
				{kind: Resolution, state: StateMet, due: at(3, 13, 10, 0), met: at(3, 12, 11, 0)},
			}, []string{"after the request was resolved"}},
		{"resolution ends an open pause",
			terms, log(received(wed, Emergency), pause(at(3, 12, 10, 30), WaitingCustomer), ev(Resolved, at(3, 12, 11, 0))), at(3, 12, 18, 0),
			[]want{
				{kind: Response, state: StateMet, due: at(3, 12, 12, 30), met: at(3, 12, 11, 0)},
				{kind: OnSite, state: StateMet, due: at(3, 12, 14, 30), met: at(3, 12, 11, 0)},
				{kind: Resolution, state: StateMet, due: at(3, 13, 10, 30), met: at(3, 12, 11, 0)},
			}, nil},
		{"upgrade to emergency: new targets measured from receipt",
			terms, log(received(wed, General), reclassify(at(3, 12, 11, 0), Emergency)), at(3, 12, 11, 30),
			[]want{
				{kind: Response, state: StateRunning, due: at(3, 12, 12, 0), priority: Emergency},
				{kind: OnSite, state: StateRunning, due: at(3, 12, 14, 0), priority: Emergency},
				{kind: Resolution, state: StateRunning, due: at(3, 13, 10, 0), priority: Emergency},
			}, nil},
		{"upgrade after the response was met: the response stays met",
			terms, log(received(wed, General), ev(Responded, at(3, 13, 10, 0)), reclassify(at(3, 13, 11, 0), Emergency)), at(3, 13, 12, 0),
			[]want{
				{kind: Response, state: StateMet, due: at(3, 14, 18, 0), met: at(3, 13, 10, 0), priority: General},
				{kind: OnSite, state: StateBreached, due: at(3, 12, 14, 0), priority: Emergency},
				{kind: Resolution, state: StateBreached, due: at(3, 13, 10, 0), priority: Emergency},
			}, nil},
		{"downgrade after a breach: the breach stays, undecided clocks follow the new terms",
			terms, log(received(wed, Emergency), reclassify(at(3, 12, 13, 0), General)), at(3, 12, 15, 0),
			[]want{
				{kind: Response, state: StateBreached, due: at(3, 12, 12, 0), priority: Emergency},
				{kind: Resolution, state: StateRunning, due: at(3, 19, 18, 0), priority: General},
			}, nil},
		{"events before receipt, duplicates and unknown ones are ignored",
			terms, log(ev(Responded, at(3, 12, 9, 0)), received(wed, General), received(at(3, 12, 10, 5), Emergency),
				ev(Responded, at(3, 12, 11, 0)), ev(Responded, at(3, 12, 12, 0)), reclassify(at(3, 12, 12, 30), General),
				ev(Resumed, at(3, 12, 13, 0)), Event{Kind: "escalated", At: at(3, 12, 14, 0)}), at(3, 12, 15, 0),
			[]want{{kind: Response, state: StateMet, due: at(3, 14, 18, 0), met: at(3, 12, 11, 0)}, {kind: Resolution, state: StateRunning, due: at(3, 19, 18, 0)}},
			[]string{"before the request was received", "already received", "only the first response", "already general", "not paused", "unknown event kind"}},
		{"events after now are not yet known",
			terms, log(received(wed, General), ev(Responded, at(3, 13, 15, 0))), at(3, 13, 14, 0),
			[]want{{kind: Response, state: StateRunning, due: at(3, 14, 18, 0)}, {kind: Resolution, state: StateRunning, due: at(3, 19, 18, 0)}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := Compute(tc.terms, tc.events, lookup, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Clocks) != len(tc.want) {
				t.Fatalf("got %d clocks %v, want %d", len(st.Clocks), st.Clocks, len(tc.want))
			}
			for i, w := range tc.want {
				c := st.Clocks[i]
				if c.Kind != w.kind || c.State != w.state || !c.DueAt.Equal(w.due) {
					t.Errorf("clock %d = %s %s due %s, want %s %s due %s", i, c.Kind, c.State, c.DueAt.In(shanghai), w.kind, w.state, w.due)
				}
				if w.met.IsZero() != (c.MetAt == nil) || (c.MetAt != nil && !c.MetAt.Equal(w.met)) {
					t.Errorf("%s met at %v, want %v", c.Kind, c.MetAt, w.met)
				}
				if w.priority != "" && c.Priority != w.priority {
					t.Errorf("%s measured for %s, want %s", c.Kind, c.Priority, w.priority)
				}
			}
			if len(st.Ignored) != len(tc.ignored) {
				t.Fatalf("ignored %v, want %v", st.Ignored, tc.ignored)
			}
			for i, reason := range tc.ignored {
				if !strings.Contains(st.Ignored[i].Reason, reason) {
					t.Errorf("ignored[%d] = %q, want it to say %q", i, st.Ignored[i].Reason, reason)
				}
			}
		})
	}
}

func TestClockFigures(t *testing.T) {
	t.Parallel()
	// Received Wednesday 09:00: 2 working days = Wed, Thu, Fri = 24 working hours.
	events := log(received(at(3, 12, 9, 0), General), pause(at(3, 13, 9, 0), WaitingCustomer), ev(Resumed, at(3, 13, 13, 0)))
	st, err := Compute(terms, events, lookup, at(3, 13, 15, 0))
	if err != nil {
		t.Fatal(err)
	}
	c, ok := st.Clock(Response)
	if !ok {
		t.Fatal("no response clock")
	}
	if c.Allowed != 24*time.Hour || c.PausedFor != 3*time.Hour || c.Used != 10*time.Hour || c.Remaining != 14*time.Hour {
		t.Errorf("allowed %s paused %s used %s remaining %s", c.Allowed, c.PausedFor, c.Used, c.Remaining)
	}
	if c.ElapsedShare < 0.416 || c.ElapsedShare > 0.417 {
		t.Errorf("share %f, want 10/24", c.ElapsedShare)
	}
	// 75% = 18h of work: Wed 8h, Thu 5h (paused 09:00-13:00), Fri 5h: Friday 15:00.
	if got, want := c.WarningAt(0.75), at(3, 14, 15, 0); !got.Equal(want) {
		t.Errorf("WarningAt(0.75) = %s, want %s", got.In(shanghai), want)
	}
	if got := c.WarningAt(1); !got.Equal(c.DueAt) {
		t.Errorf("WarningAt(1) = %s, want DueAt %s", got, c.DueAt)
	}
	if !c.DueAt.Equal(at(3, 17, 12, 0)) {
		t.Errorf("due %s, want Monday 12:00 (Friday close + 3h)", c.DueAt.In(shanghai))
	}
}

func TestComputeErrors(t *testing.T) {
	t.Parallel()
	if _, err := Compute(terms, log(ev(Responded, at(3, 12, 9, 0))), lookup, at(3, 13, 0, 0)); !errors.Is(err, ErrNotReceived) {
		t.Errorf("no receipt: %v", err)
	}
	if _, err := Compute(terms, log(received(at(3, 12, 9, 0), "urgent")), lookup, at(3, 13, 0, 0)); err == nil {
		t.Error("unknown priority accepted")
	}
	bad := Terms{General: []Target{{Kind: Response, WorkingDays: 1, CalendarID: "nowhere"}}}
	if _, err := Compute(bad, log(received(at(3, 12, 9, 0), General)), lookup, at(3, 13, 0, 0)); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("unknown calendar: %v", err)
	}
}

func TestTermsValidate(t *testing.T) {
	t.Parallel()
	if err := terms.Validate(); err != nil {
		t.Fatalf("valid terms rejected: %v", err)
	}
	bad := Terms{
		Emergency: []Target{
			{Kind: Response, Within: 2 * time.Hour, WorkingDays: 1, CalendarID: "cn"},
			{Kind: Response, Within: time.Hour},
			{Kind: "arrival", Within: time.Hour, CalendarID: "cn"},
		},
		General:      []Target{{Kind: Resolution, CalendarID: "cn"}},
		PauseReasons: []PauseReason{"lunch"},
	}
	var ve *calendar.ValidationError
	if err := bad.Validate(); !errors.As(err, &ve) {
		t.Fatalf("want *calendar.ValidationError, got %v", err)
	}
	fields := map[string]bool{}
	for _, fe := range ve.Errors {
		fields[fe.Field] = true
	}
	for _, f := range []string{"emergency[0]", "emergency[1].kind", "emergency[1].calendar_id", "emergency[2].kind", "general[0]", "pause_reasons[0]"} {
		if !fields[f] {
			t.Errorf("not reported: %s (%v)", f, ve)
		}
	}
}

func TestEscalationClock(t *testing.T) {
	t.Parallel()
	cal := calendar.CN()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	// Raised Friday 2026-11-27 16:00: 2 working hours that day, 2 more on
	// Monday morning, due Monday 11:00.
	raised := time.Date(2026, 11, 27, 16, 0, 0, 0, sh)
	due := time.Date(2026, 11, 30, 11, 0, 0, 0, sh)
	open := EscalationClock(cal, "cn", Emergency, raised, nil, DefaultEscalationWithin, time.Date(2026, 11, 28, 12, 0, 0, 0, sh))
	if !open.DueAt.Equal(due) || open.State != StateRunning || open.Remaining != 2*time.Hour {
		t.Fatalf("open escalation: %v remaining %v", open, open.Remaining)
	}
	late := EscalationClock(cal, "cn", Emergency, raised, nil, DefaultEscalationWithin, due.Add(time.Minute))
	if late.State != StateBreached {
		t.Fatalf("past due: %v", late)
	}
	answered := due.Add(-time.Minute)
	met := EscalationClock(cal, "cn", Emergency, raised, &answered, DefaultEscalationWithin, due.Add(time.Hour))
	if met.State != StateMet || met.MetAt == nil || !met.MetAt.Equal(answered) {
		t.Fatalf("answered in time: %v", met)
	}
	if w := met.WarningAt(0.75); !w.Equal(time.Date(2026, 11, 30, 10, 0, 0, 0, sh)) {
		t.Fatalf("warning at %v", w)
	}
}
