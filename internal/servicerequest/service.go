package servicerequest

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/coverage"
	"aftersales/internal/files"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// Resolver finds units and the agreement terms in force; coverage.Resolver
// implements it, joining the installed base to the agreements.
type Resolver interface {
	// UnitBySerial resolves a serial number; an unknown one is a problem
	// naming the field serial_number.
	UnitBySerial(ctx context.Context, q store.Queryer, serial string, at time.Time) (coverage.Target, error)
	// Agreement returns what the agreement version in force at says about
	// clocks and records.
	Agreement(ctx context.Context, q store.Queryer, agreementID int64, at time.Time) (coverage.AgreementTerms, error)
}

// Service holds the use cases on service requests.
type Service struct {
	DB        *store.DB
	Now       func() time.Time
	Resolve   Resolver
	Calendars func(ctx context.Context, id string) (*calendar.Calendar, error)
	// Notify, when set, tells of clocks about to run out, breaches and
	// escalations.
	Notify Publisher
	// Parts, when set, lists the parts fitted on a visit, for a unit's
	// history.
	Parts VisitParts
	// Visits reads the request's visits (workorder.RequestVisits).
	Visits Visits
	// unprobed: PostgreSQL's search walks the primary key for every term,
	// as it did before it probed the GIN index (BenchmarkLists compares).
	unprobed bool
	// window, reach and probe override searchWindow, searchReach and
	// searchProbe (tests reach every way a search reads its matches).
	window, reach, probe int
	// backlog overrides WatchBacklog (tests).
	backlog int
}

// Visits is what a request reads of its visits. Visits belong to
// internal/workorder, which imports this package: the composition root
// gives its answer (workorder.RequestVisits), and requests never read the
// visits' table themselves.
type Visits interface {
	// Works tells whether a user works on a request: such a technician
	// reads the request and acts on its visits (a visit not cancelled is
	// booked for them).
	Works(ctx context.Context, q store.Queryer, requestID, userID int64) (bool, error)
	// Technicians lists the technicians of a request's visits booked or
	// under way.
	Technicians(ctx context.Context, q store.Queryer, requestID int64) ([]int64, error)
	// OfRequests lists the visits of requests, oldest first, for a unit's
	// history (their parts left to the caller).
	OfRequests(ctx context.Context, q store.Queryer, requestIDs []int64) ([]HistoryVisit, error)
	// Visit reads one visit as photos need it.
	Visit(ctx context.Context, q store.Queryer, id int64) (VisitRef, error)
	// WorkedBy is an SQL condition on service_requests r selecting the
	// requests a technician has a visit on, cancelled visits included or
	// not, for lists to filter on.
	WorkedBy(technicianID int64, withCancelled bool) (string, []any)
}

// VisitRef is what photos need to know of a visit: photos of the work
// belong to a visit in progress, taken by its technician.
type VisitRef struct {
	ID           int64  `db:"id"`
	RequestID    int64  `db:"request_id"`
	TechnicianID int64  `db:"technician_id"`
	Status       string `db:"status"`
}

// VisitParts tells which parts a visit fitted; the stock ledger answers.
type VisitParts interface {
	UsedParts(ctx context.Context, q store.Queryer, workOrderID int64) ([]parts.UsedPart, error)
}

// NewRequest is a request as filed.
type NewRequest struct {
	SerialNumber string
	ServiceItem  string
	Priority     string
	Description  string
	ContactName  string
	ContactPhone string
	Channel      Channel
	// Photos of the fault, stored with the request or not at all.
	Photos []*files.Incoming
}

