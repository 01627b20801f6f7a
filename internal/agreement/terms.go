// Package agreement owns the two-party service agreement between a vendor and
// a provider (DOMAIN.md): its terms as versioned data, its status, and the
// adjustment requests (调整申请, §2.1.1) through which either party proposes a
// change of terms. Terms are never overwritten: every change is a new version
// with an effective date, and every computation asks which version was in
// force at its moment (TermsAt).
//
// The domain part (terms, validation, diff, effective dates, status rules) is
// plain Go over values; storage.go holds the SQL and service.go the use
// cases. The package must not import web, api or other domain packages'
// logic: calendars are referred to by id only.
package agreement

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"aftersales/internal/fees"
	"aftersales/internal/problem"
)

// ServiceItem is one kind of service the agreement covers (DOMAIN 1.2, 3.1).
type ServiceItem string

const (
	Repair          ServiceItem = "repair"
	Maintenance     ServiceItem = "maintenance"
	Consultation    ServiceItem = "consultation"
	PartReplacement ServiceItem = "part_replacement"
)

// ServiceItems lists every service item in display order.
var ServiceItems = []ServiceItem{Repair, Maintenance, Consultation, PartReplacement}

// SettlementPeriod is how often the provider's work is settled.
type SettlementPeriod string

const (
	Monthly   SettlementPeriod = "monthly"
	Quarterly SettlementPeriod = "quarterly"
)

// Terms are the content of one version of an agreement: the blanks of the
// template filled in. New kinds of terms (fee schedule, breach rules) are
// added as further fields; Diff and the stored JSON pick them up unchanged.
type Terms struct {
	Term Term `json:"term" required:"false"`
	// CoveredModels are the product model codes the agreement covers (§1.2).
	CoveredModels []string `json:"covered_models" required:"false" doc:"Covered product model codes."`
	// ServiceArea holds administrative division codes of mainland China; each
	// is a prefix covering everything under it (§1.2).
	ServiceArea   []string       `json:"service_area" required:"false" doc:"Division codes: 2-digit province, 4-digit city or 6-digit county; each covers everything under it."`
	ServicePoints []ServicePoint `json:"service_points,omitempty" doc:"Optional service points with a radius; a site within a radius is inside the area too."`
	ServiceItems  []ServiceItem  `json:"service_items" required:"false" doc:"repair, maintenance, consultation, part_replacement"`
	Emergency     EmergencyTerms `json:"emergency" required:"false"`
	General       GeneralTerms   `json:"general" required:"false"`
	// Resolution targets are optional: many agreements set none.
	Resolution *ResolutionTargets `json:"resolution,omitempty"`
	// SatisfactionPermille is the satisfaction threshold (§3.2.2) in tenths
	// of a percent: 925 is 92.5 %. Integers keep the comparison exact.
	SatisfactionPermille int `json:"satisfaction_threshold_permille" required:"false" doc:"Satisfaction threshold in tenths of a percent: 925 means 92.5 %."`
	// RetentionMonths is how long service records are kept (§3.2.3).
	RetentionMonths int          `json:"record_retention_months" required:"false"`
	Payment         PaymentTerms `json:"payment" required:"false"`
	// AdjustmentLeadDays is the preparation time an adjustment request must
	// leave before it takes effect (§2.1.1).
	AdjustmentLeadDays int `json:"adjustment_lead_days" required:"false"`
	// EscalationAnswerHours is the working time within which an escalated
	// fault must be answered by the senior technician or the vendor's second
	// line; 0 means DefaultEscalationAnswerHours.
	EscalationAnswerHours int `json:"escalation_answer_hours,omitempty" doc:"Working hours to answer an escalated fault; 0 or absent: 4."`
	// PartReturnDays is how many China calendar days the provider has to
	// ship a replaced part back to the vendor; 0 means DefaultPartReturnDays.
	PartReturnDays int `json:"part_return_days,omitempty" doc:"Days after a replacement by which the old part must be shipped back; 0 or absent: 15."`
	// VisitMinutes is the planned time on site of a visit per service item,
	// for a technician of average efficiency; 0 means DefaultVisitMinutes.
	VisitMinutes VisitMinutes `json:"visit_minutes,omitzero" required:"false" doc:"Planned time on site per service item, in minutes, for an average technician; 0 or absent: 120."`
	// Survey and Complaints are the satisfaction terms (§3.2.2); absent:
	// DefaultSurveyTerms and DefaultComplaintTerms (SurveyRules, ComplaintRules).
	Survey     *SurveyTerms    `json:"survey,omitempty" doc:"How customers are surveyed after a visit; absent: the defaults."`
	Complaints *ComplaintTerms `json:"complaints,omitempty" doc:"The clocks of complaints; absent: the defaults."`
	// Fees is the fee schedule (收费标准, §4.1): absent, nothing under the
	// version is priced and every record is listed as unpriced.
	Fees *fees.Schedule `json:"fees,omitempty" doc:"The fee schedule; absent: the version prices nothing."`
	// Breach are the rules that turn breaches into deductions (§2.1.1).
	Breach *fees.BreachRules `json:"breach,omitempty" doc:"Breach rules; absent: no deductions."`
}

