package agreement

import (
	"fmt"
	"strings"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
)

const dateLayout = "2006-01-02"

// ParseDate reads a civil date YYYY-MM-DD.
func ParseDate(s string) (time.Time, bool) {
	if len(s) != len(dateLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, s)
	return t, err == nil
}

// AddDays returns the date n days after date (which must be valid).
func AddDays(date string, n int) string {
	t, _ := ParseDate(date)
	return t.AddDate(0, 0, n).Format(dateLayout)
}

// addMonths adds n months, ending on the last day of a shorter month
// (2026-01-31 plus one month is 2026-02-28, not March 3rd).
func addMonths(date string, n int) string {
	t, _ := ParseDate(date)
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC).Format(dateLayout)
}

// Version is one version of an agreement's terms. Versions are never
// changed: a change of terms is a new version.
type Version struct {
	AgreementID int64 `json:"agreement_id"`
	// Number counts the versions of an agreement from 1.
	Number int `json:"version"`
	// EffectiveFrom is the first day (in Shanghai) the terms apply.
	EffectiveFrom string `json:"effective_from"`
	Terms         Terms  `json:"terms"`
	// Note is what the person who made the version wrote; for a version
	// from an adjustment, the adjustment's reason (versions made before
	// 2026-12 begin with "adjustment request #N: ").
	Note string `json:"note,omitempty"`
	// AdjustmentID is the accepted adjustment request this version came from.
	AdjustmentID *int64    `json:"adjustment_id,omitempty"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// InForce returns the version in force on date: the highest-numbered
// version whose effective date is on or before it. Effective dates never
// decrease with the version number (CheckEffectiveFrom), so this is also
// the version with the latest effective date; of two with the same date, the
// later one is a correction and wins. ok is false before the first version.
func InForce(versions []Version, date string) (v Version, ok bool) {
	for _, x := range versions {
		if x.EffectiveFrom <= date && (!ok || x.Number > v.Number) {
			v, ok = x, true
		}
	}
	return v, ok
}

// TermsOn is InForce for an instant: the date is read in Shanghai.
func TermsOn(versions []Version, at time.Time) (Version, bool) {
	return InForce(versions, calendar.LocalDate(at))
}

// CheckEffectiveFrom decides whether a new version may take effect on date,
// given today's date and the latest existing version (nil for the first).
// A change never reaches into the past: the days already served were served
// under the terms then in force. The first version of a draft is the
// exception, because a draft is not in force yet and its start may be the
// agreement's signing date. Effective dates never go backwards, so that a
// scheduled version cannot be overtaken by a later one silently.
func CheckEffectiveFrom(field, date, today string, latest *Version, draft bool) error {
	if _, ok := ParseDate(date); !ok {
		return problem.Field(field, "must be a date YYYY-MM-DD, not %q", date)
	}
	if latest == nil && draft {
		return nil
	}
	if date < today {
		return problem.Field(field, "%s is in the past; a new version takes effect today (%s) or later", date, today)
	}
	if latest != nil && date < latest.EffectiveFrom {
		return problem.Field(field, "must be on or after %s, when version %d takes effect", latest.EffectiveFrom, latest.Number)
	}
	return nil
}

// EarliestAdjustment is the first date an adjustment proposed or accepted
// on day may take effect: the lead time of the terms in force runs first.
func EarliestAdjustment(day string, leadDays int) string { return AddDays(day, leadDays) }

// AdjustmentEffectiveFrom is when an accepted adjustment takes effect: the
// desired date, but not before the lead time has run from acceptance, and not
// before the latest existing version (effective dates never go backwards).
func AdjustmentEffectiveFrom(desired, acceptedOn string, leadDays int, latest Version) string {
	d := max(desired, EarliestAdjustment(acceptedOn, leadDays))
	return max(d, latest.EffectiveFrom)
}

// CheckDesiredDate refuses a proposal whose desired date leaves the other
// party less than the agreed lead time (§2.1.1: reasonable preparation time).
func CheckDesiredDate(field, desired, proposedOn string, leadDays int) error {
	if _, ok := ParseDate(desired); !ok {
		return problem.Field(field, "must be a date YYYY-MM-DD, not %q", desired)
	}
	if earliest := EarliestAdjustment(proposedOn, leadDays); desired < earliest {
		return problem.Field(field, "the agreement's adjustment lead time is %d days: the earliest effective date is %s", leadDays, earliest)
	}
	return nil
}

// PersonsNote is the part of the note a person wrote: a version from an
// adjustment stored before the adjustment had its own field began its note
// with "adjustment request #N: ", which a page says in its own words.
func (v Version) PersonsNote() string {
	if v.AdjustmentID != nil {
		return strings.TrimPrefix(v.Note, fmt.Sprintf("adjustment request #%d: ", *v.AdjustmentID))
	}
	return v.Note
}

// FromAdjustment is the number of the adjustment request the version came
// from, 0 when none.
func (v Version) FromAdjustment() int64 {
	if v.AdjustmentID == nil {
		return 0
	}
	return *v.AdjustmentID
}
