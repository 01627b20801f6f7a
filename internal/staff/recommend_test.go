package staff_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"pgregory.net/rapid"

	"aftersales/internal/staff"
)

var (
	suzhou   = staff.Place{Lat: 31.2983, Lng: 120.5432}
	site     = staff.Place{Lat: 31.3200, Lng: 120.6300}     // about 9 km east
	shanghai = staff.Place{Lat: 31.2304, Lng: 121.4737}     // about 90 km
	day0     = time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
)

func job() staff.Job {
	return staff.Job{At: &site, Earliest: day0, DayEnd: day0.Add(9 * time.Hour), Duration: 2 * time.Hour, Deadline: day0.Add(4 * time.Hour)}
}

func TestRecommend(t *testing.T) {
	t.Parallel()
	expired := &staff.Refusal{Reason: staff.CertificationExpired, Detail: "certificate HC-1 for product line CNC expired on 2026-12-01"}
	cands := []staff.Candidate{
		{TechnicianID: 1, Name: "near", Base: &suzhou, RadiusKm: 50},
		{TechnicianID: 2, Name: "expired", Base: &suzhou, RadiusKm: 50, Refusal: expired},
		{TechnicianID: 3, Name: "far", Base: &shanghai, RadiusKm: 50},
		{TechnicianID: 4, Name: "busy", Base: &suzhou, RadiusKm: 50, Day: []staff.Stop{
			{WorkOrderID: 40, Start: day0, End: day0.Add(3 * time.Hour), At: &suzhou}}},
		{TechnicianID: 5, Name: "full", Base: &suzhou, RadiusKm: 50, Day: []staff.Stop{
			{WorkOrderID: 50, Start: day0, End: day0.Add(9 * time.Hour), At: &suzhou}}},
		{TechnicianID: 6, Name: "no base", RadiusKm: 50},
		{TechnicianID: 7, Name: "regular", Base: &suzhou, RadiusKm: 50, LastOnUnit: true},
	}
	ranked, excluded := staff.Recommend(job(), cands, staff.Policies["deadline_first"])
	reasons := map[int64]string{}
	for _, e := range excluded {
		reasons[e.TechnicianID] = e.Reason
	}
	want := map[int64]string{2: staff.ExcludedQualified, 3: staff.ExcludedArea, 5: staff.ExcludedNoSlot, 6: staff.ExcludedNoBase}
	if fmt.Sprint(reasons) != fmt.Sprint(want) {
		t.Fatalf("excluded %v, want %v", reasons, want)
	}
	if excluded[0].Refusal == nil || excluded[0].Refusal.Reason != staff.CertificationExpired {
		t.Fatalf("the refusal is not shown: %+v", excluded[0])
	}
	var order []int64
	for _, r := range ranked {
		order = append(order, r.TechnicianID)
	}
	// The unit's regular technician first, then the free one, then the one
	// who must finish a visit first and arrives later.
	if fmt.Sprint(order) != "[7 1 4]" {
		t.Fatalf("ranked %v: %+v", order, ranked)
	}
	busy := ranked[2]
	if !busy.Arrival.After(day0.Add(3*time.Hour)) || busy.VisitsToday != 1 || busy.Parts.Load != 80 {
		t.Fatalf("busy technician: %+v", busy)
	}
	if ranked[1].TravelKm < 9 || ranked[1].TravelKm > 14 || !ranked[1].MeetsDeadline {
		t.Fatalf("travel from the service point: %+v", ranked[1])
	}

	// An emergency drops the area rule: the far technician is in, last.
	ranked, excluded = staff.Recommend(job(), cands, staff.Policies["emergency"])
	far := -1
	for i, r := range ranked {
		if r.TechnicianID == 3 {
			far = i
		}
	}
	if len(excluded) != 3 || far < 0 || !ranked[far].MeetsDeadline || ranked[far].TravelKm < 90 || ranked[0].Parts.Arrival < ranked[far].Parts.Arrival {
		t.Fatalf("emergency: %+v excluded %+v", ranked, excluded)
	}
	// A proposed window that overlaps a booked visit excludes, naming it.
	j := job()
	j.WindowStart, j.WindowEnd = day0.Add(time.Hour), day0.Add(2*time.Hour)
	_, excluded = staff.Recommend(j, cands, staff.Policies["least_travel"])
	for _, e := range excluded {
		if e.TechnicianID == 4 && (e.Reason != staff.ExcludedOverlap || e.WorkOrderID != 40) {
			t.Fatalf("overlap: %+v", e)
		}
	}
}