var phonePattern = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\+?[\d -]{7,20})$`)

// Validate checks the fields of a new request, naming every bad one.
func (n *NewRequest) Validate() error {
	var fs problem.Fields
	n.SerialNumber = strings.ToUpper(strings.TrimSpace(n.SerialNumber))
	n.Description = strings.TrimSpace(n.Description)
	n.ContactName, n.ContactPhone = strings.TrimSpace(n.ContactName), strings.TrimSpace(n.ContactPhone)
	problem.CheckText(&fs, "serial_number", n.SerialNumber, true, 64)
	if !slices.Contains(ServiceItems, n.ServiceItem) {
		fs.Add("service_item", "must be one of repair, maintenance, consultation, part_replacement")
	}
	if n.Priority != string(sla.Emergency) && n.Priority != string(sla.General) {
		fs.Add("priority", "must be emergency or general")
	}
	problem.CheckText(&fs, "description", n.Description, true, 4000)
	problem.CheckText(&fs, "contact_name", n.ContactName, false, 100)
	if n.ContactPhone != "" && !phonePattern.MatchString(n.ContactPhone) {
		fs.Add("contact_phone", "is not a phone number (e.g. 13812345678 or 0512-66881234)")
	}
	return fs.Err()
}

// View is a request with its history and clocks at a moment.
type View struct {
	Request
	Clocks []sla.Clock    `json:"clocks"`
	Events []RequestEvent `json:"events,omitempty"`
}

// scopeOf tells how a request relates to the actor.
func scopeOf(a policy.Actor, r Request, assigned bool) policy.Scope {
	return policy.ServiceScope(a, assigned, r.VendorID, r.ProviderID, r.CustomerOrgID)
}

// Create files a request: the unit is resolved, the scope checked against
// the agreement in force, and the clocks started by the received event.
func (s *Service) Create(ctx context.Context, actor policy.Actor, n NewRequest) (View, error) {
	types, err := checkPhotos("photos", n.Photos)
	if verr := n.Validate(); verr != nil || err != nil {
		return View{}, mergeFields(verr, err)
	}
	now := s.Now().UTC()
	var out View
	// The unit, its agreement and the terms in force are read inside the
	// write: on SQLite the writer's connection has their pages in its cache,
	// where a read on another connection would start from an empty one after
	// every commit (see store.group).
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		t, err := s.Resolve.UnitBySerial(ctx, tx, n.SerialNumber, now)
		if err != nil {
			return err
		}
		r := Request{VendorID: t.VendorID, ProviderID: t.ProviderID, CustomerOrgID: t.CustomerOrgID, AgreementID: t.AgreementID,
			UnitID: t.ID, SerialNumber: t.Serial, Model: t.Model, SiteDivision: t.Division, Channel: n.Channel,
			SiteAddress: t.Address, SiteLat: t.Lat, SiteLng: t.Lng,
			ServiceItem: n.ServiceItem, Priority: n.Priority, Status: Received, Description: n.Description,
			ContactName: n.ContactName, ContactPhone: n.ContactPhone, ReceivedAt: now}
		if actor.UserID != 0 {
			r.CreatedByID = &actor.UserID
		}
		// Filing is allowed to the parties of the unit's agreement and to its owner.
		if !actor.Operator && actor.UserID != 0 {
			if len(policy.Granted(actor.Role, policy.RequestCreate)) == 0 {
				return problem.New(problem.Forbidden, "role %s does not file service requests", problem.Enum("role.", actor.Role))
			}
			if !policy.Allowed(actor, policy.RequestCreate, scopeOf(actor, r, false)) {
				// The same answer as for an unknown serial: nothing leaks across tenants.
				return problem.Field("serial_number", "no product with serial number %s among the products your organization serves: check the number on the label; a product under another provider's agreement, or under none, is filed by its vendor", n.SerialNumber)
			}
		}
		if serr := coverage.CheckScope(t.Coverage, t.Unit, n.ServiceItem); serr != nil {
			ok, err := useScopeException(ctx, tx, t.ID, now)
			if err != nil {
				return err
			}
			if !ok {
				return serr.Problem()
			}
			r.ScopeException = true
		}
		ev := RequestEvent{Seq: 1, Kind: string(sla.Received), At: now, ActorID: r.CreatedByID,
			Actor: actorLabel(actor, n.Channel), Priority: n.Priority, Note: string(n.Channel)}
		var clocks []sla.Clock
		if len(t.Terms.Emergency)+len(t.Terms.General) > 0 {
			// The terms in force at receipt were resolved with the unit.
			clocks, err = s.clocksOn(ctx, t.Terms, r.Priority, []RequestEvent{ev}, now)
		} else {
			clocks, err = s.clocks(ctx, tx, r, []RequestEvent{ev}, now)
		}
		if err != nil {
			return err
		}
		r.SetProjection(clocks)
		if err := insertFiled(ctx, tx, &r, &ev, clocks); err != nil {
			return err
		}
		if len(n.Photos) > 0 {
			if _, err := storePhotos(ctx, tx, r.ProviderID, actor.UserID, r.ID, nil, StageFault, n.Photos, types, now); err != nil {
				return err
			}
		}
		if r.ScopeException {
			if _, err := store.Exec(ctx, tx, `UPDATE scope_exceptions SET used_by = ? WHERE unit_id = ? AND used_by IS NULL AND expires_at > ?`, r.ID, r.UnitID, now); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, now, actor, r.ProviderID, "request.create", "service_request", r.ID, nil, r); err != nil {
			return err
		}
		if err := s.noticeReceived(ctx, tx, actor, r, clocks, now); err != nil {
			return err
		}
		out = View{Request: r, Events: []RequestEvent{ev}, Clocks: clocks}
		return nil
	})
	return out, err
}

// mergeFields joins the field errors of two validations into one problem;
// any other error wins as it is.
func mergeFields(errs ...error) error {
	var fs problem.Fields
	for _, err := range errs {
		if err == nil {
			continue
		}
		p, ok := problem.As(err)
		if !ok || p.Kind != problem.Invalid {
			return err
		}
		fs = append(fs, p.Fields...)
	}
	return fs.Err()
}

// QRActor is the actor of what someone holding a product did from its QR
// page, without an account.
const QRActor = "qr-code"

func actorLabel(a policy.Actor, ch Channel) string {
	if a.UserID == 0 && !a.Operator {
		return QRActor
	}
	return a.Label()
}

// useScopeException reports whether an unused, unexpired exception lets
// the unit be served outside scope.
func useScopeException(ctx context.Context, q store.Queryer, unitID int64, now time.Time) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM scope_exceptions WHERE unit_id = ? AND used_by IS NULL AND expires_at > ?`, unitID, now)
	return n > 0, err
}

