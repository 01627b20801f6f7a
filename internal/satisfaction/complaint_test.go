package satisfaction_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/complaint"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/satisfaction"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A complaint's clocks run on the agreement's calendar (the default terms:
// first answer within 1 working day, closed within 5), warn at 75 %, breach,
// escalate to the vendor, and stop when answered and closed.
func TestComplaintClocksWarnBreachAndEscalate(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		_, wo := w.visit(t)
		cs := w.a.Complaints
		dispatcher, customer := w.f.Users[policy.Dispatcher].Actor(), w.f.Users[policy.Customer].Actor()

		// Filed on Tuesday 10:00 (Shanghai): first answer by Wednesday 18:00, closed by the next Tuesday 18:00.
		d, err := cs.File(ctx, customer, complaint.NewComplaint{Category: "attitude", WorkOrderID: wo, Description: "态度差"})
		if err != nil {
			t.Fatal(err)
		}
		sh := func(s string) time.Time {
			t, _ := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
			return t.UTC()
		}
		if len(d.Clocks) != 2 || !d.Clocks[0].DueAt.Equal(sh("2026-11-25 18:00")) || !d.Clocks[1].DueAt.Equal(sh("2026-12-01 18:00")) {
			t.Fatalf("clocks %+v", d.Clocks)
		}
		if d.TechnicianID == nil || *d.TechnicianID != w.f.Users[policy.Technician].ID || d.Channel != "portal" {
			t.Fatalf("links %+v", d.Complaint)
		}
		// Another customer's organization cannot complain about this visit.
		if _, err := cs.File(ctx, w.f.OtherAdmin.Actor(), complaint.NewComplaint{Category: "fees", WorkOrderID: wo, Description: "x"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("other vendor: %v", err)
		}

		// Closing without a reply is refused, nothing changes.
		if _, err := cs.Close(ctx, dispatcher, d.ID, true, "", d.Version); !problem.Is(err, problem.Invalid) {
			t.Fatalf("closed without a reply: %v", err)
		}
		// Wednesday 15:00: past 75 % of the first answer's 15 working hours (14:15): warned, once.
		w.clock.Set(sh("2026-11-25 15:00"))
		if n, err := cs.Watch(ctx, w.clock.Now()); err != nil || n != 1 {
			t.Fatalf("watch %d %v", n, err)
		}
		if n, _ := cs.Watch(ctx, w.clock.Now()); n != 0 {
			t.Fatalf("warned twice: %d", n)
		}
		w.clock.Set(sh("2026-11-26 09:30"))
		cs.Watch(ctx, w.clock.Now())
		got, _ := cs.Get(ctx, dispatcher, d.ID)
		if got.Clocks[0].State != "breached" || got.EscalatedAt != nil {
			t.Fatalf("first answer %+v", got.Clocks[0])
		}
		// Answered late; the close clock still runs.
		got, err = cs.Reply(ctx, dispatcher, d.ID, "已批评教育，明日回访", got.Version)
		if err != nil || got.Status != complaint.Answered || got.Clocks[0].State != "breached" || got.Clocks[1].State != "running" {
			t.Fatalf("reply %+v %v", got, err)
		}
		// The customer reopens; after the close due time it escalates to the vendor.
		if got, err = cs.Reopen(ctx, customer, d.ID, "没有解决", got.Version); err != nil || got.Status != complaint.Open || got.Reopened != 1 {
			t.Fatalf("reopen %+v %v", got, err)
		}
		w.clock.Set(sh("2026-12-02 09:00"))
		if _, err := cs.Watch(ctx, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		got, _ = cs.Get(ctx, w.f.Users[policy.VendorAuditor].Actor(), d.ID)
		if got.EscalatedAt == nil || got.Clocks[1].State != "breached" {
			t.Fatalf("escalation %+v", got.Complaint)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM notifications WHERE kind = 'complaint.escalated' AND user_id = ?`, w.f.Users[policy.VendorAuditor].ID); n != 1 {
			t.Fatalf("vendor told %d times", n)
		}
		// Answered again and accepted by the customer: closed, late.
		got, _ = cs.Reply(ctx, dispatcher, d.ID, "已更换技术人员", got.Version)
		if got, err = cs.Close(ctx, customer, d.ID, false, "", got.Version); err != nil || got.CloseKind != complaint.ClosedAccepted || got.ClosedOnTime() {
			t.Fatalf("accepted %+v %v", got.Complaint, err)
		}

		// A second complaint, answered and not accepted, closes unanswered after 7 days.
		d2, _ := cs.File(ctx, dispatcher, complaint.NewComplaint{Category: "fees", WorkOrderID: wo, Description: "电话投诉：收费不清"})
		if d2.Channel != "phone" {
			t.Fatalf("channel %s", d2.Channel)
		}
		cs.Reply(ctx, dispatcher, d2.ID, "收费明细已发送", d2.Version)
		w.clock.Advance(7*24*time.Hour + time.Minute)
		cs.Watch(ctx, w.clock.Now())
		got, _ = cs.Get(ctx, customer, d2.ID)
		if got.Status != complaint.Closed || got.CloseKind != complaint.ClosedUnanswered {
			t.Fatalf("unanswered %+v", got.Complaint)
		}

		// A suggestion has no clocks and closes with its reply.
		s, _ := cs.File(ctx, customer, complaint.NewComplaint{Kind: "suggestion", Category: "other", WorkOrderID: wo, Description: "希望提供微信预约"})
		if len(s.Clocks) != 0 {
			t.Fatalf("suggestion clocks %+v", s.Clocks)
		}
		if s, err = cs.Reply(ctx, dispatcher, s.ID, "已纳入计划", s.Version); err != nil || s.Status != complaint.Closed {
			t.Fatalf("suggestion %+v %v", s, err)
		}
	})
}

// The auditor works the queue: records the call and sends the visit back
// for a redo, which books a new visit under the same request, marked as a
// redo and counted for the provider's period.
func TestCallbackSendsAVisitBackForARedo(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		recordID, wo := w.visit(t)
		auditor := w.f.Users[policy.VendorAuditor].Actor()
		// A complaint puts the visit in the queue.
		if _, err := w.a.Complaints.File(ctx, w.f.Users[policy.Customer].Actor(), complaint.NewComplaint{Category: "repair_quality", WorkOrderID: wo, Description: "又坏了"}); err != nil {
			t.Fatal(err)
		}
		q, err := w.a.Satisfaction.Callbacks(ctx, auditor, satisfaction.CallbackOpen, 0)
		if err != nil || len(q) == 0 {
			t.Fatalf("queue %v %v", q, err)
		}
		var cb satisfaction.Callback
		for _, c := range q {
			if c.Reason == satisfaction.ReasonComplaint && c.RecordID == recordID {
				cb = c
			}
		}
		if cb.ID == 0 {
			t.Fatalf("no complaint callback in %+v", q)
		}
		// The provider sees it but may not work it; the auditor may.
		if _, err := w.a.Satisfaction.RecordCall(ctx, w.f.Users[policy.Dispatcher].Actor(), cb.ID, satisfaction.Call{Reached: true}, cb.Version); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("dispatcher: %v", err)
		}
		bad := 9
		if _, err := w.a.Satisfaction.RecordCall(ctx, auditor, cb.ID, satisfaction.Call{Reached: true, Score: &bad}, cb.Version); !problem.Is(err, problem.Invalid) {
			t.Fatalf("score 9: %v", err)
		}
		two := 2
		cb, err = w.a.Satisfaction.RecordCall(ctx, auditor, cb.ID, satisfaction.Call{Reached: true, Score: &two, Words: "主轴还响"}, cb.Version)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.a.Satisfaction.Decide(ctx, auditor, cb.ID, satisfaction.Decision{Outcome: "redo"}, cb.Version); !problem.Is(err, problem.Invalid) {
			t.Fatalf("redo without a reason: %v", err)
		}
		cb, err = w.a.Satisfaction.Decide(ctx, auditor, cb.ID, satisfaction.Decision{Outcome: "redo", Reason: "故障未排除"}, cb.Version)
		if err != nil || cb.Status != satisfaction.CallbackRedo || cb.RedoWorkOrderID == nil {
			t.Fatalf("redo %+v %v", cb, err)
		}
		redoOf, reason, ok, err := satisfaction.RedoOf(ctx, db, *cb.RedoWorkOrderID)
		if err != nil || !ok || redoOf != wo || reason != "故障未排除" {
			t.Fatalf("redo of %d %q %v %v", redoOf, reason, ok, err)
		}
		// The technician sees the new visit on the same request.
		nw, err := w.a.WorkOrders.Get(ctx, w.f.Users[policy.Technician].Actor(), *cb.RedoWorkOrderID)
		if err != nil || nw.Status != "assigned" {
			t.Fatalf("redo visit %+v %v", nw, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM redo_visits WHERE provider_id = ? AND period = ?`, w.f.Provider.ID, satisfaction.PeriodOf(w.clock.Now())); n != 1 {
			t.Fatalf("%d redos counted", n)
		}
		if _, err := w.a.Satisfaction.Decide(ctx, auditor, cb.ID, satisfaction.Decision{Outcome: "confirmed"}, cb.Version); !problem.Is(err, problem.Conflict) {
			t.Fatalf("decided twice: %v", err)
		}
	})
}
