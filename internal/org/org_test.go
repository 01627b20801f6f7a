package org_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"aftersales/internal/audit"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Invalid {
		t.Fatalf("want a validation problem, got %v", err)
	}
	var out []string
	for _, f := range p.Fields {
		out = append(out, f.Field)
	}
	return out
}

// Registering partners: who may register what, every bad field named, the
// new organization linked to its registrar and the change audited.
func TestRegister(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		svc := &org.Service{DB: db, Now: time.Now}
		vendor, provider := f.Users[policy.VendorAdmin].Actor(), f.Users[policy.ProviderAdmin].Actor()
		orgs := testutil.Count(t, db, `SELECT COUNT(*) FROM organizations`)

		_, err := svc.Register(ctx, vendor, org.Input{Kind: "alien", Name: " ", Code: "-Bad Code"})
		if got := fieldsOf(t, err); !slices.Equal(got, []string{"kind", "name", "code"}) {
			t.Errorf("bad input names %v", got)
		}
		_, err = svc.Register(ctx, provider, org.Input{Kind: org.Provider, Name: "Rival", Code: "rival"})
		if got := fieldsOf(t, err); !slices.Equal(got, []string{"kind"}) {
			t.Errorf("a provider registering a provider: %v", got)
		}
		_, err = svc.Register(ctx, vendor, org.Input{Kind: org.Customer, Name: "Dup", Code: "customer-one"})
		if got := fieldsOf(t, err); !slices.Equal(got, []string{"code"}) || !strings.Contains(err.Error(), "taken") {
			t.Errorf("a taken code: %v", err)
		}
		if _, err := svc.Register(ctx, f.Users[policy.Dispatcher].Actor(), org.Input{Kind: org.Customer, Name: "X", Code: "by-dispatcher"}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a dispatcher registers: %v", err)
		}
		if n := testutil.Count(t, db, `SELECT COUNT(*) FROM organizations`); n != orgs {
			t.Fatalf("%d organizations after refused registrations, want %d", n, orgs)
		}

		c, err := svc.Register(ctx, provider, org.Input{Kind: org.Customer, Name: "  无锡 精工  ", Code: " Wuxi-JG "})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "无锡 精工" || c.Code != "wuxi-jg" || !c.Active || c.Version != 1 {
			t.Errorf("registered %+v", c)
		}
		if scope, _ := org.ScopeOf(ctx, db, provider, c.ID); scope != policy.Partner {
			t.Errorf("the registrar's scope of the new customer: %v", scope)
		}
		if scope, _ := org.ScopeOf(ctx, db, vendor, c.ID); scope != policy.Unrelated {
			t.Errorf("the vendor's scope of the provider's new customer: %v", scope)
		}
		if n := testutil.Count(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = 'org.register' AND entity_id = ? AND actor = ?`, fmt.Sprint(c.ID), vendor.Email); n != 0 {
			t.Error("audited under the wrong actor")
		}
		if n := testutil.Count(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = 'org.register' AND entity_id = ? AND actor = ?`, fmt.Sprint(c.ID), provider.Email); n != 1 {
			t.Errorf("%d audit events for the registration", n)
		}
	})
}

