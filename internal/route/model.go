package route

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
)

// eps absorbs floating-point noise in time comparisons.
const eps = 1e-7

// model is a Problem compiled for the search: visits and technicians by
// index, a precomputed distance matrix, qualification table and neighbour
// lists. Visits under way are folded into their technician's start.
type model struct {
	p        *Problem
	n        int // visits the search places
	k        int // technicians
	nloc     int
	dist     []float64 // nloc*nloc
	invSpeed float64
	vis      []mvisit
	tech     []mtech
	qual     []bool // n*k: visit i may go to technician j
	near     [][]int32
	class    []int32 // technicians with identical data share a class
	complex  bool    // breaks, shift lengths or soft deadlines: verify by simulation
	excluded []Unplaced
	lower    int // a lower bound on the vehicles needed
}

type mvisit struct {
	id        int64
	win       []Window
	dur       float64
	demand    float64
	soft      bool
	softAt    float64
	softCost  float64
	lastClose float64
	input     int // index in Problem.Visits
}

type mtech struct {
	id         int64
	startLoc   int
	endLoc     int
	shiftStart float64
	shiftEnd   float64
	maxShift   float64
	breaks     []Break
	capacity   float64 // +Inf when unlimited
	durFactor  float64
	underWay   *Stop // the visit being done when the day is planned
	input      int
}

func (m *model) d(a, b int) float64 { return m.dist[a*m.nloc+b] }

// earliestStart is when service at v begins if the technician arrives at arr:
// the first window still open, or +Inf.
func earliestStart(win []Window, arr float64) float64 {
	for _, w := range win {
		if arr <= w.Close+eps {
			if arr < w.Open {
				return w.Open
			}
			return arr
		}
	}
	return math.Inf(1)
}

