package dispatch_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/dispatch"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
	"aftersales/internal/stock"
	"aftersales/internal/testutil"
)

// A request's needed parts are met only from a technician's van: the
// request needing two bearings goes to the technician whose van holds
// two, never to the one holding one; the request needing five, more than
// any van holds, comes back unplaced for want of parts; a request needing
// nothing is planned as before. Only its dispatchers set what a request
// needs, and a refused or bad list changes nothing.
func TestNeededPartsComeFromTheVan(t *testing.T) {
	seeded(t, func(t *testing.T, ctx context.Context, f *testutil.Fixture, sf testutil.ServiceFixture, a *app.App) {
		admin, dispatcher := f.Users[policy.ProviderAdmin].Actor(), f.Users[policy.Dispatcher].Actor()
		point, techs := suzhouCrew(t, a, f)
		if _, err := a.Staff.SetPointHours(ctx, admin, point.ID, staff.HoursInput{Week: map[string][]string{"wed": {"08:30-12:00", "13:00-17:30"}}}); err != nil {
			t.Fatal(err)
		}
		bearing, err := a.Parts.Create(ctx, f.Users[policy.VendorAdmin].Actor(), parts.Input{PartNumber: "SP-100", Name: "主轴轴承", Kind: parts.Genuine, UnitCostFen: 128000})
		if err != nil {
			t.Fatal(err)
		}
		for i, held := range []int64{2, 1} {
			van, err := a.Stock.CreateLocation(ctx, admin, stock.LocationInput{Kind: stock.Van, Name: "车 " + string(rune('A'+i)), TechnicianID: &techs[i]})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Stock.Move(ctx, admin, stock.MoveInput{Kind: stock.Receive, PartID: bearing.ID, ToLocationID: van.ID, Qty: held}); err != nil {
				t.Fatal(err)
			}
		}
		file := func() int64 { return fileRequest(t, a, f, sf, "repair") }
		two, five, none := file(), file(), file()

		// Bad lists and those who may not set one change nothing.
		bad := map[string][]dispatch.NeededPart{
			"parts[0].qty":     {{PartID: bearing.ID, Qty: 0}},
			"parts[1].part_id": {{PartID: bearing.ID, Qty: 1}, {PartID: bearing.ID, Qty: 2}},
			"parts[0].part_id": {{PartID: 999999, Qty: 1}},
		}
		for field, list := range bad {
			_, err := a.Dispatch.SetNeededParts(ctx, dispatcher, two, list)
			if pe, ok := problem.As(err); !ok || pe.Kind != problem.Invalid || len(pe.Fields) == 0 || pe.Fields[0].Field != field {
				t.Errorf("%s: %v", field, err)
			}
		}
		if _, err := a.Dispatch.SetNeededParts(ctx, f.Users[policy.Technician].Actor(), two, []dispatch.NeededPart{{PartID: bearing.ID, Qty: 1}}); !problem.Is(err, problem.NotFound) {
			t.Errorf("a technician sets the parts of a request not theirs: %v", err)
		}
		if _, err := a.Dispatch.SetNeededParts(ctx, f.OtherAdmin.Actor(), two, []dispatch.NeededPart{{PartID: bearing.ID, Qty: 1}}); !problem.Is(err, problem.NotFound) {
			t.Errorf("another provider sets the parts: %v", err)
		}
		if got, err := a.Dispatch.NeededParts(ctx, dispatcher, two); err != nil || len(got) != 0 {
			t.Fatalf("after refusals: %+v %v", got, err)
		}

		got, err := a.Dispatch.SetNeededParts(ctx, dispatcher, two, []dispatch.NeededPart{{PartID: bearing.ID, Qty: 2}})
		if err != nil || len(got) != 1 || got[0].Qty != 2 || got[0].PartNumber != "SP-100" {
			t.Fatalf("set: %+v %v", got, err)
		}
		if _, err := a.Dispatch.SetNeededParts(ctx, dispatcher, five, []dispatch.NeededPart{{PartID: bearing.ID, Qty: 5}}); err != nil {
			t.Fatal(err)
		}

		plan, err := a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{Day: day, TimeLimit: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		p := plan.Proposal
		on := map[int64]int64{}
		for _, r := range p.Routes {
			for _, st := range r.Stops {
				on[st.RequestID] = r.TechnicianID
			}
		}
		if on[two] != techs[0] {
			t.Errorf("the request needing two bearings is with %d, want %d: %+v", on[two], techs[0], p.Routes)
		}
		if on[none] == 0 {
			t.Errorf("the request needing nothing is not planned: %+v", p.Unplaced)
		}
		if len(p.Unplaced) != 1 || p.Unplaced[0].RequestID != five || p.Unplaced[0].Reason != dispatch.PartsMissing {
			t.Errorf("unplaced: %+v", p.Unplaced)
		}

		// Emptied, the list no longer holds the request back.
		if got, err := a.Dispatch.SetNeededParts(ctx, dispatcher, five, nil); err != nil || len(got) != 0 {
			t.Fatalf("emptied: %+v %v", got, err)
		}
		plan, err = a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{Day: day, TimeLimit: time.Second})
		if err != nil || len(plan.Proposal.Unplaced) != 0 {
			t.Fatalf("after emptying: %+v %v", plan.Proposal.Unplaced, err)
		}
	})
}
