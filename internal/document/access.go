package document

import (
	"context"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Who reads which document. scope answers for one loaded document; visible
// is the same rule as SQL for listings. A document the actor may not read
// is reported as not found, so that its existence stays hidden.

// providersOf: the organizations with an agreement with the vendor that is
// not terminated.
const providerVendors = `SELECT vendor_id FROM agreements WHERE provider_id = ? AND status <> 'terminated'`

// ownedModels: the product models of which the customer owns a unit.
const ownedModels = `SELECT u.model_id FROM units u JOIN sites s ON s.id = u.site_id WHERE s.customer_org_id = ?`

// scope: Own to the document's vendor; Partner to a provider with an
// agreement with the vendor, and to a customer owning a unit of a linked model.
func scope(ctx context.Context, q store.Queryer, a policy.Actor, d Document) (policy.Scope, error) {
	if a.Operator || a.OrgID == d.VendorID {
		return policy.Own, nil
	}
	var n int
	var err error
	switch a.OrgKind {
	case "provider":
		err = store.Get(ctx, q, &n, `SELECT COUNT(*) FROM agreements WHERE provider_id = ? AND vendor_id = ? AND status <> 'terminated'`, a.OrgID, d.VendorID)
	case "customer":
		err = store.Get(ctx, q, &n, `SELECT COUNT(*) FROM document_models WHERE document_id = ? AND model_id IN (`+ownedModels+`)`, d.ID, a.OrgID)
	}
	if err != nil || n == 0 {
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

// visible is the condition on documents d for the listings of a.
func visible(a policy.Actor) (string, []any, error) {
	switch {
	case a.Operator:
		return `1 = 1`, nil, nil
	case a.OrgKind == "vendor" && policy.Allowed(a, policy.DocumentRead, policy.Own):
		return `d.vendor_id = ?`, []any{a.OrgID}, nil
	case a.OrgKind == "provider" && policy.Allowed(a, policy.DocumentRead, policy.Partner):
		return `d.archived_at IS NULL AND d.vendor_id IN (` + providerVendors + `)`, []any{a.OrgID}, nil
	case a.OrgKind == "customer" && policy.Allowed(a, policy.DocumentReadPublic, policy.Partner):
		return `d.archived_at IS NULL AND d.visibility = 'public' AND d.id IN (SELECT document_id FROM document_models WHERE model_id IN (` +
			ownedModels + `))`, []any{a.OrgID}, nil
	}
	return "", nil, policy.Allow(a, policy.DocumentRead, policy.Own)
}

func notFound(id int64) error { return problem.New(problem.NotFound, "document %d not found", id) }
