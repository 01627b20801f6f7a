package workorder_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// asked is one question put to a Qualifier.
type asked struct {
	technicianID, unitID int64
	item                 string
	start, end           time.Time
	workOrderID          int64
}

// Booking and reassigning ask the Qualifier who may do the visit, with the
// unit, the service item, the window and the visit (0 when booking); its
// refusal stops the change, and a request's visit has the request as its
// origin.
func TestBookingAsksTheQualifier(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, sf, a := testutil.SeedAll(t, db)
		dispatcher, tech := f.Users[policy.Dispatcher].Actor(), f.Users[policy.Technician].Actor()
		v, err := a.Requests.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: sf.Serial, ServiceItem: "repair", Priority: "general",
			Description: "spindle noise", Channel: servicerequest.Dispatcher})
		if err != nil {
			t.Fatal(err)
		}
		var questions []asked
		refuse := false
		visits := *a.WorkOrders
		visits.Qualify = func(ctx context.Context, q store.Queryer, technicianID, unitID int64, item string, start, end time.Time, workOrderID int64) error {
			questions = append(questions, asked{technicianID, unitID, item, start, end, workOrderID})
			if refuse {
				return &problem.Error{Kind: problem.Invalid, Reason: "not_certified", Detail: "not certified for this model"}
			}
			return workorder.ActiveTechnician(ctx, q, technicianID, unitID, item, start, end, workOrderID)
		}
		start := time.Date(2026, 5, 6, 1, 0, 0, 0, time.UTC)
		window := workorder.Assignment{TechnicianID: tech.UserID, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)}
		wo, err := visits.Book(ctx, dispatcher, workorder.ForRequest(v.ID), window)
		if err != nil {
			t.Fatal(err)
		}
		if wo.Origin != workorder.OriginRequest || wo.RequestID != v.ID {
			t.Errorf("the visit's origin: %q, request %d", wo.Origin, wo.RequestID)
		}
		want := asked{tech.UserID, v.UnitID, "repair", start, start.Add(2 * time.Hour), 0}
		if len(questions) != 1 || questions[0] != want {
			t.Fatalf("asked %+v, want %+v", questions, want)
		}

		refuse = true
		later := workorder.Assignment{TechnicianID: tech.UserID, WindowStart: start.Add(24 * time.Hour), WindowEnd: start.Add(26 * time.Hour)}
		_, err = visits.Reassign(ctx, dispatcher, workorder.ForRequest(v.ID), wo.ID, later)
		if p, ok := problem.As(err); !ok || p.Kind != problem.Invalid || p.Reason != "not_certified" {
			t.Fatalf("a refused reassignment: %v", err)
		}
		if len(questions) != 2 || questions[1].workOrderID != wo.ID {
			t.Fatalf("reassigning asked %+v", questions)
		}
		got, err := workorder.Get(ctx, db, wo.ID)
		if err != nil || !got.WindowStart.Equal(start) || got.Version != wo.Version {
			t.Fatalf("the refused reassignment changed the visit: %+v, %v", got, err)
		}
		if _, err := visits.Book(ctx, dispatcher, workorder.ForRequest(v.ID), window); err == nil {
			t.Fatal("a refused booking was made")
		}
		all, err := workorder.OfRequest(ctx, db, v.ID)
		if err != nil || len(all) != 1 {
			t.Fatalf("visits of the request: %d, %v", len(all), err)
		}
	})
}

// A visit is booked for an origin the caller names: a request, or a unit
// to maintain; an origin naming neither is refused before anything is read
// or written.
func TestBookingNamesItsOrigin(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		a := testutil.Services(t, db)
		dispatcher, tech := f.Users[policy.Dispatcher].Actor(), f.Users[policy.Technician].Actor()
		start := time.Now().UTC()
		window := workorder.Assignment{TechnicianID: tech.UserID, WindowStart: start, WindowEnd: start.Add(time.Hour)}
		for _, o := range []workorder.Origin{{Kind: workorder.OriginMaintenance}, {Kind: workorder.OriginRequest}, {}} {
			if _, err := a.WorkOrders.Book(ctx, dispatcher, o, window); !problem.Is(err, problem.Invalid) {
				t.Errorf("booking for %+v: %v", o, err)
			}
		}
	})
}

// The default Qualifier takes an active technician and names the field
// otherwise.
func TestActiveTechnician(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		now := time.Now().UTC()
		check := func(userID int64) error {
			return workorder.ActiveTechnician(ctx, db, userID, 1, "repair", now, now.Add(time.Hour), 0)
		}
		if err := check(f.Users[policy.Technician].ID); err != nil {
			t.Errorf("an active technician: %v", err)
		}
		for _, id := range []int64{f.Users[policy.Dispatcher].ID, 999999} {
			p, ok := problem.As(check(id))
			if !ok || p.Kind != problem.Invalid || len(p.Fields) != 1 || p.Fields[0].Field != "technician_id" {
				t.Errorf("user %d: %v", id, p)
			}
		}
	})
}
