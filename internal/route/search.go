package route

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"sort"
	"sync"
	"time"
)

// Options steer a solve. At least one of TimeLimit and Iterations must be
// set; with both, whichever comes first stops the search.
type Options struct {
	Objective Objective
	// TimeLimit is the wall-clock budget of the whole call.
	TimeLimit time.Duration
	// Iterations bounds each search's ruin-and-recreate steps. A run bounded
	// by iterations alone gives the same plan for the same seed on any machine.
	Iterations int64
	Seed       uint64
	// Workers is the number of independent searches run in parallel (0: 2).
	Workers int
}

// fleetShare is the most of the budget the Vehicles objective spends
// eliminating routes before it turns to distance: a portfolio, the first
// search insisting on fewer routes, the second on distance (it also stops
// eliminating once stalled, see eliminateRoutes).
var fleetShare = [2]float64{0.7, 0.5}

// The annealing temperature falls from startTemp to endTemp times the mean
// distance from a visit to its nearest other visit.
const (
	startTemp = 10.0
	endTemp   = 0.1
)

// ErrNoBudget is returned when neither a time limit nor iterations are given.
var ErrNoBudget = errors.New("route: give a time limit or an iteration count")

// Solve plans the day. It returns within opt.TimeLimit (plus the time to
// finish one ruin-and-recreate step) with the best plan found.
func Solve(ctx context.Context, p *Problem, opt Options) (*Plan, error) {
	begin := time.Now()
	if opt.TimeLimit <= 0 && opt.Iterations <= 0 {
		return nil, ErrNoBudget
	}
	if opt.Objective == "" {
		opt.Objective = Vehicles
	}
	if opt.Objective != Vehicles && opt.Objective != Distance {
		return nil, invalid("objective", "must be %q or %q", Vehicles, Distance)
	}
	m, err := compile(p)
	if err != nil {
		return nil, err
	}
	var deadline time.Time
	if opt.TimeLimit > 0 {
		// Keep a little for turning the solution into a plan.
		reserve := min(opt.TimeLimit/20, 20*time.Millisecond)
		deadline = begin.Add(opt.TimeLimit - reserve)
	}
	out := m.exclude()
	workers := opt.Workers
	if workers <= 0 {
		workers = 2
	}
	c := objectiveCosts(m, opt.Objective)
	results := make([]*solution, workers)
	counts := make([]int64, workers)
	failures := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				// A fault in a search must not take the whole process down.
				if v := recover(); v != nil {
					failures[i] = fmt.Errorf("route: search %d failed: %v\n%s", i, v, debug.Stack())
				}
			}()
			w := newWorker(m, c, deriveSeed(opt.Seed, i))
			share := 0.5
			if workers > 1 {
				share = fleetShare[i%len(fleetShare)]
			}
			r := &run{w: w, ctx: ctx, fleetShare: share, stall: workers > 1 && i%2 == 1, begin: begin, deadline: deadline, iterations: opt.Iterations, obj: opt.Objective, out: out}
			results[i] = r.solve()
			counts[i] = r.it
		}()
	}
	wg.Wait()
	if err := errors.Join(failures...); err != nil {
		return nil, err
	}
	best := results[0]
	for _, s := range results[1:] {
		if s.cost < best.cost-1e-9 {
			best = s
		}
	}
	plan := m.plan(best, out)
	for _, n := range counts {
		plan.Iterations += n
	}
	return plan, nil
}