// The answer time of an escalation and the return time of a replaced part
// when an agreement sets none (agreements written before these terms
// existed set none either).
const (
	DefaultEscalationAnswerHours = 4
	DefaultPartReturnDays        = 15
)

// DefaultVisitMinutes is the planned time on site of a visit when the
// agreement does not say.
const DefaultVisitMinutes = 120

// VisitMinutes are the planned minutes on site per service item.
type VisitMinutes struct {
	Repair          int `json:"repair,omitempty"`
	Maintenance     int `json:"maintenance,omitempty"`
	Consultation    int `json:"consultation,omitempty"`
	PartReplacement int `json:"part_replacement,omitempty"`
}

// PlannedVisit is the planned time on site of a visit for the service item,
// for a technician of average efficiency.
func (t Terms) PlannedVisit(it ServiceItem) time.Duration {
	m := 0
	switch it {
	case Repair:
		m = t.VisitMinutes.Repair
	case Maintenance:
		m = t.VisitMinutes.Maintenance
	case Consultation:
		m = t.VisitMinutes.Consultation
	case PartReplacement:
		m = t.VisitMinutes.PartReplacement
	}
	if m <= 0 {
		m = DefaultVisitMinutes
	}
	return time.Duration(m) * time.Minute
}

// EscalationAnswerTime is the working time an escalation has to be answered.
func (t Terms) EscalationAnswerTime() time.Duration {
	if t.EscalationAnswerHours > 0 {
		return time.Duration(t.EscalationAnswerHours) * time.Hour
	}
	return DefaultEscalationAnswerHours * time.Hour
}

// ReturnDays is how many days a replaced part has to be shipped back.
func (t Terms) ReturnDays() int {
	if t.PartReturnDays > 0 {
		return t.PartReturnDays
	}
	return DefaultPartReturnDays
}

// Clone returns a copy of t that shares no slice or pointer with it. A new
// slice, map or pointer field of Terms must be copied here too: decoded
// terms are remembered and handed out as clones (decodeTerms).
func (t Terms) Clone() Terms {
	t.CoveredModels = slices.Clone(t.CoveredModels)
	t.ServiceArea = slices.Clone(t.ServiceArea)
	t.ServicePoints = slices.Clone(t.ServicePoints)
	t.ServiceItems = slices.Clone(t.ServiceItems)
	if t.Resolution != nil {
		r := *t.Resolution
		t.Resolution = &r
	}
	t.cloneSatisfaction()
	if t.Fees != nil {
		f := t.Fees.Clone()
		t.Fees = &f
	}
	if t.Breach != nil {
		b := t.Breach.Clone()
		t.Breach = &b
	}
	return t
}

