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
