package agreement

import (
	"slices"
	"strings"
	"testing"
	"time"

	"aftersales/internal/problem"
)

// sampleTerms is a complete, valid set of terms.
func sampleTerms() Terms {
	return Terms{
		Term:                 Term{Start: "2026-01-01", End: "2026-12-31", AutoRenew: true, RenewalMonths: 12},
		CoveredModels:        []string{"HC-CNC-850", "HC-LASER-3015"},
		ServiceArea:          []string{"32", "33", "3101"},
		ServiceItems:         []ServiceItem{Repair, Maintenance, Consultation, PartReplacement},
		Emergency:            EmergencyTerms{ResponseHours: 2, OnSiteHours: 8, CalendarID: "24x7"},
		General:              GeneralTerms{ResponseWorkingDays: 2, CalendarID: "cn"},
		SatisfactionPermille: 925,
		RetentionMonths:      36,
		Payment:              PaymentTerms{SettlementPeriod: Monthly, PaymentDueDays: 30},
		AdjustmentLeadDays:   30,
	}
}

func check(t Terms, complete bool) map[string]string {
	var fs problem.Fields
	t.Check(&fs, "terms", complete)
	out := map[string]string{}
	for _, f := range fs {
		out[f.Field] = f.Message
	}
	return out
}

func TestTermsValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		edit     func(*Terms)
		complete bool
		// want lists the fields that must be reported (and nothing else).
		want []string
	}{
		{"complete terms pass", func(*Terms) {}, true, nil},
		{"an empty draft passes the format check", func(t *Terms) { *t = Terms{} }, false, nil},
		{"an empty draft is incomplete", func(t *Terms) { *t = Terms{} }, true, []string{
			"terms.term.start", "terms.term.end", "terms.covered_models", "terms.service_area", "terms.service_items",
			"terms.emergency.response_hours", "terms.emergency.onsite_hours", "terms.emergency.calendar_id",
			"terms.general.response_working_days", "terms.general.calendar_id", "terms.record_retention_months",
			"terms.payment.settlement_period"}},
		{"Taiwan, Hong Kong, Macau and unknown provinces are refused", func(t *Terms) {
			t.ServiceArea = []string{"32", "71", "8101", "820001", "99", "10"}
		}, true, []string{"terms.service_area[1]", "terms.service_area[2]", "terms.service_area[3]", "terms.service_area[4]", "terms.service_area[5]"}},
		{"codes must be 2, 4 or 6 digits", func(t *Terms) { t.ServiceArea = []string{"320", "3205051", "32a5", ""} },
			true, []string{"terms.service_area[0]", "terms.service_area[1]", "terms.service_area[2]", "terms.service_area[3]"}},
		{"padded province and city codes are refused", func(t *Terms) { t.ServiceArea = []string{"320000", "440300", "4400"} },
			true, []string{"terms.service_area[0]", "terms.service_area[1]", "terms.service_area[2]"}},
		{"a code under another listed code is redundant", func(t *Terms) { t.ServiceArea = []string{"32", "320505", "33", "33"} },
			true, []string{"terms.service_area[1]", "terms.service_area[3]"}},
		{"county codes of 东莞 and development zones pass", func(t *Terms) { t.ServiceArea = []string{"441900", "320571", "46"} }, true, nil},
		{"on site before the response is due", func(t *Terms) { t.Emergency.OnSiteHours = 1 }, true, []string{"terms.emergency.onsite_hours"}},
		{"bad calendar id", func(t *Terms) { t.General.CalendarID = "CN Holidays" }, false, []string{"terms.general.calendar_id"}},
		{"satisfaction over 100 %", func(t *Terms) { t.SatisfactionPermille = 1001 }, false, []string{"terms.satisfaction_threshold_permille"}},
		{"negative numbers are refused even in a draft", func(t *Terms) {
			t.Payment.PaymentDueDays = -1
			t.AdjustmentLeadDays = -3
			t.RetentionMonths = -1
		}, false, []string{"terms.payment.payment_due_days", "terms.adjustment_lead_days", "terms.record_retention_months"}},
		{"escalation and return times out of range", func(t *Terms) {
			t.EscalationAnswerHours = -1
			t.PartReturnDays = 366
		}, false, []string{"terms.escalation_answer_hours", "terms.part_return_days"}},
		{"planned visit times out of range", func(t *Terms) {
			t.VisitMinutes = VisitMinutes{Repair: 10, Maintenance: 1441, Consultation: -5, PartReplacement: 240}
		}, false, []string{"terms.visit_minutes.repair", "terms.visit_minutes.maintenance", "terms.visit_minutes.consultation"}},
		{"escalation and return times set", func(t *Terms) {
			t.EscalationAnswerHours = 2
			t.PartReturnDays = 30
		}, true, nil},
		{"unknown service item and duplicates", func(t *Terms) { t.ServiceItems = []ServiceItem{Repair, "installation", Repair} },
			true, []string{"terms.service_items[1]", "terms.service_items[2]"}},
		{"duplicate model regardless of case", func(t *Terms) { t.CoveredModels = []string{"HC-CNC-850", "hc-cnc-850", "bad model"} },
			true, []string{"terms.covered_models[1]", "terms.covered_models[2]"}},
		{"end before start", func(t *Terms) { t.Term.End = "2025-12-31" }, true, []string{"terms.term.end"}},
		{"not a date", func(t *Terms) { t.Term.Start = "2026/1/1" }, true, []string{"terms.term.start"}},
		{"renewal without months", func(t *Terms) { t.Term.RenewalMonths = 0 }, true, []string{"terms.term.renewal_months"}},
		{"service point outside China", func(t *Terms) {
			t.ServicePoints = []ServicePoint{{Name: "苏州网点", Lat: 31.3, Lng: 120.6, RadiusKM: 80}, {Name: "", Lat: 60, Lng: 10, RadiusKM: 0}}
		}, true, []string{"terms.service_points[1].name", "terms.service_points[1].lat", "terms.service_points[1].lng", "terms.service_points[1].radius_km"}},
		{"resolution shorter than on site", func(t *Terms) { t.Resolution = &ResolutionTargets{EmergencyHours: 4, GeneralWorkingDays: 1} },
			true, []string{"terms.resolution.emergency_hours", "terms.resolution.general_working_days"}},
		{"settlement period", func(t *Terms) { t.Payment.SettlementPeriod = "weekly" }, false, []string{"terms.payment.settlement_period"}},
		{"the payee's account, grouped by spaces, with or without a name", func(t *Terms) {
			t.Payment.BankName, t.Payment.AccountNumber = " 招商银行苏州分行 ", " 6225  8801 2345 6789 "
		}, true, nil},
		{"an account name or bank without a number", func(t *Terms) { t.Payment.BankName, t.Payment.AccountName = "招商银行", "恒信" },
			false, []string{"terms.payment.account_number"}},
		{"an account number without its bank", func(t *Terms) { t.Payment.AccountNumber = "62258801234567" },
			false, []string{"terms.payment.bank_name"}},
		{"account numbers that are not 8 to 32 digits", func(t *Terms) { t.Payment.BankName, t.Payment.AccountNumber = "招商银行", "6225-8801" },
			false, []string{"terms.payment.account_number"}},
		{"a short account number", func(t *Terms) { t.Payment.BankName, t.Payment.AccountNumber = "招商银行", "1234 567" },
			false, []string{"terms.payment.account_number"}},
		{"a long bank name", func(t *Terms) {
			t.Payment.BankName, t.Payment.AccountNumber = strings.Repeat("银", 101), "12345678"
		}, false, []string{"terms.payment.bank_name"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			terms := sampleTerms()
			c.edit(&terms)
			got := check(terms, c.complete)
			var fields []string
			for f := range got {
				fields = append(fields, f)
			}
			slices.Sort(fields)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(fields, want) {
				t.Errorf("fields %v, want %v\n%v", fields, want, got)
			}
		})
	}
}