// Term is the agreement's duration.
type Term struct {
	Start         string `json:"start" required:"false" doc:"First day, YYYY-MM-DD."`
	End           string `json:"end" required:"false" doc:"Last day, YYYY-MM-DD."`
	AutoRenew     bool   `json:"auto_renew" required:"false"`
	RenewalMonths int    `json:"renewal_months,omitempty" doc:"Length of each automatic renewal."`
}

// ServicePoint is a place the provider serves from, with the radius around
// it that counts as inside the service area.
type ServicePoint struct {
	// ServicePointID names a service point of the provider's staff
	// register; its name and coordinates are read from there whenever the
	// terms are read. Versions written before the register name the point
	// inline instead (ServicePointID 0), and are read as written.
	ServicePointID int64   `json:"service_point_id,omitempty" doc:"A service point of the agreement's provider (GET /service-points); its name and coordinates are read from the register. Terms written before the register name and place the point inline instead."`
	Name           string  `json:"name,omitempty" doc:"Read from the register when service_point_id is set; inline in older terms."`
	Lat            float64 `json:"lat,omitempty" doc:"Read from the register when service_point_id is set; inline in older terms."`
	Lng            float64 `json:"lng,omitempty" doc:"Read from the register when service_point_id is set; inline in older terms."`
	RadiusKM       int     `json:"radius_km" doc:"How far from the point the agreement's area reaches, in km."`
}

// EmergencyTerms are the two clocks of an emergency (§3.3.1), in working
// hours on the calendar (a round-the-clock calendar makes them plain hours).
type EmergencyTerms struct {
	ResponseHours int    `json:"response_hours" required:"false"`
	OnSiteHours   int    `json:"onsite_hours" required:"false"`
	CalendarID    string `json:"calendar_id" required:"false"`
}

// GeneralTerms are the clock of a general request (§3.3.2): respond within N
// working days, ending at close of business of the Nth working day after the
// day received.
type GeneralTerms struct {
	ResponseWorkingDays int    `json:"response_working_days" required:"false"`
	CalendarID          string `json:"calendar_id" required:"false"`
}

// ResolutionTargets are optional deadlines for the fix itself.
type ResolutionTargets struct {
	EmergencyHours     int `json:"emergency_hours,omitempty"`
	GeneralWorkingDays int `json:"general_working_days,omitempty"`
}

// PaymentTerms say when the vendor settles and pays (§4.2+).
type PaymentTerms struct {
	SettlementPeriod SettlementPeriod `json:"settlement_period" required:"false" doc:"monthly or quarterly"`
	PaymentDueDays   int              `json:"payment_due_days" required:"false" doc:"Days after a statement is approved by which it is paid."`
	// SuspensionNoticeDays is the least time between the provider's notice
	// of suspension for non-payment and the day it takes effect.
	SuspensionNoticeDays int `json:"suspension_notice_days,omitempty" required:"false" doc:"Days between the provider's notice of suspension for non-payment and the earliest day it takes effect; 0: 15 days."`
	// The provider's bank account the vendor pays into, printed on the
	// settlement statements as the payee's details.
	BankName      string `json:"bank_name,omitempty" required:"false" maxLength:"100" doc:"The payee's bank and branch (开户行)."`
	AccountName   string `json:"account_name,omitempty" required:"false" maxLength:"100" doc:"The account holder's name (户名); empty: the provider's name."`
	AccountNumber string `json:"account_number,omitempty" required:"false" doc:"The account number (账号): 8 to 32 digits, spaces allowed between groups."`
}

// accountNumberPattern is a bank account number: digits, in groups
// separated by single spaces.
var accountNumberPattern = regexp.MustCompile(`^[0-9]+( [0-9]+)*$`)

// AccountDigits is the account number without its grouping spaces.
func (p PaymentTerms) AccountDigits() string { return strings.ReplaceAll(p.AccountNumber, " ", "") }

