package web

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"aftersales/internal/agreement"
	"aftersales/internal/problem"
	"aftersales/internal/web/form"
)

// termsForm reads the terms from the agreement form: lists one item per
// line (commas and spaces also separate codes), numbers as typed. Numbers
// that do not parse are reported on their form field, after every problem
// the reader f found before.
func termsForm(f *form.Form) (agreement.Terms, problem.Fields) {
	var fs problem.Fields
	num := f.Int
	t := agreement.Terms{
		Term: agreement.Term{Start: strings.TrimSpace(f.String("term_start")), End: strings.TrimSpace(f.String("term_end")),
			AutoRenew: f.Bool("auto_renew"), RenewalMonths: num("renewal_months")},
		CoveredModels: lines(f.String("covered_models"), false),
		ServiceArea:   lines(f.String("service_area"), true),
		Emergency: agreement.EmergencyTerms{ResponseHours: num("emergency_response_hours"), OnSiteHours: num("emergency_onsite_hours"),
			CalendarID: strings.TrimSpace(f.String("emergency_calendar_id"))},
		General: agreement.GeneralTerms{ResponseWorkingDays: num("general_response_working_days"),
			CalendarID: strings.TrimSpace(f.String("general_calendar_id"))},
		RetentionMonths: num("record_retention_months"),
		Payment: agreement.PaymentTerms{SettlementPeriod: agreement.SettlementPeriod(f.String("payment_settlement_period")),
			PaymentDueDays: num("payment_payment_due_days"), SuspensionNoticeDays: num("payment_suspension_notice_days"),
			BankName: f.String("payment_bank_name"), AccountName: f.String("payment_account_name"), AccountNumber: f.String("payment_account_number")},
		AdjustmentLeadDays:    num("adjustment_lead_days"),
		EscalationAnswerHours: num("escalation_answer_hours"),
		PartReturnDays:        num("part_return_days"),
		VisitMinutes: agreement.VisitMinutes{Repair: num("visit_minutes_repair"), Maintenance: num("visit_minutes_maintenance"),
			Consultation: num("visit_minutes_consultation"), PartReplacement: num("visit_minutes_part_replacement")},
	}
	for _, it := range f.Strings("service_items") {
		t.ServiceItems = append(t.ServiceItems, agreement.ServiceItem(it))
	}
	if e, g := num("resolution_emergency_hours"), num("resolution_general_working_days"); e != 0 || g != 0 {
		t.Resolution = &agreement.ResolutionTargets{EmergencyHours: e, GeneralWorkingDays: g}
	}
	if s := strings.TrimSpace(f.String("satisfaction_percent")); s != "" {
		p, ok := parsePercent(s)
		if !ok {
			fs.Add("satisfaction_percent", "enter a percentage with at most one decimal, e.g. 92.5")
		}
		t.SatisfactionPermille = p
	}
	// Points of the staff register first (a checkbox and a radius each),
	// then points written inline, as terms before the register held them.
	for _, v := range f.Strings("register_point") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fs.Add("register_point", "pick a service point from the list")
			continue
		}
		t.ServicePoints = append(t.ServicePoints, agreement.ServicePoint{ServicePointID: id, RadiusKM: num("point_radius_" + v)})
	}
	for i, l := range lines(f.String("service_points"), false) {
		p, ok := parseServicePoint(l)
		if !ok {
			fs.Add("service_points", "line %d: write name, latitude, longitude, radius in km (e.g. 苏州网点, 31.30, 120.62, 80)", i+1)
			continue
		}
		t.ServicePoints = append(t.ServicePoints, p)
	}
	return t, append(f.Problems(), fs...)
}

var listSeparators = regexp.MustCompile(`[\s,，、;；]+`)

// lines splits a textarea into its non-empty lines; codes may also be
// separated by commas or spaces.
func lines(s string, codes bool) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if codes {
			for _, c := range listSeparators.Split(l, -1) {
				if c != "" {
					out = append(out, c)
				}
			}
			continue
		}
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parsePercent reads "92.5" as 925 per mille; more than one decimal is refused.
func parsePercent(s string) (int, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 1 || whole == "" {
		return 0, false
	}
	w, err := strconv.Atoi(whole)
	if err != nil || w < 0 {
		return 0, false
	}
	d := 0
	if frac != "" {
		if d, err = strconv.Atoi(frac); err != nil {
			return 0, false
		}
	}
	return w*10 + d, true
}

func parseServicePoint(l string) (agreement.ServicePoint, bool) {
	parts := regexp.MustCompile(`\s*[,，]\s*`).Split(strings.TrimSpace(l), -1)
	if len(parts) != 4 {
		return agreement.ServicePoint{}, false
	}
	lat, err1 := strconv.ParseFloat(parts[1], 64)
	lng, err2 := strconv.ParseFloat(parts[2], 64)
	r, err3 := strconv.Atoi(parts[3])
	if err1 != nil || err2 != nil || err3 != nil || math.IsNaN(lat) || math.IsNaN(lng) {
		return agreement.ServicePoint{}, false
	}
	return agreement.ServicePoint{Name: parts[0], Lat: lat, Lng: lng, RadiusKM: r}, true
}