// The payee's account number is kept with single spaces between its
// groups, and read without them.
func TestPayeeAccountNormalized(t *testing.T) {
	t.Parallel()
	terms := sampleTerms()
	terms.Payment.BankName, terms.Payment.AccountNumber = " 招商银行 ", " 6225  8801 2345 6789 "
	var fs problem.Fields
	if terms.Check(&fs, "terms", true); len(fs) != 0 {
		t.Fatal(fs)
	}
	if p := terms.Payment; p.BankName != "招商银行" || p.AccountNumber != "6225 8801 2345 6789" || p.AccountDigits() != "6225880123456789" {
		t.Errorf("%+v, digits %s", p, p.AccountDigits())
	}
}

func TestDivisionMessagesSayWhatToEnter(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{
		"71":     "outside mainland",
		"320500": "enter 3205",
		"320000": "enter 32",
		"3200":   "enter 32",
		"99":     "not a province",
		"32050":  "2 digits for a province",
	} {
		if got := CheckDivision(code); !strings.Contains(got, want) {
			t.Errorf("CheckDivision(%q) = %q, want it to say %q", code, got, want)
		}
	}
	for _, ok := range []string{"11", "65", "3205", "320505", "442000", "460400"} {
		if got := CheckDivision(ok); got != "" {
			t.Errorf("CheckDivision(%q) = %q", ok, got)
		}
	}
}

