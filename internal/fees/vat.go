package fees

import (
	"aftersales/internal/calendar"
	"aftersales/internal/problem"
)

// Category is the VAT category of a line.
type Category string

const (
	// CategoryLabour is repair and maintenance work: the visit fee, labour,
	// travel and surcharges (修理修配劳务).
	CategoryLabour Category = "labour"
	// CategoryParts is goods: the parts fitted.
	CategoryParts Category = "parts"
	// CategoryConsultation is technical consultation (技术咨询服务).
	CategoryConsultation Category = "consultation"
)

// The rates of the VAT Law in force from 2026-01-01 for a general taxpayer,
// and the simplified rate of a small-scale taxpayer (3 %), reduced to 1 %
// for sales on or before SmallScaleReducedUntil (财政部 税务总局公告2023年第19号).
const (
	DefaultLabourBP       BP = 1300
	DefaultPartsBP        BP = 1300
	DefaultConsultationBP BP = 600
	SmallScaleBP          BP = 300
	SmallScaleReducedBP   BP = 100
)

// SmallScaleReducedUntil is the last day of the reduced small-scale rate.
var SmallScaleReducedUntil = calendar.NewDate(2027, 12, 31)

// VAT holds the rates the agreement sets. A rate left out takes the
// default for the provider's kind of taxpayer on the day of the sale.
type VAT struct {
	// SmallScale is set for a small-scale taxpayer (小规模纳税人), who
	// charges the simplified rate on every line.
	SmallScale     bool `json:"small_scale" doc:"The provider is a small-scale taxpayer: every line uses the simplified rate (3 %, 1 % until 2027-12-31) unless a rate is given."`
	LabourBP       *BP  `json:"labour_bp,omitempty" doc:"VAT on visit fees, labour, travel and surcharges, in hundredths of a percent; absent: 1300 (13 %)."`
	PartsBP        *BP  `json:"parts_bp,omitempty" doc:"VAT on parts; absent: 1300 (13 %)."`
	ConsultationBP *BP  `json:"consultation_bp,omitempty" doc:"VAT on consultations; absent: 600 (6 %)."`
}

// RateOn is the rate of a line of category c sold on day.
func (v VAT) RateOn(c Category, day calendar.Date) BP {
	var set *BP
	def := DefaultLabourBP
	switch c {
	case CategoryParts:
		set, def = v.PartsBP, DefaultPartsBP
	case CategoryConsultation:
		set, def = v.ConsultationBP, DefaultConsultationBP
	default:
		set = v.LabourBP
	}
	switch {
	case set != nil:
		return *set
	case v.SmallScale && !day.After(SmallScaleReducedUntil):
		return SmallScaleReducedBP
	case v.SmallScale:
		return SmallScaleBP
	}
	return def
}

func (v VAT) check(fs *problem.Fields, prefix string) {
	rates := []struct {
		name string
		bp   *BP
	}{{"labour_bp", v.LabourBP}, {"parts_bp", v.PartsBP}, {"consultation_bp", v.ConsultationBP}}
	for _, r := range rates {
		if r.bp != nil {
			checkRate(fs, prefix+"."+r.name, *r.bp)
		}
	}
}

func (v VAT) clone() VAT {
	for _, p := range []**BP{&v.LabourBP, &v.PartsBP, &v.ConsultationBP} {
		if *p != nil {
			c := **p
			*p = &c
		}
	}
	return v
}
