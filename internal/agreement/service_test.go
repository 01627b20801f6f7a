package agreement_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/i18n"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func terms() agreement.Terms {
	return agreement.Terms{
		Term:                 agreement.Term{Start: "2026-01-01", End: "2027-12-31"},
		CoveredModels:        []string{"HC-CNC-850"},
		ServiceArea:          []string{"32", "33"},
		ServiceItems:         []agreement.ServiceItem{agreement.Repair, agreement.Maintenance},
		Emergency:            agreement.EmergencyTerms{ResponseHours: 2, OnSiteHours: 8, CalendarID: "cn"},
		General:              agreement.GeneralTerms{ResponseWorkingDays: 2, CalendarID: "cn"},
		SatisfactionPermille: 900,
		RetentionMonths:      36,
		Payment:              agreement.PaymentTerms{SettlementPeriod: agreement.Monthly, PaymentDueDays: 30},
		AdjustmentLeadDays:   30,
	}
}

type env struct {
	svc   *agreement.Service
	db    *store.DB
	f     *testutil.Fixture
	now   time.Time
	as    func(policy.Role) policy.Actor
	ctx   context.Context
	audit func() int
}

func setup(t *testing.T, db *store.DB) *env {
	e := &env{db: db, f: testutil.Seed(t, db), ctx: context.Background()}
	e.now = time.Date(2026, 11, 5, 10, 0, 0, 0, calendar.Shanghai)
	e.svc = &agreement.Service{DB: db, Now: func() time.Time { return e.now }}
	e.as = func(r policy.Role) policy.Actor { return e.f.Users[r].Actor() }
	e.audit = func() int {
		var n int
		if err := store.Get(e.ctx, db, &n, `SELECT COUNT(*) FROM audit_events WHERE entity IN ('agreement', 'adjustment_request')`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return e
}

// active creates and activates an agreement as the vendor admin.
func (e *env) active(t *testing.T, number string) agreement.Detail {
	t.Helper()
	d, err := e.svc.Create(e.ctx, e.as(policy.VendorAdmin), agreement.NewAgreement{ProviderID: e.f.Provider.ID, Number: number, Terms: terms()})
	if err != nil {
		t.Fatal(err)
	}
	d, err = e.svc.ChangeStatus(e.ctx, e.as(policy.VendorAdmin), d.ID, agreement.Transition{To: agreement.Active}, d.Version)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != agreement.Active || d.Current == nil || d.Current.Number != 1 {
		t.Fatalf("after activation: %+v", d)
	}
	return d
}

func wantField(t *testing.T, err error, field, contains string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Invalid {
		t.Fatalf("want a validation problem on %s, got %v", field, err)
	}
	for _, f := range p.Fields {
		if f.Field == field && strings.Contains(f.Message, contains) {
			return
		}
	}
	t.Fatalf("want %s (%q) among %+v", field, contains, p.Fields)
}

func TestVersionsAndTermsAt(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		admin := e.as(policy.VendorAdmin)
		before := e.audit()
		d := e.active(t, "A-001")
		if n := e.audit() - before; n != 4 {
			t.Errorf("create and activate wrote %d audit rows, want 4 (2 changes x 2 parties)", n)
		}

		next := terms()
		next.Emergency.OnSiteHours = 6
		_, err := e.svc.AddVersion(e.ctx, admin, d.ID, agreement.NewVersion{Terms: next, EffectiveFrom: "2026-11-04"}, d.Version)
		wantField(t, err, "effective_from", "in the past")
		_, err = e.svc.AddVersion(e.ctx, admin, d.ID, agreement.NewVersion{Terms: next, EffectiveFrom: "2026-12-01"}, d.Version-1)
		if !problem.Is(err, problem.PreconditionFailed) {
			t.Fatalf("stale revision: %v", err)
		}
		incomplete := next
		incomplete.CoveredModels = nil
		_, err = e.svc.AddVersion(e.ctx, admin, d.ID, agreement.NewVersion{Terms: incomplete, EffectiveFrom: "2026-12-01"}, d.Version)
		wantField(t, err, "terms.covered_models", "at least one")
		v2, err := e.svc.AddVersion(e.ctx, admin, d.ID, agreement.NewVersion{Terms: next, EffectiveFrom: "2026-12-01", Note: "amendment 1"}, d.Version)
		if err != nil || v2.Number != 2 {
			t.Fatalf("add version: %+v %v", v2, err)
		}
		_, err = e.svc.AddVersion(e.ctx, admin, d.ID, agreement.NewVersion{Terms: terms(), EffectiveFrom: "2026-11-20"}, d.Version+1)
		wantField(t, err, "effective_from", "version 2")

		for at, want := range map[string]int{
			"2026-11-30T15:59:59Z": 1, "2026-11-30T16:00:00Z": 2, "2026-01-01T00:00:00+08:00": 1, "2027-06-01T00:00:00Z": 2,
		} {
			ts, _ := time.Parse(time.RFC3339, at)
			v, err := agreement.TermsAt(e.ctx, e.db, d.ID, ts)
			if err != nil || v.Number != want {
				t.Errorf("TermsAt(%s) = %d, %v; want %d", at, v.Number, err, want)
			}
			// The one-query form agrees with Get and TermsAt.
			a, w, err := agreement.GetInForce(e.ctx, e.db, d.ID, ts)
			stored, _ := agreement.Get(e.ctx, e.db, d.ID)
			if err != nil || a != stored || !reflect.DeepEqual(w, v) {
				t.Errorf("GetInForce(%s) = %+v, %d, %v; want %+v, %d", at, a, w.Number, err, stored, v.Number)
			}
		}
		before2026 := time.Date(2025, 12, 31, 23, 0, 0, 0, calendar.Shanghai)
		if _, err := agreement.TermsAt(e.ctx, e.db, d.ID, before2026); !problem.Is(err, problem.NotFound) {
			t.Errorf("before the first version: %v", err)
		}
		if a, _, err := agreement.GetInForce(e.ctx, e.db, d.ID, before2026); !problem.Is(err, problem.NotFound) || a.ID != d.ID {
			t.Errorf("GetInForce before the first version: %d, %v", a.ID, err)
		}
		if _, _, err := agreement.GetInForce(e.ctx, e.db, 9999, before2026); !problem.Is(err, problem.NotFound) {
			t.Errorf("GetInForce of no agreement: %v", err)
		}
		// Decoded terms are remembered, but every caller gets its own copy.
		v1, _ := agreement.TermsAt(e.ctx, e.db, d.ID, time.Now())
		v1.Terms.CoveredModels[0] = "CHANGED"
		v1.Terms.Resolution = nil
		if again, _ := agreement.TermsAt(e.ctx, e.db, d.ID, time.Now()); again.Terms.CoveredModels[0] == "CHANGED" {
			t.Error("a caller's change to its terms reached the next caller")
		}

		got, _ := e.svc.Get(e.ctx, admin, d.ID)
		if got.Current.Number != 1 || got.Latest != 2 || len(got.Scheduled) != 1 {
			t.Errorf("detail: current %d latest %d scheduled %d", got.Current.Number, got.Latest, len(got.Scheduled))
		}
		changes, err := e.svc.Diff(e.ctx, e.as(policy.Technician), d.ID, 1, 2)
		if err != nil || len(changes) != 1 || changes[0].Field != "emergency.onsite_hours" {
			t.Errorf("diff: %+v %v", changes, err)
		}
		_, err = e.svc.Diff(e.ctx, admin, d.ID, 1, 9)
		wantField(t, err, "query.to", "no version 9")

		if _, err := e.db.ExecContext(e.ctx, e.db.Rebind(`UPDATE agreement_versions SET note = 'x' WHERE agreement_id = ?`), d.ID); err == nil {
			t.Error("a version was overwritten")
		}
	})
}

