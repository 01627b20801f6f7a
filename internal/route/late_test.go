package route

import (
	"context"
	"testing"
)

// A visit that can be done late is done late: whatever a soft deadline
// costs, leaving the visit out costs more. The lone visit below is reachable
// only long after its deadline, at a cost per unit far above any distance;
// recreate's blinks leave it out now and then, and such a step must never
// be kept.
func TestLateVisitIsPlacedRatherThanLeftOut(t *testing.T) {
	t.Parallel()
	for _, obj := range []Objective{Distance, Vehicles} {
		p := &Problem{
			Technicians: []Technician{{ID: 1, ShiftStart: 0, ShiftEnd: 1000}},
			Visits: []Visit{
				{ID: 1, Location: Location{X: 1}, Duration: 10, Windows: []Window{{Open: 500, Close: 600}},
					Deadline: &Deadline{At: 0, CostPerUnit: 1e6}},
				{ID: 2, Location: Location{X: 2}, Duration: 10, Deadline: &Deadline{At: 100, CostPerUnit: 1e4}},
			},
		}
		plan, err := Solve(context.Background(), p, Options{Objective: obj, Iterations: 3000, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		mustCheck(t, p, plan)
		if len(plan.Unplaced) != 0 {
			t.Fatalf("%v: unplaced %v, want both visits placed late", obj, plan.Unplaced)
		}
		if plan.LatenessCost < 500*1e6 {
			t.Fatalf("%v: lateness cost %.0f, want the first visit 500 late", obj, plan.LatenessCost)
		}
	}
}
