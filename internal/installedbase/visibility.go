package installedbase

import (
	"context"

	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Who sees what. Each scope function answers for one loaded row; each
// visible* function is the same rule as SQL for listings. Rows the actor may
// not read are reported as not found, so that their existence stays hidden.

const partnersOf = `SELECT partner_id FROM org_links WHERE org_id = ?`

// modelScope: Own to the model's vendor, Partner to the vendor's partners.
func modelScope(ctx context.Context, q store.Queryer, a policy.Actor, m ProductModel) (policy.Scope, error) {
	return org.ScopeOf(ctx, q, a, m.VendorID)
}

func visibleModels(a policy.Actor) (string, []any, error) {
	switch {
	case a.Operator:
		return `1 = 1`, nil, nil
	case policy.Allowed(a, policy.ModelRead, policy.Own) && a.OrgKind == "vendor":
		return `m.vendor_id = ?`, []any{a.OrgID}, nil
	case policy.Allowed(a, policy.ModelRead, policy.Partner):
		return `m.vendor_id IN (` + partnersOf + `)`, []any{a.OrgID}, nil
	}
	return "", nil, policy.Allow(a, policy.ModelRead, policy.Own)
}

// siteScope: Own to the site's customer, Partner to the customer's partners.
func siteScope(ctx context.Context, q store.Queryer, a policy.Actor, s Site) (policy.Scope, error) {
	return org.ScopeOf(ctx, q, a, s.CustomerOrgID)
}

func visibleSites(a policy.Actor) (string, []any, error) {
	switch {
	case a.Operator:
		return `1 = 1`, nil, nil
	case a.OrgKind == "customer" && policy.Allowed(a, policy.SiteRead, policy.Own):
		return `s.customer_org_id = ?`, []any{a.OrgID}, nil
	case policy.Allowed(a, policy.SiteRead, policy.Partner):
		return `s.customer_org_id IN (` + partnersOf + `)`, []any{a.OrgID}, nil
	}
	return "", nil, policy.Allow(a, policy.SiteRead, policy.Own)
}

// unitScope: Own to the unit's vendor and to its customer; Partner to the
// provider of its agreement and to an organization that works with both
// the vendor and the customer (a provider serving that vendor's customer).
func unitScope(ctx context.Context, q store.Queryer, a policy.Actor, u Unit) (policy.Scope, error) {
	if a.Operator || a.OrgID == u.VendorID || a.OrgID == u.CustomerOrgID {
		return policy.Own, nil
	}
	serves, err := servesUnit(ctx, q, a.OrgID, u)
	if err != nil || !serves {
		return policy.Unrelated, err
	}
	return policy.Partner, nil
}

func visibleUnits(a policy.Actor) (string, []any, error) {
	switch {
	case a.Operator:
		return `1 = 1`, nil, nil
	case a.OrgKind == "vendor" && policy.Allowed(a, policy.UnitRead, policy.Own):
		return `u.vendor_id = ?`, []any{a.OrgID}, nil
	case a.OrgKind == "customer" && policy.Allowed(a, policy.UnitRead, policy.Own):
		return `s.customer_org_id = ?`, []any{a.OrgID}, nil
	case policy.Allowed(a, policy.UnitRead, policy.Partner):
		return `(u.agreement_id IN (SELECT id FROM agreements WHERE provider_id = ?)
			OR (u.vendor_id IN (` + partnersOf + `) AND s.customer_org_id IN (` + partnersOf + `)))`, []any{a.OrgID, a.OrgID, a.OrgID}, nil
	}
	return "", nil, policy.Allow(a, policy.UnitRead, policy.Own)
}

// kind is what readable needs to know of models, sites or units: how to
// read one by id, how one relates to an actor, the action that lets an
// actor see one, and what an actor is told of one that does not exist or
// that it may not see.
type kind[T any] struct {
	get      func(context.Context, store.Queryer, int64) (T, error)
	scope    func(context.Context, store.Queryer, policy.Actor, T) (policy.Scope, error)
	read     policy.Action
	notFound func(id int64) error
}

var (
	models = kind[ProductModel]{getModel, modelScope, policy.ModelRead, modelNotFound}
	sites  = kind[Site]{getSite, siteScope, policy.SiteRead, siteNotFound}
	units  = kind[Unit]{Get, unitScope, policy.UnitRead, unitNotFound}
)

// readable reads the model, site or unit id of kind k through q and checks
// that a may do action on it; one a may not even read is not found. What
// was read comes back with the refusal too. It is policy.Check's two steps,
// so that the not-found problem is made only when it is the answer.
func readable[T any](ctx context.Context, q store.Queryer, a policy.Actor, id int64, k kind[T], action policy.Action) (T, error) {
	v, err := k.get(ctx, q, id)
	if err != nil {
		return v, err
	}
	scope, err := k.scope(ctx, q, a, v)
	if err != nil {
		return v, err
	}
	if !policy.Allowed(a, k.read, scope) {
		return v, k.notFound(id)
	}
	return v, policy.Allow(a, action, scope)
}

// modelNotFound, siteNotFound and unitNotFound are what an actor is told
// of a model, site or unit that does not exist or that it may not read.
// Each format names the thing in full ("site %d not found") so that the
// message catalogs translate the whole sentence, the thing's name included.
func modelNotFound(id int64) error {
	return problem.New(problem.NotFound, "product model %d not found", id)
}

func siteNotFound(id int64) error { return problem.New(problem.NotFound, "site %d not found", id) }

func unitNotFound(id int64) error { return problem.New(problem.NotFound, "product %d not found", id) }