// clocks computes a request's clocks from its events at now.
func (s *Service) clocks(ctx context.Context, q store.Queryer, r Request, events []RequestEvent, now time.Time) ([]sla.Clock, error) {
	at, err := s.Resolve.Agreement(ctx, q, r.AgreementID, r.ReceivedAt)
	if err != nil {
		return nil, err
	}
	return s.clocksOn(ctx, at.Terms, r.Priority, events, now)
}

// clocksOn computes clocks from events on known terms; an escalation adds
// its own clock.
func (s *Service) clocksOn(ctx context.Context, terms sla.Terms, priority string, events []RequestEvent, now time.Time) ([]sla.Clock, error) {
	st, err := sla.Compute(terms, SLAEvents(events), func(id string) (*calendar.Calendar, error) { return s.Calendars(ctx, id) }, now)
	if err != nil {
		return nil, err
	}
	if hasEvent(events, EventEscalated) {
		calID := escalationCalendar(terms, priority)
		cal, err := s.Calendars(ctx, calID)
		if err != nil {
			return nil, err
		}
		st.Clocks = append(st.Clocks, escalationClocks(events, calID, cal, priority, terms.EscalationTime(), now)...)
	}
	return st.Clocks, nil
}

// load returns request id for actor to do action on: not found to those who
// may not read it, forbidden to those who may read it but not do action.
// With visits, a technician on one of its visits reads it as theirs, and
// so does the senior technician an escalation of it is addressed to.
func (s *Service) load(ctx context.Context, q store.Queryer, actor policy.Actor, id int64, action policy.Action, visits bool) (Request, error) {
	r, err := GetRequest(ctx, q, id)
	if err != nil {
		return r, err
	}
	assigned := false
	if visits {
		if assigned, err = s.Visits.Works(ctx, q, r.ID, actor.UserID); err != nil {
			return r, err
		}
		if !assigned && action == policy.RequestRead {
			if assigned, err = escalatedTo(ctx, q, r.ID, actor.UserID); err != nil {
				return r, err
			}
		}
	}
	return r, policy.Check(actor, policy.RequestRead, action, scopeOf(actor, r, assigned), requestNotFound(id))
}

// Get returns a request with its history and clocks.
func (s *Service) Get(ctx context.Context, actor policy.Actor, id int64) (View, error) {
	r, err := s.load(ctx, s.DB, actor, id, policy.RequestRead, true)
	if err != nil {
		return View{}, err
	}
	events, err := Events(ctx, s.DB, id)
	if err != nil {
		return View{}, err
	}
	v := View{Request: r, Events: events}
	v.Clocks, err = s.clocks(ctx, s.DB, r, events, s.Now().UTC())
	return v, err
}

// handle runs change in a transaction on request id, loaded for actor to
// handle at expectedVersion (one changed since is refused, its
// precondition failed), and answers the view change fills in.
func (s *Service) handle(ctx context.Context, actor policy.Actor, id, expectedVersion int64, change func(tx *sqlx.Tx, r Request, out *View) error) (View, error) {
	var out View
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.load(ctx, tx, actor, id, policy.RequestHandle, false)
		if err != nil {
			return err
		}
		if r.Version != expectedVersion {
			return problem.New(problem.PreconditionFailed, "service request %s was changed by someone else", r.Number)
		}
		return change(tx, r, &out)
	})
	return out, err
}

// Action is a step on a request by the provider.
type Action struct {
	Kind     string // responded, paused, resumed, reclassified, cancelled, note
	Reason   string // pause reason
	Priority string // new priority, for reclassified
	Note     string
}

