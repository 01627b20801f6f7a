package policy

import "testing"

func TestDefaultDeny(t *testing.T) {
	t.Parallel()
	for _, r := range Roles {
		a := Actor{UserID: 1, OrgID: 1, Role: r}
		for _, act := range Actions() {
			if Allowed(a, act, Unrelated) {
				t.Errorf("%s may %s on an unrelated organization", r, act)
			}
		}
		if Allowed(a, "no.such.action", Own) {
			t.Errorf("%s may do an unknown action", r)
		}
	}
	if Allowed(Actor{Role: "root"}, OrgRead, Own) {
		t.Error("an unknown role is allowed")
	}
	if !Allowed(Actor{Operator: true}, AuditRead, Unrelated) {
		t.Error("the operator is refused")
	}
}

func TestOnlyAdminsAdminister(t *testing.T) {
	t.Parallel()
	for _, r := range Roles {
		for _, act := range []Action{UserCreate, UserUpdate, OrgUpdate, OrgRegister} {
			if got := len(Granted(r, act)) > 0; got != r.IsAdmin() {
				t.Errorf("%s %s: granted=%v", r, act, got)
			}
		}
	}
}

func TestRolesBelongToOneOrgKind(t *testing.T) {
	t.Parallel()
	kinds := map[string]int{}
	for _, r := range Roles {
		k := r.OrgKind()
		if k == "" {
			t.Errorf("role %s has no organization kind", r)
		}
		kinds[k]++
	}
	if kinds["vendor"] != 2 || kinds["provider"] != 3 || kinds["customer"] != 1 {
		t.Errorf("roles per kind %v", kinds)
	}
}

func TestPartyScope(t *testing.T) {
	t.Parallel()
	vendor := Actor{OrgID: 1, Role: VendorAdmin}
	for _, c := range []struct {
		a       Actor
		parties []int64
		want    Scope
	}{
		{vendor, []int64{1, 2}, Own},
		{Actor{OrgID: 2, Role: Dispatcher}, []int64{1, 2}, Own},
		{Actor{OrgID: 3, Role: VendorAdmin}, []int64{1, 2}, Unrelated},
		{Actor{Operator: true}, []int64{1, 2}, Own},
		{vendor, nil, Unrelated},
	} {
		if got := PartyScope(c.a, c.parties...); got != c.want {
			t.Errorf("PartyScope(%+v, %v) = %s, want %s", c.a, c.parties, got, c.want)
		}
	}
}
