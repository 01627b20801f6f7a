package route

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func loadSolomon(t testing.TB, name string) *Problem {
	t.Helper()
	f, err := os.Open("testdata/" + name + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := ParseSolomon(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func loadDay(t testing.TB) *Problem {
	t.Helper()
	f, err := os.Open("testdata/day.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := ParseDay(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustCheck fails the test unless the plan passes the checker, and
// returns what the checker measured.
func mustCheck(t interface {
	Helper()
	Fatalf(string, ...any)
}, p *Problem, plan *Plan) *CheckResult {
	t.Helper()
	res, err := Check(p, SolutionFromPlan(plan))
	if err != nil {
		t.Fatalf("plan fails the checker: %v", err)
	}
	if res.Vehicles != plan.Vehicles || abs(res.Distance-plan.Distance) > 1e-6 {
		t.Fatalf("checker measures %d vehicles %.4f, plan says %d %.4f", res.Vehicles, res.Distance, plan.Vehicles, plan.Distance)
	}
	return res
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestSolveSolomonGivesCheckedPlans(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"r101", "c101", "rc105", "r201"} {
		for _, obj := range []Objective{Vehicles, Distance} {
			t.Run(name+"/"+string(obj), func(t *testing.T) {
				t.Parallel()
				p := loadSolomon(t, name)
				plan, err := Solve(context.Background(), p, Options{Objective: obj, Iterations: 3000, Seed: 7})
				if err != nil {
					t.Fatal(err)
				}
				mustCheck(t, p, plan)
				if len(plan.Unplaced) != 0 {
					t.Fatalf("unplaced: %v", plan.Unplaced)
				}
			})
		}
	}
}

func TestC101ReachesItsBestKnown(t *testing.T) {
	t.Parallel()
	p := loadSolomon(t, "c101")
	plan, err := Solve(context.Background(), p, Options{Iterations: 5000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, p, plan)
	if plan.Vehicles != 10 || plan.Distance > 828.94+0.01 {
		t.Fatalf("c101: %d vehicles, %.2f; best known 10, 828.94", plan.Vehicles, plan.Distance)
	}
}

func TestDayPlanKeepsTheRulesAndSaysWhy(t *testing.T) {
	t.Parallel()
	p := loadDay(t)
	plan, err := Solve(context.Background(), p, Options{Iterations: 2000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, p, plan)
	if len(plan.Unplaced) != 1 || plan.Unplaced[0] != (Unplaced{Visit: 106, Reason: NoQualifiedTechnician}) {
		t.Fatalf("unplaced = %v, want 106 for lack of a qualified technician", plan.Unplaced)
	}
	for _, r := range plan.Routes {
		for i, s := range r.Stops {
			switch s.Visit {
			case 104:
				if r.Technician != 1 {
					t.Errorf("visit 104 is pinned to technician 1, got %d", r.Technician)
				}
			case 105:
				if s.Start != 900 {
					t.Errorf("visit 105 is pinned to start at 900, starts at %g", s.Start)
				}
			case 107:
				if r.Technician != 2 || i != 0 || s.Start != 470 {
					t.Errorf("visit 107 is under way with technician 2 since 470: %+v on %d", s, r.Technician)
				}
			}
		}
	}
}

func TestUnplacedReasons(t *testing.T) {
	t.Parallel()
	at := func(x float64) *float64 { return &x }
	tech := Technician{ID: 1, ShiftStart: 0, ShiftEnd: 100, Capacity: 5, Skills: []Skill{{Name: "a", Level: 1}}}
	p := &Problem{
		Technicians: []Technician{tech},
		Visits: []Visit{
			{ID: 1, Location: Location{X: 1}, Duration: 1, Skills: []Skill{{Name: "a", Level: 2}}},
			{ID: 2, Location: Location{X: 1}, Duration: 1, Demand: 6},
			{ID: 3, Location: Location{X: 30}, Duration: 1, Windows: []Window{{Open: 0, Close: 10}}},
			{ID: 4, Location: Location{X: 10}, Duration: 95},
			{ID: 5, Location: Location{X: 10}, Duration: 10, Pin: &Pin{At: at(50)}},
			{ID: 6, Location: Location{X: 10}, Duration: 10, Pin: &Pin{At: at(50)}},
		},
	}
	plan, err := Solve(context.Background(), p, Options{Iterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, p, plan)
	want := []Unplaced{{1, NoQualifiedTechnician}, {2, Capacity}, {3, WindowUnreachable}, {4, ShiftTooShort}}
	got := plan.Unplaced
	if len(got) != 5 || !reflect.DeepEqual(got[:4], want) || (got[4].Visit != 5 && got[4].Visit != 6) {
		t.Fatalf("unplaced = %v, want %v and one of 5 and 6", got, want)
	}
}

func TestSolveRejectsBadOptionsAndProblems(t *testing.T) {
	t.Parallel()
	p := loadDay(t)
	if _, err := Solve(context.Background(), p, Options{}); !errors.Is(err, ErrNoBudget) {
		t.Errorf("no budget: %v", err)
	}
	if _, err := Solve(context.Background(), p, Options{Iterations: 1, Objective: "speed"}); err == nil {
		t.Error("an unknown objective is accepted")
	}
	p.Visits[1].ID = p.Visits[0].ID
	var inv *InvalidError
	if _, err := Solve(context.Background(), p, Options{Iterations: 1}); !errors.As(err, &inv) || inv.Field != "visits[1].id" {
		t.Errorf("duplicate visit: %v", err)
	}
}

// genProblem draws a small day with every feature the solver knows.
func genProblem(t *rapid.T) *Problem {
	p := &Problem{Speed: rapid.SampledFrom([]float64{0, 0.5, 1, 2}).Draw(t, "speed")}
	skills := []string{"a", "b"}
	nt := rapid.IntRange(1, 4).Draw(t, "technicians")
	for i := range nt {
		tech := Technician{
			ID:         int64(i + 1),
			Start:      Location{X: rapid.Float64Range(0, 50).Draw(t, "sx"), Y: rapid.Float64Range(0, 50).Draw(t, "sy")},
			ShiftStart: rapid.Float64Range(0, 100).Draw(t, "shift start"),
			Capacity:   float64(rapid.IntRange(0, 20).Draw(t, "capacity")),
			Efficiency: rapid.SampledFrom([]float64{0, 0.8, 1, 1.5}).Draw(t, "efficiency"),
		}
		tech.ShiftEnd = tech.ShiftStart + rapid.Float64Range(50, 500).Draw(t, "shift")
		if rapid.Bool().Draw(t, "end elsewhere") {
			tech.End = &Location{X: rapid.Float64Range(0, 50).Draw(t, "ex"), Y: 0}
		}
		if rapid.Bool().Draw(t, "max shift") {
			tech.MaxShift = rapid.Float64Range(30, 400).Draw(t, "max shift length")
		}
		if rapid.Bool().Draw(t, "break") {
			e := tech.ShiftStart + rapid.Float64Range(0, 200).Draw(t, "break at")
			tech.Breaks = []Break{{Earliest: e, Latest: e + rapid.Float64Range(0, 60).Draw(t, "break slack"), Duration: 15}}
		}
		for _, s := range skills {
			if rapid.Bool().Draw(t, "has skill") {
				tech.Skills = append(tech.Skills, Skill{Name: s, Level: rapid.IntRange(1, 3).Draw(t, "level")})
			}
		}
		p.Technicians = append(p.Technicians, tech)
	}
	nv := rapid.IntRange(0, 25).Draw(t, "visits")
	for i := range nv {
		v := Visit{
			ID:       int64(100 + i),
			Location: Location{X: rapid.Float64Range(0, 50).Draw(t, "x"), Y: rapid.Float64Range(0, 50).Draw(t, "y")},
			Duration: rapid.Float64Range(0, 40).Draw(t, "duration"),
			Demand:   float64(rapid.IntRange(0, 6).Draw(t, "demand")),
		}
		open := rapid.Float64Range(0, 300).Draw(t, "open")
		for range rapid.IntRange(0, 2).Draw(t, "windows") {
			close := open + rapid.Float64Range(0, 120).Draw(t, "width")
			v.Windows = append(v.Windows, Window{Open: open, Close: close})
			open = close + rapid.Float64Range(1, 100).Draw(t, "gap")
		}
		switch rapid.IntRange(0, 6).Draw(t, "extra") {
		case 1:
			v.Deadline = &Deadline{At: rapid.Float64Range(0, 400).Draw(t, "deadline"), Hard: rapid.Bool().Draw(t, "hard"), CostPerUnit: 3}
		case 2:
			v.Skills = []Skill{{Name: rapid.SampledFrom(skills).Draw(t, "skill"), Level: rapid.IntRange(1, 3).Draw(t, "level")}}
		case 3:
			v.Pin = &Pin{Technician: int64(rapid.IntRange(1, nt).Draw(t, "pin technician"))}
		case 4:
			at := rapid.Float64Range(0, 300).Draw(t, "pin at")
			v.Pin = &Pin{At: &at}
		case 5:
			from := rapid.Float64Range(0, 300).Draw(t, "pin from")
			to := from + rapid.Float64Range(0, 100).Draw(t, "pin range")
			v.Pin = &Pin{From: &from, To: &to}
		}
		p.Visits = append(p.Visits, v)
	}
	if nv > 0 && rapid.Bool().Draw(t, "under way") {
		k := rapid.IntRange(0, nt-1).Draw(t, "busy technician")
		p.Technicians[k].UnderWay = &UnderWay{Visit: p.Visits[0].ID, StartedAt: p.Technicians[k].ShiftStart - 10}
		p.Visits[0].Demand = 0
	}
	return p
}

func TestPropertyEveryPlanPassesTheChecker(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		p := genProblem(t)
		obj := rapid.SampledFrom([]Objective{Vehicles, Distance}).Draw(t, "objective")
		plan, err := Solve(context.Background(), p, Options{Objective: obj, Iterations: 150, Seed: rapid.Uint64().Draw(t, "seed")})
		if err != nil {
			t.Fatal(err)
		}
		mustCheck(t, p, plan)
		for _, u := range plan.Unplaced {
			switch u.Reason {
			case NoQualifiedTechnician, WindowUnreachable, Capacity, ShiftTooShort:
			default:
				t.Fatalf("visit %d unplaced without a known reason: %q", u.Visit, u.Reason)
			}
		}
	})
}

func TestPropertySameSeedSamePlan(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		p := genProblem(t)
		opt := Options{Objective: rapid.SampledFrom([]Objective{Vehicles, Distance}).Draw(t, "objective"),
			Iterations: 120, Seed: rapid.Uint64().Draw(t, "seed")}
		a, err := Solve(context.Background(), p, opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Solve(context.Background(), p, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("two runs with seed %d differ:\n%+v\n%+v", opt.Seed, a, b)
		}
	})
}

// TestPropertyTimeLimitIsKept measures wall-clock time, so it runs alone,
// not beside this package's parallel tests that would take its cores.
func TestPropertyTimeLimitIsKept(t *testing.T) {
	big := loadSolomon(t, "rc105")
	rapid.Check(t, func(t *rapid.T) {
		p := big
		if rapid.Bool().Draw(t, "small") {
			p = genProblem(t)
		}
		limit := time.Duration(rapid.IntRange(1, 60).Draw(t, "ms")) * time.Millisecond
		obj := rapid.SampledFrom([]Objective{Vehicles, Distance}).Draw(t, "objective")
		var plan *Plan
		var took time.Duration
		// This machine's cores are shared by several test runs at once (load
		// averages of 20 to 40 on 2 cores), which can stall a process for
		// longer than the margin: a run that overshoots is run again, so
		// that only a solver that overshoots three times in a row fails.
		for range 3 {
			begin := time.Now()
			var err error
			plan, err = Solve(context.Background(), p, Options{TimeLimit: limit, Seed: 1, Objective: obj})
			took = time.Since(begin)
			if err != nil {
				t.Fatal(err)
			}
			if took <= limit+100*time.Millisecond {
				break
			}
		}
		if took > limit+100*time.Millisecond {
			t.Fatalf("limit %v, took %v", limit, took)
		}
		mustCheck(t, p, plan)
	})
}

func TestCancelStopsTheSearch(t *testing.T) {
	t.Parallel()
	p := loadSolomon(t, "r101")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	plan, err := Solve(ctx, p, Options{TimeLimit: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, p, plan)
}

// A technician whose shift is too short for the way from the start to the
// end alone gets no visit, not even one on the way that costs no time: the
// solver keeps the shift the checker keeps.
func TestShiftShorterThanTheWayHomeTakesNoVisit(t *testing.T) {
	t.Parallel()
	p := &Problem{Speed: 0.5,
		Technicians: []Technician{{ID: 1, Start: Location{X: 1, Y: 1}, End: &Location{X: 50}, ShiftStart: 1, ShiftEnd: 51}},
		Visits: []Visit{
			{ID: 100, Location: Location{X: 1, Y: 1}, Duration: 1},
			{ID: 101, Location: Location{X: 1, Y: 1}, Duration: 1, Deadline: &Deadline{At: 1, CostPerUnit: 3}},
			{ID: 102, Location: Location{X: 1, Y: 1}, Duration: 6e-8},
		}}
	plan, err := Solve(context.Background(), p, Options{Objective: Distance, Iterations: 150})
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, p, plan)
	if len(plan.Unplaced) != len(p.Visits) {
		t.Fatalf("%d of %d visits unplaced: %+v", len(plan.Unplaced), len(p.Visits), plan.Unplaced)
	}
	for _, u := range plan.Unplaced {
		if u.Reason != ShiftTooShort {
			t.Errorf("visit %d unplaced as %q", u.Visit, u.Reason)
		}
	}
}
