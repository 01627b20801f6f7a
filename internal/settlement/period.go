package settlement

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/problem"
)

// Period is a settlement period: a month ("2026-11") or a quarter
// ("2026-Q4"), from its first day to the day after its last, in Shanghai.
type Period struct {
	Key  string
	From calendar.Date // first day
	To   calendar.Date // the day after the last
}

var periodPattern = regexp.MustCompile(`^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$`)

// ParsePeriod reads a month or a quarter; field names it in the error.
func ParsePeriod(field, s string) (Period, error) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return Period{}, problem.Field(field, "must be a month YYYY-MM or a quarter YYYY-Qn, not %q", s)
	}
	y, _ := strconv.Atoi(m[1])
	if y < 2000 || y > 2200 {
		return Period{}, problem.Field(field, "year %d is out of range", y)
	}
	if m[2] != "" {
		mo, _ := strconv.Atoi(m[2])
		from := calendar.NewDate(y, monthOf(mo), 1)
		return Period{Key: s, From: from, To: addMonths(from, 1)}, nil
	}
	q, _ := strconv.Atoi(m[3])
	from := calendar.NewDate(y, monthOf(3*q-2), 1)
	return Period{Key: s, From: from, To: addMonths(from, 3)}, nil
}

// Kind is the settlement period kind the key names.
func (p Period) Kind() agreement.SettlementPeriod {
	if len(p.Key) == 7 && p.Key[5] == 'Q' {
		return agreement.Quarterly
	}
	return agreement.Monthly
}

// Last is the period's last day.
func (p Period) Last() calendar.Date { return p.To.AddDays(-1) }

// Contains tells whether day is in the period.
func (p Period) Contains(day calendar.Date) bool { return !day.Before(p.From) && day.Before(p.To) }

// PeriodOf is the period of kind k that day falls in.
func PeriodOf(k agreement.SettlementPeriod, day calendar.Date) Period {
	if k == agreement.Quarterly {
		p, _ := ParsePeriod("", fmt.Sprintf("%04d-Q%d", day.Year, (int(day.Month)+2)/3))
		return p
	}
	p, _ := ParsePeriod("", fmt.Sprintf("%04d-%02d", day.Year, int(day.Month)))
	return p
}

func monthOf(m int) time.Month { return time.Month(m) }

func addMonths(d calendar.Date, n int) calendar.Date {
	m := int(d.Month) - 1 + n
	return calendar.NewDate(d.Year+m/12, time.Month(m%12+1), 1)
}

func mustDate(s string) calendar.Date { return calendar.MustParseDate(s) }

var calendarParse = calendar.ParseDate

// periodAgreed refuses a period of another kind than the agreement's terms
// on the period's last day settle by (payment.settlement_period): a quarter
// of an agreement settled monthly would bill again the months already on
// their own statements.
func periodAgreed(versions []agreement.Version, number string, p Period) error {
	v, ok := agreement.InForce(versions, p.Last().String())
	if !ok {
		return nil
	}
	switch agreed := v.Terms.Payment.SettlementPeriod; {
	case agreed == "" || agreed == p.Kind():
		return nil
	case agreed == agreement.Quarterly:
		return problem.Field("period", "agreement %s is settled quarterly: give a quarter such as 2026-Q4, not %s", number, p.Key)
	default:
		return problem.Field("period", "agreement %s is settled monthly: give a month such as 2026-11, not %s", number, p.Key)
	}
}