// checkPayee checks the payee's bank details: all or none of bank and
// account number, a number of 8 to 32 digits.
func (p PaymentTerms) checkPayee(fs *problem.Fields, at func(string) string) {
	problem.CheckText(fs, at("payment.bank_name"), p.BankName, false, 100)
	problem.CheckText(fs, at("payment.account_name"), p.AccountName, false, 100)
	n := len(p.AccountDigits())
	switch {
	case p.AccountNumber == "":
		if p.BankName != "" || p.AccountName != "" {
			fs.Add(at("payment.account_number"), "give the account number with the bank")
		}
	case !accountNumberPattern.MatchString(p.AccountNumber):
		fs.Add(at("payment.account_number"), "must be digits, in groups separated by single spaces")
	case n < 8 || n > 32:
		fs.Add(at("payment.account_number"), "must have 8 to 32 digits, not %d", n)
	case strings.TrimSpace(p.BankName) == "":
		fs.Add(at("payment.bank_name"), "name the bank of the account")
	}
}

// DefaultSuspensionNoticeDays is the notice period of a suspension for
// non-payment when the terms set none.
const DefaultSuspensionNoticeDays = 15

// SuspensionNotice is the notice period of a suspension for non-payment,
// in days.
func (p PaymentTerms) SuspensionNotice() int {
	if p.SuspensionNoticeDays <= 0 {
		return DefaultSuspensionNoticeDays
	}
	return p.SuspensionNoticeDays
}

var (
	modelPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/+-]{0,59}$`)
	calendarPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	numberPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$`)
)

// Limits on the size of terms, so that a request cannot store a novel.
const (
	maxModels        = 500
	maxAreaCodes     = 500
	maxServicePoints = 200
)

// Check validates the terms and adds every problem to fs, each field named
// under prefix (e.g. "terms"). Format problems (a malformed code, a negative
// number) are always reported; when complete is set, missing content is too:
// a draft may be saved half filled in, an agreement in force may not.
func (t *Terms) Check(fs *problem.Fields, prefix string, complete bool) {
	at := func(name string) string { return prefix + "." + name }
	t.normalize()
	t.Term.check(fs, at("term"), complete)

	if len(t.CoveredModels) > maxModels {
		fs.Add(at("covered_models"), "at most %d models", maxModels)
	}
	seenModel := map[string]int{}
	for i, m := range t.CoveredModels {
		f := fmt.Sprintf("%s[%d]", at("covered_models"), i)
		if !modelPattern.MatchString(m) {
			fs.Add(f, "model code %q must be 1-60 letters, digits or . _ / + -, starting with a letter or digit", m)
			continue
		}
		if j, dup := seenModel[strings.ToUpper(m)]; dup {
			fs.Add(f, "model %s is already listed at position %d", m, j)
		}
		seenModel[strings.ToUpper(m)] = i
	}
	if complete && len(t.CoveredModels) == 0 {
		fs.Add(at("covered_models"), "list at least one covered product model")
	}

	checkArea(fs, at("service_area"), t.ServiceArea)
	if len(t.ServicePoints) > maxServicePoints {
		fs.Add(at("service_points"), "at most %d service points", maxServicePoints)
	}
	for i, p := range t.ServicePoints {
		p.check(fs, fmt.Sprintf("%s[%d]", at("service_points"), i))
	}
	if complete && len(t.ServiceArea) == 0 && len(t.ServicePoints) == 0 {
		fs.Add(at("service_area"), "give at least one division code or service point")
	}

	seenItem := map[ServiceItem]bool{}
	for i, it := range t.ServiceItems {
		f := fmt.Sprintf("%s[%d]", at("service_items"), i)
		switch {
		case !slices.Contains(ServiceItems, it):
			fs.Add(f, "must be one of repair, maintenance, consultation, part_replacement, not %q", it)
		case seenItem[it]:
			fs.Add(f, "%s is listed twice", it)
		}
		seenItem[it] = true
	}
	if complete && len(t.ServiceItems) == 0 {
		fs.Add(at("service_items"), "list at least one service item")
	}

	t.checkClocks(fs, prefix, complete)

	if t.SatisfactionPermille < 0 || t.SatisfactionPermille > 1000 {
		fs.Add(at("satisfaction_threshold_permille"), "must be 0-1000 (tenths of a percent: 925 is 92.5 %%)")
	}
	checkRange(fs, at("record_retention_months"), t.RetentionMonths, 1, 600, complete)
	switch t.Payment.SettlementPeriod {
	case Monthly, Quarterly:
	case "":
		if complete {
			fs.Add(at("payment.settlement_period"), "choose monthly or quarterly")
		}
	default:
		fs.Add(at("payment.settlement_period"), "must be monthly or quarterly, not %q", t.Payment.SettlementPeriod)
	}
	checkRange(fs, at("payment.payment_due_days"), t.Payment.PaymentDueDays, 0, 365, false)
	checkRange(fs, at("payment.suspension_notice_days"), t.Payment.SuspensionNoticeDays, 0, 90, false)
	t.Payment.checkPayee(fs, at)
	checkRange(fs, at("adjustment_lead_days"), t.AdjustmentLeadDays, 0, 365, false)
	checkRange(fs, at("escalation_answer_hours"), t.EscalationAnswerHours, 0, 720, false)
	checkRange(fs, at("part_return_days"), t.PartReturnDays, 0, 365, false)
	// A visit lasts at most a day on site.
	checkRange(fs, at("visit_minutes.repair"), t.VisitMinutes.Repair, 15, 1440, false)
	checkRange(fs, at("visit_minutes.maintenance"), t.VisitMinutes.Maintenance, 15, 1440, false)
	checkRange(fs, at("visit_minutes.consultation"), t.VisitMinutes.Consultation, 15, 1440, false)
	checkRange(fs, at("visit_minutes.part_replacement"), t.VisitMinutes.PartReplacement, 15, 1440, false)
	t.checkSatisfaction(fs, prefix)
	if t.Fees != nil {
		t.Fees.Check(fs, at("fees"))
	}
	if t.Breach != nil {
		t.Breach.Check(fs, at("breach"))
	}
}

