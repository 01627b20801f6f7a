package web

import (
	"fmt"
	"strings"

	"aftersales/internal/agreement"
)

// termLine is one sentence of an agreement's terms in plain language.
type termLine struct {
	Label string
	Text  string
}

// provinceNames name the provinces of mainland China by their code, so that
// a service area reads "32 江苏" rather than a bare number. Cities and
// counties are shown by code.
var provinceNames = map[string]string{
	"11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林", "23": "黑龙江",
	"31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东", "41": "河南",
	"42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
	"53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
}

// areaLabel shows a division code with what it is.
func areaLabel(code string) string {
	if name, ok := provinceNames[code]; ok {
		return code + " " + name
	}
	if name, ok := provinceNames[code[:min(2, len(code))]]; ok {
		return code + " (" + name + ")"
	}
	return code
}

// ordinal is the English ordinal of n (1st, 2nd, 3rd, 11th, 22nd).
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// plainTerms says what the terms mean, one line per clause, in the page's language.
func plainTerms(v *view, t agreement.Terms) []termLine {
	var out []termLine
	add := func(label, id string, args ...any) { out = append(out, termLine{v.T(label), v.T(id, args...)}) }

	term := v.T("agreements.plain.term", "Start", t.Term.Start, "End", t.Term.End)
	if t.Term.AutoRenew {
		term += v.T("agreements.plain.renews", "Months", t.Term.RenewalMonths)
	}
	out = append(out, termLine{v.T("agreements.f.term"), term})

	e := t.Emergency
	if e.CalendarID == "24x7" {
		add("priority.emergency", "agreements.plain.emergency_24x7", "Response", e.ResponseHours, "OnSite", e.OnSiteHours)
	} else {
		add("priority.emergency", "agreements.plain.emergency", "Response", e.ResponseHours, "OnSite", e.OnSiteHours, "Calendar", e.CalendarID)
	}
	g := t.General
	add("priority.general", "agreements.plain.general", "Days", g.ResponseWorkingDays, "Ordinal", ordinal(g.ResponseWorkingDays), "Calendar", g.CalendarID)
	if r := t.Resolution; r != nil {
		var parts []string
		if r.EmergencyHours > 0 {
			parts = append(parts, v.T("agreements.plain.resolution_emergency", "Hours", r.EmergencyHours))
		}
		if r.GeneralWorkingDays > 0 {
			parts = append(parts, v.T("agreements.plain.resolution_general", "Days", r.GeneralWorkingDays))
		}
		if len(parts) > 0 {
			out = append(out, termLine{v.T("agreements.f.resolution"), strings.Join(parts, v.T("list.sep"))})
		}
	}

	var items []string
	for _, it := range t.ServiceItems {
		items = append(items, v.T("item."+string(it)))
	}
	out = append(out, termLine{v.T("agreements.f.service_items"), strings.Join(items, v.T("list.sep"))})
	out = append(out, termLine{v.T("agreements.f.covered_models"), strings.Join(t.CoveredModels, v.T("list.sep"))})
	var area []string
	for _, c := range t.ServiceArea {
		area = append(area, areaLabel(c))
	}
	for _, p := range t.ServicePoints {
		area = append(area, v.T("agreements.plain.point", "Name", p.Name, "Radius", p.RadiusKM))
	}
	out = append(out, termLine{v.T("agreements.f.service_area"), strings.Join(area, v.T("list.sep"))})
	add("agreements.f.satisfaction", "agreements.plain.satisfaction", "Percent", permille(t.SatisfactionPermille))
	add("agreements.f.retention", "agreements.plain.retention", "Months", t.RetentionMonths)
	add("agreements.f.payment", "agreements.plain.payment_"+string(t.Payment.SettlementPeriod), "Days", t.Payment.PaymentDueDays)
	add("agreements.f.suspension_notice", "agreements.plain.suspension_notice", "Days", t.Payment.SuspensionNotice())
	if p := t.Payment; p.AccountNumber != "" {
		if p.AccountName == "" {
			add("agreements.f.payee_account", "agreements.plain.payee_account_provider", "Bank", p.BankName, "Number", p.AccountNumber)
		} else {
			add("agreements.f.payee_account", "agreements.plain.payee_account", "Bank", p.BankName, "Name", p.AccountName, "Number", p.AccountNumber)
		}
	}
	add("agreements.f.lead_time", "agreements.plain.lead_time", "Days", t.AdjustmentLeadDays)
	add("agreements.f.escalation", "agreements.plain.escalation", "Hours", int(t.EscalationAnswerTime().Hours()))
	add("agreements.f.returns", "agreements.plain.returns", "Days", t.ReturnDays())
	return out
}

// diffLine is one change between versions as shown on the diff page.
type diffLine struct {
	Field, Kind, From, To string
}

func diffLines(changes []agreement.Change) []diffLine {
	show := func(x any) string {
		if x == nil {
			return ""
		}
		if p, ok := x.(agreement.ServicePoint); ok {
			return fmt.Sprintf("%s (%g, %g, %d km)", p.Name, p.Lat, p.Lng, p.RadiusKM)
		}
		return fmt.Sprint(x)
	}
	out := make([]diffLine, 0, len(changes))
	for _, c := range changes {
		out = append(out, diffLine{Field: c.Field, Kind: string(c.Kind), From: show(c.From), To: show(c.To)})
	}
	return out
}
