package satisfaction_test

import (
	"context"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/satisfaction"
	"aftersales/internal/servicerequest"
	"aftersales/internal/workorder"
)

// A callback's redo is booked through the visits: the new visit is marked
// as the redo of the first, and the resolved request is reopened, saying
// why, and scheduled for it.
func TestARedoFromTheCallbackReopensTheRequest(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		_, wo, q := w.complainedVisit(t)
		auditor := w.F.Users[policy.VendorAuditor].Actor()
		cb, err := w.App.Satisfaction.Decide(ctx, auditor, q[0].ID, satisfaction.Decision{Outcome: "redo", Reason: "故障未排除"}, q[0].Version)
		if err != nil || cb.RedoWorkOrderID == nil {
			t.Fatalf("redo %+v %v", cb, err)
		}
		redo, err := workorder.Get(ctx, w.App.DB, *cb.RedoWorkOrderID)
		if err != nil || redo.RedoOf == nil || *redo.RedoOf != wo || redo.Status != workorder.WOAssigned {
			t.Fatalf("the redo visit: %+v, %v", redo, err)
		}
		v, err := w.App.Requests.Get(ctx, w.F.Users[policy.Dispatcher].Actor(), redo.RequestID)
		if err != nil || v.Status != servicerequest.Scheduled {
			t.Fatalf("the request: %s, %v", v.Status, err)
		}
		var reopened bool
		for _, e := range v.Events {
			reopened = reopened || (e.Kind == "reopened" && e.Note == "故障未排除")
		}
		if !reopened {
			t.Fatalf("no reopening among %+v", v.Events)
		}
	})
}
