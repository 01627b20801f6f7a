package agreement

import (
	"context"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Status is where an agreement stands. Changes of status are recorded events
// (StatusEvent), not versions of the terms.
type Status string

const (
	Draft      Status = "draft"
	Active     Status = "active"
	Suspended  Status = "suspended"
	Terminated Status = "terminated"
	// Expired is never stored: an agreement is expired when its term has
	// ended without renewal (Agreement.StatusOn).
	Expired Status = "expired"
)

// Statuses lists every status in display order.
var Statuses = []Status{Draft, Active, Suspended, Terminated, Expired}

// Agreement is the agreement itself; its terms live in its versions.
type Agreement struct {
	ID         int64  `db:"id" json:"id"`
	VendorID   int64  `db:"vendor_id" json:"vendor_id"`
	ProviderID int64  `db:"provider_id" json:"provider_id"`
	Number     string `db:"number" json:"number"`
	// Stored is the status as last changed; see StatusOn for the status of a day.
	Stored Status `db:"status" json:"-"`
	// TerminatesOn is the day a termination takes effect (it may be
	// announced ahead, as §2.2.1 notice requires).
	TerminatesOn *string `db:"terminates_on" json:"terminates_on,omitempty"`
	// SuspendedBy is the organization whose suspension is in effect: only
	// that party lifts it.
	SuspendedBy *int64    `db:"suspended_by" json:"suspended_by,omitempty"`
	Version     int64     `db:"version" json:"revision"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time `db:"updated_at" json:"updated_at"`
}

// ReadStatusOn reads a's versions through q and tells its status on date,
// by the term of the version in force then; the versions come with it.
func ReadStatusOn(ctx context.Context, q store.Queryer, a Agreement, date string) (Status, []Version, error) {
	versions, err := Versions(ctx, q, a.ID)
	if err != nil {
		return "", nil, err
	}
	var term *Term
	if v, ok := InForce(versions, date); ok {
		term = &v.Terms.Term
	}
	return a.StatusOn(date, term), versions, nil
}

// StatusOn is the agreement's status on date, given the term of the version
// in force then (nil if none): a termination takes effect on its date, and
// an active or suspended agreement whose term has ended without automatic
// renewal is expired.
func (a Agreement) StatusOn(date string, term *Term) Status {
	if a.Stored == Draft {
		return Draft
	}
	if a.Stored == Terminated || a.TerminatesOn != nil && date >= *a.TerminatesOn {
		return Terminated
	}
	if term != nil && term.ExpiredOn(date) {
		return Expired
	}
	return a.Stored
}

// PeriodEnd is the last day of the term period that contains date: the end
// date, pushed on by whole renewals while the agreement renews itself.
func (t Term) PeriodEnd(date string) string {
	end := t.End
	if !t.AutoRenew || t.RenewalMonths <= 0 || end == "" {
		return end
	}
	// Each renewal starts the day after the previous period ends.
	next := AddDays(t.End, 1)
	for i := 1; end < date && i <= 1200; i++ {
		end = AddDays(addMonths(next, i*t.RenewalMonths), -1)
	}
	return end
}

// ExpiredOn reports whether the term has run out by date.
func (t Term) ExpiredOn(date string) bool {
	end := t.PeriodEnd(date)
	return end != "" && date > end
}

// Transition is a requested change of status.
type Transition struct {
	To     Status
	Reason string
	// On is the date a termination takes effect (today if empty).
	On string
}

// Party is how an actor relates to an agreement.
type Party int

const (
	NoParty Party = iota
	VendorParty
	ProviderParty
)

// CheckTransition decides whether party may move an agreement from its
// status today to t.To. Activation is the vendor's (it configures the
// agreement); either party may suspend, the provider when the vendor defaults
// (§2.2.1), the vendor for its own reasons; a suspension is lifted by the
// party that imposed it; either party may terminate.
func CheckTransition(a Agreement, current Status, party Party, t Transition, today string) error {
	var fs problem.Fields
	if t.To != Active || current != Draft {
		problem.CheckText(&fs, "reason", t.Reason, true, 2000)
	} else {
		problem.CheckText(&fs, "reason", t.Reason, false, 2000)
	}
	if t.To == Terminated && t.On != "" {
		if _, ok := ParseDate(t.On); !ok {
			fs.Add("effective_on", "must be a date YYYY-MM-DD, not %q", t.On)
		} else if t.On < today {
			fs.Add("effective_on", "a termination cannot take effect in the past (today is %s)", today)
		}
	}
	if t.To != Terminated && t.On != "" {
		fs.Add("effective_on", "only a termination has an effective date; other changes take effect at once")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	if a.TerminatesOn != nil && current != Terminated {
		return problem.Because(problem.Conflict, "status_transition", "the agreement terminates on %s; no other change of status is possible", *a.TerminatesOn)
	}
	switch {
	case current == Draft && t.To == Active:
		if party != VendorParty {
			return problem.New(problem.Forbidden, "only the vendor activates an agreement")
		}
	case current == Active && t.To == Suspended:
	case current == Suspended && t.To == Active:
		if a.SuspendedBy != nil && !partyIsOrg(a, party, *a.SuspendedBy) {
			return problem.New(problem.Forbidden, "the suspension is lifted by the party that suspended the service")
		}
	case (current == Active || current == Suspended) && t.To == Terminated:
	default:
		return problem.Because(problem.Conflict, "status_transition", "an agreement that is %s cannot become %s",
			problem.Enum("agreement_status.", current), problem.Enum("agreement_status.", t.To))
	}
	return nil
}

func partyIsOrg(a Agreement, p Party, orgID int64) bool {
	return p == VendorParty && a.VendorID == orgID || p == ProviderParty && a.ProviderID == orgID
}

// Parties are the agreement's vendor and provider.
func (a Agreement) Parties() []int64 { return []int64{a.VendorID, a.ProviderID} }

// PartyOf tells how organization orgID relates to the agreement.
func (a Agreement) PartyOf(orgID int64) Party {
	switch orgID {
	case a.VendorID:
		return VendorParty
	case a.ProviderID:
		return ProviderParty
	}
	return NoParty
}

// StatusEvent is one recorded change of status.
type StatusEvent struct {
	ID          int64     `db:"id" json:"id"`
	AgreementID int64     `db:"agreement_id" json:"agreement_id"`
	From        Status    `db:"from_status" json:"from"`
	To          Status    `db:"to_status" json:"to"`
	Reason      string    `db:"reason" json:"reason"`
	EffectiveOn string    `db:"effective_on" json:"effective_on"`
	OrgID       int64     `db:"org_id" json:"org_id"`
	Actor       string    `db:"actor" json:"actor"`
	At          time.Time `db:"at" json:"at"`
}

// SetSuspended suspends (suspend true) or resumes the service under an
// agreement on behalf of orgID, one of its parties, inside the caller's
// transaction, and records the change of status like ChangeStatus does. It
// is how the product itself carries out a suspension whose date has come
// (a suspension for non-payment, announced ahead); it changes nothing and
// answers false when the agreement is not in the status it leaves.
func SetSuspended(ctx context.Context, q store.Queryer, a Agreement, suspend bool, orgID int64, actor, reason string, now time.Time) (bool, error) {
	from, to := Active, Suspended
	if !suspend {
		from, to = Suspended, Active
	}
	if a.Stored != from || a.TerminatesOn != nil {
		return false, nil
	}
	if !suspend && (a.SuspendedBy == nil || *a.SuspendedBy != orgID) {
		return false, nil // suspended by the other party: theirs to lift
	}
	a.Stored, a.SuspendedBy = to, nil
	if suspend {
		by := orgID
		a.SuspendedBy = &by
	}
	if err := bump(ctx, q, a.ID, 0, now); err != nil {
		return false, err
	}
	if err := saveStatus(ctx, q, a); err != nil {
		return false, err
	}
	_, err := insertStatusEvent(ctx, q, StatusEvent{AgreementID: a.ID, From: from, To: to, Reason: reason,
		EffectiveOn: calendar.LocalDate(now), OrgID: orgID, Actor: actor, At: now.UTC()})
	return err == nil, err
}