// Act records an action on a request if the version still matches.
func (s *Service) Act(ctx context.Context, actor policy.Actor, id int64, a Action, expectedVersion int64) (View, error) {
	now := s.Now().UTC()
	return s.handle(ctx, actor, id, expectedVersion, func(tx *sqlx.Tx, r Request, out *View) error {
		events, err := Events(ctx, tx, id)
		if err != nil {
			return err
		}
		status, priority, err := s.applyAction(ctx, tx, r, events, a)
		if err != nil {
			return err
		}
		ev, err := appendEvent(ctx, tx, RequestEvent{RequestID: id, Kind: a.Kind, At: now, ActorID: &actor.UserID, Actor: actor.Label(),
			Priority: a.Priority, Reason: a.Reason, Note: a.Note})
		if err != nil {
			return err
		}
		before := r
		if r, err = updateStatus(ctx, tx, r, status, priority, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, actor, r.ProviderID, "request."+a.Kind, "service_request", id, before, r); err != nil {
			return err
		}
		*out = View{Request: r, Events: append(events, ev)}
		if out.Clocks, err = s.clocks(ctx, tx, r, out.Events, now); err != nil {
			return err
		}
		return saveProjection(ctx, tx, r, out.Clocks)
	})
}

// applyAction validates an action against the request's state and terms
// and returns the resulting status and priority.
func (s *Service) applyAction(ctx context.Context, q store.Queryer, r Request, events []RequestEvent, a Action) (Status, string, error) {
	var fs problem.Fields
	problem.CheckText(&fs, "note", a.Note, false, 2000)
	if err := fs.Err(); err != nil {
		return "", "", err
	}
	if !r.Status.Open() && a.Kind != EventNote {
		return "", "", problem.New(problem.Conflict, "service request %s is %s", r.Number, problem.Enum("status.", r.Status))
	}
	paused := isPaused(events)
	switch a.Kind {
	case string(sla.Responded):
		if hasEvent(events, string(sla.Responded)) {
			return "", "", problem.New(problem.Conflict, "service request %s was already responded to", r.Number)
		}
		if r.Status != Received {
			return r.Status, r.Priority, nil
		}
		return Responded, r.Priority, nil
	case string(sla.Paused):
		at, err := s.Resolve.Agreement(ctx, q, r.AgreementID, r.ReceivedAt)
		if err != nil {
			return "", "", err
		}
		switch {
		case sla.PauseReason(a.Reason) == sla.ProviderSuspended:
			return "", "", problem.Field("reason", "the provider's suspension for non-payment pauses the clocks by itself")
		case paused:
			return "", "", problem.New(problem.Conflict, "the clocks of %s are already paused", r.Number)
		case !at.Terms.Allows(sla.PauseReason(a.Reason)):
			return "", "", problem.Field("reason", "the agreement allows pausing only for: %s", joinReasons(at.Terms.PauseReasons))
		case strings.TrimSpace(a.Note) == "":
			return "", "", problem.Field("note", "say why the clocks are paused")
		}
		return r.Status, r.Priority, nil
	case string(sla.Resumed):
		if !paused {
			return "", "", problem.New(problem.Conflict, "the clocks of %s are not paused", r.Number)
		}
		return r.Status, r.Priority, nil
	case string(sla.Reclassified):
		if a.Priority != string(sla.Emergency) && a.Priority != string(sla.General) {
			return "", "", problem.Field("priority", "must be emergency or general")
		}
		if a.Priority == r.Priority {
			return "", "", problem.Field("priority", "the request is already %s", problem.Enum("priority.", a.Priority))
		}
		if strings.TrimSpace(a.Note) == "" {
			return "", "", problem.Field("note", "say why the priority changes")
		}
		return r.Status, a.Priority, nil
	case EventCancelled:
		if strings.TrimSpace(a.Note) == "" {
			return "", "", problem.Field("note", "say why the request is cancelled")
		}
		return Cancelled, r.Priority, nil
	case EventNote:
		if strings.TrimSpace(a.Note) == "" {
			return "", "", problem.Field("note", "is required")
		}
		return r.Status, r.Priority, nil
	}
	return "", "", problem.Field("kind", "must be one of responded, paused, resumed, reclassified, cancelled, note")
}

func joinReasons(rs []sla.PauseReason) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return strings.Join(out, ", ")
}

func hasEvent(events []RequestEvent, kind string) bool {
	for _, e := range events {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

// isPaused tells whether a pause by hand holds the request's clocks at the
// end of its history (the provider's suspension is lifted with it, not by
// hand: isSuspended).
func isPaused(events []RequestEvent) bool { return pausedAtEnd(events, false) }

// pausedAtEnd tells whether the pauses for the provider's suspension
// (suspension) or those for any other reason hold the clocks at the end of
// events.
func pausedAtEnd(events []RequestEvent, suspension bool) bool {
	paused := false
	for _, e := range events {
		if (e.Reason == string(sla.ProviderSuspended)) != suspension {
			continue
		}
		switch e.Kind {
		case string(sla.Paused):
			paused = true
		case string(sla.Resumed):
			paused = false
		}
	}
	return paused
}
