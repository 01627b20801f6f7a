package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/account"
	"aftersales/internal/policy"
)

type userListInput struct {
	OrgID int64 `query:"org_id" minimum:"0" doc:"Organization whose users to list; default your own."`
}

type userListOutput items[account.User]

const roleEnum = "vendor_admin,vendor_auditor,provider_admin,dispatcher,technician,customer"

type userCreateInput struct {
	Create
	Body struct {
		OrgID    int64  `json:"org_id" minimum:"1"`
		Email    string `json:"email" minLength:"3" maxLength:"254" format:"email"`
		Name     string `json:"name" minLength:"1" maxLength:"200"`
		Role     string `json:"role" enum:"vendor_admin,vendor_auditor,provider_admin,dispatcher,technician,customer"`
		Password string `json:"password" minLength:"10" maxLength:"256"`
		Locale   string `json:"locale,omitempty" enum:"zh-CN,en,"`
	}
}

type userPatchInput struct {
	ChangeAt
	Body struct {
		Name     *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
		Role     *string `json:"role,omitempty" enum:"vendor_admin,vendor_auditor,provider_admin,dispatcher,technician,customer"`
		Locale   *string `json:"locale,omitempty" enum:"zh-CN,en"`
		Active   *bool   `json:"active,omitempty"`
		Password *string `json:"password,omitempty" minLength:"10" maxLength:"256" doc:"A new password. Not with an API token (403): sign in. Ends the user's sessions and revokes their API tokens."`
		// CurrentPassword proves that whoever changes their own password knows it.
		CurrentPassword *string `json:"current_password,omitempty" maxLength:"256" doc:"Your current password; required to change your own password. A wrong one counts as a failed sign-in."`
	}
}

func (h *handlers) registerUsers(a huma.API) {
	register(h, a, op("get-me", http.MethodGet, "/me", "The signed-in user", "Users"), h.getMe)

	register(h, a, op("list-users", http.MethodGet, "/users", "List an organization's users", "Users"), h.listUsers)

	register(h, a, created(op("create-user", http.MethodPost, "/users", "Add a user to an organization", "Users")), h.createUser)

	register(h, a, op("get-user", http.MethodGet, "/users/{id}", "Get a user", "Users"), h.getUser)

	registerChange(h, a, op("update-user", http.MethodPatch, "/users/{id}", "Change a user", "Users"), h.updateUser)
}

func (h *handlers) getMe(ctx context.Context, act policy.Actor, _ *struct{}) (*tagged[account.User], error) {
	return versioned(h.Accounts.GetUser(ctx, act, act.UserID))
}

func (h *handlers) listUsers(ctx context.Context, act policy.Actor, in *userListInput) (*userListOutput, error) {
	return listAs[userListOutput](h.Accounts.ListUsers(ctx, act, orDefault(in.OrgID, act)))
}

func (h *handlers) createUser(ctx context.Context, act policy.Actor, in *userCreateInput) (*tagged[account.User], error) {
	b := in.Body
	return versioned(h.Accounts.CreateUser(ctx, act, account.NewUser{OrgID: b.OrgID, Email: b.Email, Name: b.Name,
		Role: policy.Role(b.Role), Password: b.Password, Locale: b.Locale}))
}

func (h *handlers) getUser(ctx context.Context, act policy.Actor, in *idPath) (*tagged[account.User], error) {
	return versioned(h.Accounts.GetUser(ctx, act, in.ID))
}

func (h *handlers) updateUser(ctx context.Context, act policy.Actor, in *userPatchInput, v int64) (*tagged[account.User], error) {
	p := account.UserPatch{Name: in.Body.Name, Locale: in.Body.Locale, Active: in.Body.Active, Password: in.Body.Password,
		CurrentPassword: in.Body.CurrentPassword}
	if in.Body.Role != nil {
		r := policy.Role(*in.Body.Role)
		p.Role = &r
	}
	return versioned(h.Accounts.UpdateUser(ctx, act, in.ID, p, v))
}
