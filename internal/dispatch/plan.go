package dispatch

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/problem"
	"aftersales/internal/route"
	"aftersales/internal/staff"
)

// Planning a day: the board becomes a route.Problem in minutes from local
// midnight, its places as longitude and latitude, measured in kilometres by
// road as the board and the recommendations measure them (staff.RoadKm: the
// great circle times staff.RoadFactor, at staff.SpeedKmh); the solver's
// Plan comes back as a Proposal in the board's terms.

// OnSiteMinutes is a visit's planned time on site for a technician: the
// minutes planned for an average technician (the agreement's, for the
// service item) divided by the technician's efficiency (1000 = average),
// to the nearest minute and at least one.
func OnSiteMinutes(average, efficiencyPermille int) int {
	if average <= 0 {
		average = agreement.DefaultVisitMinutes
	}
	if efficiencyPermille <= 0 {
		efficiencyPermille = 1000
	}
	return max(1, int(math.Round(float64(average)*1000/float64(efficiencyPermille))))
}

// LateCostPerMinute prices a minute past a request's deadline against a
// kilometre of travel: keeping a deadline is worth a long detour. The
// solver weighs a visit left out above any lateness, so a visit that can
// only be done late is still done.
const LateCostPerMinute = 10.0

// KeptUnreachable is why a booked visit stays out of the plan: its
// technician cannot reach it from the service point in time (or get back
// by the end of the day); it stays as booked, its hours held.
const KeptUnreachable = "kept_unreachable"

// PartsMissing is why a visit stays out of the plan when no technician
// who may work on it carries the parts it needs in their van.
const PartsMissing = "parts"

// Lock kinds: a booked visit kept with its technician, at its time, both,
// or starting within a range.
const (
	LockTechnician = "technician"
	LockTime       = "time"
	LockBoth       = "both"
	LockRange      = "range"
)

// LockKinds are the kinds of lock there are.
var LockKinds = []string{LockTechnician, LockTime, LockBoth, LockRange}

// Lock pins a booked visit for the planner.
type Lock struct {
	WorkOrderID int64      `json:"work_order_id" minimum:"1"`
	Kind        string     `json:"kind" enum:"technician,time,both,range"`
	From        *time.Time `json:"from,omitempty" doc:"range: the earliest start."`
	To          *time.Time `json:"to,omitempty" doc:"range: the latest start."`
}

// ref is what a planner visit stands for.
type ref struct {
	RequestID   int64
	WorkOrderID int64 // 0: a waiting request
	Number      string
	Address     string
	At          *LatLng
	Tech        int64     // booked: the technician it has
	Start, End  time.Time // booked: its window
	UnderWay    bool
	DueAt       *time.Time
	Parts       []NeededPart
	// PartsShort: some technician of the plan may work on it, but none
	// of them has the parts it needs in their van.
	PartsShort bool
}

// Problem is a board turned into the solver's terms, with what each visit
// stands for.
type Problem struct {
	Route    route.Problem
	Refs     map[int64]ref
	Midnight time.Time
	Origin   LatLng
	Names    map[int64]string
	// Held are booked visits kept out of the solver: their technician
	// cannot reach them in time; their time is held on that day.
	Held []int64
}

// minutes since local midnight.
func (p *Problem) minutes(t time.Time) float64 { return t.Sub(p.Midnight).Minutes() }
func (p *Problem) at(m float64) time.Time {
	return p.Midnight.Add(time.Duration(math.Round(m)) * time.Minute)
}

// LocationOf is a place as the solver's location: its longitude and
// latitude, which the planner's measure reads.
func LocationOf(pl LatLng) route.Location { return route.Location{X: pl.Lng, Y: pl.Lat} }

// location is LocationOf, a place without coordinates standing at the
// day's centre.
func (p *Problem) location(pl *LatLng) route.Location {
	if pl == nil {
		return LocationOf(p.Origin)
	}
	return LocationOf(*pl)
}

// roadKm is the solver's measure (route.Problem.Measure): the drive
// between two of its locations, as staff.RoadKm counts it.
func roadKm(a, b route.Location) float64 {
	return staff.RoadKm(staff.Place{Lat: a.Y, Lng: a.X}, staff.Place{Lat: b.Y, Lng: b.X})
}