// termsValues writes terms into form values, to prefill a form.
func termsValues(t agreement.Terms) url.Values {
	f := url.Values{}
	itoa := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	f.Set("term_start", t.Term.Start)
	f.Set("term_end", t.Term.End)
	if t.Term.AutoRenew {
		f.Set("auto_renew", "on")
	}
	f.Set("renewal_months", itoa(t.Term.RenewalMonths))
	f.Set("covered_models", strings.Join(t.CoveredModels, "\n"))
	f.Set("service_area", strings.Join(t.ServiceArea, "\n"))
	var points []string
	for _, p := range t.ServicePoints {
		if p.ServicePointID != 0 {
			id := strconv.FormatInt(p.ServicePointID, 10)
			f.Add("register_point", id)
			f.Set("point_radius_"+id, itoa(p.RadiusKM))
			continue
		}
		points = append(points, fmt.Sprintf("%s, %g, %g, %d", p.Name, p.Lat, p.Lng, p.RadiusKM))
	}
	f.Set("service_points", strings.Join(points, "\n"))
	for _, it := range t.ServiceItems {
		f.Add("service_items", string(it))
	}
	f.Set("emergency_response_hours", itoa(t.Emergency.ResponseHours))
	f.Set("emergency_onsite_hours", itoa(t.Emergency.OnSiteHours))
	f.Set("emergency_calendar_id", t.Emergency.CalendarID)
	f.Set("general_response_working_days", itoa(t.General.ResponseWorkingDays))
	f.Set("general_calendar_id", t.General.CalendarID)
	if r := t.Resolution; r != nil {
		f.Set("resolution_emergency_hours", itoa(r.EmergencyHours))
		f.Set("resolution_general_working_days", itoa(r.GeneralWorkingDays))
	}
	if t.SatisfactionPermille > 0 {
		f.Set("satisfaction_percent", permille(t.SatisfactionPermille))
	}
	f.Set("record_retention_months", itoa(t.RetentionMonths))
	f.Set("payment_settlement_period", string(t.Payment.SettlementPeriod))
	f.Set("payment_payment_due_days", strconv.Itoa(t.Payment.PaymentDueDays))
	f.Set("payment_suspension_notice_days", itoa(t.Payment.SuspensionNoticeDays))
	f.Set("payment_bank_name", t.Payment.BankName)
	f.Set("payment_account_name", t.Payment.AccountName)
	f.Set("payment_account_number", t.Payment.AccountNumber)
	f.Set("adjustment_lead_days", strconv.Itoa(t.AdjustmentLeadDays))
	f.Set("escalation_answer_hours", itoa(t.EscalationAnswerHours))
	f.Set("part_return_days", itoa(t.PartReturnDays))
	f.Set("visit_minutes_repair", itoa(t.VisitMinutes.Repair))
	f.Set("visit_minutes_maintenance", itoa(t.VisitMinutes.Maintenance))
	f.Set("visit_minutes_consultation", itoa(t.VisitMinutes.Consultation))
	f.Set("visit_minutes_part_replacement", itoa(t.VisitMinutes.PartReplacement))
	return f
}

// permille formats 925 as "92.5" and 900 as "90".
func permille(n int) string {
	if n%10 == 0 {
		return strconv.Itoa(n / 10)
	}
	return fmt.Sprintf("%d.%d", n/10, n%10)
}

var listIndex = regexp.MustCompile(`\[(\d+)\]`)

// formFieldOf maps a domain field (terms.emergency.response_hours,
// terms.service_area[2], changes.term.end) to the form input that holds it,
// and a prefix that says which line of a list it is about.
func formFieldOf(field string) (name, prefix string) {
	for _, p := range []string{"body.", "terms.", "changes."} {
		field = strings.TrimPrefix(field, p)
	}
	if m := listIndex.FindStringSubmatchIndex(field); m != nil {
		n, _ := strconv.Atoi(field[m[2]:m[3]])
		prefix = fmt.Sprintf("line %d: ", n+1)
		field = field[:m[0]]
	}
	switch field {
	case "satisfaction_threshold_permille":
		return "satisfaction_percent", prefix
	case "changes", "terms":
		return "terms", prefix
	}
	return strings.ReplaceAll(field, ".", "_"), prefix
}

// termsFormErrors fills v.Errors from a validation problem on the form,
// joining several messages on one input.
func termsFormErrors(v *view, err error) error {
	return fieldErrors(v, err, func(field, msg string) {
		name, prefix := formFieldOf(field)
		msg = prefix + msg
		if old, ok := v.Errors[name]; ok {
			msg = old + "; " + msg
		}
		v.Errors[name] = msg
	})
}
