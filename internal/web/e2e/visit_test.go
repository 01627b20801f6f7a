package e2e

import (
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/servicerequest"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// bookedVisit books the request's visit with tech for the next two hours.
func bookedVisit(t *testing.T, app *testutil.App, dispatcher, tech account.User, requestID int64) workorder.WorkOrder {
	t.Helper()
	now := time.Now()
	wo, err := app.Server.WorkOrders.Book(t.Context(), dispatcher.Actor(), workorder.ForRequest(requestID),
		workorder.Assignment{TechnicianID: tech.ID, WindowStart: now, WindowEnd: now.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return wo
}

// workedVisit books the request's visit with tech and works it to
// check-out, signed by 刘经理, which seals its record.
func workedVisit(t *testing.T, app *testutil.App, dispatcher, tech account.User, requestID int64, diagnosis, actionsTaken string) workorder.WorkOrder {
	t.Helper()
	wo := bookedVisit(t, app, dispatcher, tech, requestID)
	var err error
	for _, st := range []workorder.Step{{Kind: "check_in"}, {Kind: "record", Diagnosis: diagnosis, ActionsTaken: actionsTaken},
		{Kind: "sign_off", SignoffName: "刘经理", SignaturePNG: testutil.Signature}, {Kind: "check_out", Result: "fixed"}} {
		if wo, err = app.Server.WorkOrders.Step(t.Context(), tech.Actor(), wo.ID, st, wo.Version); err != nil {
			t.Fatalf("%s: %v", st.Kind, err)
		}
	}
	return wo
}

// demoRepairBooked files a repair, described so, by the demo's dispatcher
// and books its visit with 李工 for the next two hours.
func demoRepairBooked(t *testing.T, app *testutil.App, description string) (servicerequest.View, workorder.WorkOrder) {
	t.Helper()
	dispatcher, tech := demoCrew(t, app.DB)
	req := fileRepair(t, app, dispatcher, description)
	return req, bookedVisit(t, app, dispatcher, tech, req.ID)
}

// demoRepairWorked files a repair, described so, by the demo's dispatcher
// and has 李工 work its visit to a sealed record with actionsTaken.
func demoRepairWorked(t *testing.T, app *testutil.App, description, actionsTaken string) (servicerequest.View, workorder.WorkOrder) {
	t.Helper()
	dispatcher, tech := demoCrew(t, app.DB)
	req := fileRepair(t, app, dispatcher, description)
	return req, workedVisit(t, app, dispatcher, tech, req.ID, "", actionsTaken)
}
