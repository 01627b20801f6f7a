package staff

import (
	"math"
	"slices"
	"time"

	"aftersales/internal/geo"
)

// Recommendations rank the technicians who may do a visit, the way field
// service schedulers do: hard rules filter (qualified, inside the area the
// technician covers, a free slot that day, not overlapping a fixed window),
// and the survivors are scored on preferences. Everything here is a plain
// function over values: the caller loads the candidates.

// RoadFactor turns a straight-line distance into a road distance where no
// road data exists.
const RoadFactor = 1.3

// SpeedKmh is the average speed of travel between stops.
const SpeedKmh = 40.0

// Place is a point on the map (WGS-84), as geo measures it.
type Place geo.Point

// RoadKm is the drive from a to b in kilometres: the great circle
// (geo.Distance, the product's one measure of how far apart two places
// are) times RoadFactor. The board's drives, the recommendations and the
// day planner's distances all read it.
func RoadKm(a, b Place) float64 { return geo.Distance(geo.Point(a), geo.Point(b)) * RoadFactor }

// Stop is a visit already booked on the technician's day.
type Stop struct {
	WorkOrderID int64
	Start, End  time.Time
	At          *Place // nil when the site has no coordinates
}

// Candidate is one technician as the recommendation sees them.
type Candidate struct {
	TechnicianID int64
	Name         string
	// Refusal is what the qualification rules say (nil: qualified).
	Refusal  *Refusal
	Base     *Place // the service point; nil when they have none
	RadiusKm int
	// EfficiencyPermille scales the visit's planned duration (1000 = average).
	EfficiencyPermille int
	// Day are the visits booked that day, in any order.
	Day []Stop
	// PartsInVan is how many of the parts the visit needs their van holds.
	PartsInVan int
	// LastOnUnit: they did the unit's last visit.
	LastOnUnit bool
	// Hours, when not nil, are the stretches of the day they may work: their
	// working hours, and for an emergency their turns on call. A visit must
	// fit in one of them; with none left they are off duty.
	Hours []Span
}

// Job is the visit to place.
type Job struct {
	At *Place // the site; nil when it has no coordinates
	// Earliest is when the visit may start at the earliest; DayEnd when the
	// technician's day ends (no slot after it).
	Earliest, DayEnd time.Time
	// Duration is the planned time on site for an average technician.
	Duration time.Duration
	// Deadline is the on-site deadline on the request's clocks (zero: none).
	Deadline time.Time
	// Window, when set, is the window the dispatcher proposes: a technician
	// with a visit overlapping it is excluded.
	WindowStart, WindowEnd time.Time
	PartsNeeded            int
}

// Policy is a named way to weigh the preferences.
type Policy struct {
	Name string `json:"name" enum:"deadline_first,least_travel,emergency"`
	// IgnoreArea drops the area rule (an emergency goes to whoever arrives first).
	IgnoreArea bool `json:"ignore_area"`
	// Weights of the score parts, summing to 1.
	Weights Weights `json:"weights"`
}

// Weights weigh the parts of a score.
type Weights struct {
	Travel     float64 `json:"travel"`
	Deadline   float64 `json:"deadline"`
	Load       float64 `json:"load"`
	Parts      float64 `json:"parts"`
	Continuity float64 `json:"continuity"`
	Arrival    float64 `json:"arrival"`
}

// Policies are the named policies a provider picks from.
var Policies = map[string]Policy{
	"deadline_first": {Name: "deadline_first", Weights: Weights{Deadline: 0.45, Travel: 0.2, Load: 0.15, Parts: 0.1, Continuity: 0.1}},
	"least_travel":   {Name: "least_travel", Weights: Weights{Travel: 0.5, Deadline: 0.2, Load: 0.1, Parts: 0.1, Continuity: 0.1}},
	"emergency":      {Name: "emergency", IgnoreArea: true, Weights: Weights{Arrival: 1}},
}

// Exclusion reasons.
const (
	ExcludedArea      = "outside_area"
	ExcludedNoSlot    = "no_free_slot"
	ExcludedOverlap   = "overlapping_visit"
	ExcludedNoBase    = "no_service_point"
	ExcludedQualified = "not_qualified"
	ExcludedOffDuty   = "off_duty"
)

// Parts are the score parts of a recommendation, each 0 to 100.
type Parts struct {
	Travel     float64 `json:"travel"`
	Deadline   float64 `json:"deadline"`
	Load       float64 `json:"load"`
	Parts      float64 `json:"parts"`
	Continuity float64 `json:"continuity"`
	Arrival    float64 `json:"arrival"`
}

