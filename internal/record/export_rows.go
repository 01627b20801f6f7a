package record

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/calendar"
)

// ExportColumns are the columns of a records export, by stable name: what
// DOMAIN 3.2.3 asks a record to hold (time, place, customer, product,
// content, result, technician, check-in and check-out, parts, sign-off),
// then what the agreement measures of it and where it sits in its chain.
var ExportColumns = []string{
	"id", "kind", "agreement", "seq", "request", "sealed_at", "received_at",
	"customer", "site", "address", "division",
	"serial_number", "model", "service_item",
	"technician", "checked_in", "checked_out", "on_site_seconds",
	"description", "diagnosis", "fault_codes", "actions", "result", "answer",
	"parts", "parts_cost_fen", "sign_off",
	"breached_clocks", "qualification_exception",
	"corrects_id", "reason", "changes", "retain_until", "hash",
}

// ExportRow is a record's cells in ExportColumns' order. Times are in
// China's time zone, RFC 3339; a field the record does not hold (a
// version 1 record's prices, a consultation's visit) is empty.
func ExportRow(r Record) []string {
	c, _ := r.Content() // an unreadable content exports its chain fields only
	sum := c.Summary()
	row := exportRow{}
	row.set("id", strconv.FormatInt(r.ID, 10))
	row.set("kind", string(c.Kind))
	row.set("agreement", sum.Agreement)
	row.set("seq", strconv.FormatInt(r.Seq, 10))
	row.set("request", sum.Request)
	row.set("sealed_at", exportTime(r.SealedAt))
	row.set("serial_number", sum.Serial)
	row.set("model", sum.Model)
	row.set("diagnosis", sum.Diagnosis)
	row.set("fault_codes", sum.FaultCodes)
	row.set("actions", sum.Actions)
	row.set("result", sum.Result)
	row.set("answer", sum.Answer)
	row.set("reason", sum.Reason)
	row.set("changes", changesText(sum.Changes))
	row.set("retain_until", r.RetainUntil)
	row.set("hash", r.Hash)
	if r.CorrectsID != nil {
		row.set("corrects_id", strconv.FormatInt(*r.CorrectsID, 10))
	}
	var clocks []ClockOutcome
	switch {
	case c.Visit != nil:
		v := c.Visit
		clocks = v.Clocks
		row.set("received_at", exportTime(v.ReceivedAt))
		row.set("customer", v.Customer)
		row.set("site", v.Place.Site)
		row.set("address", v.Place.Address)
		row.set("division", v.Place.Division)
		row.set("service_item", v.ServiceItem)
		row.set("technician", v.Technician.Name)
		row.set("description", v.Description)
		if !v.CheckedIn.IsZero() {
			row.set("checked_in", exportTime(v.CheckedIn))
		}
		if !v.CheckedOut.IsZero() {
			row.set("checked_out", exportTime(v.CheckedOut))
			row.set("on_site_seconds", strconv.FormatInt(v.OnSiteSeconds, 10))
		}
		row.set("parts", partsText(v.Parts))
		if total, known := v.PartsCostFen(); known {
			row.set("parts_cost_fen", strconv.FormatInt(total, 10))
		}
		row.set("sign_off", signOffText(v.SignOff))
		row.set("qualification_exception", exceptionText(v.Exception))
	case c.Consultation != nil:
		v := c.Consultation
		clocks = v.Clocks
		row.set("received_at", exportTime(v.ReceivedAt))
		row.set("customer", v.Customer)
		row.set("service_item", v.ServiceItem)
		row.set("technician", v.AnsweredBy.Name)
		row.set("description", v.Question)
	}
	row.set("breached_clocks", breachesText(clocks))
	return row.cells()
}

// exportRow collects a row's cells by column name.
type exportRow map[string]string

func (r exportRow) set(col, v string) { r[col] = v }

func (r exportRow) cells() []string {
	out := make([]string, len(ExportColumns))
	for i, c := range ExportColumns {
		out[i] = r[c]
	}
	return out
}

func exportTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Shanghai).Format(time.RFC3339)
}

// partsText is the parts fitted as "SP-1 主轴轴承 ×2 (in: S-9; out: S-1)",
// one per line.
func partsText(parts []FittedPart) string {
	lines := make([]string, len(parts))
	for i, p := range parts {
		s := p.PartNumber + " " + p.Name + " ×" + strconv.FormatInt(p.Quantity, 10)
		var serials []string
		if p.SerialInstalled != "" {
			serials = append(serials, "in: "+p.SerialInstalled)
		}
		if p.SerialRemoved != "" {
			serials = append(serials, "out: "+p.SerialRemoved)
		}
		if len(serials) > 0 {
			s += " (" + strings.Join(serials, "; ") + ")"
		}
		lines[i] = s
	}
	return strings.Join(lines, "\n")
}

// signOffText is "signature: 王经理" or "code: 王经理 (sent to 138…; entered
// by 李工)".
func signOffText(s SignOff) string {
	if s.Kind == "" {
		return ""
	}
	out := s.Kind + ": " + s.Name
	var notes []string
	if s.CodeSentTo != "" {
		notes = append(notes, "sent to "+s.CodeSentTo)
	}
	if s.ConfirmedBy != nil && s.ConfirmedBy.Name != "" {
		notes = append(notes, "entered by "+s.ConfirmedBy.Name)
	}
	if s.ConfirmedByText != "" {
		notes = append(notes, s.ConfirmedByText)
	}
	if len(notes) > 0 {
		out += " (" + strings.Join(notes, "; ") + ")"
	}
	return out
}

// exceptionText is the vendor's one-off qualification exception as
// "reason (refused: certification_expired; granted by name)".
func exceptionText(e *VisitException) string {
	if e == nil {
		return ""
	}
	out := e.Reason
	var notes []string
	if e.Refused != "" {
		notes = append(notes, "refused: "+e.Refused)
	}
	if e.GrantedBy.Name != "" {
		notes = append(notes, "granted by "+e.GrantedBy.Name)
	}
	if len(notes) > 0 {
		out += " (" + strings.Join(notes, "; ") + ")"
	}
	return out
}

// breachesText is the breached clocks with how many seconds late, as
// "response:3600 onsite:120".
func breachesText(clocks []ClockOutcome) string {
	var late []string
	for _, k := range clocks {
		if k.Breached() {
			late = append(late, string(k.Clock)+":"+strconv.FormatInt(k.LateBySeconds(), 10))
		}
	}
	return strings.Join(late, " ")
}

// changesText is a correction's changes as "diagnosis=…", one per line, in
// the order of the field names.
func changesText(changes map[string]string) string {
	keys := slices.Sorted(maps.Keys(changes))
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + "=" + changes[k]
	}
	return strings.Join(lines, "\n")
}
