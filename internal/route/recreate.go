package route

import "math"

// recreate inserts the visits in list, each at its cheapest feasible place
// (skipping each place with a small probability, the "blinks" that vary the
// search). An empty route is opened only while fewer than maxRoutes are in
// use; a visit with no place joins s.unassigned.
func (w *worker) recreate(s *solution, list []int32, maxRoutes int) {
	m := w.m
	w.order(list)
	used := 0
	for ri := range s.routes {
		if len(s.routes[ri].visits) > 0 {
			used++
		}
	}
	for _, v := range list {
		allowNew := used < maxRoutes
		bestRoute, bestPos, best := -1, 0, math.Inf(1)
		for i := range w.tried {
			w.tried[i] = false
		}
		for ri := range s.routes {
			r := &s.routes[ri]
			extra := 0.0
			if len(r.visits) == 0 {
				cl := m.class[r.tech]
				if !allowNew || w.tried[cl] {
					continue
				}
				w.tried[cl] = true
				extra = w.c.vehicle
			}
			pos, delta := w.bestInsertion(r, v, best-extra)
			if pos >= 0 && delta+extra < best {
				bestRoute, bestPos, best = ri, pos, delta+extra
			}
		}
		if bestRoute < 0 {
			s.unassigned = append(s.unassigned, v)
			continue
		}
		r := &s.routes[bestRoute]
		if len(r.visits) == 0 {
			used++
		}
		r.visits = append(r.visits, 0)
		copy(r.visits[bestPos+1:], r.visits[bestPos:])
		r.visits[bestPos] = v
		m.update(r)
		w.routeOf[v] = int32(bestRoute)
	}
}

// bestInsertion returns the cheapest position to insert v in r (the index in
// r.visits it would take) and the cost added, or -1 when no position is
// feasible or cheaper than bound.
func (w *worker) bestInsertion(r *route, v int32, bound float64) (int, float64) {
	m := w.m
	k := int(r.tech)
	if !m.qual[int(v)*m.k+k] {
		return -1, 0
	}
	t := &m.tech[k]
	mv := &m.vis[v]
	if r.load+mv.demand > t.capacity+eps {
		return -1, 0
	}
	svc := mv.dur * t.durFactor
	n := len(r.visits)
	bestPos, best := -1, bound
	prev := t.startLoc
	for p := 0; p <= n; p++ {
		// r.start is increasing: once the previous service starts after
		// v's last window closes, no later position can work.
		if r.start[p] > mv.lastClose+eps {
			break
		}
		next := t.endLoc
		if p < n {
			next = int(r.visits[p])
		}
		if w.blink() {
			prev = next
			continue
		}
		dpv := m.d(prev, int(v))
		dvn := m.d(int(v), next)
		delta := dpv + dvn - m.d(prev, next)
		if n == 0 {
			delta = dpv + dvn // an empty route adds all of its distance
		}
		if delta >= best {
			prev = next
			continue
		}
		arr := r.start[p] + m.service(r, p) + dpv*m.invSpeed
		st := earliestStart(mv.win, arr)
		if st+svc+dvn*m.invSpeed <= r.latest[p+1]+eps {
			if m.complex {
				delta = w.exactDelta(r, v, p)
			}
			if delta < best {
				bestPos, best = p, delta
			}
		}
		prev = next
	}
	return bestPos, best
}

// exactDelta is the cost of inserting v at p by simulating the whole route
// (breaks, shift length, soft deadlines), or +Inf if that breaks a rule.
func (w *worker) exactDelta(r *route, v int32, p int) float64 {
	m := w.m
	seq := append(w.seq[:0], r.visits[:p]...)
	seq = append(seq, v)
	seq = append(seq, r.visits[p:]...)
	w.seq = seq
	ok, dist, late := m.simulate(int(r.tech), seq, nil)
	if !ok {
		return math.Inf(1)
	}
	base := r.cost
	if len(r.visits) == 0 {
		base = 0
	}
	return dist + late - base
}

// blinkBelow makes a blink (a position skipped) happen with probability 0.01.
const blinkBelow = uint64(1 << 64 / 100)

// blink draws whether to skip a position, from a xorshift stream seeded by
// the worker's generator: cheaper than a float per position.
func (w *worker) blink() bool {
	x := w.bits
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	w.bits = x
	return x < blinkBelow
}
