package servicerequest

import (
	"context"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// ScopeException is an exception the vendor granted: one product served
// once outside its agreement's scope, until it expires or a request uses it.
type ScopeException struct {
	ID        int64     `db:"id" json:"id"`
	Serial    string    `db:"serial_number" json:"serial_number"`
	Model     string    `db:"model" json:"model"`
	Reason    string    `db:"reason" json:"reason"`
	GrantedBy string    `db:"granted_by" json:"granted_by"`
	GrantedAt time.Time `db:"granted_at" json:"granted_at"`
	ExpiresAt time.Time `db:"expires_at" json:"expires_at"`
	// UsedBy is the request that used it, by id and number.
	UsedByID     *int64  `db:"used_by" json:"used_by,omitempty"`
	UsedByNumber *string `db:"used_by_number" json:"used_by_number,omitempty"`
}

// ScopeExceptions lists the latest exceptions the actor's vendor granted,
// newest first.
func (s *Service) ScopeExceptions(ctx context.Context, actor policy.Actor, limit int) ([]ScopeException, error) {
	if err := policy.Allow(actor, policy.ScopeExceptionGrant, policy.Own); err != nil {
		return nil, err
	}
	if actor.OrgKind != "vendor" && !actor.Operator {
		return nil, problem.New(problem.Forbidden, "only the vendor grants exceptions to an agreement's scope")
	}
	out := []ScopeException{}
	err := store.Select(ctx, s.DB, &out, `SELECT x.id, u.serial_number, m.code AS model, x.reason,
		COALESCE(g.name, '') AS granted_by, x.granted_at, x.expires_at, x.used_by, r.number AS used_by_number
		FROM scope_exceptions x JOIN units u ON u.id = x.unit_id JOIN product_models m ON m.id = u.model_id
		LEFT JOIN users g ON g.id = x.granted_by LEFT JOIN service_requests r ON r.id = x.used_by
		WHERE x.vendor_id = ? ORDER BY x.granted_at DESC, x.id DESC LIMIT ?`, actor.OrgID, limit)
	return out, err
}