// ProblemOf turns the board into a problem: the technicians who work that
// day (from now on, when it is today), the waiting requests, and the booked
// visits that have not started (kept in their windows, which were agreed
// with the customer; locks pin them further); a visit under way stays
// with its technician. qualified says, per waiting request and booked
// visit (keyed by request id), who may work on it.
func ProblemOf(b Board, locks []Lock, qualified map[int64]map[int64]bool) (*Problem, error) {
	d, err := ParseDay(b.Day, b.Now)
	if err != nil {
		return nil, err
	}
	from, _ := dayBounds(d)
	p := &Problem{Midnight: from, Refs: map[int64]ref{}, Names: map[int64]string{}, Route: route.Problem{Name: "day " + b.Day, Speed: staff.SpeedKmh / 60, Measure: roadKm}}
	// The origin: the mean of the day's places.
	var n float64
	add := func(pl *LatLng) {
		if pl != nil {
			p.Origin.Lat += pl.Lat
			p.Origin.Lng += pl.Lng
			n++
		}
	}
	for _, l := range b.Lanes {
		add(l.Base)
		for _, v := range l.Visits {
			add(v.At)
		}
	}
	for _, o := range b.Open {
		add(o.At)
	}
	if n > 0 {
		p.Origin.Lat, p.Origin.Lng = p.Origin.Lat/n, p.Origin.Lng/n
	}
	now := p.minutes(b.Now)
	lockOf := map[int64]Lock{}
	for i, lk := range locks {
		if lk.Kind == LockRange && (lk.From == nil || lk.To == nil || lk.To.Before(*lk.From)) {
			return nil, problem.Field(fmt.Sprintf("locks[%d].to", i), "a range lock needs from and to, from first")
		}
		lockOf[lk.WorkOrderID] = lk
	}
	// Skills stand for the qualified sets: visits with the same set share one.
	skillOf := map[string]string{}
	held := map[int64][]route.Skill{}
	// A visit needing parts may go only to a technician whose van holds
	// them all (or, booked, stay with the one it has).
	van := make(map[int64]map[int64]int, len(b.Lanes))
	for _, l := range b.Lanes {
		van[l.TechnicianID] = l.Van
	}
	skills := func(requestID, holder int64, need []NeededPart) []route.Skill {
		q, ok := qualified[requestID]
		if len(need) > 0 {
			stocked := map[int64]bool{}
			for _, l := range b.Lanes {
				if (!ok || q[l.TechnicianID]) && (l.TechnicianID == holder || vanHolds(l.Van, need)) {
					stocked[l.TechnicianID] = true
				}
			}
			q, ok = stocked, true
		}
		if !ok {
			return nil
		}
		ids := make([]int64, 0, len(q))
		for id := range q {
			ids = append(ids, id)
		}
		if len(ids) == len(b.Lanes) {
			return nil
		}
		slices.Sort(ids)
		var key strings.Builder
		for _, id := range ids {
			key.WriteString(strconv.FormatInt(id, 10) + ",")
		}
		name, ok := skillOf[key.String()]
		if !ok {
			name = "q" + strconv.Itoa(len(skillOf)+1)
			skillOf[key.String()] = name
			for _, id := range ids {
				held[id] = append(held[id], route.Skill{Name: name, Level: 1})
			}
		}
		return []route.Skill{{Name: name, Level: 1}}
	}
	nextID := int64(1)
	seen := map[int64]bool{}
	for _, l := range b.Lanes {
		// The solver divides durations by the technician's efficiency: a
		// booked visit is stretched by its technician's so that it holds
		// exactly its window where it is.
		eff := float64(l.EfficiencyPermille) / 1000
		if eff <= 0 {
			eff = 1
		}
		for _, v := range l.Visits {
			if v.Status == "completed" || seen[v.WorkOrderID] {
				continue
			}
			seen[v.WorkOrderID] = true
			id := nextID
			nextID++
			p.Refs[id] = ref{RequestID: v.RequestID, WorkOrderID: v.WorkOrderID, Number: v.Number, Address: v.Address, At: v.At, Tech: l.TechnicianID, Start: v.Start, End: v.End, Parts: v.Parts}
			start, end := p.minutes(v.Start), p.minutes(v.End)
			rv := route.Visit{ID: id, Location: p.location(v.At), Duration: (end - start) * eff, Skills: skills(v.RequestID, l.TechnicianID, v.Parts)}
			if v.Status == "on_site" {
				r := p.Refs[id]
				r.UnderWay = true
				p.Refs[id] = r
				rv.Skills = nil
				rv.Duration = math.Max(0, end-math.Max(start, now)) * eff
				p.Route.Visits = append(p.Route.Visits, rv)
				continue
			}
			// The window agreed with the customer: the visit keeps its start.
			rv.Windows = []route.Window{{Open: start, Close: start}}
			if lk, ok := lockOf[v.WorkOrderID]; ok {
				switch lk.Kind {
				case LockTechnician:
					rv.Pin = &route.Pin{Technician: l.TechnicianID}
				case LockTime:
					rv.Pin = &route.Pin{At: &start}
				case LockBoth:
					rv.Pin = &route.Pin{Technician: l.TechnicianID, At: &start}
				case LockRange:
					f, t := p.minutes(*lk.From), p.minutes(*lk.To)
					rv.Pin = &route.Pin{From: &f, To: &t}
					rv.Windows = nil
				}
			}
			p.Route.Visits = append(p.Route.Visits, rv)
		}
	}
	for _, o := range b.Open {
		id := nextID
		nextID++
		p.Refs[id] = ref{RequestID: o.RequestID, Number: o.Number, Address: o.Address, At: o.At, DueAt: o.DueAt, Parts: o.Parts}
		// The solver divides by the technician's efficiency itself.
		minutes := o.Minutes
		if minutes <= 0 {
			minutes = agreement.DefaultVisitMinutes
		}
		rv := route.Visit{ID: id, Location: p.location(o.At), Duration: float64(minutes), Skills: skills(o.RequestID, 0, o.Parts)}
		if o.DueAt != nil {
			// A deadline missed before the day begins costs from midnight.
			rv.Deadline = &route.Deadline{At: math.Max(0, p.minutes(*o.DueAt)), CostPerUnit: LateCostPerMinute}
		}
		p.Route.Visits = append(p.Route.Visits, rv)
	}
	for _, l := range b.Lanes {
		t, ok := technicianOf(p, l, now)
		if !ok {
			continue
		}
		t.Skills = held[l.TechnicianID]
		for _, v := range l.Visits {
			if v.Status == "on_site" {
				for id, r := range p.Refs {
					if r.WorkOrderID == v.WorkOrderID {
						t.UnderWay = &route.UnderWay{Visit: id, StartedAt: math.Max(p.minutes(v.Start), math.Min(now, p.minutes(v.End)))}
					}
				}
			}
		}
		p.Names[l.TechnicianID] = l.Name
		p.Route.Technicians = append(p.Route.Technicians, t)
	}
	for id, rf := range p.Refs {
		if len(rf.Parts) == 0 {
			continue
		}
		q, ok := qualified[rf.RequestID]
		may, stocked := false, false
		for _, t := range p.Route.Technicians {
			if ok && !q[t.ID] {
				continue
			}
			may = true
			stocked = stocked || t.ID == rf.Tech || vanHolds(van[t.ID], rf.Parts)
		}
		rf.PartsShort = may && !stocked
		p.Refs[id] = rf
	}
	p.holdUnreachable()
	// A visit under way whose technician does not work in the plan is left out.
	claimed := map[int64]bool{}
	for _, t := range p.Route.Technicians {
		if t.UnderWay != nil {
			claimed[t.UnderWay.Visit] = true
		}
	}
	p.Route.Visits = slices.DeleteFunc(p.Route.Visits, func(v route.Visit) bool { return p.Refs[v.ID].UnderWay && !claimed[v.ID] })
	slices.SortFunc(p.Route.Visits, func(a, b route.Visit) int { return int(a.ID - b.ID) })
	return p, nil
}

