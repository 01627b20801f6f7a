package satisfaction_test

import (
	"context"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/satisfaction"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The auditor works the queue: records the call and sends the visit back
// for a redo, which books a new visit under the same request, marked as a
// redo and counted for the provider's period.
func TestCallbackSendsAVisitBackForARedo(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		// A complaint puts the visit in the queue.
		recordID, wo, q := w.complainedVisit(t)
		auditor := w.F.Users[policy.VendorAuditor].Actor()
		var cb satisfaction.Callback
		for _, c := range q {
			if c.Reason == satisfaction.ReasonComplaint && c.RecordID == recordID {
				cb = c
			}
		}
		if cb.ID == 0 {
			t.Fatalf("no complaint callback in %+v", q)
		}
		// It names the request by its number, as the callbacks page shows it.
		var number string
		if err := store.Get(ctx, w.App.DB, &number, `SELECT number FROM service_requests WHERE id = ?`, cb.RequestID); err != nil || cb.RequestNumber != number {
			t.Fatalf("the callback names request %q, its number is %q (%v)", cb.RequestNumber, number, err)
		}
		// The provider sees it but may not work it; the auditor may.
		if _, err := w.App.Satisfaction.RecordCall(ctx, w.F.Users[policy.Dispatcher].Actor(), cb.ID, satisfaction.Call{Reached: true}, cb.Version); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("dispatcher: %v", err)
		}
		bad := 9
		if _, err := w.App.Satisfaction.RecordCall(ctx, auditor, cb.ID, satisfaction.Call{Reached: true, Score: &bad}, cb.Version); !problem.Is(err, problem.Invalid) {
			t.Fatalf("score 9: %v", err)
		}
		two := 2
		cb, err := w.App.Satisfaction.RecordCall(ctx, auditor, cb.ID, satisfaction.Call{Reached: true, Score: &two, Words: "主轴还响"}, cb.Version)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.App.Satisfaction.Decide(ctx, auditor, cb.ID, satisfaction.Decision{Outcome: "redo"}, cb.Version); !problem.Is(err, problem.Invalid) {
			t.Fatalf("redo without a reason: %v", err)
		}
		cb, err = w.App.Satisfaction.Decide(ctx, auditor, cb.ID, satisfaction.Decision{Outcome: "redo", Reason: "故障未排除"}, cb.Version)
		if err != nil || cb.Status != satisfaction.CallbackRedo || cb.RedoWorkOrderID == nil {
			t.Fatalf("redo %+v %v", cb, err)
		}
		redoOf, reason, ok, err := satisfaction.RedoOf(ctx, w.App.DB, *cb.RedoWorkOrderID)
		if err != nil || !ok || redoOf != wo || reason != "故障未排除" {
			t.Fatalf("redo of %d %q %v %v", redoOf, reason, ok, err)
		}
		// The technician sees the new visit on the same request.
		nw, err := w.App.WorkOrders.Get(ctx, w.F.Users[policy.Technician].Actor(), *cb.RedoWorkOrderID)
		if err != nil || nw.Status != "assigned" {
			t.Fatalf("redo visit %+v %v", nw, err)
		}
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM redo_visits WHERE provider_id = ? AND period = ?`, w.F.Provider.ID, satisfaction.PeriodOf(w.Clock.Now())); n != 1 {
			t.Fatalf("%d redos counted", n)
		}
		if _, err := w.App.Satisfaction.Decide(ctx, auditor, cb.ID, satisfaction.Decision{Outcome: "confirmed"}, cb.Version); !problem.Is(err, problem.Conflict) {
			t.Fatalf("decided twice: %v", err)
		}
	})
}