func TestInArea(t *testing.T) {
	t.Parallel()
	area := []string{"32", "3101", "440305"}
	for div, want := range map[string]bool{"320505": true, "310104": true, "310230": false, "440305": true, "440306": false, "": false, "33": false} {
		if got := InArea(area, div); got != want {
			t.Errorf("InArea(%s) = %v", div, got)
		}
	}
}

// Terms that set no escalation or return time get the defaults.
func TestEscalationAndReturnDefaults(t *testing.T) {
	t.Parallel()
	var none Terms
	if none.EscalationAnswerTime() != 4*time.Hour || none.ReturnDays() != 15 {
		t.Errorf("defaults: %s, %d days", none.EscalationAnswerTime(), none.ReturnDays())
	}
	set := Terms{EscalationAnswerHours: 2, PartReturnDays: 30}
	if set.EscalationAnswerTime() != 2*time.Hour || set.ReturnDays() != 30 {
		t.Errorf("set: %s, %d days", set.EscalationAnswerTime(), set.ReturnDays())
	}
}

// A visit's planned time on site is the agreement's for its service item,
// or two hours where the terms say nothing.
func TestPlannedVisitPerServiceItem(t *testing.T) {
	t.Parallel()
	var none Terms
	for _, it := range ServiceItems {
		if got := none.PlannedVisit(it); got != 2*time.Hour {
			t.Errorf("%s with no planned times: %s", it, got)
		}
	}
	set := Terms{VisitMinutes: VisitMinutes{Repair: 90, Maintenance: 240, Consultation: 30}}
	for it, want := range map[ServiceItem]time.Duration{Repair: 90 * time.Minute, Maintenance: 4 * time.Hour, Consultation: 30 * time.Minute, PartReplacement: 2 * time.Hour} {
		if got := set.PlannedVisit(it); got != want {
			t.Errorf("%s: %s, want %s", it, got, want)
		}
	}
	// A change of a planned time is named in the diff term by term.
	changes := Diff(none, set)
	var fields []string
	for _, c := range changes {
		fields = append(fields, c.Field)
	}
	if !slices.Equal(fields, []string{"visit_minutes.repair", "visit_minutes.maintenance", "visit_minutes.consultation"}) {
		t.Errorf("diff: %v", fields)
	}
}