func TestAdjustmentRequests(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		d := e.active(t, "A-002")
		vendor, provider := e.as(policy.VendorAdmin), e.as(policy.ProviderAdmin)
		changes := json.RawMessage(`{"emergency": {"onsite_hours": 12}}`)

		_, err := e.svc.Propose(e.ctx, provider, d.ID, agreement.Proposal{Changes: changes, Reason: "longer travel", DesiredFrom: "2026-11-20"})
		wantField(t, err, "effective_from", "lead time is 30 days: the earliest effective date is 2026-12-05")
		_, err = e.svc.Propose(e.ctx, provider, d.ID, agreement.Proposal{Changes: json.RawMessage(`{}`), Reason: "nothing", DesiredFrom: "2026-12-05"})
		wantField(t, err, "changes", "same as version 1")
		_, err = e.svc.Propose(e.ctx, e.as(policy.Dispatcher), d.ID, agreement.Proposal{Changes: changes, Reason: "x", DesiredFrom: "2026-12-05"})
		if !problem.Is(err, problem.Forbidden) {
			t.Errorf("a dispatcher proposed: %v", err)
		}

		adj, err := e.svc.Propose(e.ctx, provider, d.ID, agreement.Proposal{Changes: changes, Reason: "longer travel", DesiredFrom: "2026-12-05"})
		if err != nil || adj.State != agreement.Pending || adj.Terms.Emergency.OnSiteHours != 12 || adj.BaseVersion != 1 {
			t.Fatalf("propose: %+v %v", adj, err)
		}
		if _, err := e.svc.Decide(e.ctx, provider, adj.ID, agreement.Accepted, ""); !problem.Is(err, problem.Forbidden) {
			t.Errorf("the proposer accepted its own request: %v", err)
		}
		if _, err := e.svc.Decide(e.ctx, vendor, adj.ID, agreement.Withdrawn, ""); !problem.Is(err, problem.Forbidden) {
			t.Errorf("the other party withdrew: %v", err)
		}
		// Meanwhile the vendor records another change; the proposal made as
		// changes is applied on top of it.
		more := terms()
		more.CoveredModels = append(more.CoveredModels, "HC-LASER-3015")
		if _, err := e.svc.AddVersion(e.ctx, vendor, d.ID, agreement.NewVersion{Terms: more, EffectiveFrom: "2026-11-10"}, 0); err != nil {
			t.Fatal(err)
		}
		// Accepted late: the lead time runs from the acceptance.
		e.now = e.now.AddDate(0, 0, 15) // 2026-11-20
		acc, err := e.svc.Decide(e.ctx, vendor, adj.ID, agreement.Accepted, "agreed")
		if err != nil || acc.State != agreement.Accepted || *acc.ResultVersion != 3 || *acc.EffectiveFrom != "2026-12-20" {
			t.Fatalf("accept: %+v %v", acc, err)
		}
		versions, _ := e.svc.Versions(e.ctx, vendor, d.ID)
		v3 := versions[2]
		if v3.Terms.Emergency.OnSiteHours != 12 || len(v3.Terms.CoveredModels) != 2 || v3.AdjustmentID == nil || *v3.AdjustmentID != adj.ID {
			t.Errorf("version 3: %+v", v3)
		}
		if _, err := e.svc.Decide(e.ctx, vendor, adj.ID, agreement.Rejected, "changed my mind"); !problem.Is(err, problem.Conflict) {
			t.Errorf("decided twice: %v", err)
		}

		// A full set of terms proposed against an older version must be
		// proposed again once another version exists.
		full := v3.Terms
		full.SatisfactionPermille = 950
		adj2, err := e.svc.Propose(e.ctx, vendor, d.ID, agreement.Proposal{Terms: &full, Reason: "higher bar", DesiredFrom: "2027-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddVersion(e.ctx, vendor, d.ID, agreement.NewVersion{Terms: v3.Terms, EffectiveFrom: "2026-12-20", Note: "correction"}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Decide(e.ctx, provider, adj2.ID, agreement.Accepted, ""); !problem.Is(err, problem.Conflict) {
			t.Errorf("a stale full proposal was accepted: %v", err)
		}
		if _, err := e.svc.Decide(e.ctx, provider, adj2.ID, agreement.Rejected, ""); !problem.Is(err, problem.Invalid) {
			t.Errorf("rejected without a comment: %v", err)
		}
		rej, err := e.svc.Decide(e.ctx, provider, adj2.ID, agreement.Rejected, "please propose against version 4")
		if err != nil || rej.State != agreement.Rejected {
			t.Fatalf("reject: %+v %v", rej, err)
		}
		adj3, err := e.svc.Propose(e.ctx, provider, d.ID, agreement.Proposal{Changes: json.RawMessage(`{"emergency": {"onsite_hours": 10}}`), Reason: "again", DesiredFrom: "2027-02-01"})
		if err != nil {
			t.Fatal(err)
		}
		if w, err := e.svc.Decide(e.ctx, provider, adj3.ID, agreement.Withdrawn, ""); err != nil || w.State != agreement.Withdrawn {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		list, err := e.svc.Adjustments(e.ctx, e.as(policy.VendorAuditor), d.ID)
		if err != nil || len(list) != 3 {
			t.Errorf("auditor lists %d requests: %v", len(list), err)
		}
		if _, err := e.svc.Adjustments(e.ctx, e.as(policy.Technician), d.ID); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a technician read adjustment requests: %v", err)
		}
	})
}

