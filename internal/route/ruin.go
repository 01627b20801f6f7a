package route

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Parameters of the ruin step (slack induction by string removals,
// Christiaens and Vanden Berghe 2020): about avgRemoved visits leave per
// step, in strings of at most maxString consecutive visits of routes near
// a random seed visit.
const (
	avgRemoved = 10.0
	maxString  = 10.0
	splitRate  = 0.5
	splitDepth = 0.01
)

// worker is one search: a random stream and scratch space.
type worker struct {
	m       *model
	c       costs
	rng     *rand.Rand
	routeOf []int32 // visit -> route, -1 when not on a route
	ruined  []bool
	removed []int32
	keys    []float64
	absence []int64
	tried   []bool // per technician class, for empty routes
	// nearBank makes ruin start next to left-out visits and recreate place
	// the most often left out first (route elimination).
	nearBank bool
	bits     uint64  // xorshift state for blinks
	seq      []int32 // scratch for exactDelta
	prefixA  []float64
	prefixB  []float64
}

func newWorker(m *model, c costs, seed uint64) *worker {
	return &worker{
		m: m, c: c,
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		routeOf: make([]int32, m.n),
		ruined:  make([]bool, m.k),
		keys:    make([]float64, m.n),
		absence: make([]int64, m.n),
		tried:   make([]bool, m.k),
		bits:    seed | 1,
	}
}

func (w *worker) index(s *solution) {
	for i := range w.routeOf {
		w.routeOf[i] = -1
	}
	for ri := range s.routes {
		for _, v := range s.routes[ri].visits {
			w.routeOf[v] = int32(ri)
		}
	}
}

// ruin removes strings of visits from routes around a random seed visit and
// returns them in w.removed.
func (w *worker) ruin(s *solution) {
	m := w.m
	w.removed = w.removed[:0]
	assigned := m.n - len(s.unassigned)
	if assigned <= 0 || s.used == 0 {
		return
	}
	avgLen := float64(assigned) / float64(s.used)
	lsMax := math.Min(maxString, avgLen)
	ksMax := 4*avgRemoved/(1+lsMax) - 1
	ks := int(1 + w.rng.Float64()*ksMax)
	seed := w.rng.IntN(m.n)
	if w.nearBank && len(s.unassigned) > 0 && w.rng.Float64() < 0.5 {
		// Make room next to a visit left out.
		seed = int(s.unassigned[w.rng.IntN(len(s.unassigned))])
	} else {
		for w.routeOf[seed] < 0 {
			seed = w.rng.IntN(m.n)
		}
	}
	for i := range w.ruined {
		w.ruined[i] = false
	}
	done := 0
	for _, c := range m.near[seed] {
		if done >= ks {
			break
		}
		ri := w.routeOf[c]
		if ri < 0 || w.ruined[ri] {
			continue
		}
		r := &s.routes[ri]
		lMax := math.Min(float64(len(r.visits)), lsMax)
		l := int(1 + w.rng.Float64()*lMax)
		if l > len(r.visits) {
			l = len(r.visits)
		}
		pos := 0
		for r.visits[pos] != c {
			pos++
		}
		if w.rng.Float64() < splitRate && l < len(r.visits) {
			w.removeSplitString(r, pos, l)
		} else {
			w.removeString(r, pos, l)
		}
		m.update(r)
		w.ruined[ri] = true
		done++
	}
}

func (w *worker) removeString(r *route, pos, l int) {
	lo := max(0, pos-l+1)
	hi := min(pos, len(r.visits)-l)
	from := lo + w.rng.IntN(hi-lo+1)
	w.cut(r, from, from+l, -1, -1)
}

// removeSplitString removes l visits from a string of l+keep visits holding
// pos, keeping a random run of keep visits inside it.
func (w *worker) removeSplitString(r *route, pos, l int) {
	keep := 1
	for keep < len(r.visits)-l && w.rng.Float64() > splitDepth {
		keep++
	}
	size := l + keep
	lo := max(0, pos-size+1)
	hi := min(pos, len(r.visits)-size)
	from := lo + w.rng.IntN(hi-lo+1)
	k := from + w.rng.IntN(size-keep+1)
	w.cut(r, from, from+size, k, k+keep)
}

// cut removes visits [from, to) of r except [keepFrom, keepTo).
func (w *worker) cut(r *route, from, to, keepFrom, keepTo int) {
	out := r.visits[:from]
	for i := from; i < len(r.visits); i++ {
		v := r.visits[i]
		if i < to && (i < keepFrom || i >= keepTo) {
			w.removed = append(w.removed, v)
			w.routeOf[v] = -1
			continue
		}
		out = append(out, v)
	}
	r.visits = out
}

// order sorts the visits to reinsert by one of several criteria, chosen at
// random with weights: random, largest demand, farthest from the start,
// closest to it, tightest window, earliest deadline.
func (w *worker) order(list []int32) {
	m := w.m
	if m.k == 0 || len(list) < 2 {
		return
	}
	home := m.tech[0].startLoc
	var key func(v int32) float64
	if w.nearBank && w.rng.IntN(2) == 0 {
		for _, v := range list {
			w.keys[v] = -float64(w.absence[v])
		}
		sort.SliceStable(list, func(i, j int) bool { return w.keys[list[i]] < w.keys[list[j]] })
		return
	}
	switch x := w.rng.IntN(13); {
	case x < 4:
		w.rng.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
		return
	case x < 7:
		key = func(v int32) float64 { return -m.vis[v].demand }
	case x < 9:
		key = func(v int32) float64 { return -m.d(home, int(v)) }
	case x < 10:
		key = func(v int32) float64 { return m.d(home, int(v)) }
	case x < 12:
		key = func(v int32) float64 {
			win := m.vis[v].win
			return win[len(win)-1].Close - win[0].Open
		}
	default:
		key = func(v int32) float64 { return m.vis[v].lastClose }
	}
	for _, v := range list {
		w.keys[v] = key(v)
	}
	sort.SliceStable(list, func(i, j int) bool { return w.keys[list[i]] < w.keys[list[j]] })
}
