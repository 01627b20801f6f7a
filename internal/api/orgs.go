package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/org"
	"aftersales/internal/policy"
)

type orgListOutput items[org.Organization]

type orgCreateInput struct {
	Create
	Body struct {
		Kind    string `json:"kind" enum:"vendor,provider,customer" doc:"Vendors register providers and customers; providers register customers."`
		Name    string `json:"name" minLength:"1" maxLength:"200"`
		Code    string `json:"code" minLength:"2" maxLength:"40" doc:"Short unique code, lowercase letters, digits and hyphens."`
		Address string `json:"address,omitempty" required:"false" maxLength:"300" doc:"The registered address (注册地址), printed on business documents."`
	}
}

type idPath struct {
	ID int64 `path:"id" minimum:"1"`
}

type orgPatchInput struct {
	ChangeAt
	Body struct {
		Name    *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
		Address *string `json:"address,omitempty" maxLength:"300" doc:"The registered address (注册地址); empty clears it."`
		Active  *bool   `json:"active,omitempty"`
	}
}

func (h *handlers) registerOrgs(a huma.API) {
	register(h, a, op("list-organizations", http.MethodGet, "/organizations", "List the organizations you can see", "Organizations"), h.listOrganizations)

	register(h, a, created(op("create-organization", http.MethodPost, "/organizations", "Register a partner organization", "Organizations")), h.createOrganization)

	register(h, a, op("get-organization", http.MethodGet, "/organizations/{id}", "Get an organization", "Organizations"), h.getOrganization)

	registerChange(h, a, op("update-organization", http.MethodPatch, "/organizations/{id}", "Change an organization", "Organizations"), h.updateOrganization)
}

func (h *handlers) listOrganizations(ctx context.Context, act policy.Actor, _ *struct{}) (*orgListOutput, error) {
	return listAs[orgListOutput](h.Orgs.List(ctx, act))
}

func (h *handlers) createOrganization(ctx context.Context, act policy.Actor, in *orgCreateInput) (*tagged[org.Organization], error) {
	return versioned(h.Orgs.Register(ctx, act, org.Input{Kind: org.Kind(in.Body.Kind), Name: in.Body.Name, Code: in.Body.Code, Address: in.Body.Address}))
}

func (h *handlers) getOrganization(ctx context.Context, act policy.Actor, in *idPath) (*tagged[org.Organization], error) {
	return versioned(h.Orgs.Get(ctx, act, in.ID))
}

func (h *handlers) updateOrganization(ctx context.Context, act policy.Actor, in *orgPatchInput, v int64) (*tagged[org.Organization], error) {
	return versioned(h.Orgs.Update(ctx, act, in.ID, org.Patch{Name: in.Body.Name, Address: in.Body.Address, Active: in.Body.Active}, v))
}
