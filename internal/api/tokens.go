package api

import (
	"cmp"
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/account"
	"aftersales/internal/audit"
	"aftersales/internal/policy"
)

type tokenCreateInput struct {
	Create
	Body struct {
		Name          string `json:"name" minLength:"1" maxLength:"100"`
		ExpiresInDays int    `json:"expires_in_days,omitempty" minimum:"0" maximum:"3650" doc:"0: never expires."`
	}
}

type tokenCreateOutput struct {
	Body struct {
		Token  account.Token `json:"token"`
		Secret string        `json:"secret" doc:"The token itself. Shown only once, in the first answer: store it now. Empty when secret_withheld is true."`
		// SecretWithheld marks a repeat with the same Idempotency-Key: the
		// secret is never kept for replay.
		SecretWithheld bool `json:"secret_withheld,omitempty" doc:"True when this answers a repeat of the create (the same Idempotency-Key): the secret was shown once, in the first answer, and is not kept; revoke the token and create another if it was lost."`
	}
}

type tokenListInput struct {
	UserID int64 `query:"user_id" minimum:"0" doc:"Whose tokens; default yours."`
}

type tokenListOutput items[account.Token]

type tokenOutput struct {
	Body account.Token
}

func (h *handlers) registerTokens(a huma.API) {
	register(h, a, created(op("create-token", http.MethodPost, "/tokens", "Create an API token for yourself", "Tokens")), h.createToken)

	register(h, a, op("list-tokens", http.MethodGet, "/tokens", "List API tokens", "Tokens"), h.listTokens)

	register(h, a, op("revoke-token", http.MethodDelete, "/tokens/{id}", "Revoke an API token", "Tokens"), h.revokeToken)
}

func (h *handlers) createToken(ctx context.Context, act policy.Actor, in *tokenCreateInput) (*tokenCreateOutput, error) {
	t, secret, err := h.Accounts.CreateToken(ctx, act, act.UserID, in.Body.Name, time.Duration(in.Body.ExpiresInDays)*24*time.Hour)
	if err != nil {
		return nil, err
	}
	out := &tokenCreateOutput{}
	out.Body.Token, out.Body.Secret = t, secret
	return out, nil
}

func (h *handlers) listTokens(ctx context.Context, act policy.Actor, in *tokenListInput) (*tokenListOutput, error) {
	uid := in.UserID
	if uid == 0 {
		uid = act.UserID
	}
	return listAs[tokenListOutput](h.Accounts.ListTokens(ctx, act, uid))
}

func (h *handlers) revokeToken(ctx context.Context, act policy.Actor, in *idPath) (*tokenOutput, error) {
	return bodyAs[tokenOutput](h.Accounts.RevokeToken(ctx, act, in.ID))
}

type auditListInput struct {
	OrgID    int64  `query:"org_id" minimum:"0" doc:"Whose trail; default your organization's."`
	Entity   string `query:"entity" maxLength:"50"`
	EntityID string `query:"entity_id" maxLength:"50"`
	BeforeID int64  `query:"before_id" minimum:"0" doc:"Page backwards from this event id (exclusive)."`
	Limit    int    `query:"limit" minimum:"0" maximum:"500" doc:"Page size, default 100."`
}

type auditListOutput beforePage[audit.Event]

func (h *handlers) registerAudit(a huma.API) {
	register(h, a, op("list-audit-events", http.MethodGet, "/audit-events", "Read the audit trail, newest first", "Audit"), h.listAuditEvents)
}

func (h *handlers) listAuditEvents(ctx context.Context, act policy.Actor, in *auditListInput) (*auditListOutput, error) {
	limit := cmp.Or(in.Limit, 100)
	items, err := h.Orgs.AuditTrail(ctx, act, audit.Filter{OrgID: orDefault(in.OrgID, act), Entity: in.Entity, EntityID: in.EntityID, BeforeID: in.BeforeID, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := &auditListOutput{}
	out.Body.Items, out.Body.NextBefore = items, nextBefore(items, limit, func(e audit.Event) int64 { return e.ID })
	return out, nil
}
