package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/agreement"
	"aftersales/internal/policy"
)

type agreementListOutput items[agreement.Detail]

type agreementCreateInput struct {
	Create
	Body struct {
		ProviderID    int64           `json:"provider_id" minimum:"1" doc:"A provider your organization works with."`
		Number        string          `json:"number" maxLength:"40" doc:"The agreement's number, unique for your organization, e.g. HC-HX-2026-001."`
		Terms         agreement.Terms `json:"terms" required:"false" doc:"The terms of the first version. A draft may leave any of them out; activation needs them complete."`
		EffectiveFrom string          `json:"effective_from,omitempty" maxLength:"10" doc:"First day of the first version, YYYY-MM-DD; default the term's start."`
		Note          string          `json:"note,omitempty" maxLength:"2000"`
	}
}

type versionsOutput struct {
	ETag string `header:"ETag" doc:"The agreement's ETag, for If-Match when adding a version."`
	Body struct {
		Items []agreement.Version `json:"items"`
	}
}

type versionCreateInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the agreement as last read."`
	Body    struct {
		Terms         agreement.Terms `json:"terms"`
		EffectiveFrom string          `json:"effective_from" maxLength:"10" doc:"First day the terms apply (Asia/Shanghai), today or later, not before the latest version's."`
		Note          string          `json:"note,omitempty" maxLength:"2000"`
	}
}

type versionOutput struct {
	Body agreement.Version
}

type diffInput struct {
	ID   int64 `path:"id" minimum:"1"`
	From int   `query:"from" required:"true" minimum:"1" doc:"Version number to compare from."`
	To   int   `query:"to" required:"true" minimum:"1" doc:"Version number to compare to."`
}

type diffOutput struct {
	Body struct {
		From    int                `json:"from"`
		To      int                `json:"to"`
		Changes []agreement.Change `json:"changes"`
	}
}

type statusInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the agreement as last read."`
	Body    struct {
		Status      string `json:"status" enum:"active,suspended,terminated" doc:"draft→active (vendor); active⇄suspended (either party; the party that suspended resumes); active/suspended→terminated (either party)."`
		Reason      string `json:"reason,omitempty" maxLength:"2000" doc:"Required except when activating a draft."`
		EffectiveOn string `json:"effective_on,omitempty" maxLength:"10" doc:"For a termination: the day it takes effect, today or later (default today)."`
	}
}

type statusEventsOutput items[agreement.StatusEvent]

type adjustmentOutput struct {
	Body agreement.Adjustment
}

type adjustmentListOutput items[agreement.Adjustment]

type adjustmentCreateInput struct {
	CreateUnder
	Body struct {
		Terms         *agreement.Terms `json:"terms,omitempty" doc:"The full proposed terms; or send changes."`
		Changes       map[string]any   `json:"changes,omitempty" doc:"The change as a JSON merge patch on the latest version's terms, e.g. {\"emergency\": {\"onsite_hours\": 6}}; lists are replaced whole."`
		Reason        string           `json:"reason" maxLength:"2000"`
		EffectiveFrom string           `json:"effective_from" maxLength:"10" doc:"Desired first day; at least the agreement's adjustment lead time after today."`
	}
}

type decisionInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body *struct {
		Comment string `json:"comment,omitempty" maxLength:"2000" doc:"Required when rejecting."`
	}
}

func (in *decisionInput) comment() string {
	if in.Body == nil {
		return ""
	}
	return in.Body.Comment
}

func (h *handlers) registerAgreements(a huma.API) {
	register(h, a, op("list-agreements", http.MethodGet, "/agreements", "List the agreements your organization is party to", "Agreements"), h.listAgreements)

	register(h, a, created(op("create-agreement", http.MethodPost, "/agreements", "Create a draft agreement with a provider", "Agreements")), h.createAgreement)

	register(h, a, op("get-agreement", http.MethodGet, "/agreements/{id}", "An agreement with the terms in force today", "Agreements"), h.getAgreement)

	register(h, a, op("list-agreement-versions", http.MethodGet, "/agreements/{id}/versions", "Every version of an agreement's terms, oldest first", "Agreements"), h.listAgreementVersions)

	registerChange(h, a, withErrors(created(op("create-agreement-version", http.MethodPost, "/agreements/{id}/versions", "Add a version of the terms (vendor)", "Agreements")), 409), h.createAgreementVersion)

	register(h, a, op("diff-agreement-versions", http.MethodGet, "/agreements/{id}/diff", "What changed between two versions, field by field", "Agreements"), h.diffAgreementVersions)

	registerChange(h, a, withErrors(op("change-agreement-status", http.MethodPost, "/agreements/{id}/status", "Activate, suspend, resume or terminate an agreement", "Agreements"), 409), h.changeAgreementStatus)

	register(h, a, op("list-agreement-status-events", http.MethodGet, "/agreements/{id}/status-events", "The agreement's changes of status, with reasons", "Agreements"), h.listAgreementStatusEvents)

	h.registerAdjustments(a)
}

func (h *handlers) listAgreements(ctx context.Context, act policy.Actor, _ *struct{}) (*agreementListOutput, error) {
	return listAs[agreementListOutput](h.Agreements.List(ctx, act))
}