// Whatever the day, a recommended slot overlaps none of the technician's
// visits, starts no earlier than asked, and ends by the day's end; the
// score stays within 0 and 100.
func TestRecommendProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 6).Draw(t, "visits")
		var day []staff.Stop
		at := day0.Add(-2 * time.Hour)
		for i := range n {
			at = at.Add(time.Duration(rapid.IntRange(0, 180).Draw(t, "gap")) * time.Minute)
			end := at.Add(time.Duration(rapid.IntRange(15, 240).Draw(t, "len")) * time.Minute)
			day = append(day, staff.Stop{WorkOrderID: int64(i + 1), Start: at, End: end, At: &site})
			at = end
		}
		j := job()
		j.Duration = time.Duration(rapid.IntRange(15, 300).Draw(t, "duration")) * time.Minute
		eff := rapid.IntRange(250, 4000).Draw(t, "efficiency")
		ranked, _ := staff.Recommend(j, []staff.Candidate{{TechnicianID: 1, Base: &suzhou, RadiusKm: 50, Day: day, EfficiencyPermille: eff}},
			staff.Policies["deadline_first"])
		if len(ranked) == 0 {
			return
		}
		r := ranked[0]
		end := r.Arrival.Add(j.Duration * 1000 / time.Duration(eff))
		if r.Arrival.Before(j.Earliest) || end.After(j.DayEnd) || r.Score < 0 || r.Score > 100 {
			t.Fatalf("slot %v–%v, score %v", r.Arrival, end, r.Score)
		}
		for _, s := range day {
			if s.Start.Before(end) && r.Arrival.Before(s.End) {
				t.Fatalf("slot %v–%v overlaps visit %v–%v", r.Arrival, end, s.Start, s.End)
			}
		}
	})
}

// candidates builds n technicians around Suzhou with 0 to 5 visits each.
func candidates(n int, seed uint64) []staff.Candidate {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]staff.Candidate, n)
	for i := range out {
		base := staff.Place{Lat: 31.0 + rng.Float64()*0.6, Lng: 120.3 + rng.Float64()*0.8}
		var day []staff.Stop
		at := day0
		for j := range rng.IntN(6) {
			at = at.Add(time.Duration(30+rng.IntN(60)) * time.Minute)
			p := staff.Place{Lat: base.Lat + rng.Float64()*0.1, Lng: base.Lng + rng.Float64()*0.1}
			day = append(day, staff.Stop{WorkOrderID: int64(i*10 + j), Start: at, End: at.Add(90 * time.Minute), At: &p})
			at = at.Add(90 * time.Minute)
		}
		out[i] = staff.Candidate{TechnicianID: int64(i + 1), Base: &base, RadiusKm: 60, Day: day, EfficiencyPermille: 800 + rng.IntN(500),
			PartsInVan: rng.IntN(3), LastOnUnit: rng.IntN(50) == 0}
		if rng.IntN(10) == 0 {
			out[i].Refusal = &staff.Refusal{Reason: staff.CertificationExpired}
		}
	}
	return out
}

// One visit among 200 technicians with their day's visits.
func BenchmarkRecommendOneVisit200Technicians(b *testing.B) {
	cands := candidates(200, 1)
	j := job()
	j.PartsNeeded = 2
	b.ReportAllocs()
	for b.Loop() {
		staff.Recommend(j, cands, staff.Policies["deadline_first"])
	}
}

