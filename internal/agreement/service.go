package agreement

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Service holds the use cases on agreements: authorize, validate, then in
// one transaction store and audit.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// CalendarExists tells whether a calendar id names a calendar the
	// clocks can run on; nil checks the id's format only.
	CalendarExists func(ctx context.Context, id string) (bool, error)
	// SuspendedForNonPayment tells whether a suspension for non-payment is
	// in effect under the agreement: such a suspension ends with the
	// payment or the provider's lifting of it, never with a plain change
	// of status (which would leave the clocks paused). Nil: none ever is.
	SuspendedForNonPayment func(ctx context.Context, q store.Queryer, agreementID int64) (bool, error)
	// StatusChanged is told of every change of status by hand, in its
	// transaction, with the agreement as it is after the change: a
	// suspension pauses the clocks of the agreement's open requests, a
	// resumption restarts them, a termination ends a suspension for
	// non-payment. Nil: nothing else happens.
	StatusChanged func(ctx context.Context, q store.Queryer, c StatusChange) error
}

// StatusChange is a change of an agreement's status by hand, as
// Service.StatusChanged hears of it.
type StatusChange struct {
	Agreement Agreement // after the change
	From, To  Status
	// EffectiveOn is the day it takes effect: today, or a termination's
	// later day.
	EffectiveOn string
	Actor       policy.Actor
	Reason      string
	At          time.Time
}

// checkCalendars adds a problem for each calendar the terms name that does
// not exist.
func (s *Service) checkCalendars(ctx context.Context, fs *problem.Fields, prefix string, t Terms) error {
	if s.CalendarExists == nil {
		return nil
	}
	for _, c := range []struct{ field, id string }{
		{prefix + ".emergency.calendar_id", t.Emergency.CalendarID},
		{prefix + ".general.calendar_id", t.General.CalendarID},
	} {
		if c.id == "" || !calendarPattern.MatchString(c.id) {
			continue
		}
		ok, err := s.CalendarExists(ctx, c.id)
		if err != nil {
			return err
		}
		if !ok {
			fs.Add(c.field, "no calendar %q", c.id)
		}
	}
	return nil
}

func (s *Service) today() string { return calendar.LocalDate(s.Now()) }

// scope is Own for the agreement's two parties (and the operator).
func scope(actor policy.Actor, a Agreement) policy.Scope {
	if actor.Operator || a.PartyOf(actor.OrgID) != NoParty {
		return policy.Own
	}
	return policy.Unrelated
}

// party is how the actor relates to the agreement; the operator acts for
// the vendor.
func party(actor policy.Actor, a Agreement) Party {
	if actor.Operator {
		return VendorParty
	}
	return a.PartyOf(actor.OrgID)
}

// load returns an agreement the actor may read, hiding the existence of
// others, and checks action on it.
func (s *Service) load(ctx context.Context, q store.Queryer, actor policy.Actor, id int64, action policy.Action) (Agreement, error) {
	return policy.Load(actor, policy.AgreementRead, action, notFound(id),
		func() (Agreement, error) { return Get(ctx, q, id) },
		func(a Agreement) (policy.Scope, error) { return scope(actor, a), nil })
}

// record writes the audit event into both parties' trails, so that each
// side's admins and auditors see every change of an agreement they are party to.
func record(ctx context.Context, tx store.Queryer, now time.Time, actor policy.Actor, a Agreement, action, entity string, id, before, after any) error {
	for _, orgID := range []int64{a.VendorID, a.ProviderID} {
		if err := audit.Record(ctx, tx, now, actor, orgID, action, entity, id, before, after); err != nil {
			return err
		}
	}
	return nil
}

// NewAgreement is the input of Create.
type NewAgreement struct {
	// VendorID is taken from the actor unless the operator creates it.
	VendorID   int64
	ProviderID int64
	Number     string
	Terms      Terms
	// EffectiveFrom of the first version; default the term's start.
	EffectiveFrom string
	Note          string
}

