package e2e

import (
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// workedVisit books the request's visit now with tech and works it to
// check-out, signed by 刘经理, which seals its record.
func workedVisit(t *testing.T, app *testutil.App, dispatcher, tech account.User, requestID int64, actionsTaken string) workorder.WorkOrder {
	t.Helper()
	ctx, visits, now := t.Context(), app.Server.WorkOrders, time.Now()
	wo, err := visits.Book(ctx, dispatcher.Actor(), workorder.ForRequest(requestID), workorder.Assignment{TechnicianID: tech.ID, WindowStart: now, WindowEnd: now.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []workorder.Step{{Kind: "check_in"}, {Kind: "record", ActionsTaken: actionsTaken},
		{Kind: "sign_off", SignoffName: "刘经理", SignaturePNG: testutil.Signature}, {Kind: "check_out", Result: "fixed"}} {
		if wo, err = visits.Step(ctx, tech.Actor(), wo.ID, st, wo.Version); err != nil {
			t.Fatalf("%s: %v", st.Kind, err)
		}
	}
	return wo
}