// holdUnreachable keeps the booked visits their own technician cannot
// reach in time (a site far from the service point, booked by hand) out of
// the solver's hands: each stays where it is, its time held as a fixed
// break on its technician's day so nothing else is planned over it, and
// the proposal lists it as unplaced (KeptUnreachable). Without this
// the solver would leave it out and fill its time, and booking the plan
// would be refused as overlapping.
func (p *Problem) holdUnreachable() {
	techAt := map[int64]int{}
	for i, t := range p.Route.Technicians {
		techAt[t.ID] = i
	}
	p.Route.Visits = slices.DeleteFunc(p.Route.Visits, func(v route.Visit) bool {
		rf := p.Refs[v.ID]
		i, ok := techAt[rf.Tech]
		if rf.WorkOrderID == 0 || rf.UnderWay || !ok {
			return false
		}
		alone := v
		alone.Skills = nil
		t := p.Route.Technicians[i]
		t.UnderWay, t.Skills = nil, nil
		one := &route.Problem{Speed: p.Route.Speed, Measure: p.Route.Measure, Visits: []route.Visit{alone}, Technicians: []route.Technician{t}}
		if _, err := route.Check(one, &route.SolutionFile{Vehicles: 1, Routes: [][]int64{{v.ID}}, Technicians: []int64{t.ID}}); err == nil {
			return false
		}
		start, end := p.minutes(rf.Start), p.minutes(rf.End)
		tt := &p.Route.Technicians[i]
		travel := p.Route.Distance(v.Location, tt.Start) / p.Route.Speed
		site := v.Location
		switch {
		case end <= tt.ShiftStart || start >= tt.ShiftEnd:
		case start <= tt.ShiftStart+travel:
			// First thing in the day: the day starts there when it ends.
			if tt.End == nil {
				home := tt.Start
				tt.End = &home
			}
			tt.Start, tt.ShiftStart = site, math.Min(end, tt.ShiftEnd)
		case end+travel >= tt.ShiftEnd:
			// Last thing in the day: the day ends by getting there.
			tt.End, tt.ShiftEnd = &site, start
		default:
			tt.Breaks = append(tt.Breaks, route.Break{Earliest: start, Latest: start, Duration: end - start})
			slices.SortFunc(tt.Breaks, func(a, b route.Break) int { return cmp.Compare(a.Earliest, b.Earliest) })
		}
		p.Held = append(p.Held, v.ID)
		return true
	})
}