// Create stores a draft agreement with its first version. The vendor admin
// chooses a provider its organization works with.
func (s *Service) Create(ctx context.Context, actor policy.Actor, in NewAgreement) (Detail, error) {
	if err := policy.Allow(actor, policy.AgreementWrite, policy.Own); err != nil {
		return Detail{}, err
	}
	if !actor.Operator {
		in.VendorID = actor.OrgID
	}
	var fs problem.Fields
	in.Number = strings.TrimSpace(in.Number)
	if !numberPattern.MatchString(in.Number) {
		fs.Add("number", "must be 1-40 letters, digits or . _ / -, starting with a letter or digit")
	}
	problem.CheckText(&fs, "note", in.Note, false, 2000)
	in.Terms.Check(&fs, "terms", false)
	if err := s.checkCalendars(ctx, &fs, "terms", in.Terms); err != nil {
		return Detail{}, err
	}
	if err := checkPoints(ctx, s.DB, &fs, "terms", in.ProviderID, in.Terms); err != nil {
		return Detail{}, err
	}
	if in.EffectiveFrom == "" {
		in.EffectiveFrom = in.Terms.Term.Start
	}
	if in.EffectiveFrom == "" {
		fs.Add("effective_from", "give the first version's effective date, or the term's start")
	} else if err := CheckEffectiveFrom("effective_from", in.EffectiveFrom, s.today(), nil, true); err != nil {
		p, _ := problem.As(err)
		fs = append(fs, p.Fields...)
	}
	if err := s.checkParties(ctx, actor, in, &fs); err != nil {
		return Detail{}, err
	}
	if err := fs.Err(); err != nil {
		return Detail{}, err
	}
	now := s.Now().UTC()
	var id int64
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		a, err := insertAgreement(ctx, tx, Agreement{VendorID: in.VendorID, ProviderID: in.ProviderID, Number: in.Number,
			Stored: Draft, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return err
		}
		id = a.ID
		v := Version{AgreementID: a.ID, Number: 1, EffectiveFrom: in.EffectiveFrom, Terms: in.Terms, Note: in.Note,
			CreatedBy: actor.Label(), CreatedAt: now}
		if err := insertVersion(ctx, tx, v); err != nil {
			return err
		}
		// The parties see each other's organization from now on.
		if err := org.Link(ctx, tx, a.VendorID, a.ProviderID, now); err != nil {
			return err
		}
		return record(ctx, tx, now, actor, a, "agreement.create", "agreement", a.ID, nil, v)
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, actor, id)
}

// checkParties checks that the vendor is a vendor and that the provider is
// a provider the vendor works with. An unknown or unrelated provider gets
// the same answer, so that the form reveals nothing.
func (s *Service) checkParties(ctx context.Context, actor policy.Actor, in NewAgreement, fs *problem.Fields) error {
	if in.ProviderID <= 0 {
		fs.Add("provider_id", "choose a provider")
		return nil
	}
	v, err := org.Get(ctx, s.DB, in.VendorID)
	if problem.Is(err, problem.NotFound) || err == nil && v.Kind != org.Vendor {
		fs.Add("vendor_id", "is not a vendor")
		return nil
	}
	if err != nil {
		return err
	}
	p, err := org.Get(ctx, s.DB, in.ProviderID)
	if err != nil && !problem.Is(err, problem.NotFound) {
		return err
	}
	sc := policy.Own
	if !actor.Operator && err == nil {
		if sc, err = org.ScopeOf(ctx, s.DB, actor, p.ID); err != nil {
			return err
		}
	}
	if p.ID == 0 || p.Kind != org.Provider || sc == policy.Unrelated {
		fs.Add("provider_id", "is not a provider your organization works with")
	}
	return nil
}

// Detail is an agreement as a party sees it today.
type Detail struct {
	Agreement
	VendorName   string `json:"vendor_name"`
	ProviderName string `json:"provider_name"`
	// Status today: draft, active, suspended, terminated or expired.
	Status Status `json:"status"`
	// Current is the version in force today (nil before the first takes effect).
	Current *Version `json:"current,omitempty"`
	// Latest is the number of the newest version; Scheduled lists versions
	// that take effect after today.
	Latest    int       `json:"latest_version"`
	Scheduled []Version `json:"scheduled,omitempty"`
	// PeriodEnd is the last day of the current term period (renewals included).
	PeriodEnd string `json:"period_end,omitempty"`
}

func (s *Service) detail(ctx context.Context, q store.Queryer, a Agreement) (Detail, error) {
	d := Detail{Agreement: a}
	for _, p := range []struct {
		id   int64
		name *string
	}{{a.VendorID, &d.VendorName}, {a.ProviderID, &d.ProviderName}} {
		o, err := org.Get(ctx, q, p.id)
		if err != nil {
			return d, err
		}
		*p.name = o.Name
	}
	versions, err := Versions(ctx, q, a.ID)
	if err != nil {
		return d, err
	}
	today := s.today()
	var term *Term
	if v, ok := InForce(versions, today); ok {
		d.Current, term = &v, &v.Terms.Term
		d.PeriodEnd = v.Terms.Term.PeriodEnd(today)
	}
	for _, v := range versions {
		d.Latest = max(d.Latest, v.Number)
		if v.EffectiveFrom > today {
			d.Scheduled = append(d.Scheduled, v)
		}
	}
	d.Status = a.StatusOn(today, term)
	return d, nil
}