// Recommendation is a technician who may do the visit, with the score.
type Recommendation struct {
	TechnicianID  int64     `json:"technician_id"`
	Name          string    `json:"name"`
	Score         float64   `json:"score" doc:"0 to 100: the weighted sum of the parts."`
	Parts         Parts     `json:"parts"`
	TravelKm      float64   `json:"travel_km" doc:"From the previous stop (or the service point): straight line x road factor."`
	Arrival       time.Time `json:"arrival" doc:"The earliest arrival on site."`
	MeetsDeadline bool      `json:"meets_deadline"`
	VisitsToday   int       `json:"visits_today"`
}

// Excluded is a technician a hard rule leaves out, and why.
type Excluded struct {
	TechnicianID int64  `json:"technician_id"`
	Name         string `json:"name"`
	Reason       string `json:"reason" enum:"not_qualified,outside_area,no_free_slot,overlapping_visit,no_service_point,off_duty"`
	// Refusal is the qualification rule's reason and detail, when that is why.
	Refusal *Refusal `json:"refusal,omitempty"`
	// WorkOrderID names the overlapping visit.
	WorkOrderID int64 `json:"work_order_id,omitempty"`
}

// Recommend ranks the candidates for job under policy p: the best first,
// ties broken by technician id; the excluded in the order given.
func Recommend(job Job, cands []Candidate, p Policy) ([]Recommendation, []Excluded) {
	ranked := make([]Recommendation, 0, len(cands))
	var excluded []Excluded
	for i := range cands {
		c := &cands[i]
		if c.Refusal != nil {
			excluded = append(excluded, Excluded{TechnicianID: c.TechnicianID, Name: c.Name, Reason: ExcludedQualified, Refusal: c.Refusal})
			continue
		}
		if c.Base == nil && job.At != nil {
			// Neither their area nor their travel can be told.
			excluded = append(excluded, Excluded{TechnicianID: c.TechnicianID, Name: c.Name, Reason: ExcludedNoBase})
			continue
		}
		if !p.IgnoreArea && job.At != nil {
			if geo.Distance(geo.Point(*c.Base), geo.Point(*job.At)) > float64(c.RadiusKm) {
				excluded = append(excluded, Excluded{TechnicianID: c.TechnicianID, Name: c.Name, Reason: ExcludedArea})
				continue
			}
		}
		if id := overlapping(c.Day, job.WindowStart, job.WindowEnd); id != 0 {
			excluded = append(excluded, Excluded{TechnicianID: c.TechnicianID, Name: c.Name, Reason: ExcludedOverlap, WorkOrderID: id})
			continue
		}
		if c.Hours != nil && !onDuty(c.Hours, job) {
			excluded = append(excluded, Excluded{TechnicianID: c.TechnicianID, Name: c.Name, Reason: ExcludedOffDuty})
			continue
		}
		r, ok := place(job, c)
		if !ok {
			excluded = append(excluded, Excluded{TechnicianID: c.TechnicianID, Name: c.Name, Reason: ExcludedNoSlot})
			continue
		}
		w := p.Weights
		r.Score = math.Round((w.Travel*r.Parts.Travel+w.Deadline*r.Parts.Deadline+w.Load*r.Parts.Load+w.Parts*r.Parts.Parts+
			w.Continuity*r.Parts.Continuity+w.Arrival*r.Parts.Arrival)*10) / 10
		ranked = append(ranked, r)
	}
	slices.SortStableFunc(ranked, func(a, b Recommendation) int {
		switch {
		case a.Score != b.Score:
			if a.Score > b.Score {
				return -1
			}
			return 1
		case !a.Arrival.Equal(b.Arrival):
			return a.Arrival.Compare(b.Arrival)
		}
		return int(a.TechnicianID - b.TechnicianID)
	})
	return ranked, excluded
}

// TooLate says the job's day is over for it: some technician who may do
// it works that day, but none has working time left after its earliest
// start for the visit and its trips, booked visits aside (a day booked
// full is not over: its exclusions say so; nor is a day off, which says
// off duty).
func TooLate(job Job, cands []Candidate, p Policy) bool {
	free := make([]Candidate, len(cands))
	worksThatDay := map[int64]bool{}
	for i, c := range cands {
		c.Day = slices.DeleteFunc(slices.Clone(c.Day), func(s Stop) bool { return s.WorkOrderID != 0 || s.At != nil })
		free[i] = c
		worksThatDay[c.TechnicianID] = len(c.Hours) > 0
	}
	ranked, excluded := Recommend(job, free, p)
	if len(ranked) > 0 {
		return false
	}
	for _, e := range excluded {
		if e.Reason == ExcludedNoSlot || e.Reason == ExcludedOffDuty && worksThatDay[e.TechnicianID] {
			return true
		}
	}
	return false
}

