package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/parts"
	"aftersales/internal/policy"
)

// Parts catalog: genuine and approved parts, their approvals and the
// product models they fit (DOMAIN 3.1.4).

// partOut is a part with its approval as it stands today (China date).
type partOut struct {
	parts.Part
	Approval string `json:"approval" enum:"genuine,none,valid,expired,revoked" doc:"How the approval stands today in China: genuine parts need none."`
}

func (h *handlers) partOut(p parts.Part) partOut {
	return partOut{Part: p, Approval: string(p.ApprovalOn(h.Parts.Today()))}
}

type partListInput struct {
	ModelID int64  `query:"model_id" minimum:"0" doc:"Only parts that fit this product model."`
	Q       string `query:"q" maxLength:"100" doc:"Part number starting with, or name containing, this."`
	Active  bool   `query:"active" doc:"Leave out withdrawn parts."`
}

type partCreateInput struct {
	Create
	Body struct {
		PartNumber     string  `json:"part_number" minLength:"1" maxLength:"40" doc:"Unique in the vendor's catalog; stored upper-case."`
		Name           string  `json:"name" minLength:"1" maxLength:"200" doc:"Chinese name, e.g. 主轴轴承."`
		NameEn         string  `json:"name_en,omitempty" maxLength:"200"`
		Kind           string  `json:"kind" enum:"genuine,approved" doc:"genuine (原厂) or approved (认可); an approved part is usable once the vendor approves it."`
		UnitCostFen    int64   `json:"unit_cost_fen" minimum:"0" maximum:"1000000000" doc:"Unit cost in fen (1/100 yuan)."`
		Serialized     bool    `json:"serialized,omitempty" doc:"Serial numbers of the removed and fitted piece are recorded."`
		ReturnRequired bool    `json:"return_required,omitempty" doc:"The replaced part must be returned to the vendor."`
		ModelIDs       []int64 `json:"model_ids,omitempty" maxItems:"500" doc:"Product models the part fits."`
	}
}

type partPatchInput struct {
	ChangeAt
	Body struct {
		Name           *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
		NameEn         *string `json:"name_en,omitempty" maxLength:"200"`
		UnitCostFen    *int64  `json:"unit_cost_fen,omitempty" minimum:"0" maximum:"1000000000"`
		Serialized     *bool   `json:"serialized,omitempty"`
		ReturnRequired *bool   `json:"return_required,omitempty"`
		Active         *bool   `json:"active,omitempty" doc:"false withdraws the part: no more receipts or fitting."`
	}
}

type partModelsInput struct {
	ChangeAt
	Body struct {
		ModelIDs []int64 `json:"model_ids" maxItems:"500" doc:"All the product models the part fits (replaces the list)."`
	}
}

type partApproveInput struct {
	ChangeAt
	Body struct {
		Until string `json:"until,omitempty" maxLength:"10" doc:"Last China date the approval is valid, e.g. 2027-06-30; leave out for no end."`
	}
}

type partRevokeInput struct {
	ChangeAt
}

// partListOutput is named, as every output is: huma would name an anonymous
// one after its operation (List-partsResponse), which is the name client
// generators give to the operation's own response type.
type partListOutput items[partOut]

func (h *handlers) registerParts(a huma.API) {
	const tag = "Parts"
	register(h, a, op("list-parts", http.MethodGet, "/parts", "List the parts catalogs you work with", tag), h.listParts)

	register(h, a, created(op("create-part", http.MethodPost, "/parts", "Add a part to your catalog", tag)), h.createPart)

	register(h, a, op("get-part", http.MethodGet, "/parts/{id}", "Get a part", tag), h.getPart)

	registerChange(h, a, op("update-part", http.MethodPatch, "/parts/{id}", "Change a part", tag), h.updatePart)

	registerChange(h, a, op("set-part-models", http.MethodPut, "/parts/{id}/models", "Set the product models a part fits", tag), h.setPartModels)

	registerChange(h, a, withErrors(described(op("approve-part", http.MethodPost, "/parts/{id}/approve", "Grant or renew the approval of an approved part", tag),
		"Records who approved it and when; `until` is the last China date it is valid. Approving a revoked part grants it again."), 409), h.approvePart)

	registerChange(h, a, withErrors(op("revoke-part", http.MethodPost, "/parts/{id}/revoke", "Revoke the approval of a part", tag), 409), h.revokePart)
}

func (h *handlers) listParts(ctx context.Context, ac policy.Actor, in *partListInput) (*partListOutput, error) {
	items, err := h.Parts.List(ctx, ac, parts.Filter{ModelID: in.ModelID, Query: in.Q, ActiveOnly: in.Active})
	return listAs[partListOutput](each(items, h.partOut), err)
}

func (h *handlers) createPart(ctx context.Context, ac policy.Actor, in *partCreateInput) (*tagged[partOut], error) {
	b := in.Body
	return versionedAs(h.partOut)(h.Parts.Create(ctx, ac, parts.Input{PartNumber: b.PartNumber, Name: b.Name, NameEn: b.NameEn, Kind: parts.Kind(b.Kind),
		UnitCostFen: b.UnitCostFen, Serialized: b.Serialized, ReturnRequired: b.ReturnRequired, ModelIDs: b.ModelIDs}))
}

func (h *handlers) getPart(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[partOut], error) {
	return versionedAs(h.partOut)(h.Parts.Get(ctx, ac, in.ID))
}

func (h *handlers) updatePart(ctx context.Context, ac policy.Actor, in *partPatchInput, v int64) (*tagged[partOut], error) {
	b := in.Body
	return versionedAs(h.partOut)(h.Parts.Update(ctx, ac, in.ID, parts.Patch{Name: b.Name, NameEn: b.NameEn, UnitCostFen: b.UnitCostFen,
		Serialized: b.Serialized, ReturnRequired: b.ReturnRequired, Active: b.Active}, v))
}

func (h *handlers) setPartModels(ctx context.Context, ac policy.Actor, in *partModelsInput, v int64) (*tagged[partOut], error) {
	return versionedAs(h.partOut)(h.Parts.SetModels(ctx, ac, in.ID, in.Body.ModelIDs, v))
}

func (h *handlers) approvePart(ctx context.Context, ac policy.Actor, in *partApproveInput, v int64) (*tagged[partOut], error) {
	return versionedAs(h.partOut)(h.Parts.Approve(ctx, ac, in.ID, parts.Approval{Until: in.Body.Until}, v))
}

func (h *handlers) revokePart(ctx context.Context, ac policy.Actor, in *partRevokeInput, v int64) (*tagged[partOut], error) {
	return versionedAs(h.partOut)(h.Parts.Revoke(ctx, ac, in.ID, v))
}