func (h *handlers) createAgreement(ctx context.Context, act policy.Actor, in *agreementCreateInput) (*tagged[agreement.Detail], error) {
	b := in.Body
	return versioned(h.Agreements.Create(ctx, act, agreement.NewAgreement{ProviderID: b.ProviderID, Number: b.Number, Terms: b.Terms,
		EffectiveFrom: b.EffectiveFrom, Note: b.Note}))
}

func (h *handlers) getAgreement(ctx context.Context, act policy.Actor, in *idPath) (*tagged[agreement.Detail], error) {
	return versioned(h.Agreements.Get(ctx, act, in.ID))
}

func (h *handlers) listAgreementVersions(ctx context.Context, act policy.Actor, in *idPath) (*versionsOutput, error) {
	d, err := h.Agreements.Get(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	items, err := h.Agreements.Versions(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	out := &versionsOutput{ETag: etag(d.Version)}
	out.Body.Items = items
	return out, nil
}

func (h *handlers) createAgreementVersion(ctx context.Context, act policy.Actor, in *versionCreateInput, v int64) (*versionOutput, error) {
	out, err := h.Agreements.AddVersion(ctx, act, in.ID, agreement.NewVersion{Terms: in.Body.Terms,
		EffectiveFrom: in.Body.EffectiveFrom, Note: in.Body.Note}, v)
	if err != nil {
		return nil, err
	}
	return &versionOutput{Body: out}, nil
}

func (h *handlers) diffAgreementVersions(ctx context.Context, act policy.Actor, in *diffInput) (*diffOutput, error) {
	changes, err := h.Agreements.Diff(ctx, act, in.ID, in.From, in.To)
	if err != nil {
		return nil, err
	}
	out := &diffOutput{}
	out.Body.From, out.Body.To, out.Body.Changes = in.From, in.To, changes
	if out.Body.Changes == nil {
		out.Body.Changes = []agreement.Change{}
	}
	return out, nil
}

func (h *handlers) changeAgreementStatus(ctx context.Context, act policy.Actor, in *statusInput, v int64) (*tagged[agreement.Detail], error) {
	return versioned(h.Agreements.ChangeStatus(ctx, act, in.ID, agreement.Transition{To: agreement.Status(in.Body.Status),
		Reason: in.Body.Reason, On: in.Body.EffectiveOn}, v))
}

func (h *handlers) listAgreementStatusEvents(ctx context.Context, act policy.Actor, in *idPath) (*statusEventsOutput, error) {
	return listAs[statusEventsOutput](h.Agreements.StatusEvents(ctx, act, in.ID))
}

func (h *handlers) registerAdjustments(a huma.API) {
	register(h, a, op("list-adjustments", http.MethodGet, "/agreements/{id}/adjustments", "An agreement's adjustment requests, newest first", "Adjustment requests"), h.listAdjustments)

	register(h, a, withErrors(created(op("create-adjustment", http.MethodPost, "/agreements/{id}/adjustments", "Propose a change of terms to the other party", "Adjustment requests")), 409), h.createAdjustment)

	register(h, a, op("get-adjustment", http.MethodGet, "/adjustments/{id}", "An adjustment request", "Adjustment requests"), h.getAdjustment)

	for _, d := range []struct {
		id, path, summary string
		to                agreement.AdjustmentState
	}{
		{"accept-adjustment", "/adjustments/{id}/accept", "Accept the other party's request: it becomes a new version", agreement.Accepted},
		{"reject-adjustment", "/adjustments/{id}/reject", "Reject the other party's request, with a comment", agreement.Rejected},
		{"withdraw-adjustment", "/adjustments/{id}/withdraw", "Withdraw your own pending request", agreement.Withdrawn},
	} {
		register(h, a, withErrors(op(d.id, http.MethodPost, d.path, d.summary, "Adjustment requests"), 409), h.decideAdjustment(d.to))
	}
}

func (h *handlers) listAdjustments(ctx context.Context, act policy.Actor, in *idPath) (*adjustmentListOutput, error) {
	return listAs[adjustmentListOutput](h.Agreements.Adjustments(ctx, act, in.ID))
}

func (h *handlers) createAdjustment(ctx context.Context, act policy.Actor, in *adjustmentCreateInput) (*adjustmentOutput, error) {
	p := agreement.Proposal{Terms: in.Body.Terms, Reason: in.Body.Reason, DesiredFrom: in.Body.EffectiveFrom}
	if in.Body.Changes != nil {
		var err error
		if p.Changes, err = json.Marshal(in.Body.Changes); err != nil {
			return nil, err
		}
	}
	return bodyAs[adjustmentOutput](h.Agreements.Propose(ctx, act, in.ID, p))
}

func (h *handlers) getAdjustment(ctx context.Context, act policy.Actor, in *idPath) (*adjustmentOutput, error) {
	return bodyAs[adjustmentOutput](h.Agreements.GetAdjustment(ctx, act, in.ID))
}

// decideAdjustment answers a decision that moves an adjustment request to state to.
func (h *handlers) decideAdjustment(to agreement.AdjustmentState) func(context.Context, policy.Actor, *decisionInput) (*adjustmentOutput, error) {
	return func(ctx context.Context, act policy.Actor, in *decisionInput) (*adjustmentOutput, error) {
		adj, err := h.Agreements.Decide(ctx, act, in.ID, to, in.comment())
		if err != nil {
			return nil, err
		}
		return &adjustmentOutput{Body: adj}, nil
	}
}