func TestStatusTransitionsAndTenancy(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		d := e.active(t, "A-003")
		vendor, provider := e.as(policy.VendorAdmin), e.as(policy.ProviderAdmin)
		s, err := e.svc.ChangeStatus(e.ctx, provider, d.ID, agreement.Transition{To: agreement.Suspended, Reason: "September invoice unpaid"}, 0)
		if err != nil || s.Status != agreement.Suspended {
			t.Fatalf("suspend: %v", err)
		}
		if _, err := e.svc.ChangeStatus(e.ctx, vendor, d.ID, agreement.Transition{To: agreement.Active, Reason: "we paid"}, 0); !problem.Is(err, problem.Forbidden) {
			t.Errorf("the vendor lifted the provider's suspension: %v", err)
		}
		if _, err := e.svc.ChangeStatus(e.ctx, provider, d.ID, agreement.Transition{To: agreement.Active, Reason: "paid on 11-06"}, 0); err != nil {
			t.Fatal(err)
		}
		term, err := e.svc.ChangeStatus(e.ctx, vendor, d.ID, agreement.Transition{To: agreement.Terminated, Reason: "relocation", On: "2026-12-31"}, 0)
		if err != nil || term.Status != agreement.Active || *term.TerminatesOn != "2026-12-31" {
			t.Fatalf("announce termination: %+v %v", term, err)
		}
		e.now = time.Date(2026, 12, 31, 0, 0, 0, 0, calendar.Shanghai)
		if got, _ := e.svc.Get(e.ctx, vendor, d.ID); got.Status != agreement.Terminated {
			t.Errorf("on the termination date: %s", got.Status)
		}
		events, _ := e.svc.StatusEvents(e.ctx, e.as(policy.VendorAuditor), d.ID)
		if len(events) != 4 || events[1].Reason != "September invoice unpaid" || events[1].OrgID != e.f.Provider.ID {
			t.Errorf("events: %+v", events)
		}

		// Nobody outside the agreement sees it.
		other := e.f.OtherAdmin.Actor()
		for _, a := range []policy.Actor{other, e.as(policy.Customer)} {
			if _, err := e.svc.Get(e.ctx, a, d.ID); !problem.Is(err, problem.NotFound) {
				t.Errorf("%s sees the agreement: %v", a.Email, err)
			}
			if list, _ := e.svc.List(e.ctx, a); len(list) != 0 {
				t.Errorf("%s lists %d agreements", a.Email, len(list))
			}
		}
		if _, err := e.svc.Get(e.ctx, e.as(policy.Technician), d.ID); err != nil {
			t.Errorf("the provider's technician cannot read the terms: %v", err)
		}
		// A vendor cannot make an agreement with a provider it does not work with.
		_, err = e.svc.Create(e.ctx, vendor, agreement.NewAgreement{ProviderID: e.f.OtherProvider.ID, Number: "X-1", Terms: terms()})
		wantField(t, err, "provider_id", "not a provider")
		_, err = e.svc.Create(e.ctx, vendor, agreement.NewAgreement{ProviderID: e.f.Provider.ID, Number: "A-003", Terms: terms()})
		wantField(t, err, "number", "already used")
		// An incomplete draft cannot be activated.
		draft, err := e.svc.Create(e.ctx, vendor, agreement.NewAgreement{ProviderID: e.f.Provider.ID, Number: "A-004",
			Terms: agreement.Terms{Term: agreement.Term{Start: "2027-01-01", End: "2027-12-31"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ChangeStatus(e.ctx, vendor, draft.ID, agreement.Transition{To: agreement.Active}, 0); !problem.Is(err, problem.Conflict) ||
			!strings.Contains(err.Error(), "covered_models") {
			t.Errorf("incomplete draft activated: %v", err)
		}
	})
}

// The agreement's refusals name its status and the nested reason in the
// reader's language; the API's English detail keeps the enum value.
func TestRefusalsSayTheirWordsInChinese(t *testing.T) {
	zh := func(err error) (string, *problem.Error) {
		p, ok := problem.As(err)
		if !ok {
			t.Fatalf("not a problem: %v", err)
		}
		return p.Translate(func(f string) (string, bool) { return i18n.Default().ProblemFormat("zh-CN", f) }).Says(), p
	}
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		vendor, provider := e.as(policy.VendorAdmin), e.as(policy.ProviderAdmin)

		// Changes that applied to version 1 but not to version 2.
		d := e.active(t, "W-001")
		adj, err := e.svc.Propose(e.ctx, provider, d.ID, agreement.Proposal{Changes: json.RawMessage(`{"resolution": {"emergency_hours": 10}}`),
			Reason: "fix targets", DesiredFrom: "2026-12-05"})
		if err != nil {
			t.Fatal(err)
		}
		next := terms()
		next.Emergency.OnSiteHours = 12
		if _, err := e.svc.AddVersion(e.ctx, vendor, d.ID, agreement.NewVersion{Terms: next, EffectiveFrom: "2026-11-10"}, 0); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Decide(e.ctx, vendor, adj.ID, agreement.Accepted, "")
		got, p := zh(err)
		if p.Reason != "agreement_changed" || !strings.Contains(p.Detail, "must be at least the on-site time (12 h)") {
			t.Errorf("English detail: %v", err)
		}
		if !strings.Contains(got, "这些更改已不适用于第 2 版") || !strings.Contains(got, "changes.resolution.emergency_hours: 不能短于到场时限（12 小时）") ||
			strings.Contains(got, "validation") || strings.Contains(got, "must be") {
			t.Errorf("zh: %s", got)
		}

		// A decided request names its state.
		if _, err := e.svc.Decide(e.ctx, provider, adj.ID, agreement.Withdrawn, ""); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Decide(e.ctx, provider, adj.ID, agreement.Withdrawn, "")
		if got, p := zh(err); !strings.Contains(got, "已是“已撤回”状态") || !strings.Contains(p.Detail, "is already withdrawn") {
			t.Errorf("decided twice: %s / %s", got, p.Detail)
		}

		// A terminated agreement names its status.
		if _, err := e.svc.ChangeStatus(e.ctx, vendor, d.ID, agreement.Transition{To: agreement.Terminated, Reason: "relocation", On: "2026-11-05"}, 0); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.AddVersion(e.ctx, vendor, d.ID, agreement.NewVersion{Terms: terms(), EffectiveFrom: "2026-12-01"}, 0)
		if got, p := zh(err); got != "协议 W-001 的状态为“已终止”：其条款已不能更改" || p.Detail != "agreement W-001 is terminated: its terms can no longer change" {
			t.Errorf("terminated: %s / %s", got, p.Detail)
		}
		_, err = e.svc.ChangeStatus(e.ctx, provider, d.ID, agreement.Transition{To: agreement.Suspended, Reason: "unpaid"}, 0)
		if got, p := zh(err); got != "状态为“已终止”的协议不能改为“已暂停”" || p.Reason != "status_transition" || p.Detail != "an agreement that is terminated cannot become suspended" {
			t.Errorf("transition: %s / %s", got, p.Detail)
		}
		_, err = e.svc.Propose(e.ctx, provider, d.ID, agreement.Proposal{Changes: json.RawMessage(`{"emergency": {"onsite_hours": 6}}`), Reason: "x", DesiredFrom: "2026-12-05"})
		if got, _ := zh(err); !strings.Contains(got, "“已终止”") || strings.Contains(got, "terminated") {
			t.Errorf("proposal on a terminated agreement: %s", got)
		}
	})
}

// inEnv runs test in parallel on each engine, in a fresh env.
func inEnv(t *testing.T, test func(t *testing.T, ctx context.Context, e *env)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) { test(t, context.Background(), setup(t, db)) })
}