func (t *Terms) checkClocks(fs *problem.Fields, prefix string, complete bool) {
	at := func(name string) string { return prefix + "." + name }
	e, g := t.Emergency, t.General
	checkRange(fs, at("emergency.response_hours"), e.ResponseHours, 1, 720, complete)
	checkRange(fs, at("emergency.onsite_hours"), e.OnSiteHours, 1, 720, complete)
	if e.ResponseHours > 0 && e.OnSiteHours > 0 && e.OnSiteHours < e.ResponseHours {
		fs.Add(at("emergency.onsite_hours"), "a technician cannot be on site (%d h) before the response is due (%d h)", e.OnSiteHours, e.ResponseHours)
	}
	checkCalendar(fs, at("emergency.calendar_id"), e.CalendarID, complete)
	checkRange(fs, at("general.response_working_days"), g.ResponseWorkingDays, 1, 60, complete)
	checkCalendar(fs, at("general.calendar_id"), g.CalendarID, complete)
	if r := t.Resolution; r != nil {
		checkRange(fs, at("resolution.emergency_hours"), r.EmergencyHours, 0, 2000, false)
		checkRange(fs, at("resolution.general_working_days"), r.GeneralWorkingDays, 0, 366, false)
		if r.EmergencyHours > 0 && r.EmergencyHours < e.OnSiteHours {
			fs.Add(at("resolution.emergency_hours"), "must be at least the on-site time (%d h)", e.OnSiteHours)
		}
		if r.GeneralWorkingDays > 0 && r.GeneralWorkingDays < g.ResponseWorkingDays {
			fs.Add(at("resolution.general_working_days"), "must be at least the response time (%d working days)", g.ResponseWorkingDays)
		}
	}
}

// checkCalendar checks the form of a calendar id. Whether the calendar
// exists is a question for the calendar registry, which this package does not
// depend on: "cn" (China's statutory holidays) and "24x7" are built in,
// organizations add their own.
func checkCalendar(fs *problem.Fields, field, id string, complete bool) {
	switch {
	case id == "":
		if complete {
			fs.Add(field, "choose a working calendar (e.g. cn, or 24x7 for round the clock)")
		}
	case !calendarPattern.MatchString(id):
		fs.Add(field, "calendar id %q must be 1-40 lowercase letters, digits or hyphens", id)
	}
}

