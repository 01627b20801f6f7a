package web

import (
	"net/url"
	"slices"
	"testing"

	"aftersales/internal/problem"
)

// Whatever the query of the records page or its export, the filter is
// either sound or refused with the bad fields named.
func FuzzRecordFilter(f *testing.F) {
	for _, q := range []string{"", "agreement=3&from=2026-11-01&to=2026-11-30", "before=17", "from=yesterday", "agreement=-1", "before=x&to=2026-02-30"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		pq := &pageQuery{Values: q}
		got := recordFilter(pq)
		if err := pq.Err(); err != nil {
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.Invalid || len(p.Fields) == 0 {
				t.Fatalf("%q: %v", raw, err)
			}
			for _, fe := range p.Fields {
				if !slices.Contains([]string{"agreement", "from", "to", "before"}, fe.Field) {
					t.Fatalf("%q names %q", raw, fe.Field)
				}
			}
			return
		}
		if got.AgreementID < 0 || got.Before < 0 || (q.Get("to") != "" && got.To.IsZero()) || (q.Get("from") != "" && got.From.IsZero()) {
			t.Fatalf("%q gives %+v", raw, got)
		}
	})
}
