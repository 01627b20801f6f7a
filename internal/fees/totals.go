package fees

import (
	"slices"

	"aftersales/internal/calendar"
)

// RateTotal is what the lines of one VAT rate come to.
type RateTotal struct {
	RateBP BP    `json:"rate_bp"`
	NetFen int64 `json:"net_fen"`
	TaxFen int64 `json:"tax_fen"`
}

// Totals are the sums of a set of lines: before tax, tax, with tax, and
// per VAT rate (by increasing rate). They are never rounded again: the
// tax of a total is the sum of its lines' taxes.
type Totals struct {
	NetFen   int64       `json:"net_fen"`
	TaxFen   int64       `json:"tax_fen"`
	GrossFen int64       `json:"gross_fen"`
	ByRate   []RateTotal `json:"by_rate"`
}

// Sum adds up lines.
func Sum(lines []Line) Totals {
	var t Totals
	for i := range lines {
		l := &lines[i]
		t.NetFen += l.NetFen
		t.TaxFen += l.TaxFen
		t.GrossFen += l.GrossFen
		j := slices.IndexFunc(t.ByRate, func(r RateTotal) bool { return r.RateBP == l.TaxRateBP })
		if j < 0 {
			t.ByRate = append(t.ByRate, RateTotal{RateBP: l.TaxRateBP})
			j = len(t.ByRate) - 1
		}
		t.ByRate[j].NetFen += l.NetFen
		t.ByRate[j].TaxFen += l.TaxFen
	}
	slices.SortFunc(t.ByRate, func(a, b RateTotal) int { return int(a.RateBP - b.RateBP) })
	return t
}

// PeriodCap returns the lines that bring a period's fees (every line but
// parts, before tax) down to the schedule's period cap: nothing when there
// is no cap or the fees stay under it. The reduction is taken from the
// labour category first, then from consultation, so that each reduction
// line carries its category's VAT rate; day is the period's last day.
func (s *Schedule) PeriodCap(lines []Line, day calendar.Date) []Line {
	c := s.Caps.PerPeriodFen
	if c <= 0 {
		return nil
	}
	var byCat [2]int64 // labour, consultation
	for i := range lines {
		switch lines[i].Category {
		case CategoryLabour:
			byCat[0] += lines[i].NetFen
		case CategoryConsultation:
			byCat[1] += lines[i].NetFen
		}
	}
	over := byCat[0] + byCat[1] - c
	if over <= 0 {
		return nil
	}
	rates := s.ratesOn(day)
	var out []Line
	for i, cat := range []Category{CategoryLabour, CategoryConsultation} {
		take := min(over, max(byCat[i], 0))
		if take <= 0 {
			continue
		}
		out = append(out, taxed(Line{Kind: LinePeriodCap, Category: cat, Quantity: 1, UnitFen: c, NetFen: -take}, rates))
		over -= take
	}
	return out
}
