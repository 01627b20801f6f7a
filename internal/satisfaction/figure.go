// Package satisfaction measures the customer's satisfaction (DOMAIN 3.2.2):
// surveys sent after sealed visits and answered by link without an account,
// and each agreement's satisfaction per period against its threshold. It
// also keeps the vendor's callback queue (回访审核), in which the vendor's
// auditors phone customers back and confirm a visit or send it back.
//
// The arithmetic (sampling, figures, thresholds) is plain Go over values in
// this file and sample.go; storage.go holds the SQL, service.go the use
// cases. The package must not import web or api.
package satisfaction

import (
	"fmt"
	"regexp"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
)

// Tally is what a period's surveys say, counted from their rows: how many
// were sent and answered, how many answers were satisfied, and the sum of
// the scores per scale maximum (a scale may change between versions).
type Tally struct {
	Sent      int
	Answers   int
	Satisfied int
	// ScoreSums maps a scale's maximum to the sum of the scores given on it.
	ScoreSums map[int]int64
}

// Figure is an agreement's satisfaction in one period. Rates are in tenths
// of a percent, rounded down for display; BelowThreshold is decided exactly.
type Figure struct {
	AgreementID          int64  `json:"agreement_id"`
	Period               string `json:"period" doc:"YYYY-MM, in China time."`
	Formula              string `json:"formula" doc:"share_satisfied or mean."`
	Sent                 int    `json:"sent"`
	Answers              int    `json:"answers"`
	Satisfied            int    `json:"satisfied"`
	ResponseRatePermille int    `json:"response_rate_permille"`
	ScorePermille        int    `json:"score_permille"`
	ThresholdPermille    int    `json:"threshold_permille"`
	MinAnswers           int    `json:"min_answers"`
	// Judged is false when there are fewer answers than MinAnswers: too few
	// answers to judge, and the period is never below its threshold then.
	Judged         bool `json:"judged"`
	BelowThreshold bool `json:"below_threshold"`
}

// scaleLCM is a common multiple of every scale maximum (1..10), so that a
// mean over answers on different scales is computed in integers.
const scaleLCM = 2520

// Compute turns a tally into the period's figure under the survey terms and
// the threshold in force.
func Compute(t Tally, rules agreement.SurveyTerms, thresholdPermille int) Figure {
	f := Figure{Formula: rules.Formula, Sent: t.Sent, Answers: t.Answers, Satisfied: t.Satisfied,
		ThresholdPermille: thresholdPermille, MinAnswers: rules.MinAnswers}
	if t.Sent > 0 {
		f.ResponseRatePermille = int(int64(t.Answers) * 1000 / int64(t.Sent))
	}
	if t.Answers == 0 {
		return f
	}
	// num/den is the score as a fraction of 1.
	var num, den int64
	switch rules.Formula {
	case agreement.FormulaMean:
		for max, sum := range t.ScoreSums {
			if max > 0 {
				num += sum * (scaleLCM / int64(max))
			}
		}
		den = int64(t.Answers) * scaleLCM
	default:
		num, den = int64(t.Satisfied), int64(t.Answers)
	}
	f.ScorePermille = int(num * 1000 / den)
	f.Judged = t.Answers >= rules.MinAnswers && t.Answers > 0
	f.BelowThreshold = f.Judged && num*1000 < int64(thresholdPermille)*den
	return f
}

var periodPattern = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)

// ParsePeriod checks a period YYYY-MM and returns the instants it starts
// and ends in China time.
func ParsePeriod(p string) (start, end time.Time, err error) {
	if !periodPattern.MatchString(p) {
		return start, end, fmt.Errorf("period must be YYYY-MM, not %q", p)
	}
	start, err = time.ParseInLocation("2006-01", p, calendar.Shanghai)
	if err != nil {
		return start, end, fmt.Errorf("period must be YYYY-MM, not %q", p)
	}
	return start.UTC(), start.AddDate(0, 1, 0).UTC(), nil
}

// PeriodOf is the period (YYYY-MM, China time) an instant falls in.
func PeriodOf(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01") }

// PreviousPeriods lists n periods ending with p, oldest first.
func PreviousPeriods(p string, n int) []string {
	start, _, err := ParsePeriod(p)
	if err != nil {
		return nil
	}
	local := start.In(calendar.Shanghai)
	out := make([]string, n)
	for i := range n {
		out[n-1-i] = local.AddDate(0, -i, 0).Format("2006-01")
	}
	return out
}
