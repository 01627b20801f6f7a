package agreement

import (
	"context"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// InForceColumns are the columns of an agreement (a) and its version in
// force (v) that InForceRow scans, in its order.
const InForceColumns = `a.id, a.vendor_id, a.provider_id, a.number, a.status, a.terminates_on, a.suspended_by,
	a.version, a.created_at, a.updated_at, v.number, v.effective_from, v.terms_json, v.note, v.adjustment_id,
	v.created_by, v.created_at`

// InForceJoin joins, to a statement that reads a row referring to an
// agreement by its id in column idColumn (a unit's u.agreement_id), that
// agreement as a and its version in force as v. Its one placeholder is the
// local date (calendar.LocalDate) the version must be in force on: the
// caller gives it before the arguments of its WHERE. Both joins are outer:
// a row referring to no agreement, or to one with no version in force yet,
// is still read.
func InForceJoin(idColumn string) string {
	return `LEFT JOIN agreements a ON a.id = ` + idColumn + `
		LEFT JOIN agreement_versions v ON v.agreement_id = a.id
			AND v.number = (SELECT MAX(number) FROM agreement_versions WHERE agreement_id = a.id AND effective_from <= ?)`
}

// InForceRow is an agreement and its version in force as read by a statement
// that selected InForceColumns: GetInForce, or a reader of another row
// that joined InForceJoin, which spares its caller a statement of its own
// (filing a service request reads the unit and its agreement in one).
// Every column is nullable because both joins are outer.
type InForceRow struct {
	id, vendorID, providerID, version           *int64
	number, status                              *string
	terminatesOn                                *string
	suspendedBy                                 *int64
	createdAt, updatedAt                        *time.Time
	vNumber                                     *int
	vEffectiveFrom, vTermsJSON, vNote, vCreated *string
	vAdjustmentID                               *int64
	vCreatedAt                                  *time.Time
}

// Dest returns the destinations to scan InForceColumns into.
func (r *InForceRow) Dest() []any {
	return []any{&r.id, &r.vendorID, &r.providerID, &r.number, &r.status, &r.terminatesOn, &r.suspendedBy,
		&r.version, &r.createdAt, &r.updatedAt, &r.vNumber, &r.vEffectiveFrom, &r.vTermsJSON, &r.vNote, &r.vAdjustmentID,
		&r.vCreated, &r.vCreatedAt}
}

// Read reports whether an agreement was read (the row referred to one).
func (r *InForceRow) Read() bool { return r.id != nil }

// Result is what GetInForce answers for agreement id on at's local date,
// from the columns scanned: not found if no agreement was read, the
// agreement with a problem if it has no version in force then, or the
// agreement and the version with its service points resolved through q.
func (r *InForceRow) Result(ctx context.Context, q store.Queryer, id int64, at time.Time) (Agreement, Version, error) {
	if r.id == nil {
		return Agreement{}, Version{}, notFound(id)
	}
	a := Agreement{ID: *r.id, VendorID: deref(r.vendorID), ProviderID: deref(r.providerID), Number: deref(r.number),
		Stored: Status(deref(r.status)), TerminatesOn: r.terminatesOn, SuspendedBy: r.suspendedBy, Version: deref(r.version),
		CreatedAt: deref(r.createdAt), UpdatedAt: deref(r.updatedAt)}
	if r.vNumber == nil {
		return a, Version{}, problem.New(problem.NotFound, "agreement %d has no terms in force on %s", *r.id, calendar.LocalDate(at))
	}
	v, err := versionRow{AgreementID: a.ID, Number: *r.vNumber, EffectiveFrom: deref(r.vEffectiveFrom), TermsJSON: deref(r.vTermsJSON),
		Note: deref(r.vNote), AdjustmentID: r.vAdjustmentID, CreatedBy: deref(r.vCreated), CreatedAt: deref(r.vCreatedAt)}.version()
	if err != nil {
		return a, v, err
	}
	return a, v, resolvePoints(ctx, q, &v.Terms)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
