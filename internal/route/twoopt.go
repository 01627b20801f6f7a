package route

// exchangeTails improves s by 2-opt* moves until none is left: two routes
// of technicians of one class swap the ends of their sequences (route a
// keeps its visits up to position i and takes b's after j, and b the
// reverse) when that shortens them and keeps every window and capacity.
// String removals rarely find these moves on long routes. The windows are
// checked in O(1) from the routes' earliest starts and latest arrivals;
// days with breaks, shift lengths or soft deadlines are left alone.
func (w *worker) exchangeTails(s *solution) bool {
	m := w.m
	if m.complex {
		return false
	}
	improved := false
	for again := true; again; {
		again = false
		for a := range s.routes {
			for b := range s.routes {
				if a != b && w.tryExchange(&s.routes[a], &s.routes[b]) {
					again, improved = true, true
				}
			}
		}
	}
	if improved {
		w.index(s)
		s.evaluate(w.c)
	}
	return improved
}

// tryExchange makes the best improving tail exchange between ra and rb.
func (w *worker) tryExchange(ra, rb *route) bool {
	m := w.m
	if m.class[ra.tech] != m.class[rb.tech] || len(ra.visits) == 0 {
		return false
	}
	t := &m.tech[ra.tech]
	na, nb := len(ra.visits), len(rb.visits)
	// Loads of the prefixes: prefix[i] is the load of the first i visits.
	w.prefixA = prefixLoads(m, ra, w.prefixA)
	w.prefixB = prefixLoads(m, rb, w.prefixB)
	bestGain, bi, bj := 1e-9, -1, -1
	for i := 0; i <= na; i++ { // a keeps positions 0..i (i visits), b's tail after j follows
		la := m.loc(ra, i)
		na1 := m.loc(ra, i+1)
		depA := ra.start[i] + m.service(ra, i)
		for j := 0; j <= nb; j++ {
			if i == na && j == nb {
				continue
			}
			lb := m.loc(rb, j)
			nb1 := m.loc(rb, j+1)
			gain := m.d(la, na1) + m.d(lb, nb1) - m.d(la, nb1) - m.d(lb, na1)
			if gain <= bestGain {
				continue
			}
			if w.prefixA[i]+(rb.load-w.prefixB[j]) > t.capacity+eps || w.prefixB[j]+(ra.load-w.prefixA[i]) > t.capacity+eps {
				continue
			}
			// a's head then b's tail, and b's head then a's tail.
			if depA+m.d(la, nb1)*m.invSpeed > rb.latest[j+1]+eps {
				continue
			}
			depB := rb.start[j] + m.service(rb, j)
			if depB+m.d(lb, na1)*m.invSpeed > ra.latest[i+1]+eps {
				continue
			}
			bestGain, bi, bj = gain, i, j
		}
	}
	if bi < 0 {
		return false
	}
	headA := append([]int32(nil), ra.visits[:bi]...)
	tailA := append([]int32(nil), ra.visits[bi:]...)
	ra.visits = append(append(ra.visits[:0], headA...), rb.visits[bj:]...)
	rb.visits = append(rb.visits[:bj], tailA...)
	m.update(ra)
	m.update(rb)
	return true
}

func prefixLoads(m *model, r *route, buf []float64) []float64 {
	buf = append(buf[:0], 0)
	for _, v := range r.visits {
		buf = append(buf, buf[len(buf)-1]+m.vis[v].demand)
	}
	return buf
}