// checkRange reports n outside [lo, hi]; zero counts as "not set" and is
// reported only when required.
func checkRange(fs *problem.Fields, field string, n, lo, hi int, required bool) {
	switch {
	case n == 0 && lo > 0:
		if required {
			fs.Add(field, "is required (%d-%d)", lo, hi)
		}
	case n < lo || n > hi:
		fs.Add(field, "must be between %d and %d, not %d", lo, hi, n)
	}
}

func (t *Term) check(fs *problem.Fields, prefix string, complete bool) {
	start, okStart := ParseDate(t.Start)
	end, okEnd := ParseDate(t.End)
	if t.Start != "" && !okStart {
		fs.Add(prefix+".start", "must be a date YYYY-MM-DD, not %q", t.Start)
	}
	if t.End != "" && !okEnd {
		fs.Add(prefix+".end", "must be a date YYYY-MM-DD, not %q", t.End)
	}
	if complete && t.Start == "" {
		fs.Add(prefix+".start", "is required")
	}
	if complete && t.End == "" {
		fs.Add(prefix+".end", "is required")
	}
	if okStart && okEnd && !end.After(start) {
		fs.Add(prefix+".end", "must be after the start (%s)", t.Start)
	}
	switch {
	case t.AutoRenew && (t.RenewalMonths < 1 || t.RenewalMonths > 120):
		fs.Add(prefix+".renewal_months", "an automatically renewed agreement needs a renewal of 1-120 months")
	case !t.AutoRenew && t.RenewalMonths != 0:
		fs.Add(prefix+".renewal_months", "set only when auto_renew is on")
	}
}

func (p ServicePoint) check(fs *problem.Fields, prefix string) {
	if p.RadiusKM < 1 || p.RadiusKM > 500 {
		fs.Add(prefix+".radius_km", "must be 1-500 km, not %d", p.RadiusKM)
	}
	if p.ServicePointID < 0 {
		fs.Add(prefix+".service_point_id", "must be the id of a service point of the provider")
	}
	if p.ServicePointID != 0 {
		// The register holds its name and coordinates (checked against the
		// provider where the terms are saved).
		return
	}
	problem.CheckText(fs, prefix+".name", p.Name, true, 100)
	// Mainland China lies within these bounds (the South China Sea islands
	// reach down to about 3.8° N).
	if p.Lat < 3 || p.Lat > 54 {
		fs.Add(prefix+".lat", "latitude %.6f is outside mainland China (3-54° N)", p.Lat)
	}
	if p.Lng < 73 || p.Lng > 136 {
		fs.Add(prefix+".lng", "longitude %.6f is outside mainland China (73-136° E)", p.Lng)
	}
}

// normalize trims list entries so that " 32" and "32" are the same code.
func (t *Terms) normalize() {
	for i := range t.CoveredModels {
		t.CoveredModels[i] = strings.TrimSpace(t.CoveredModels[i])
	}
	for i := range t.ServiceArea {
		t.ServiceArea[i] = strings.TrimSpace(t.ServiceArea[i])
	}
	for i := range t.ServicePoints {
		t.ServicePoints[i].Name = strings.TrimSpace(t.ServicePoints[i].Name)
	}
	t.Emergency.CalendarID = strings.TrimSpace(t.Emergency.CalendarID)
	t.General.CalendarID = strings.TrimSpace(t.General.CalendarID)
	t.Payment.BankName = strings.TrimSpace(t.Payment.BankName)
	t.Payment.AccountName = strings.TrimSpace(t.Payment.AccountName)
	t.Payment.AccountNumber = strings.Join(strings.Fields(t.Payment.AccountNumber), " ")
}

// Covers reports whether the terms cover service item it.
func (t Terms) Covers(it ServiceItem) bool { return slices.Contains(t.ServiceItems, it) }