func overlapping(day []Stop, start, end time.Time) int64 {
	if start.IsZero() || end.IsZero() {
		return 0
	}
	for _, s := range day {
		if s.Start.Before(end) && start.Before(s.End) {
			return s.WorkOrderID
		}
	}
	return 0
}

// place finds the earliest slot on the candidate's day that fits the
// visit with the trips to and from it counted the way the day planner
// counts them (see workTime): from the previous stop (the service point
// first thing in a working day) in working time, on site inside the hours,
// on to the next visit of the day by its start, or, as the last visit of
// the day, back at the service point by the end of the hours. Leave is a
// break. A slot found here passes route.Check on the technician's day.
func place(job Job, c *Candidate) (Recommendation, bool) {
	eff := c.EfficiencyPermille
	if eff <= 0 {
		eff = 1000
	}
	onSite := job.Duration * 1000 / time.Duration(eff)
	var day []Stop
	var leave []Span
	for _, s := range c.Day {
		if s.WorkOrderID == 0 && s.At == nil {
			leave = append(leave, Span{Start: s.Start, End: s.End})
			continue
		}
		day = append(day, s)
	}
	slices.SortFunc(day, func(a, b Stop) int { return a.Start.Compare(b.Start) })
	work := workTimeOf(c.Hours, leave, job)
	fromBase, kmFromBase := trip(c.Base, job.At)
	from, free := c.Base, job.Earliest
	var arrival time.Time
	var km float64
	found := false
	for i := 0; i <= len(day) && !found; i++ {
		// The gap before day[i] (or after the last visit).
		if i > 0 {
			if day[i-1].At != nil {
				from = day[i-1].At
			}
			if day[i-1].End.After(free) {
				free = day[i-1].End
			}
		}
		fromPrev, kmFromPrev := trip(from, job.At)
		var k int
		var ok bool
		arrival, k, km, ok = work.slot(free, trips{fromPrev: fromPrev, fromBase: fromBase, kmFromPrev: kmFromPrev, kmFromBase: kmFromBase, first: i == 0}, onSite)
		end := arrival.Add(onSite)
		if !ok || end.After(job.DayEnd) {
			break
		}
		// On to the next visit of the day by its start, or back at the
		// service point in time.
		var next *Stop
		if i < len(day) {
			next = &day[i]
		}
		found = work.onward(job.At, end, k, next, c.Base)
	}
	if !found {
		return Recommendation{}, false
	}
	r := Recommendation{TechnicianID: c.TechnicianID, Name: c.Name, Arrival: arrival, TravelKm: math.Round(km*10) / 10, VisitsToday: len(c.Day)}
	r.Parts.Travel = clamp(100 * (1 - km/100))
	r.MeetsDeadline = job.Deadline.IsZero() || !arrival.After(job.Deadline)
	switch {
	case job.Deadline.IsZero():
		r.Parts.Deadline = 100
	case r.MeetsDeadline:
		// Met: the more slack, the safer, up to four hours of it.
		r.Parts.Deadline = clamp(50 + 50*job.Deadline.Sub(arrival).Hours()/4)
	}
	r.Parts.Load = clamp(100 - 20*float64(len(c.Day)))
	r.Parts.Parts = 100
	if job.PartsNeeded > 0 {
		r.Parts.Parts = clamp(100 * float64(c.PartsInVan) / float64(job.PartsNeeded))
	}
	if c.LastOnUnit {
		r.Parts.Continuity = 100
	}
	r.Parts.Arrival = clamp(100 * (1 - arrival.Sub(job.Earliest).Hours()/8))
	return r, true
}

// Drive is the time to drive from a to b: the straight line times the
// road factor at the average speed, rounded up to the minute (a slot
// planned on it is never seconds short on the planner's clock, which does
// not round); zero when either place is unknown.
func Drive(a, b *Place) time.Duration {
	d, _ := trip(a, b)
	return d
}

// trip is the drive from a to b and its kilometres (see Drive).
func trip(a, b *Place) (time.Duration, float64) {
	if a == nil || b == nil {
		return 0, 0
	}
	km := RoadKm(*a, *b)
	return time.Duration(math.Ceil(km/SpeedKmh*60)) * time.Minute, km
}

// onDuty: some of the hours fall between the job's earliest start and the
// end of its day.
func onDuty(hours []Span, job Job) bool {
	for _, h := range hours {
		if h.End.After(job.Earliest) && h.Start.Before(job.DayEnd) {
			return true
		}
	}
	return false
}

func clamp(x float64) float64 { return math.Round(max(0, min(100, x))*10) / 10 }
