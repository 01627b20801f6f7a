package parts

import (
	"context"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Service holds the catalog's use cases: authorize, validate, store and
// audit in one transaction.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// Today is the China date now.
func (s *Service) Today() string { return calendar.LocalDate(s.Now()) }

// ScopeOf tells how a vendor's catalog relates to the actor: Own to the
// vendor, Partner to a provider under an agreement with it (DOMAIN 3.1.4:
// the provider fits the vendor's parts), Unrelated to everyone else.
func ScopeOf(ctx context.Context, q store.Queryer, a policy.Actor, vendorID int64) (policy.Scope, error) {
	if a.Operator || a.OrgID == vendorID {
		return policy.Own, nil
	}
	partner, err := underAgreementWith(ctx, q, a.OrgID, vendorID)
	if err != nil || !partner {
		return policy.Unrelated, err
	}
	return policy.Partner, nil
}

func scope(ctx context.Context, q store.Queryer, a policy.Actor, vendorID int64) (policy.Scope, error) {
	return ScopeOf(ctx, q, a, vendorID)
}

// Filter narrows a catalog listing.
type Filter struct {
	VendorID int64
	ModelID  int64  // parts that fit this model
	Query    string // part number or name containing this
	// ActiveOnly leaves out withdrawn parts.
	ActiveOnly bool
}

// List returns the parts the actor may read: its vendor's catalog, or the
// catalogs of the vendors its organization works with.
func (s *Service) List(ctx context.Context, a policy.Actor, f Filter) ([]Part, error) {
	var c catalogs
	switch {
	case a.Operator:
		c.all = true
	case a.OrgKind == "vendor" && policy.Allowed(a, policy.PartRead, policy.Own):
		c.vendorID = a.OrgID
	case policy.Allowed(a, policy.PartRead, policy.Partner):
		c.providerID = a.OrgID
	default:
		return nil, policy.Allow(a, policy.PartRead, policy.Own)
	}
	return listFiltered(ctx, s.DB, c, f)
}

// Get returns a part the actor may read.
func (s *Service) Get(ctx context.Context, a policy.Actor, id int64) (Part, error) {
	return readable(ctx, s.DB, a, id, policy.PartRead)
}

// readable loads a part the actor may read (else not found) and do action
// on (else forbidden).
func readable(ctx context.Context, q store.Queryer, a policy.Actor, id int64, action policy.Action) (Part, error) {
	return policy.Load(a, policy.PartRead, action, notFound(id),
		func() (Part, error) { return Get(ctx, q, id) },
		func(p Part) (policy.Scope, error) { return scope(ctx, q, a, p.VendorID) })
}

// Create adds a part to the actor's vendor catalog. A genuine part needs no
// approval; an approved part starts without one until the vendor grants it.
func (s *Service) Create(ctx context.Context, a policy.Actor, in Input) (Part, error) {
	if err := policy.Allow(a, policy.PartManage, policy.Own); err != nil {
		return Part{}, err
	}
	if a.OrgKind != "vendor" {
		return Part{}, problem.New(problem.Forbidden, "only a vendor keeps a parts catalog")
	}
	if err := in.Validate(); err != nil {
		return Part{}, err
	}
	now := s.Now().UTC()
	var out Part
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		id, err := insert(ctx, tx, a.OrgID, in, now)
		if err != nil {
			return err
		}
		if err := setModels(ctx, tx, Part{ID: id, VendorID: a.OrgID}, in.ModelIDs); err != nil {
			return err
		}
		if out, err = Get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, a.OrgID, "part.create", "part", id, nil, out)
	})
	return out, err
}

// change loads a part for a change by the vendor, applies fn, saves and
// audits it under action.
func (s *Service) change(ctx context.Context, a policy.Actor, id, expectedVersion int64, need policy.Action, action string, fn func(p *Part, now time.Time) error) (Part, error) {
	now := s.Now().UTC()
	var out Part
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := readable(ctx, tx, a, id, need)
		if err != nil {
			return err
		}
		if before.Version != expectedVersion {
			return problem.New(problem.PreconditionFailed, "part %d was changed by someone else", id)
		}
		next := before
		if err := fn(&next, now); err != nil {
			return err
		}
		if err := save(ctx, tx, next, expectedVersion, now); err != nil {
			return err
		}
		if !slices.Equal(before.ModelIDs, next.ModelIDs) {
			if err := setModels(ctx, tx, next, next.ModelIDs); err != nil {
				return err
			}
		}
		if out, err = Get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.VendorID, action, "part", id, before, out)
	})
	return out, err
}

// Update changes a part's name, cost and flags.
func (s *Service) Update(ctx context.Context, a policy.Actor, id int64, p Patch, expectedVersion int64) (Part, error) {
	return s.change(ctx, a, id, expectedVersion, policy.PartManage, "part.update", func(part *Part, _ time.Time) error {
		next, err := p.apply(*part)
		*part = next
		return err
	})
}

// SetModels replaces the product models the part fits.
func (s *Service) SetModels(ctx context.Context, a policy.Actor, id int64, modelIDs []int64, expectedVersion int64) (Part, error) {
	if len(modelIDs) > 500 {
		return Part{}, problem.Field("model_ids", "at most 500 models")
	}
	return s.change(ctx, a, id, expectedVersion, policy.PartManage, "part.models", func(part *Part, _ time.Time) error {
		part.ModelIDs = normalizeIDs(modelIDs)
		return nil
	})
}

// normalizeIDs is ids sorted, without repeats.
func normalizeIDs(ids []int64) []int64 {
	out := append([]int64{}, ids...)
	slices.Sort(out)
	return slices.Compact(out)
}

// Approve grants or renews the approval of an approved part: by the acting
// vendor admin, now, valid through ap.Until (China date) or without end.
// A revoked approval is granted again by approving.
func (s *Service) Approve(ctx context.Context, a policy.Actor, id int64, ap Approval, expectedVersion int64) (Part, error) {
	if err := ap.CheckUntil(s.Today()); err != nil {
		return Part{}, err
	}
	return s.change(ctx, a, id, expectedVersion, policy.PartApprove, "part.approve", func(p *Part, now time.Time) error {
		if p.Kind != Approved {
			return problem.New(problem.Conflict, "part %s is genuine; only approved parts carry an approval", p.PartNumber)
		}
		p.ApprovedBy, p.ApprovedByLabel, p.ApprovedAt, p.RevokedAt = store.NullID(a.UserID), a.Label(), &now, nil
		p.ApprovedUntil = nil
		if ap.Until != "" {
			p.ApprovedUntil = &ap.Until
		}
		return nil
	})
}

// Revoke withdraws the approval of an approved part: it can no longer be
// fitted from now on. Parts already fitted stay in their records.
func (s *Service) Revoke(ctx context.Context, a policy.Actor, id int64, expectedVersion int64) (Part, error) {
	return s.change(ctx, a, id, expectedVersion, policy.PartApprove, "part.revoke", func(p *Part, now time.Time) error {
		if p.Kind != Approved {
			return problem.New(problem.Conflict, "part %s is genuine; only approved parts carry an approval", p.PartNumber)
		}
		if p.ApprovedAt == nil || p.RevokedAt != nil {
			return problem.New(problem.Conflict, "part %s has no approval to revoke", p.PartNumber)
		}
		p.RevokedAt = &now
		return nil
	})
}
