package route

import (
	"context"
	"testing"
)

// BenchmarkSolve measures a bounded search (2000 steps, one worker) on
// Solomon instances of each shape: clustered, random with short routes,
// random-clustered, random with long routes.
func BenchmarkSolve(b *testing.B) {
	for _, name := range []string{"c101", "r101", "rc105", "r201"} {
		p := loadSolomon(b, name)
		for _, obj := range []Objective{Vehicles, Distance} {
			b.Run(name+"/"+string(obj), func(b *testing.B) {
				var plan *Plan
				for b.Loop() {
					var err error
					plan, err = Solve(context.Background(), p, Options{Objective: obj, Iterations: 2000, Workers: 1, Seed: 1})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(plan.Distance, "distance")
				b.ReportMetric(float64(plan.Vehicles), "vehicles")
			})
		}
	}
}

// BenchmarkCheck measures the checker on a best-known solution.
func BenchmarkCheck(b *testing.B) {
	p := loadSolomon(b, "r101")
	best, err := ParseSolution(bytesOf(b, "r101.best.json"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Check(p, best); err != nil {
			b.Fatal(err)
		}
	}
}

// largeDay is a day of n visits with random windows and k technicians.
func largeDay(n, k int) *Problem {
	p := &Problem{}
	x := uint64(12345)
	next := func() float64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return float64(x%10000) / 100
	}
	for i := range k {
		p.Technicians = append(p.Technicians, Technician{ID: int64(i + 1), Start: Location{X: next(), Y: next()}, ShiftStart: 0, ShiftEnd: 600, Capacity: 50})
	}
	for i := range n {
		open := next() * 5
		p.Visits = append(p.Visits, Visit{ID: int64(i + 1), Location: Location{X: next(), Y: next()}, Duration: 10, Demand: 1,
			Windows: []Window{{Open: open, Close: open + 60}}})
	}
	return p
}

// BenchmarkSolveLargeDay measures 1000 visits and 100 technicians, 200
// steps of one search: mostly the set-up (distance matrix, neighbour
// lists) and the construction.
func BenchmarkSolveLargeDay(b *testing.B) {
	p := largeDay(1000, 100)
	for b.Loop() {
		if _, err := Solve(context.Background(), p, Options{Iterations: 200, Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