// Get returns an agreement the actor may read.
func (s *Service) Get(ctx context.Context, actor policy.Actor, id int64) (Detail, error) {
	a, err := s.load(ctx, s.DB, actor, id, policy.AgreementRead)
	if err != nil {
		return Detail{}, err
	}
	return s.detail(ctx, s.DB, a)
}

// List returns the agreements the actor's organization is party to.
func (s *Service) List(ctx context.Context, actor policy.Actor) ([]Detail, error) {
	var all []Agreement
	var err error
	if actor.Operator {
		all, err = listAll(ctx, s.DB)
	} else {
		if !policy.Allowed(actor, policy.AgreementRead, policy.Own) {
			return []Detail{}, nil
		}
		all, err = ListForOrg(ctx, s.DB, actor.OrgID)
	}
	if err != nil {
		return nil, err
	}
	out := make([]Detail, 0, len(all))
	for _, a := range all {
		d, err := s.detail(ctx, s.DB, a)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Versions returns the versions of an agreement the actor may read, oldest first.
func (s *Service) Versions(ctx context.Context, actor policy.Actor, id int64) ([]Version, error) {
	if _, err := s.load(ctx, s.DB, actor, id, policy.AgreementRead); err != nil {
		return nil, err
	}
	return Versions(ctx, s.DB, id)
}

// Diff compares two versions of an agreement.
func (s *Service) Diff(ctx context.Context, actor policy.Actor, id int64, from, to int) ([]Change, error) {
	versions, err := s.Versions(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	find := func(field string, n int) (Version, error) {
		for _, v := range versions {
			if v.Number == n {
				return v, nil
			}
		}
		return Version{}, problem.Field(field, "agreement %d has no version %d (it has 1-%d)", id, n, len(versions))
	}
	a, err := find("query.from", from)
	if err != nil {
		return nil, err
	}
	b, err := find("query.to", to)
	if err != nil {
		return nil, err
	}
	return Diff(a.Terms, b.Terms), nil
}

// NewVersion is the input of AddVersion.
type NewVersion struct {
	Terms         Terms
	EffectiveFrom string
	Note          string
}

// AddVersion stores a new version of the terms, as the vendor records a
// change agreed with the provider (changes proposed in the product go
// through adjustment requests). expected is the agreement's revision as last
// read (0: the operator, unchecked).
func (s *Service) AddVersion(ctx context.Context, actor policy.Actor, id int64, in NewVersion, expected int64) (Version, error) {
	now := s.Now().UTC()
	var out Version
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		a, err := s.load(ctx, tx, actor, id, policy.AgreementWrite)
		if err != nil {
			return err
		}
		latest, err := latestVersion(ctx, tx, id)
		if err != nil {
			return err
		}
		var term *Term
		if v, err := TermsAt(ctx, tx, id, now); err == nil {
			term = &v.Terms.Term
		}
		status := a.StatusOn(s.today(), term)
		if status != Draft && status != Active {
			return problem.Because(problem.Conflict, "status_transition", "agreement %s is %s: its terms can no longer change", a.Number, problem.Enum("agreement_status.", status))
		}
		var fs problem.Fields
		problem.CheckText(&fs, "note", in.Note, false, 2000)
		in.Terms.Check(&fs, "terms", status != Draft)
		if err := s.checkCalendars(ctx, &fs, "terms", in.Terms); err != nil {
			return err
		}
		if err := checkPoints(ctx, tx, &fs, "terms", a.ProviderID, in.Terms); err != nil {
			return err
		}
		if in.EffectiveFrom == "" {
			fs.Add("effective_from", "is required")
		} else if err := CheckEffectiveFrom("effective_from", in.EffectiveFrom, s.today(), latest, status == Draft); err != nil {
			p, _ := problem.As(err)
			fs = append(fs, p.Fields...)
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if err := bump(ctx, tx, id, expected, now); err != nil {
			return err
		}
		next := 1
		if latest != nil {
			next = latest.Number + 1
		}
		out = Version{AgreementID: id, Number: next, EffectiveFrom: in.EffectiveFrom, Terms: in.Terms,
			Note: strings.TrimSpace(in.Note), CreatedBy: actor.Label(), CreatedAt: now}
		if err := insertVersion(ctx, tx, out); err != nil {
			return err
		}
		return record(ctx, tx, now, actor, a, "agreement.version.add", "agreement", id, latest, out)
	})
	return out, err
}

// ChangeStatus moves the agreement to another status and records the event.
func (s *Service) ChangeStatus(ctx context.Context, actor policy.Actor, id int64, t Transition, expected int64) (Detail, error) {
	now := s.Now().UTC()
	today := s.today()
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		action := policy.AgreementStatus
		if t.To == Active {
			a, err := Get(ctx, tx, id)
			if err == nil && a.Stored == Draft {
				action = policy.AgreementWrite
			}
		}
		a, err := s.load(ctx, tx, actor, id, action)
		if err != nil {
			return err
		}
		t.Reason = strings.TrimSpace(t.Reason)
		if !statusTarget(t.To) {
			return problem.Field("status", "must be active, suspended or terminated, not %q", t.To)
		}
		versions, err := Versions(ctx, tx, id)
		if err != nil {
			return err
		}
		var term *Term
		if v, ok := InForce(versions, today); ok {
			term = &v.Terms.Term
		}
		current := a.StatusOn(today, term)
		if err := CheckTransition(a, current, party(actor, a), t, today); err != nil {
			return err
		}
		if current == Suspended && t.To == Active && s.SuspendedForNonPayment != nil {
			held, err := s.SuspendedForNonPayment(ctx, tx, id)
			if err != nil {
				return err
			}
			if held {
				e := problem.New(problem.Conflict, "service under the agreement is suspended for non-payment: it resumes when the overdue statements are paid or the provider lifts the suspension")
				e.Reason = "suspended_for_non_payment"
				return e
			}
		}
		if current == Draft {
			if err := checkComplete(versions, today); err != nil {
				return err
			}
		}
		if err := bump(ctx, tx, id, expected, now); err != nil {
			return err
		}
		before := a
		on := today
		switch t.To {
		case Active:
			a.Stored, a.SuspendedBy = Active, nil
		case Suspended:
			by := a.VendorID
			if party(actor, a) == ProviderParty {
				by = a.ProviderID
			}
			a.Stored, a.SuspendedBy = Suspended, &by
		case Terminated:
			if t.On != "" {
				on = t.On
			}
			a.TerminatesOn = &on
			if on == today {
				a.Stored = Terminated
			}
		}
		if err := saveStatus(ctx, tx, a); err != nil {
			return err
		}
		e := StatusEvent{AgreementID: id, From: current, To: t.To, Reason: t.Reason, EffectiveOn: on,
			OrgID: actor.OrgID, Actor: actor.Label(), At: now}
		if e.ID, err = insertStatusEvent(ctx, tx, e); err != nil {
			return err
		}
		if s.StatusChanged != nil {
			if err := s.StatusChanged(ctx, tx, StatusChange{Agreement: a, From: current, To: t.To, EffectiveOn: on, Actor: actor,
				Reason: t.Reason, At: now}); err != nil {
				return err
			}
		}
		return record(ctx, tx, now, actor, a, "agreement.status."+string(t.To), "agreement", id, before, e)
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, actor, id)
}

func statusTarget(s Status) bool { return s == Active || s == Suspended || s == Terminated }

// checkComplete refuses to activate an agreement whose terms in force today
// or later are incomplete.
func checkComplete(versions []Version, today string) error {
	if len(versions) == 0 {
		return problem.New(problem.Conflict, "the agreement has no terms yet")
	}
	current, ok := InForce(versions, today)
	for _, v := range versions {
		if ok && v.Number < current.Number {
			continue
		}
		var fs problem.Fields
		v.Terms.Check(&fs, "terms", true)
		if len(fs) > 0 {
			msgs := make([]string, 0, len(fs))
			for _, f := range fs {
				msgs = append(msgs, f.Field+" "+f.Message)
			}
			return problem.Because(problem.Conflict, "incomplete_terms", "version %d is incomplete; add a complete version first: %s", v.Number, strings.Join(msgs, "; "))
		}
	}
	return nil
}

// StatusEvents returns the agreement's changes of status.
func (s *Service) StatusEvents(ctx context.Context, actor policy.Actor, id int64) ([]StatusEvent, error) {
	if _, err := s.load(ctx, s.DB, actor, id, policy.AgreementRead); err != nil {
		return nil, err
	}
	return StatusEvents(ctx, s.DB, id)
}