// Who sees which organization: one's own, and partners for office staff;
// anything else is not found, as if it did not exist.
func TestVisibility(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		svc := &org.Service{DB: db, Now: time.Now}
		codes := func(a policy.Actor) []string {
			list, err := svc.List(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, o := range list {
				out = append(out, o.Code)
			}
			slices.Sort(out)
			return out
		}
		for role, want := range map[policy.Role][]string{
			policy.VendorAdmin: {"customer-one", "provider-one", "vendor-one"},
			policy.Dispatcher:  {"customer-one", "provider-one", "vendor-one"},
			policy.Technician:  {"provider-one"},
			policy.Customer:    {"customer-one"},
		} {
			if got := codes(f.Users[role].Actor()); !slices.Equal(got, want) {
				t.Errorf("%s lists %v, want %v", role, got, want)
			}
		}
		if got := codes(f.OtherAdmin.Actor()); !slices.Equal(got, []string{"provider-two", "vendor-two"}) {
			t.Errorf("another vendor lists %v", got)
		}
		if got := codes(policy.Actor{Operator: true}); len(got) != 5 {
			t.Errorf("the operator lists %v", got)
		}
		if _, err := svc.Get(ctx, f.Users[policy.Dispatcher].Actor(), f.Customer.ID); err != nil {
			t.Errorf("a dispatcher reads a partner: %v", err)
		}
		for _, tc := range []struct {
			who policy.Actor
			id  int64
		}{
			{f.Users[policy.Customer].Actor(), f.Vendor.ID},
			{f.Users[policy.Technician].Actor(), f.Customer.ID},
			{f.OtherAdmin.Actor(), f.Vendor.ID},
			{f.Users[policy.VendorAdmin].Actor(), 999999},
		} {
			if _, err := svc.Get(ctx, tc.who, tc.id); !problem.Is(err, problem.NotFound) {
				t.Errorf("%s reads organization %d: %v", tc.who.Email, tc.id, err)
			}
		}
	})
}

// Changing an organization: its own admins only, at the version last read,
// never deactivating one's own; each change audited with before and after.
func TestUpdate(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		updated := 0
		svc := &org.Service{DB: db, Now: time.Now, Updated: func() { updated++ }}
		vendor := f.Users[policy.VendorAdmin].Actor()
		name := func(s string) *string { return &s }
		no := false

		if _, err := svc.Update(ctx, vendor, f.Customer.ID, org.Patch{Name: name("Taken over")}, 1); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a partner's admin renames it: %v", err)
		}
		if _, err := svc.Update(ctx, f.OtherAdmin.Actor(), f.Vendor.ID, org.Patch{Name: name("Taken over")}, 1); !problem.Is(err, problem.NotFound) {
			t.Errorf("another vendor renames it: %v", err)
		}
		if _, err := svc.Update(ctx, vendor, f.Vendor.ID, org.Patch{Active: &no}, 1); !slices.Equal(fieldsOf(t, err), []string{"active"}) {
			t.Errorf("deactivating one's own: %v", err)
		}
		if _, err := svc.Update(ctx, vendor, f.Vendor.ID, org.Patch{Name: name(" ")}, 1); !slices.Equal(fieldsOf(t, err), []string{"name"}) {
			t.Errorf("an empty name: %v", err)
		}
		if _, err := svc.Update(ctx, vendor, f.Vendor.ID, org.Patch{Name: name("Vendor One Ltd.")}, 7); !problem.Is(err, problem.PreconditionFailed) {
			t.Errorf("a stale version: %v", err)
		}
		if updated != 0 || testutil.Count(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = 'org.update'`) != 0 {
			t.Fatal("a refused change was audited or announced")
		}
		o, err := svc.Update(ctx, vendor, f.Vendor.ID, org.Patch{Name: name("Vendor One Ltd.")}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if o.Name != "Vendor One Ltd." || o.Version != 2 || updated != 1 {
			t.Errorf("updated %+v (announced %d times)", o, updated)
		}
		trail, err := svc.AuditTrail(ctx, vendor, audit.Filter{OrgID: f.Vendor.ID, Entity: "organization"})
		if err != nil {
			t.Fatal(err)
		}
		if len(trail) == 0 || trail[0].Action != "org.update" || trail[0].Before == nil || !strings.Contains(*trail[0].Before, `"Vendor One"`) ||
			trail[0].After == nil || !strings.Contains(*trail[0].After, `"Vendor One Ltd."`) {
			t.Errorf("audit trail %+v", trail)
		}
		if _, err := svc.AuditTrail(ctx, f.Users[policy.Dispatcher].Actor(), audit.Filter{OrgID: f.Provider.ID}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a dispatcher reads the trail: %v", err)
		}
		if _, err := svc.AuditTrail(ctx, f.OtherAdmin.Actor(), audit.Filter{OrgID: f.Vendor.ID}); err == nil {
			t.Error("another vendor reads the trail")
		}
	})
}