// technicianOf is a lane as the solver's technician: from the first
// working hour (or now) to the last, the gaps and leave as fixed breaks.
func technicianOf(p *Problem, l Lane, now float64) (route.Technician, bool) {
	if len(l.Shift) == 0 {
		return route.Technician{}, false
	}
	type iv struct{ a, b float64 }
	start, end := p.minutes(l.Shift[0].Start), p.minutes(l.Shift[len(l.Shift)-1].End)
	var off []iv
	for i := 1; i < len(l.Shift); i++ {
		off = append(off, iv{p.minutes(l.Shift[i-1].End), p.minutes(l.Shift[i].Start)})
	}
	for _, lv := range l.Leave {
		off = append(off, iv{p.minutes(lv.Start), p.minutes(lv.End)})
	}
	if now > start {
		off = append(off, iv{math.Inf(-1), now})
	}
	slices.SortFunc(off, func(x, y iv) int {
		if x.a < y.a {
			return -1
		} else if x.a > y.a {
			return 1
		}
		return 0
	})
	var breaks []route.Break
	for _, o := range off {
		a, b := math.Max(o.a, start), math.Min(o.b, end)
		if b <= a {
			continue
		}
		switch {
		case a <= start:
			start = b
		case b >= end:
			end = a
		case len(breaks) > 0 && a <= breaks[len(breaks)-1].Earliest+breaks[len(breaks)-1].Duration:
			last := &breaks[len(breaks)-1]
			last.Duration = math.Max(last.Duration, b-last.Earliest)
		default:
			breaks = append(breaks, route.Break{Earliest: a, Latest: a, Duration: b - a})
		}
	}
	if end <= start {
		return route.Technician{}, false
	}
	breaks = slices.DeleteFunc(breaks, func(br route.Break) bool { return br.Earliest >= end || br.Earliest+br.Duration <= start })
	eff := float64(l.EfficiencyPermille) / 1000
	if eff <= 0 {
		eff = 1
	}
	return route.Technician{ID: l.TechnicianID, Start: p.location(l.Base), ShiftStart: start, ShiftEnd: end, Breaks: breaks, Efficiency: eff}, true
}

// XY is a point on the plan's schematic map: kilometres by road east and
// north of the day's centre.
type XY struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// xy places one of the solver's locations on the map: its kilometres by
// road east (along the centre's parallel) and north (along its meridian)
// of the day's centre.
func (p *Problem) xy(l route.Location) XY {
	o := p.location(nil)
	east, north := roadKm(o, route.Location{X: l.X, Y: o.Y}), roadKm(o, route.Location{X: o.X, Y: l.Y})
	return XY{X: math.Copysign(east, l.X-o.X), Y: math.Copysign(north, l.Y-o.Y)}
}

// Proposal is a plan of the day in the board's terms.
type Proposal struct {
	Routes        []PlannedRoute  `json:"routes"`
	Unplaced      []UnplacedVisit `json:"unplaced"`
	Km            float64         `json:"km" doc:"Total travel, straight line x road factor."`
	TravelMinutes int             `json:"travel_minutes"`
	Technicians   int             `json:"technicians" doc:"How many technicians the plan uses."`
	Iterations    int64           `json:"iterations"`
	Bookings      int             `json:"bookings" doc:"Waiting requests the plan books."`
	Moves         int             `json:"moves" doc:"Booked visits the plan gives another technician."`
}

