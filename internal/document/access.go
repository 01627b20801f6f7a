package document

import (
	"context"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Who reads which document. scope answers for one loaded document; visible
// is the same rule for listings (readers.cond in storage.go). A document the actor may not read
// is reported as not found, so that its existence stays hidden.

// scope: Own to the document's vendor; Partner to a provider with an
// agreement with the vendor, and to a customer owning a unit of a linked model.
func scope(ctx context.Context, q store.Queryer, a policy.Actor, d Document) (policy.Scope, error) {
	if a.Operator || a.OrgID == d.VendorID {
		return policy.Own, nil
	}
	var partner bool
	var err error
	switch a.OrgKind {
	case "provider":
		partner, err = providerWorksFor(ctx, q, a.OrgID, d.VendorID)
	case "customer":
		partner, err = customerOwnsModelOf(ctx, q, a.OrgID, d.ID)
	}
	if err != nil || !partner {
		return policy.Unrelated, err
	}
	return policy.Partner, nil
}

// mayRead reports whether a may read d in scope: archived documents only
// for the vendor, public ones with DocumentReadPublic, the others with
// DocumentRead.
func mayRead(a policy.Actor, d Document, sc policy.Scope) bool {
	if d.Archived() && sc != policy.Own {
		return false
	}
	if policy.Allowed(a, policy.DocumentRead, sc) {
		return true
	}
	return d.Visibility == Public && policy.Allowed(a, policy.DocumentReadPublic, sc)
}

// readers is whose reading a listing follows: every document (all), a
// vendor's library, a provider's (the libraries of the vendors it has an
// agreement with that is not terminated, archived documents left out) or a
// customer's (the public documents of the models it owns a unit of).
type readers struct {
	all                              bool
	vendorID, providerID, customerID int64
}

// visible is whose reading the listings of a follow.
func visible(a policy.Actor) (readers, error) {
	switch {
	case a.Operator:
		return readers{all: true}, nil
	case a.OrgKind == "vendor" && policy.Allowed(a, policy.DocumentRead, policy.Own):
		return readers{vendorID: a.OrgID}, nil
	case a.OrgKind == "provider" && policy.Allowed(a, policy.DocumentRead, policy.Partner):
		return readers{providerID: a.OrgID}, nil
	case a.OrgKind == "customer" && policy.Allowed(a, policy.DocumentReadPublic, policy.Partner):
		return readers{customerID: a.OrgID}, nil
	}
	return readers{}, policy.Allow(a, policy.DocumentRead, policy.Own)
}

func notFound(id int64) error { return problem.New(problem.NotFound, "document %d not found", id) }
