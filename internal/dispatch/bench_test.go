package dispatch_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"aftersales/internal/dispatch"
	"aftersales/internal/route"
	"aftersales/internal/staff"
)

// syntheticBoard is a day of techs technicians at two service points in
// Suzhou and visits waiting requests within 30 km, a third of them with a
// deadline during the day.
func syntheticBoard(techs, visits int) dispatch.Board {
	rng := rand.New(rand.NewPCG(7, 7))
	b := dispatch.Board{ProviderID: 1, Day: "2030-01-09", Now: time.Date(2030, 1, 8, 0, 0, 0, 0, time.UTC)}
	day := time.Date(2030, 1, 9, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for i := range techs {
		base := &dispatch.LatLng{Lat: 31.30, Lng: 120.60}
		if i%2 == 1 {
			base = &dispatch.LatLng{Lat: 31.45, Lng: 120.90}
		}
		b.Lanes = append(b.Lanes, dispatch.Lane{TechnicianID: int64(i + 1), Name: fmt.Sprintf("T%d", i+1), Base: base, EfficiencyPermille: 900 + rng.IntN(300),
			Shift: []staff.Span{{Start: day.Add(8*time.Hour + 30*time.Minute), End: day.Add(12 * time.Hour)}, {Start: day.Add(13 * time.Hour), End: day.Add(17*time.Hour + 30*time.Minute)}}})
	}
	for i := range visits {
		o := dispatch.Open{RequestID: int64(i + 1), Number: fmt.Sprintf("R%d", i+1), At: &dispatch.LatLng{Lat: 31.2 + rng.Float64()*0.4, Lng: 120.4 + rng.Float64()*0.6}}
		if i%3 == 0 {
			due := day.Add(time.Duration(10+rng.IntN(8)) * time.Hour)
			o.DueAt = &due
		}
		b.Open = append(b.Open, o)
	}
	return b
}

// BenchmarkPlanTheDay plans 20 technicians and 150 waiting visits: the
// board turned into a problem, 2,000 ruin-and-recreate steps on each of the
// two searches, the proposal read back.
func BenchmarkPlanTheDay(b *testing.B) {
	board := syntheticBoard(20, 150)
	var p dispatch.Proposal
	for b.Loop() {
		var err error
		p, err = dispatch.Solve(context.Background(), board, nil, nil, route.Options{Iterations: 2000, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(p.Unplaced)), "unplaced")
	b.ReportMetric(p.Km, "km")
	b.ReportMetric(float64(p.Technicians), "technicians")
}
