package policy

import (
	"errors"
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

// A refusal names the role, the action and how the resource relates to it
// in words of the reader's language, on a page in English too; the English
// detail, as the API answers it, keeps the codes.
func TestRefusalReadsInWords(t *testing.T) {
	err := Allow(Actor{Role: Technician}, AgreementWrite, Own)
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Forbidden || p.Detail != "role technician may not agreement.write (own)" {
		t.Fatalf("refusal: %v", err)
	}
	for lang, want := range map[string]string{
		"zh-CN": "技术人员无权为本组织编写服务协议",
		"en":    "A technician may not write the agreement for their own organization",
	} {
		got := p.Translate(func(f string) (string, bool) { return i18n.Default().ProblemFormat(lang, f) }).Detail
		if got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}

// Every scope reads as a part of the sentence, in both languages, while
// the English detail keeps its code.
func TestRefusalSaysEveryScopeInWords(t *testing.T) {
	for _, tc := range []struct {
		actor  Actor
		action Action
		scope  Scope
		detail string
		en, zh string
	}{
		{Actor{Role: Technician}, StockAdjust, Self, "role technician may not stock.adjust (self)",
			"A technician may not book a stocktake adjustment for themselves", "技术人员无权为本人登记盘点调整"},
		{Actor{Role: Dispatcher}, StockAdjust, Own, "role dispatcher may not stock.adjust (own)",
			"A dispatcher may not book a stocktake adjustment for their own organization", "调度员无权为本组织登记盘点调整"},
		{Actor{Role: VendorAuditor}, AgreementWrite, Partner, "role vendor_auditor may not agreement.write (partner)",
			"A vendor auditor may not write the agreement for a partner organization", "厂商审计员无权为合作方组织编写服务协议"},
		{Actor{Role: ProviderAdmin}, AgreementRead, Unrelated, "role provider_admin may not agreement.read (unrelated)",
			"A provider admin may not see the agreement for an unrelated organization", "服务商管理员无权为无关组织查看服务协议"},
	} {
		p, ok := problem.As(Allow(tc.actor, tc.action, tc.scope))
		if !ok || p.Detail != tc.detail {
			t.Errorf("%s %s %s: detail %v, want %q", tc.actor.Role, tc.action, tc.scope, p, tc.detail)
			continue
		}
		for lang, want := range map[string]string{"en": tc.en, "zh-CN": tc.zh} {
			got := p.Translate(func(f string) (string, bool) { return i18n.Default().ProblemFormat(lang, f) }).Detail
			if got != want {
				t.Errorf("%s: %q, want %q", lang, got, want)
			}
		}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	type row struct{ ID, Owner int64 }
	hidden := problem.New(problem.NotFound, "row %d not found", 7)
	missing := problem.New(problem.NotFound, "row %d does not exist", 7)
	boom := errors.New("scope failed")
	stored := row{ID: 7, Owner: 1}
	load := func() (row, error) { return stored, nil }
	owned := func(r row) (Scope, error) { return PartyScope(Actor{OrgID: 1}, r.Owner), nil }
	actor := func(org int64, r Role) Actor { return Actor{UserID: 1, OrgID: org, Role: r} }
	for _, c := range []struct {
		name    string
		actor   Actor
		action  Action
		load    func() (row, error)
		scope   func(row) (Scope, error)
		want    error        // the very error, when it is one
		wantAny problem.Kind // else its kind; "" for allowed
	}{
		{"allowed", actor(1, VendorAdmin), OrgUpdate, load, owned, nil, ""},
		{"missing passes through", actor(1, VendorAdmin), OrgUpdate, func() (row, error) { return row{}, missing }, owned, missing, ""},
		{"scope's error passes through", actor(1, VendorAdmin), OrgUpdate, load, func(row) (Scope, error) { return Own, boom }, boom, ""},
		{"unrelated is hidden", actor(2, VendorAdmin), OrgUpdate, load, func(r row) (Scope, error) { return PartyScope(actor(2, VendorAdmin), r.Owner), nil }, hidden, ""},
		{"visible but not allowed is forbidden", actor(1, Dispatcher), OrgUpdate, load, owned, nil, problem.Forbidden},
	} {
		got, err := Load(c.actor, OrgRead, c.action, hidden, c.load, c.scope)
		switch {
		case c.want != nil && err != c.want:
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		case c.want == nil && c.wantAny == "" && err != nil:
			t.Errorf("%s: %v, want allowed", c.name, err)
		case c.wantAny != "" && !problem.Is(err, c.wantAny):
			t.Errorf("%s: %v, want %s", c.name, err, c.wantAny)
		}
		if err == nil && got != stored {
			t.Errorf("%s: got %+v, want %+v", c.name, got, stored)
		}
		if err != nil && got != (row{}) {
			t.Errorf("%s: refused, yet returned %+v", c.name, got)
		}
	}
}

type deal struct{ vendor, provider int64 }

func (d deal) Parties() []int64 { return []int64{d.vendor, d.provider} }

func TestByParties(t *testing.T) {
	t.Parallel()
	d := deal{vendor: 1, provider: 2}
	for _, c := range []struct {
		actor Actor
		want  Scope
	}{
		{Actor{OrgID: 1}, Own},
		{Actor{OrgID: 2}, Own},
		{Actor{OrgID: 3}, Unrelated},
		{Actor{Operator: true}, Own},
	} {
		if got, err := ByParties[deal](c.actor)(d); got != c.want || err != nil {
			t.Errorf("%+v: %s, %v; want %s", c.actor, got, err, c.want)
		}
	}
}
