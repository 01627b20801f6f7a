package org

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Service holds the use cases on organizations: authorize, validate, store, audit.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Updated, when set, is called after an organization changed (its name
	// or whether it is active), for caches of who may sign in.
	Updated func()
}

// Register creates an organization. The operator may create any; an admin
// registers a partner (vendors: providers and customers; providers:
// customers), which is linked to the admin's organization.
func (s *Service) Register(ctx context.Context, actor policy.Actor, in Input) (Organization, error) {
	if err := policy.Allow(actor, policy.OrgRegister, policy.Own); err != nil {
		return Organization{}, err
	}
	if err := in.Validate(); err != nil {
		return Organization{}, err
	}
	if !actor.Operator && !MayRegister(Kind(actor.OrgKind), in.Kind) {
		return Organization{}, problem.Field("kind", "a %s may not register a %s organization", problem.Enum("orgkind.", actor.OrgKind), problem.Enum("orgkind.", in.Kind))
	}
	now := s.Now().UTC()
	var o Organization
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if o, err = Insert(ctx, tx, in, now); err != nil {
			return err
		}
		if !actor.Operator {
			if err := Link(ctx, tx, actor.OrgID, o.ID, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, actor, o.ID, "org.register", "organization", o.ID, nil, o)
	})
	return o, err
}

// Get returns an organization the actor may read.
func (s *Service) Get(ctx context.Context, actor policy.Actor, id int64) (Organization, error) {
	return load(ctx, s.DB, actor, id, policy.OrgRead)
}

// load returns an organization the actor may read and do action on; to
// anyone else it is not found.
func load(ctx context.Context, q store.Queryer, actor policy.Actor, id int64, action policy.Action) (Organization, error) {
	return policy.Load(actor, policy.OrgRead, action, notFound(id),
		func() (Organization, error) { return Get(ctx, q, id) },
		func(o Organization) (policy.Scope, error) { return ScopeOf(ctx, q, actor, o.ID) })
}

// List returns the organizations the actor may see.
func (s *Service) List(ctx context.Context, actor policy.Actor) ([]Organization, error) {
	if actor.Operator {
		return ListAll(ctx, s.DB)
	}
	all, err := ListVisible(ctx, s.DB, actor.OrgID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, o := range all {
		scope := policy.Partner
		if o.ID == actor.OrgID {
			scope = policy.Own
		}
		if policy.Allowed(actor, policy.OrgRead, scope) {
			out = append(out, o)
		}
	}
	return out, nil
}

// Patch is a change to an organization; nil fields stay.
type Patch struct {
	Name    *string
	Address *string
	Active  *bool
}

// Update changes an organization if expectedVersion still matches.
func (s *Service) Update(ctx context.Context, actor policy.Actor, id int64, p Patch, expectedVersion int64) (Organization, error) {
	var out Organization
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := load(ctx, tx, actor, id, policy.OrgUpdate)
		if err != nil {
			return err
		}
		next := before
		var fs problem.Fields
		if p.Name != nil {
			problem.CheckText(&fs, "name", *p.Name, true, 200)
			next.Name = *p.Name
		}
		if p.Address != nil {
			a := strings.TrimSpace(*p.Address)
			problem.CheckText(&fs, "address", a, false, 300)
			next.Address = a
		}
		if p.Active != nil {
			if !*p.Active && id == actor.OrgID {
				fs.Add("active", "you cannot deactivate your own organization")
			}
			next.Active = *p.Active
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if out, err = Update(ctx, tx, next, expectedVersion, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, id, "org.update", "organization", id, before, out)
	})
	if err == nil && s.Updated != nil {
		s.Updated()
	}
	return out, err
}

// AuditTrail returns an organization's audit events if the actor may read them.
func (s *Service) AuditTrail(ctx context.Context, actor policy.Actor, f audit.Filter) ([]audit.Event, error) {
	scope, err := ScopeOf(ctx, s.DB, actor, f.OrgID)
	if err != nil {
		return nil, err
	}
	if err := policy.Allow(actor, policy.AuditRead, scope); err != nil {
		return nil, err
	}
	return audit.List(ctx, s.DB, f)
}
