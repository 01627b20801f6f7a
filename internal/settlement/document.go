package settlement

import (
	"fmt"
	"strconv"
	"strings"

	"aftersales/internal/calendar"
	"aftersales/internal/fees"
)

// Document is a statement as a printed business document: the statement,
// the parties, the payment due day, and the translator of its texts (the
// catalogs' settlements.doc_* messages in the reader's language).
type Document struct {
	S                Statement
	Vendor, Provider string
	// DueOn is the day payment is due (approval plus the terms' payment
	// days), "" until the statement is approved.
	DueOn string
	T     func(id string, args ...any) string
}

// yuan formats fen as yuan with two decimals and thousands separators.
func yuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	s := strconv.FormatInt(fen/100, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := fmt.Sprintf("%s.%02d", b.String(), fen%100)
	if neg {
		return "-" + out
	}
	return out
}

func pct(bp int64) string { return strconv.FormatFloat(float64(bp)/100, 'f', -1, 64) + "%" }

// describe is a line's text: what it charges for, and for a deduction its
// evidence.
func (d Document) describe(l StatementLine) (title, detail string) {
	title = d.T("settlements.kind_" + string(l.Kind))
	if l.Rule != "" {
		title += " · " + d.T("settlements.rule_"+l.Rule)
	}
	switch l.Kind {
	case fees.LinePart:
		title += " " + l.Ref
	case fees.LineSurcharge:
		title += " " + d.T("settlements.ref_"+l.Ref) + " " + pct(l.RateBP)
	case fees.LineLabour:
		title += " " + d.T("settlements.minutes", "N", l.Quantity)
	case fees.LineTravel:
		title += fmt.Sprintf(" %d km", l.Quantity)
	}
	var parts []string
	if l.Request != "" {
		parts = append(parts, l.Request)
	}
	if l.RecordID != nil {
		parts = append(parts, d.T("records.number", "N", *l.RecordID))
	}
	if e := l.Evidence; e != nil {
		if e.Clock != "" {
			parts = append(parts, d.T("clock."+e.Clock))
		}
		if e.DueAt != nil {
			parts = append(parts, d.T("settlements.due")+" "+e.DueAt.In(calendar.Shanghai).Format("2006-01-02 15:04"))
		}
		if e.ActualAt != nil {
			parts = append(parts, d.T("settlements.actual")+" "+e.ActualAt.In(calendar.Shanghai).Format("2006-01-02 15:04"))
		}
		if e.PartNumber != "" {
			parts = append(parts, e.PartNumber+" "+d.T("settlements.due_on")+" "+e.DueOn)
		}
	}
	if l.UnpricedReason != "" {
		parts = append(parts, d.T("settlements.unpriced_"+l.UnpricedReason))
	}
	if l.Dispute != nil {
		parts = append(parts, d.T("settlements.dispute_"+string(l.Dispute.State))+": "+l.Dispute.Reason)
	}
	return title, strings.Join(parts, " · ")
}
