package api_test

import (
	"time"

	"aftersales/internal/satisfaction"
)

// The satisfaction of each agreement the caller reads, this period and last.
func init() {
	after["/satisfaction"] = []string{"/agreements"}
	queries["/satisfaction"] = func(w *docWalk, _ string) []string {
		periods := satisfaction.PreviousPeriods(satisfaction.PeriodOf(time.Now()), 2)
		var out []string
		for _, a := range w.answers["/agreements"] {
			for _, id := range values(a.body, "items.*.id") {
				for _, p := range periods {
					out = append(out, "agreement="+id+"&period="+p)
				}
			}
		}
		return out
	}
}
