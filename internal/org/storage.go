package org

import (
	"context"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

const columns = `id, kind, name, code, address, active, version, created_at, updated_at`

// Insert stores a validated organization.
func Insert(ctx context.Context, q store.Queryer, in Input, now time.Time) (Organization, error) {
	o := Organization{Kind: in.Kind, Name: in.Name, Code: in.Code, Address: in.Address, Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	id, err := store.InsertID(ctx, q, `INSERT INTO organizations (kind, name, code, address, active, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, o.Kind, o.Name, o.Code, o.Address, true, now, now)
	if store.IsUniqueViolation(err) {
		return o, problem.Field("code", "organization code %q is taken", in.Code)
	}
	o.ID = id
	return o, err
}

// Get loads one organization.
func Get(ctx context.Context, q store.Queryer, id int64) (Organization, error) {
	return store.ByID[Organization](ctx, q, `SELECT `+columns+` FROM organizations WHERE id = ?`, id, notFound)
}

func notFound(id int64) error { return problem.New(problem.NotFound, "organization %d not found", id) }

// GetByCode loads one organization by its code.
func GetByCode(ctx context.Context, q store.Queryer, code string) (Organization, error) {
	var o Organization
	err := store.Get(ctx, q, &o, `SELECT `+columns+` FROM organizations WHERE code = ?`, code)
	if err == store.ErrNotFound {
		return o, problem.New(problem.NotFound, "organization %q not found", code)
	}
	return o, err
}

// ListVisible returns the actor's organization and its partners, by name.
func ListVisible(ctx context.Context, q store.Queryer, orgID int64) ([]Organization, error) {
	var out []Organization
	err := store.Select(ctx, q, &out, `SELECT `+columns+` FROM organizations
		WHERE id = ? OR id IN (SELECT partner_id FROM org_links WHERE org_id = ?) ORDER BY kind, name, id`, orgID, orgID)
	return out, err
}

// ListAll returns every organization (for the operator).
func ListAll(ctx context.Context, q store.Queryer) ([]Organization, error) {
	var out []Organization
	err := store.Select(ctx, q, &out, `SELECT `+columns+` FROM organizations ORDER BY kind, name, id`)
	return out, err
}

// Update saves name, address and active flag if the stored version is still expected.
func Update(ctx context.Context, q store.Queryer, o Organization, expected int64, now time.Time) (Organization, error) {
	res, err := store.Exec(ctx, q, `UPDATE organizations SET name = ?, address = ?, active = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`, o.Name, o.Address, o.Active, now, o.ID, expected)
	if err != nil {
		return o, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return o, problem.New(problem.PreconditionFailed, "organization %d was changed by someone else", o.ID)
	}
	return Get(ctx, q, o.ID)
}

// Link records that a and b work with each other (both directions).
func Link(ctx context.Context, q store.Queryer, a, b int64, now time.Time) error {
	for _, p := range [][2]int64{{a, b}, {b, a}} {
		if _, err := store.Exec(ctx, q, `INSERT INTO org_links (org_id, partner_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, p[0], p[1], now); err != nil {
			return err
		}
	}
	return nil
}

// ScopeOf tells how the organization target relates to actor.
func ScopeOf(ctx context.Context, q store.Queryer, actor policy.Actor, target int64) (policy.Scope, error) {
	if actor.Operator || target == actor.OrgID {
		return policy.Own, nil
	}
	var n int
	if err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM org_links WHERE org_id = ? AND partner_id = ?`, actor.OrgID, target); err != nil {
		return policy.Unrelated, err
	}
	if n > 0 {
		return policy.Partner, nil
	}
	return policy.Unrelated, nil
}
