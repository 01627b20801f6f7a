package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/policy"
	"aftersales/internal/settlement"
)

type suspensionInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		AgreementID  int64   `json:"agreement_id" minimum:"1"`
		StatementIDs []int64 `json:"statement_ids" maxItems:"100" doc:"The overdue statements of the agreement the notice names."`
		EffectiveOn  string  `json:"effective_on,omitempty" maxLength:"10" doc:"YYYY-MM-DD, no earlier than today plus the terms' payment.suspension_notice_days (15 when unset); absent: that first day."`
		Reason       string  `json:"reason" maxLength:"2000"`
	}
}

type suspensionOutput struct {
	Body settlement.Suspension
}

type suspensionListInput struct {
	AgreementID int64 `query:"agreement_id" minimum:"0" doc:"Only the suspensions of this agreement."`
	Current     bool  `query:"current" doc:"Only those not ended: announced or in effect."`
}

type suspensionListOutput items[settlement.Suspension]

type suspensionLiftInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Reason string `json:"reason,omitempty" maxLength:"2000"`
	}
}

func (h *handlers) registerSuspensions(a huma.API) {
	const tag = "Settlements"
	register(h, a, op("list-suspensions", http.MethodGet, "/suspensions", "The provider's suspensions of service for non-payment, newest first", tag), h.listSuspensions)
	register(h, a, withErrors(created(described(op("give-suspension-notice", http.MethodPost, "/suspensions", "Give notice of a suspension of service for non-payment (provider)", tag),
		"Names the agreement's overdue statements. From the effective day new requests under the agreement are refused "+
			"(agreement_suspended) and the running clocks of its open requests pause with the reason provider_suspended, until every "+
			"statement named is paid (the payment ends it) or the provider lifts it. One suspension at a time per agreement (409).")), 409), h.giveSuspensionNotice)
	register(h, a, op("get-suspension", http.MethodGet, "/suspensions/{id}", "A suspension for non-payment", tag), h.getSuspension)
	register(h, a, withErrors(op("lift-suspension", http.MethodPost, "/suspensions/{id}/lift", "Lift a suspension, announced or in effect: service and clocks run again (provider)", tag), 409), h.liftSuspension)
}

func (h *handlers) giveSuspensionNotice(ctx context.Context, ac policy.Actor, in *suspensionInput) (*suspensionOutput, error) {
	b := in.Body
	sp, err := h.Settlements.Suspend(ctx, ac, settlement.NewSuspension{AgreementID: b.AgreementID, StatementIDs: b.StatementIDs,
		EffectiveOn: b.EffectiveOn, Reason: b.Reason})
	return bodyAs[suspensionOutput](sp, err)
}

func (h *handlers) listSuspensions(ctx context.Context, ac policy.Actor, in *suspensionListInput) (*suspensionListOutput, error) {
	return listAs[suspensionListOutput](h.Settlements.Suspensions(ctx, ac, in.AgreementID, in.Current))
}

func (h *handlers) getSuspension(ctx context.Context, ac policy.Actor, in *idPath) (*suspensionOutput, error) {
	return bodyAs[suspensionOutput](h.Settlements.GetSuspension(ctx, ac, in.ID))
}

func (h *handlers) liftSuspension(ctx context.Context, ac policy.Actor, in *suspensionLiftInput) (*suspensionOutput, error) {
	return bodyAs[suspensionOutput](h.Settlements.Lift(ctx, ac, in.ID, in.Body.Reason))
}