// 500 open visits at once, each among the same 200 technicians.
func BenchmarkRecommend500Visits200Technicians(b *testing.B) {
	cands := candidates(200, 1)
	rng := rand.New(rand.NewPCG(2, 9))
	jobs := make([]staff.Job, 500)
	for i := range jobs {
		p := staff.Place{Lat: 31.0 + rng.Float64()*0.6, Lng: 120.3 + rng.Float64()*0.8}
		jobs[i] = job()
		jobs[i].At = &p
		jobs[i].Deadline = day0.Add(time.Duration(1+rng.IntN(8)) * time.Hour)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, j := range jobs {
			staff.Recommend(j, cands, staff.Policies["deadline_first"])
		}
	}
}

// Within a service area a drive is the great circle (haversine, computed
// here) times the road factor, to within 0.5%.
func TestDistanceNearTheGreatCircle(t *testing.T) {
	t.Parallel()
	haversine := func(a, b staff.Place) float64 {
		const rad = math.Pi / 180
		dla, dlo := (b.Lat-a.Lat)*rad, (b.Lng-a.Lng)*rad
		h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dlo/2)*math.Sin(dlo/2)
		return 2 * 6371 * math.Asin(math.Sqrt(h))
	}
	rapid.Check(t, func(t *rapid.T) {
		a := staff.Place{Lat: rapid.Float64Range(18, 50).Draw(t, "lat"), Lng: rapid.Float64Range(75, 134).Draw(t, "lng")}
		b := staff.Place{Lat: a.Lat + rapid.Float64Range(-2, 2).Draw(t, "dlat"), Lng: a.Lng + rapid.Float64Range(-2, 2).Draw(t, "dlng")}
		want, got := haversine(a, b), staff.RoadKm(a, b)/staff.RoadFactor
		if math.Abs(got-want) > 0.005*want+0.01 {
			t.Fatalf("%v–%v: %.3f km, great circle %.3f km", a, b, got, want)
		}
	})
}

// The last visit of a day must leave the drive back to the service point
// inside the hours, as the day planner wants: a visit ending three minutes
// before the end of hours, 17 minutes' drive from the point, is no slot;
// twenty minutes earlier it is.
func TestRecommendWantsTheTechnicianBackByTheEndOfHours(t *testing.T) {
	t.Parallel()
	hours := []staff.Span{{Start: day0, End: day0.Add(8 * time.Hour)}} // 09:00–17:00
	drive := staff.Drive(&site, &suzhou)
	if drive != 17*time.Minute {
		t.Fatalf("drive from the site to the point = %s, want 17m", drive)
	}
	for _, c := range []struct {
		earliest time.Duration // after 09:00
		ok       bool
	}{{5*time.Hour + 40*time.Minute, false}, {5*time.Hour + 20*time.Minute, true}} {
		j := job()
		j.Earliest, j.Deadline = day0.Add(c.earliest), time.Time{}
		cand := []staff.Candidate{{TechnicianID: 1, Name: "li", Base: &suzhou, RadiusKm: 50, Hours: hours}}
		ranked, excluded := staff.Recommend(j, cand, staff.Policies["deadline_first"])
		if c.ok && len(ranked) != 1 {
			t.Errorf("from 09:00 + %s: excluded %+v, want a slot ending %s with the drive back by 17:00", c.earliest, excluded, j.Earliest.Add(drive+2*time.Hour))
		}
		if !c.ok && (len(ranked) != 0 || len(excluded) != 1 || excluded[0].Reason != staff.ExcludedNoSlot) {
			t.Errorf("from 09:00 + %s: ranked %+v excluded %+v, want no slot (back after 17:00)", c.earliest, ranked, excluded)
		}
	}
	cand := staff.Candidate{TechnicianID: 1, Base: &suzhou, Hours: hours}
	window := func(end time.Duration) bool {
		return staff.Fits(cand, &site, day0.Add(end-time.Hour), day0.Add(end), time.Time{})
	}
	if !window(7*time.Hour+43*time.Minute) || window(7*time.Hour+44*time.Minute) {
		t.Error("Fits: a window ending 16:43 + 17 min is back at 17:00 exactly (in time); one ending 16:44 is not")
	}
}
