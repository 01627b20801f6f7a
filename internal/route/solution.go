package route

import "math"

// solution is one route per technician (empty when unused) and the visits
// left out. Its cost orders solutions under the objective.
type solution struct {
	routes     []route
	unassigned []int32
	cost       float64
	dist       float64
	used       int
}

func newSolution(m *model) *solution {
	s := &solution{routes: make([]route, m.k)}
	for i := range s.routes {
		s.routes[i].tech = int32(i)
		m.update(&s.routes[i])
	}
	return s
}

// copyFrom makes s equal to o, reusing s's memory.
func (s *solution) copyFrom(o *solution) {
	if len(s.routes) != len(o.routes) {
		s.routes = make([]route, len(o.routes))
	}
	for i := range o.routes {
		a, b := &s.routes[i], &o.routes[i]
		a.tech = b.tech
		a.visits = append(a.visits[:0], b.visits...)
		a.start = append(a.start[:0], b.start...)
		a.latest = append(a.latest[:0], b.latest...)
		a.load, a.dist, a.cost = b.load, b.dist, b.cost
	}
	s.unassigned = append(s.unassigned[:0], o.unassigned...)
	s.cost, s.dist, s.used = o.cost, o.dist, o.used
}

// costs weigh the parts of the objective: a visit left out outweighs any
// number of vehicles, and under the Vehicles objective a vehicle outweighs
// any distance.
type costs struct {
	vehicle    float64
	unassigned float64
}

func objectiveCosts(m *model, obj Objective) costs {
	// An upper bound on any plan's distance: every visit on its own route.
	bound := 1.0
	for j := range m.tech {
		for i := 0; i < m.n; i++ {
			bound = math.Max(bound, m.d(m.tech[j].startLoc, i)+m.d(i, m.tech[j].endLoc))
		}
	}
	bound *= float64(m.n + 1)
	// Plus an upper bound on what the soft deadlines can cost: no service
	// starts after the last shift ends. A visit that can be done late is
	// then always done rather than left out.
	bound += m.latenessBound()
	c := costs{unassigned: 100 * bound}
	if obj == Vehicles {
		c.vehicle = bound
		c.unassigned = bound * float64(m.k+2)
	}
	return c
}

// evaluate refreshes the totals of s.
func (s *solution) evaluate(c costs) {
	s.cost, s.dist, s.used = 0, 0, 0
	for i := range s.routes {
		r := &s.routes[i]
		if len(r.visits) == 0 {
			continue
		}
		s.used++
		s.dist += r.dist
		s.cost += r.cost
	}
	s.cost += float64(s.used)*c.vehicle + float64(len(s.unassigned))*c.unassigned
}

// latenessBound is the most the soft deadlines can cost: every visit with
// one starting as late as any shift allows.
func (m *model) latenessBound() float64 {
	horizon := math.Inf(-1)
	for j := range m.tech {
		horizon = math.Max(horizon, m.tech[j].shiftEnd)
		if u := m.tech[j].underWay; u != nil {
			horizon = math.Max(horizon, u.End)
		}
	}
	total := 0.0
	for i := 0; i < m.n; i++ {
		v := &m.vis[i]
		if v.soft && horizon > v.softAt {
			total += (math.Min(horizon, math.Max(v.lastClose, v.softAt)) - v.softAt) * v.softCost
		}
	}
	return total
}