// latestStart is the latest service start no later than lim, or -Inf.
func latestStart(win []Window, lim float64) float64 {
	for i := len(win) - 1; i >= 0; i-- {
		w := win[i]
		if w.Open <= lim+eps {
			if lim < w.Close {
				return lim
			}
			return w.Close
		}
	}
	return math.Inf(-1)
}

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// qualifies reports whether the held skills cover the required ones.
func qualifies(held, required []Skill) bool {
	for _, r := range required {
		ok := false
		for _, h := range held {
			if h.Name == r.Name && h.Level >= r.Level {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// validate checks the problem and names the first bad field.
func validate(p *Problem) error {
	if !finite(p.Speed) || p.Speed < 0 {
		return invalid("speed", "must be a positive number")
	}
	ids := map[int64]bool{}
	for i, v := range p.Visits {
		f := fmt.Sprintf("visits[%d]", i)
		if ids[v.ID] {
			return invalid(f+".id", "%d is used twice", v.ID)
		}
		ids[v.ID] = true
		if !finite(v.Location.X, v.Location.Y) {
			return invalid(f+".location", "must be finite")
		}
		if !finite(v.Duration, v.Demand) || v.Duration < 0 || v.Demand < 0 {
			return invalid(f, "duration and demand must be finite and not negative")
		}
		prev := math.Inf(-1)
		for j, w := range v.Windows {
			if !finite(w.Open, w.Close) || w.Open > w.Close || w.Open < prev {
				return invalid(fmt.Sprintf("%s.windows[%d]", f, j), "windows must be finite, open before close, in order and not overlapping")
			}
			prev = w.Close
		}
		if d := v.Deadline; d != nil && (!finite(d.At, d.CostPerUnit) || d.CostPerUnit < 0) {
			return invalid(f+".deadline", "must be finite with a cost not negative")
		}
		if pin := v.Pin; pin != nil {
			if pin.At != nil && !finite(*pin.At) {
				return invalid(f+".pin.at", "must be finite")
			}
			if (pin.From == nil) != (pin.To == nil) {
				return invalid(f+".pin", "a time range needs both from and to")
			}
			if pin.From != nil && (!finite(*pin.From, *pin.To) || *pin.From > *pin.To) {
				return invalid(f+".pin", "from must be before to")
			}
			if pin.At != nil && pin.From != nil {
				return invalid(f+".pin", "pin a time or a range, not both")
			}
		}
	}
	techs := map[int64]bool{}
	busy := map[int64]bool{}
	for i, t := range p.Technicians {
		f := fmt.Sprintf("technicians[%d]", i)
		if techs[t.ID] {
			return invalid(f+".id", "%d is used twice", t.ID)
		}
		techs[t.ID] = true
		if !finite(t.Start.X, t.Start.Y) || (t.End != nil && !finite(t.End.X, t.End.Y)) {
			return invalid(f+".start", "locations must be finite")
		}
		if !finite(t.ShiftStart, t.ShiftEnd, t.MaxShift, t.Capacity, t.Efficiency) || t.ShiftEnd < t.ShiftStart {
			return invalid(f+".shift_end", "the shift must end after it starts")
		}
		if t.MaxShift < 0 || t.Capacity < 0 || t.Efficiency < 0 {
			return invalid(f, "max_shift, capacity and efficiency must not be negative")
		}
		for j, b := range t.Breaks {
			if !finite(b.Earliest, b.Latest, b.Duration) || b.Earliest > b.Latest || b.Duration < 0 {
				return invalid(fmt.Sprintf("%s.breaks[%d]", f, j), "earliest must be before latest and the duration not negative")
			}
		}
		if u := t.UnderWay; u != nil {
			if !ids[u.Visit] {
				return invalid(f+".under_way.visit", "no visit %d", u.Visit)
			}
			if busy[u.Visit] {
				return invalid(f+".under_way.visit", "visit %d is under way twice", u.Visit)
			}
			if !finite(u.StartedAt) {
				return invalid(f+".under_way.started_at", "must be finite")
			}
			busy[u.Visit] = true
			for _, v := range p.Visits {
				if v.ID == u.Visit && t.Capacity > 0 && v.Demand > t.Capacity {
					return invalid(f+".under_way.visit", "visit %d needs more than the technician's capacity", u.Visit)
				}
			}
		}
	}
	for i, v := range p.Visits {
		if v.Pin != nil && v.Pin.Technician != 0 && !techs[v.Pin.Technician] {
			return invalid(fmt.Sprintf("visits[%d].pin.technician", i), "no technician %d", v.Pin.Technician)
		}
	}
	return nil
}

// effectiveWindows applies a pin and a hard deadline to a visit's windows.
func effectiveWindows(v *Visit) []Window {
	win := append([]Window(nil), v.Windows...)
	if len(win) == 0 {
		win = []Window{{Open: math.Inf(-1), Close: math.Inf(1)}}
	}
	if pin := v.Pin; pin != nil {
		switch {
		case pin.At != nil:
			win = []Window{{Open: *pin.At, Close: *pin.At}}
		case pin.From != nil:
			win = []Window{{Open: *pin.From, Close: *pin.To}}
		}
	}
	if d := v.Deadline; d != nil && d.Hard {
		var cut []Window
		for _, w := range win {
			if w.Open <= d.At {
				w.Close = math.Min(w.Close, d.At)
				cut = append(cut, w)
			}
		}
		win = cut
	}
	return win
}

// compile validates p and builds the search model.
func compile(p *Problem) (*model, error) {
	if err := validate(p); err != nil {
		return nil, err
	}
	m := &model{p: p, invSpeed: 1}
	if p.Speed > 0 {
		m.invSpeed = 1 / p.Speed
	}
	underWay := map[int64]int{}
	for i, t := range p.Technicians {
		if t.UnderWay != nil {
			underWay[t.UnderWay.Visit] = i
		}
	}
	var locs []Location
	for i := range p.Visits {
		v := &p.Visits[i]
		if _, ok := underWay[v.ID]; ok {
			continue
		}
		mv := mvisit{id: v.ID, win: effectiveWindows(v), dur: v.Duration, demand: v.Demand, input: i}
		mv.lastClose = math.Inf(-1)
		if len(mv.win) > 0 {
			mv.lastClose = mv.win[len(mv.win)-1].Close
		}
		if d := v.Deadline; d != nil && !d.Hard {
			mv.soft, mv.softAt, mv.softCost = true, d.At, d.CostPerUnit
			m.complex = true
		}
		m.vis = append(m.vis, mv)
		locs = append(locs, v.Location)
	}
	m.n = len(m.vis)
	byID := map[int64]*Visit{}
	for i := range p.Visits {
		byID[p.Visits[i].ID] = &p.Visits[i]
	}
	for i := range p.Technicians {
		t := &p.Technicians[i]
		mt := mtech{id: t.ID, shiftStart: t.ShiftStart, shiftEnd: t.ShiftEnd, maxShift: t.MaxShift,
			breaks: append([]Break(nil), t.Breaks...), capacity: t.Capacity, durFactor: 1, input: i}
		if t.Efficiency > 0 {
			mt.durFactor = 1 / t.Efficiency
		}
		if mt.capacity == 0 {
			mt.capacity = math.Inf(1)
		}
		sort.Slice(mt.breaks, func(a, b int) bool { return mt.breaks[a].Earliest < mt.breaks[b].Earliest })
		if len(mt.breaks) > 0 || mt.maxShift > 0 {
			m.complex = true
		}
		start := t.Start
		if u := t.UnderWay; u != nil {
			v := byID[u.Visit]
			end := u.StartedAt + v.Duration*mt.durFactor
			mt.underWay = &Stop{Visit: v.ID, Arrival: u.StartedAt, Start: u.StartedAt, End: end}
			start = v.Location
			mt.shiftStart = math.Max(mt.shiftStart, end)
			mt.capacity -= v.Demand
		}
		end := t.Start
		if t.End != nil {
			end = *t.End
		}
		if t.UnderWay != nil {
			// A visit under way past the shift's end still lets its
			// technician go home; a technician whose shift is too short
			// for the way home alone gets no visit.
			mt.shiftEnd = math.Max(mt.shiftEnd, mt.shiftStart+p.Distance(start, end)*m.invSpeed)
		}
		mt.startLoc = len(locs)
		locs = append(locs, start)
		mt.endLoc = len(locs)
		locs = append(locs, end)
		m.tech = append(m.tech, mt)
	}
	m.k = len(m.tech)
	m.nloc = len(locs)
	m.dist = make([]float64, m.nloc*m.nloc)
	for a := range locs {
		for b := range locs {
			m.dist[a*m.nloc+b] = p.Distance(locs[a], locs[b])
		}
	}
	m.qual = make([]bool, m.n*m.k)
	for i := range m.vis {
		v := &p.Visits[m.vis[i].input]
		for j := range m.tech {
			t := &p.Technicians[m.tech[j].input]
			ok := qualifies(t.Skills, v.Skills)
			if v.Pin != nil && v.Pin.Technician != 0 && v.Pin.Technician != t.ID {
				ok = false
			}
			m.qual[i*m.k+j] = ok
		}
	}
	m.near = nearest(m, maxNear)
	m.classify()
	m.lower = m.vehicleLowerBound()
	return m, nil
}

// classify groups technicians whose data are identical, so an empty route is
// tried once per group rather than once per technician.
func (m *model) classify() {
	m.class = make([]int32, m.k)
	for j := range m.tech {
		m.class[j] = int32(j)
		for i := 0; i < j; i++ {
			if m.sameTech(i, j) {
				m.class[j] = m.class[i]
				break
			}
		}
	}
}

func (m *model) sameTech(a, b int) bool {
	ta, tb := &m.tech[a], &m.tech[b]
	if ta.shiftStart != tb.shiftStart || ta.shiftEnd != tb.shiftEnd || ta.maxShift != tb.maxShift ||
		ta.capacity != tb.capacity || ta.durFactor != tb.durFactor || len(ta.breaks) != len(tb.breaks) ||
		ta.underWay != nil || tb.underWay != nil {
		return false
	}
	for i := range ta.breaks {
		if ta.breaks[i] != tb.breaks[i] {
			return false
		}
	}
	if m.d(ta.startLoc, tb.startLoc) != 0 || m.d(ta.endLoc, tb.endLoc) != 0 {
		return false
	}
	for i := 0; i < m.n; i++ {
		if m.qual[i*m.k+a] != m.qual[i*m.k+b] {
			return false
		}
	}
	return true
}

// vehicleLowerBound is the total demand over the largest capacity, rounded up.
func (m *model) vehicleLowerBound() int {
	total, most := 0.0, 0.0
	for _, v := range m.vis {
		total += v.demand
	}
	for _, t := range m.tech {
		most = math.Max(most, t.capacity)
	}
	if most <= 0 || math.IsInf(most, 1) || total == 0 {
		if m.n > 0 {
			return 1
		}
		return 0
	}
	return int(math.Ceil(total/most - 1e-9))
}

// maxNear is how many nearest visits each visit keeps: ruin takes strings
// from the routes of a seed's neighbours and never needs more.
const maxNear = 100

// nearest lists, for every visit, the keep nearest visits by distance (ties
// by index): a selection of the keep nearest, then a sort of those.
func nearest(m *model, keep int) [][]int32 {
	out := make([][]int32, m.n)
	buf := make([]neighbour, m.n)
	keep = min(keep, m.n)
	for i := range out {
		for j := range buf {
			buf[j] = neighbour{m.d(i, j), int32(j)}
		}
		selectNearest(buf, keep)
		slices.SortFunc(buf[:keep], compareNeighbours)
		l := make([]int32, keep)
		for j := range l {
			l[j] = buf[j].j
		}
		out[i] = l
	}
	return out
}

type neighbour struct {
	d float64
	j int32
}

func compareNeighbours(a, b neighbour) int {
	if c := cmp.Compare(a.d, b.d); c != 0 {
		return c
	}
	return cmp.Compare(a.j, b.j)
}

// selectNearest moves the k smallest of s to its front (Hoare's selection).
func selectNearest(s []neighbour, k int) {
	lo, hi := 0, len(s)-1
	for lo < hi {
		pivot := s[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for compareNeighbours(s[i], pivot) < 0 {
				i++
			}
			for compareNeighbours(s[j], pivot) > 0 {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}
