package route

import "math"

// route is one technician's sequence of visits with the data that make an
// insertion check O(1): for every position, the earliest service start
// (forward pass) and the latest arrival that keeps the rest of the route
// within its windows and the shift (backward pass). Position 0 is the start
// location, position len(visits)+1 the end location.
type route struct {
	tech   int32
	visits []int32
	start  []float64
	latest []float64
	load   float64
	dist   float64
	cost   float64 // distance plus soft-deadline cost
}

func (m *model) loc(r *route, pos int) int {
	switch {
	case pos == 0:
		return m.tech[r.tech].startLoc
	case pos == len(r.visits)+1:
		return m.tech[r.tech].endLoc
	default:
		return int(r.visits[pos-1])
	}
}

// service is the duration at a position for this route's technician.
func (m *model) service(r *route, pos int) float64 {
	if pos == 0 || pos == len(r.visits)+1 {
		return 0
	}
	return m.vis[r.visits[pos-1]].dur * m.tech[r.tech].durFactor
}

// update recomputes a route's schedule after its visits changed.
func (m *model) update(r *route) {
	n := len(r.visits)
	r.start = grow(r.start, n+2)
	r.latest = grow(r.latest, n+2)
	t := &m.tech[r.tech]
	r.start[0] = t.shiftStart
	prev, load, dist := t.startLoc, 0.0, 0.0
	for i, v := range r.visits {
		d := m.d(prev, int(v))
		dist += d
		arr := r.start[i] + m.service(r, i) + d*m.invSpeed
		r.start[i+1] = earliestStart(m.vis[v].win, arr)
		load += m.vis[v].demand
		prev = int(v)
	}
	d := m.d(prev, t.endLoc)
	dist += d
	r.start[n+1] = r.start[n] + m.service(r, n) + d*m.invSpeed
	r.latest[n+1] = t.shiftEnd
	next := t.endLoc
	for i := n; i >= 1; i-- {
		v := r.visits[i-1]
		lim := r.latest[i+1] - m.vis[v].dur*t.durFactor - m.d(int(v), next)*m.invSpeed
		r.latest[i] = latestStart(m.vis[v].win, lim)
		next = int(v)
	}
	r.latest[0] = r.latest[1] - m.d(t.startLoc, next)*m.invSpeed
	if n == 0 {
		r.latest[0] = t.shiftEnd - m.d(t.startLoc, t.endLoc)*m.invSpeed
	}
	r.load, r.dist, r.cost = load, dist, dist
	if m.complex && n > 0 {
		if ok, _, late := m.simulate(int(r.tech), r.visits, nil); ok {
			r.cost = dist + late
		} else {
			r.cost = math.Inf(1)
		}
	}
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n, 2*n)
	}
	return s[:n]
}

// timeline receives the times simulate computes, for the plan.
type timeline struct {
	departure, ret float64
	stops          []Stop
	breaks         []TakenBreak
}

// simulate drives a technician through visits and reports whether every
// constraint holds (windows, shift end, breaks, maximum shift length), the
// distance and the soft-deadline cost. The technician leaves as late as the
// first visit allows. A break is taken while waiting at a visit if the wait
// covers it, otherwise before leaving for the first visit that would end
// after the break's latest start; a break still due when the last visit ends
// is taken before driving back, unless the day ends before it opens.
func (m *model) simulate(k int, visits []int32, tl *timeline) (ok bool, dist, late float64) {
	t := &m.tech[k]
	now := t.shiftStart
	prev := t.startLoc
	if len(visits) > 0 {
		v := visits[0]
		tt := m.d(prev, int(v)) * m.invSpeed
		if s := earliestStart(m.vis[v].win, now+tt); s-tt > now && !math.IsInf(s, 1) {
			now = s - tt
		}
		if len(t.breaks) > 0 && t.breaks[0].Latest < now {
			now = t.shiftStart // a break is due before the first visit can start: leave early
		}
	}
	departure := now
	nb := 0
	for _, v := range visits {
		mv := &m.vis[v]
		svc := mv.dur * t.durFactor
		d := m.d(prev, int(v))
		arr := now + d*m.invSpeed
		st := earliestStart(mv.win, arr)
		for nb < len(t.breaks) {
			b := t.breaks[nb]
			if bs := math.Max(arr, b.Earliest); bs <= b.Latest+eps && bs+b.Duration <= st+eps {
				if tl != nil {
					tl.breaks = append(tl.breaks, TakenBreak{Start: bs, End: bs + b.Duration})
				}
				nb++
				continue
			}
			if st+svc <= b.Latest+eps {
				break
			}
			if now, ok = breakBeforeLeaving(b, now, tl); !ok {
				return false, 0, 0
			}
			nb++
			arr = now + d*m.invSpeed
			st = earliestStart(mv.win, arr)
		}
		if math.IsInf(st, 1) {
			return false, 0, 0
		}
		dist += d
		lateBy := 0.0
		if mv.soft && st > mv.softAt {
			lateBy = st - mv.softAt
			late += lateBy * mv.softCost
		}
		if tl != nil {
			tl.stops = append(tl.stops, Stop{Visit: mv.id, Arrival: arr, Start: st, End: st + svc, Lateness: lateBy})
		}
		now = st + svc
		prev = int(v)
	}
	d := m.d(prev, t.endLoc)
	arr := now + d*m.invSpeed
	for ; nb < len(t.breaks) && len(visits) > 0; nb++ {
		b := t.breaks[nb]
		if arr < b.Earliest {
			break
		}
		if now, ok = breakBeforeLeaving(b, now, tl); !ok {
			return false, 0, 0
		}
		arr = now + d*m.invSpeed
	}
	dist += d
	if arr > t.shiftEnd+eps {
		return false, 0, 0
	}
	if t.maxShift > 0 && len(visits) > 0 && arr-departure > t.maxShift+eps {
		return false, 0, 0
	}
	if tl != nil {
		tl.departure, tl.ret = departure, arr
	}
	return true, dist, late
}

// breakBeforeLeaving takes break b before leaving at now: from now, or
// from the break's earliest start if that is later, recorded in tl when
// given. It answers when the technician can leave, and false when the
// break could no longer start by its latest start.
func breakBeforeLeaving(b Break, now float64, tl *timeline) (float64, bool) {
	bs := math.Max(now, b.Earliest)
	if bs > b.Latest+eps {
		return now, false
	}
	if tl != nil {
		tl.breaks = append(tl.breaks, TakenBreak{Start: bs, End: bs + b.Duration})
	}
	return bs + b.Duration, true
}
