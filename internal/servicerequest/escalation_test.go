package servicerequest_test

import (
	"encoding/json"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/sla"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// An escalation to the second line warns and then reports its breach to
// the vendor's admins, once each.
func TestEscalationClockAlerts(t *testing.T) {
	onWatched(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture, pub *notify.Service) {
		ctx := t.Context()
		svc.Notify = pub
		dispatcher := f.Users[policy.Dispatcher].Actor()
		v := fileRepair(t, svc, f, "x")
		if _, err := svc.Escalate(ctx, f.Users[policy.Customer].Actor(), v.ID, servicerequest.NewEscalation{Target: "second_line", Reason: "x"}); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a customer escalates: %v", err)
		}
		if _, err := svc.Escalate(ctx, dispatcher, v.ID, servicerequest.NewEscalation{Target: "second_line", Reason: "编码器"}); err != nil {
			t.Fatal(err)
		}
		count := func(kind string) int {
			var n int
			_ = store.Get(ctx, db, &n, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = ?`, f.Users[policy.VendorAdmin].ID, kind)
			return n
		}
		// 4 working hours from 09:00 with lunch 12-13: due 14:00; 75 % at 12:00 → 13:00 counts as 12:00.
		for _, step := range []struct {
			at               time.Time
			warnings, breach int
		}{{time.Date(2026, 11, 25, 3, 30, 0, 0, time.UTC), 0, 0}, {time.Date(2026, 11, 25, 5, 30, 0, 0, time.UTC), 1, 0},
			{time.Date(2026, 11, 25, 6, 1, 0, 0, time.UTC), 1, 1}, {time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC), 1, 1}} {
			if _, err := svc.Watch(ctx, pub, step.at); err != nil {
				t.Fatal(err)
			}
			if w, b := count("clock.warning"), count("clock.breached"); w != step.warnings || b != step.breach {
				t.Fatalf("at %s: %d warnings, %d breaches to the second line", step.at, w, b)
			}
		}
	})
}

// An agreement that sets its own escalation answer time is held to it.
func TestEscalationAnswerTimeFromTheAgreement(t *testing.T) {
	onWatched(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture, _ *notify.Service) {
		ctx := t.Context()
		// A second version, in force from the first one's day, answers escalations within 2 working hours.
		var v1 struct {
			AgreementID   int64  `db:"agreement_id"`
			EffectiveFrom string `db:"effective_from"`
			Terms         string `db:"terms_json"`
		}
		if err := store.Get(ctx, db, &v1, `SELECT agreement_id, effective_from, terms_json FROM agreement_versions WHERE number = 1 ORDER BY agreement_id LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		var terms agreement.Terms
		if err := json.Unmarshal([]byte(v1.Terms), &terms); err != nil {
			t.Fatal(err)
		}
		terms.EscalationAnswerHours = 2
		text, _ := json.Marshal(terms)
		if _, err := store.Exec(ctx, db, `INSERT INTO agreement_versions (agreement_id, number, effective_from, terms_json, note, created_by, created_at)
			VALUES (?, 2, ?, ?, '', 'test', ?)`, v1.AgreementID, v1.EffectiveFrom, string(text), c.now); err != nil {
			t.Fatal(err)
		}
		dispatcher := f.Users[policy.Dispatcher].Actor()
		v := fileRepair(t, svc, f, "x")
		e, err := svc.Escalate(ctx, dispatcher, v.ID, servicerequest.NewEscalation{Target: "second_line", Reason: "编码器"})
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC); !e.DueAt.Equal(want) {
			t.Errorf("escalation due %s, want %s (09:00 + 2 working hours)", e.DueAt, want)
		}
		got, err := svc.Get(ctx, dispatcher, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range got.Clocks {
			if c.Kind == sla.Escalation {
				found = true
				if !c.DueAt.Equal(e.DueAt) {
					t.Errorf("escalation clock due %s, want %s", c.DueAt, e.DueAt)
				}
			}
		}
		if !found {
			t.Error("no escalation clock")
		}
	})
}

// Closing the request settles an unanswered escalation: it leaves the
// vendor's open queue and says why.
func TestEscalationEndsWithItsRequest(t *testing.T) {
	onWatched(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture, _ *notify.Service) {
		ctx := t.Context()
		dispatcher, vendor := f.Users[policy.Dispatcher].Actor(), f.Users[policy.VendorAdmin].Actor()
		v := fileRepair(t, svc, f, "x")
		if _, err := svc.Escalate(ctx, dispatcher, v.ID, servicerequest.NewEscalation{Target: "second_line", Reason: "编码器"}); err != nil {
			t.Fatal(err)
		}
		open := func() []servicerequest.Escalation {
			t.Helper()
			es, err := svc.Escalations(ctx, vendor, true)
			if err != nil {
				t.Fatal(err)
			}
			return es
		}
		if es := open(); len(es) != 1 || es[0].RequestClosed {
			t.Fatalf("open escalations before closing: %+v", es)
		}
		cur, err := svc.Get(ctx, dispatcher, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Act(ctx, dispatcher, v.ID, servicerequest.Action{Kind: "cancelled", Note: "the customer fixed it"}, cur.Version); err != nil {
			t.Fatal(err)
		}
		if es := open(); len(es) != 0 {
			t.Fatalf("an escalation of a cancelled request is still open: %+v", es)
		}
		all, err := svc.Escalations(ctx, vendor, false)
		if err != nil || len(all) != 1 || !all[0].RequestClosed || all[0].AnsweredAt != nil {
			t.Fatalf("all escalations: %+v %v", all, err)
		}
	})
}
