package policy

import (
	"testing"

	"aftersales/internal/i18n"
	"aftersales/internal/problem"
)

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

func TestCheck(t *testing.T) {
	t.Parallel()
	hidden := problem.New(problem.NotFound, "record %d not found", 7)
	actor := func(r Role) Actor { return Actor{UserID: 1, OrgID: 1, Role: r} }
	for _, c := range []struct {
		name         string
		actor        Actor
		read, action Action
		scope        Scope
		want         problem.Kind // "" for allowed
	}{
		{"unrelated is hidden", actor(VendorAdmin), OrgRead, OrgUpdate, Unrelated, problem.NotFound},
		{"partner a customer may not read is hidden", actor(Customer), OrgRead, OrgUpdate, Partner, problem.NotFound},
		{"unknown role is hidden", actor("root"), OrgRead, OrgRead, Own, problem.NotFound},
		{"hidden even where the action alone would be allowed", actor(Technician), RecordRead, FieldWork, Self, problem.NotFound},
		{"visible but not allowed is forbidden", actor(VendorAuditor), RecordRead, RecordCorrect, Own, problem.Forbidden},
		{"read but not update is forbidden", actor(Dispatcher), OrgRead, OrgUpdate, Own, problem.Forbidden},
		{"allowed", actor(Dispatcher), RecordRead, RecordCorrect, Own, ""},
		{"read only, visible", actor(Technician), RequestRead, RequestRead, Self, ""},
		{"read only, hidden", actor(Technician), RecordRead, RecordRead, Own, problem.NotFound},
		{"operator may anything anywhere", Actor{Operator: true}, OrgRead, OrgUpdate, Unrelated, ""},
	} {
		err := Check(c.actor, c.read, c.action, c.scope, hidden)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v, want allowed", c.name, err)
		case c.want == problem.NotFound && err != error(hidden):
			t.Errorf("%s: %v, want the hidden problem %v", c.name, err, hidden)
		case c.want == problem.Forbidden && !problem.Is(err, problem.Forbidden):
			t.Errorf("%s: %v, want forbidden", c.name, err)
		}
	}
}

// A refusal names the role and how the resource relates to it in the
// reader's language; the English detail keeps the codes.
func TestRefusalReadsInChinese(t *testing.T) {
	err := Allow(Actor{Role: Technician}, AgreementWrite, Own)
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Forbidden || p.Detail != "role technician may not agreement.write (own)" {
		t.Fatalf("refusal: %v", err)
	}
	zh := p.Translate(func(f string) (string, bool) { return i18n.Default().ProblemFormat("zh-CN", f) }).Detail
	if zh != "角色“技术人员”无权对本组织的资源执行 agreement.write" {
		t.Errorf("zh: %s", zh)
	}
}
