package dispatch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/dispatch"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// day is a Wednesday well ahead, so no test depends on today.
const day = "2030-01-09"

// seeded runs test in parallel on each engine, on a seeded database and its
// services.
func seeded(t *testing.T, test func(t *testing.T, ctx context.Context, f *testutil.Fixture, sf testutil.ServiceFixture, a *app.App)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f, sf, a := testutil.SeedAll(t, db)
		test(t, context.Background(), f, sf, a)
	})
}

func localAt(hh, mm int) time.Time {
	d := calendar.MustParseDate(day)
	return d.At(hh, mm, calendar.Shanghai).UTC()
}

func countVisits(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM work_orders`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPlanTheDay(t *testing.T) {
	seeded(t, func(t *testing.T, ctx context.Context, f *testutil.Fixture, sf testutil.ServiceFixture, a *app.App) {
		admin, dispatcher := f.Users[policy.ProviderAdmin].Actor(), f.Users[policy.Dispatcher].Actor()
		point, techs := suzhouCrew(t, a, f)
		office := []string{"08:30-12:00", "13:00-17:30"}
		if _, err := a.Staff.SetPointHours(ctx, admin, point.ID, staff.HoursInput{Week: map[string][]string{
			"mon": office, "tue": office, "wed": office, "thu": office, "fri": office}}); err != nil {
			t.Fatal(err)
		}
		file := func() int64 { return fileRequest(t, a, f, sf, "repair") }
		var requests []int64
		for range 5 {
			requests = append(requests, file())
		}
		// One visit is booked already, in the morning.
		booked, err := a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(requests[0]), workorder.Assignment{TechnicianID: techs[0], WindowStart: localAt(9, 0), WindowEnd: localAt(11, 0)})
		if err != nil {
			t.Fatal(err)
		}

		b, err := a.Dispatch.Board(ctx, dispatcher, 0, day)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Lanes) != 2 || len(b.Open) != 4 || len(b.Lanes[0].Shift)+len(b.Lanes[1].Shift) != 4 {
			t.Fatalf("the board: %d lanes, %d open: %+v", len(b.Lanes), len(b.Open), b.Lanes)
		}
		if _, err := a.Dispatch.Board(ctx, f.Users[policy.Technician].Actor(), 0, day); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a technician reads the board: %v", err)
		}
		if _, err := a.Dispatch.Board(ctx, dispatcher, 0, "9 Jan"); !problem.Is(err, problem.Invalid) {
			t.Fatalf("a bad day: %v", err)
		}
		if _, err := a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{Day: day, TimeLimit: time.Minute}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("a minute to plan: %v", err)
		}
		if _, err := a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{Day: day, Locks: []dispatch.Lock{{WorkOrderID: 999999, Kind: dispatch.LockBoth}}}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("locking no visit: %v", err)
		}
		_, err = a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{Day: day, Locks: []dispatch.Lock{{WorkOrderID: booked.ID, Kind: "sideways"}}})
		if pr, ok := problem.As(err); !ok || pr.Kind != problem.Invalid || len(pr.Fields) != 1 || pr.Fields[0].Field != "locks[0].kind" {
			t.Fatalf("a lock of no kind: %v", err)
		}
		if _, err := a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{Day: "2030-01-12"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("planning a Saturday nobody works: %v", err)
		}
		before := countVisits(t, a.DB)
		plan, err := a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{Day: day, TimeLimit: time.Second,
			Locks: []dispatch.Lock{{WorkOrderID: booked.ID, Kind: dispatch.LockBoth}}})
		if err != nil {
			t.Fatal(err)
		}
		p := plan.Proposal
		if plan.Status != dispatch.Proposed || p.Bookings != 4 || len(p.Unplaced) != 0 || p.Moves != 0 {
			t.Fatalf("the proposal: bookings %d moves %d unplaced %+v routes %d", p.Bookings, p.Moves, p.Unplaced, len(p.Routes))
		}
		kept := false
		for _, r := range p.Routes {
			for i, st := range r.Stops {
				if st.WorkOrderID == booked.ID {
					kept = r.TechnicianID == techs[0] && st.Start.Equal(localAt(9, 0)) && st.Change == "keep"
				}
				// Inside the working hours, never across lunch.
				if st.Start.Before(localAt(8, 30)) || st.End.After(localAt(17, 30)) || (st.Start.Before(localAt(13, 0)) && st.End.After(localAt(12, 0))) {
					t.Errorf("stop %d of %s at %s–%s", i, r.Name, st.Start, st.End)
				}
			}
		}
		if !kept {
			t.Fatalf("the locked visit moved: %+v", p.Routes)
		}
		if countVisits(t, a.DB) != before {
			t.Fatal("a proposal booked something")
		}
		if _, err := a.Dispatch.GetPlan(ctx, f.OtherAdmin.Actor(), plan.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("another provider reads the plan: %v", err)
		}
		if _, err := a.Dispatch.AcceptPlan(ctx, f.Users[policy.Technician].Actor(), plan.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("a technician accepts: %v", err)
		}

		accepted, err := a.Dispatch.AcceptPlan(ctx, dispatcher, plan.ID)
		if err != nil || accepted.Status != dispatch.Accepted {
			t.Fatalf("accept: %+v %v", accepted, err)
		}
		if got := countVisits(t, a.DB); got != before+4 {
			t.Fatalf("%d visits booked, want 4", got-before)
		}
		// Again: the same answer, nothing booked twice.
		if again, err := a.Dispatch.AcceptPlan(ctx, dispatcher, plan.ID); err != nil || again.Status != dispatch.Accepted || countVisits(t, a.DB) != before+4 {
			t.Fatalf("accepting twice: %v", err)
		}
		if _, err := a.Dispatch.DiscardPlan(ctx, dispatcher, plan.ID); !problem.Is(err, problem.Conflict) {
			t.Fatalf("discarding an accepted plan: %v", err)
		}
		b, err = a.Dispatch.Board(ctx, dispatcher, 0, day)
		if err != nil || len(b.Open) != 0 || len(b.Lanes[0].Visits)+len(b.Lanes[1].Visits) != 5 {
			t.Fatalf("the board after: %+v %v", b, err)
		}

		// A stale plan: someone books meanwhile; accepting books nothing.
		late := file()
		stale, err := a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{Day: day, TimeLimit: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(late), workorder.Assignment{TechnicianID: techs[1], WindowStart: localAt(17, 0), WindowEnd: localAt(17, 30)}); err != nil {
			t.Fatal(err)
		}
		n := countVisits(t, a.DB)
		if _, err := a.Dispatch.AcceptPlan(ctx, dispatcher, stale.ID); !problem.Is(err, problem.Conflict) {
			t.Fatalf("a stale plan: %v", err)
		}
		if countVisits(t, a.DB) != n {
			t.Fatal("a stale plan booked something")
		}
		if d, err := a.Dispatch.DiscardPlan(ctx, dispatcher, stale.ID); err != nil || d.Status != dispatch.Discarded {
			t.Fatalf("discard: %v", err)
		}
		if _, err := a.Dispatch.AcceptPlan(ctx, dispatcher, stale.ID); !problem.Is(err, problem.Conflict) {
			t.Fatalf("accepting a discarded plan: %v", err)
		}

		// A plan the booking path refuses is booked not at all.
		other := file()
		refused, err := a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{Day: day, TimeLimit: time.Second})
		if err != nil || refused.Proposal.Bookings != 1 {
			t.Fatalf("plan: %+v %v", refused.Proposal, err)
		}
		var target int64
		for _, r := range refused.Proposal.Routes {
			for _, st := range r.Stops {
				if st.RequestID == other {
					target = r.TechnicianID
				}
			}
		}
		// The technician goes on leave without touching the board's visits.
		if _, err := a.Staff.AddLeave(ctx, admin, target, staff.Leave{StartsAt: localAt(0, 0), EndsAt: localAt(0, 0).Add(24 * time.Hour), Reason: "病假"}); err != nil {
			t.Fatal(err)
		}
		n = countVisits(t, a.DB)
		_, err = a.Dispatch.AcceptPlan(ctx, dispatcher, refused.ID)
		var mr *dispatch.MoveRefused
		if !errors.As(err, &mr) || mr.Problem.Reason != staff.OnLeave || mr.RequestID != other {
			t.Fatalf("a refused booking: %v", err)
		}
		if countVisits(t, a.DB) != n {
			t.Fatal("a refused plan booked something")
		}
	})
}