// deriveSeed gives each search its own stream (splitmix64 of seed and index).
func deriveSeed(seed uint64, i int) uint64 {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// run is one search from construction to the end of its budget.
type run struct {
	w          *worker
	ctx        context.Context
	begin      time.Time
	deadline   time.Time
	iterations int64
	obj        Objective
	out        []bool
	it         int64
	list       []int32
	target     int // routes allowed while eliminating
	fleetShare float64
	stall      bool // stop eliminating when a route takes long to go
}

func (r *run) stopped() bool {
	if r.iterations > 0 && r.it >= r.iterations {
		return true
	}
	if !r.deadline.IsZero() && !time.Now().Before(r.deadline) {
		return true
	}
	if r.it&63 == 0 && r.ctx.Err() != nil {
		return true
	}
	return false
}

// progress is the share of the budget used, from 0 to 1: by iterations when
// they bound the run (so the run is reproducible), else by the clock.
func (r *run) progress() float64 {
	if r.iterations > 0 {
		return float64(r.it) / float64(r.iterations)
	}
	total := r.deadline.Sub(r.begin)
	return math.Min(1, float64(time.Since(r.begin))/float64(total))
}

func (r *run) solve() *solution {
	w, m := r.w, r.w.m
	cur := newSolution(m)
	w.index(cur)
	r.list = r.list[:0]
	for v := range m.n {
		if !r.out[v] {
			r.list = append(r.list, int32(v))
		}
	}
	w.recreate(cur, r.list, m.k)
	cur.evaluate(w.c)
	best := newSolution(m)
	best.copyFrom(cur)
	if m.n == 0 || m.k == 0 {
		return best
	}
	split := 0.0
	if r.obj == Vehicles && len(cur.unassigned) == 0 {
		r.eliminateRoutes(cur, best)
		split = r.progress()
	}
	r.anneal(best, split)
	return best
}

// step ruins and recreates a copy of cur into work.
func (r *run) step(cur, work *solution, maxRoutes int) {
	w := r.w
	work.copyFrom(cur)
	w.index(work)
	w.ruin(work)
	r.list = append(r.list[:0], w.removed...)
	r.list = append(r.list, work.unassigned...)
	work.unassigned = work.unassigned[:0]
	w.recreate(work, r.list, maxRoutes)
	work.evaluate(w.c)
	r.it++
}

// eliminateRoutes removes one route at a time and tries to place its
// visits in the others: a step is kept when it leaves fewer visits out or
// visits that were left out less often (their absence counts), so hard
// visits get placed first. Every complete solution found replaces best.
func (r *run) eliminateRoutes(cur, best *solution) {
	w, m := r.w, r.w.m
	work := newSolution(m)
	w.nearBank = true
	defer func() { w.nearBank = false }()
	r.dropRoute(cur)
	var last, gap int64 = r.it, 0
	for !r.stopped() && r.progress() < r.fleetShare {
		if r.stall && r.it-last > max(2000, 2*gap) {
			// Twice as long as the last route took, and nothing: give the
			// rest of the budget to distance.
			return
		}
		r.step(cur, work, r.target)
		// An infinite cost is a route the step broke (a break or shift
		// length no longer kept after a removal): never kept.
		accept := !math.IsInf(work.cost, 1) && (len(work.unassigned) < len(cur.unassigned) ||
			w.absenceOf(work.unassigned) < w.absenceOf(cur.unassigned))
		for _, v := range work.unassigned {
			w.absence[v]++
		}
		if !accept {
			continue
		}
		cur, work = work, cur
		if len(cur.unassigned) == 0 {
			last, gap = r.it, r.it-last
			best.copyFrom(cur)
			if cur.used <= m.lower {
				return
			}
			r.dropRoute(cur)
		}
	}
}

func (w *worker) absenceOf(list []int32) int64 {
	var s int64
	for _, v := range list {
		s += w.absence[v]
	}
	return s
}

// dropRoute empties the route with the fewest visits (ties at random).
func (r *run) dropRoute(s *solution) {
	w, m := r.w, r.w.m
	pick, seen := -1, 0
	for i := range s.routes {
		n := len(s.routes[i].visits)
		if n == 0 {
			continue
		}
		switch {
		case pick < 0 || n < len(s.routes[pick].visits):
			pick, seen = i, 1
		case n == len(s.routes[pick].visits):
			seen++
			if w.rng.IntN(seen) == 0 {
				pick = i
			}
		}
	}
	if pick < 0 {
		return
	}
	rt := &s.routes[pick]
	r.target = s.used - 1
	s.unassigned = append(s.unassigned, rt.visits...)
	rt.visits = rt.visits[:0]
	m.update(rt)
	s.evaluate(w.c)
}

// anneal improves best by ruin and recreate under simulated annealing, the
// temperature falling geometrically over the rest of the budget.
func (r *run) anneal(best *solution, from float64) {
	w, m := r.w, r.w.m
	cur, work := newSolution(m), newSolution(m)
	cur.copyFrom(best)
	scale := m.temperatureScale()
	t0, t1 := startTemp*scale, endTemp*scale
	for !r.stopped() {
		r.step(cur, work, m.k)
		p := 0.0
		if from < 1 {
			p = math.Max(0, (r.progress()-from)/(1-from))
		}
		temp := t0 * math.Pow(t1/t0, p)
		if work.cost < cur.cost-temp*math.Log(w.rng.Float64()) {
			cur, work = work, cur
			if cur.cost < best.cost-1e-9 {
				w.exchangeTails(cur)
				best.copyFrom(cur)
			}
		}
	}
}

// temperatureScale is the mean distance from a visit to its nearest other
// visit, so that temperatures follow the size of the map.
func (m *model) temperatureScale() float64 {
	if m.n < 2 {
		return 1
	}
	sum := 0.0
	for i := range m.n {
		sum += m.d(i, int(m.near[i][1]))
	}
	if sum == 0 {
		return 1
	}
	return sum / float64(m.n)
}

// exclude finds the visits no technician can do even alone, and why.
func (m *model) exclude() []bool {
	out := make([]bool, m.n)
	for v := range m.n {
		if reason, ok := m.aloneReason(int32(v)); !ok {
			out[v] = true
			m.excluded = append(m.excluded, Unplaced{Visit: m.vis[v].id, Reason: reason})
		}
	}
	return out
}

// aloneReason says whether some technician can do v on a route of its own,
// and if not, why.
func (m *model) aloneReason(v int32) (Reason, bool) {
	qualified, fits, reachable := false, false, false
	for k := range m.tech {
		if !m.qual[int(v)*m.k+k] {
			continue
		}
		qualified = true
		t := &m.tech[k]
		if m.vis[v].demand > t.capacity+eps {
			continue
		}
		fits = true
		if ok, _, _ := m.simulate(k, []int32{v}, nil); ok {
			return "", true
		}
		if !math.IsInf(earliestStart(m.vis[v].win, t.shiftStart+m.d(t.startLoc, int(v))*m.invSpeed), 1) {
			reachable = true
		}
	}
	switch {
	case !qualified:
		return NoQualifiedTechnician, false
	case !fits:
		return Capacity, false
	case !reachable:
		return WindowUnreachable, false
	}
	return ShiftTooShort, false
}

// leftReason says why a visit that could be done alone found no place in s.
func (m *model) leftReason(s *solution, v int32) Reason {
	mv := &m.vis[v]
	roomy, reachable := false, false
	for ri := range s.routes {
		r := &s.routes[ri]
		k := int(r.tech)
		if !m.qual[int(v)*m.k+k] {
			continue
		}
		if r.load+mv.demand > m.tech[k].capacity+eps {
			continue
		}
		roomy = true
		for p := 0; p <= len(r.visits); p++ {
			arr := r.start[p] + m.service(r, p) + m.d(m.loc(r, p), int(v))*m.invSpeed
			if !math.IsInf(earliestStart(mv.win, arr), 1) {
				reachable = true
			}
		}
	}
	switch {
	case !roomy:
		return Capacity
	case !reachable:
		return WindowUnreachable
	}
	return ShiftTooShort
}

// plan turns a solution into the caller's terms.
func (m *model) plan(s *solution, out []bool) *Plan {
	p := &Plan{Routes: []Route{}, Unplaced: append([]Unplaced{}, m.excluded...)}
	for ri := range s.routes {
		r := &s.routes[ri]
		t := &m.tech[r.tech]
		if len(r.visits) == 0 && t.underWay == nil {
			continue
		}
		var tl timeline
		_, dist, late := m.simulate(int(r.tech), r.visits, &tl)
		rt := Route{Technician: t.id, Departure: tl.departure, Return: tl.ret, Stops: tl.stops, Breaks: tl.breaks, Distance: dist, Load: r.load}
		if t.underWay != nil {
			rt.Stops = append([]Stop{*t.underWay}, rt.Stops...)
			rt.Departure = t.underWay.Start
		}
		p.Routes = append(p.Routes, rt)
		p.Distance += dist
		p.LatenessCost += late
	}
	sort.Slice(p.Routes, func(a, b int) bool { return p.Routes[a].Technician < p.Routes[b].Technician })
	p.Vehicles = len(p.Routes)
	for _, v := range s.unassigned {
		if !out[v] {
			p.Unplaced = append(p.Unplaced, Unplaced{Visit: m.vis[v].id, Reason: m.leftReason(s, v)})
		}
	}
	sort.Slice(p.Unplaced, func(a, b int) bool { return p.Unplaced[a].Visit < p.Unplaced[b].Visit })
	return p
}