// PlannedRoute is one technician's day in the proposal.
type PlannedRoute struct {
	TechnicianID int64         `json:"technician_id"`
	Name         string        `json:"name"`
	Km           float64       `json:"km"`
	Leave        time.Time     `json:"leave" doc:"When they leave their service point."`
	Back         time.Time     `json:"back"`
	Stops        []PlannedStop `json:"stops"`
	Base         XY            `json:"base"`
}

// PlannedStop is a visit on a planned route.
type PlannedStop struct {
	RequestID   int64     `json:"request_id"`
	WorkOrderID int64     `json:"work_order_id,omitempty"`
	Number      string    `json:"number"`
	Address     string    `json:"address"`
	Arrival     time.Time `json:"arrival"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	LateMinutes int       `json:"late_minutes,omitempty" doc:"How long after the request's deadline it starts."`
	Change      string    `json:"change" enum:"book,reassign,keep,under_way"`
	From        int64     `json:"from_technician_id,omitempty" doc:"reassign: who has it now."`
	Where       XY        `json:"where" doc:"On the plan's plane, km east and north of the day's centre."`
}

// UnplacedVisit is a visit the plan could not place, and why.
type UnplacedVisit struct {
	RequestID   int64  `json:"request_id"`
	WorkOrderID int64  `json:"work_order_id,omitempty"`
	Number      string `json:"number"`
	Reason      string `json:"reason" enum:"no_qualified_technician,window_unreachable,capacity,shift_too_short,kept_unreachable,parts" doc:"parts: no technician who may work on it has the parts it needs in their van. kept_unreachable: a booked visit its technician cannot reach from the service point in time (or get back from by the end of the day); it stays as booked and its hours are kept free."`
}

// ProposalOf reads the solver's plan in the board's terms.
func ProposalOf(p *Problem, plan *route.Plan) Proposal {
	out := Proposal{Routes: []PlannedRoute{}, Unplaced: []UnplacedVisit{}, Iterations: plan.Iterations}
	bases := map[int64]route.Location{}
	for _, t := range p.Route.Technicians {
		bases[t.ID] = t.Start
	}
	for _, r := range plan.Routes {
		pr := PlannedRoute{TechnicianID: r.Technician, Name: p.Names[r.Technician], Km: math.Round(r.Distance*10) / 10,
			Leave: p.at(r.Departure), Back: p.at(r.Return), Stops: []PlannedStop{}, Base: p.xy(bases[r.Technician])}
		for _, st := range r.Stops {
			rf := p.Refs[st.Visit]
			ps := PlannedStop{RequestID: rf.RequestID, WorkOrderID: rf.WorkOrderID, Number: rf.Number, Address: rf.Address,
				Arrival: p.at(st.Arrival), Start: p.at(st.Start), End: p.at(st.End), Where: p.xy(p.location(rf.At))}
			if rf.DueAt != nil && ps.Start.After(*rf.DueAt) {
				// Late by the real deadline, not the one the solver was given.
				ps.LateMinutes = int(math.Ceil(ps.Start.Sub(*rf.DueAt).Minutes()))
			}
			switch {
			case rf.UnderWay:
				ps.Change = "under_way"
			case rf.WorkOrderID == 0:
				ps.Change = "book"
				out.Bookings++
			case rf.Tech == r.Technician && ps.Start.Equal(rf.Start):
				ps.Change, ps.End = "keep", rf.End
			default:
				ps.Change, ps.From = "reassign", rf.Tech
				out.Moves++
			}
			pr.Stops = append(pr.Stops, ps)
		}
		out.Routes = append(out.Routes, pr)
		out.Km += r.Distance
	}
	for _, id := range p.Held {
		rf := p.Refs[id]
		out.Unplaced = append(out.Unplaced, UnplacedVisit{RequestID: rf.RequestID, WorkOrderID: rf.WorkOrderID, Number: rf.Number, Reason: KeptUnreachable})
	}
	for _, u := range plan.Unplaced {
		rf := p.Refs[u.Visit]
		reason := string(u.Reason)
		if u.Reason == route.NoQualifiedTechnician && rf.PartsShort {
			reason = PartsMissing
		}
		out.Unplaced = append(out.Unplaced, UnplacedVisit{RequestID: rf.RequestID, WorkOrderID: rf.WorkOrderID, Number: rf.Number, Reason: reason})
	}
	out.Km = math.Round(out.Km*10) / 10
	out.TravelMinutes = int(math.Round(out.Km / (staff.SpeedKmh / 60)))
	out.Technicians = len(out.Routes)
	return out
}
