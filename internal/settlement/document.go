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
	// VendorAddress and ProviderAddress are the parties' registered
	// addresses ("" when an organization has none).
	VendorAddress, ProviderAddress string
	// DueOn is the day payment is due (approval plus the terms' payment
	// days), "" until the statement is approved.
	DueOn string
	// Payee is the account the vendor pays into, from the agreement's
	// payment terms.
	Payee Payee
	// OpeningFen is what the agreement's earlier approved statements still
	// have open: the balance carried into this statement.
	OpeningFen int64
	T          func(id string, args ...any) string
	// each reads the lines one at a time (Service.Document); nil: S.Lines.
	each func(fn func(StatementLine) error) error
}

// EachLine hands the statement's lines to fn in order.
func (d Document) EachLine(fn func(StatementLine) error) error {
	if d.each != nil {
		return d.each(fn)
	}
	for _, l := range d.S.Lines {
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil
}

// Payee is the provider's bank account as the payment terms give it.
// Bank and Account are "" when the terms name no account.
type Payee struct {
	Name, Bank, Account string
}

// Balance is the statement's account with the provider: what was carried
// in, billed, deducted, paid, and what is left to pay.
type Balance struct {
	OpeningFen     int64 `json:"opening_fen"`
	BilledFen      int64 `json:"billed_fen"`
	DeductionsFen  int64 `json:"deductions_fen"`
	PeriodFen      int64 `json:"period_fen"`
	PaidFen        int64 `json:"paid_fen"`
	OutstandingFen int64 `json:"outstanding_fen"`
}

// Balance is the document's balance block: the opening balance, the
// period's fees with tax less its deductions, the payments recorded
// against the statement, and the outstanding amount, which is
// opening + billed - deductions - paid.
func (d Document) Balance() Balance {
	t := d.S.Totals
	b := Balance{OpeningFen: d.OpeningFen, BilledFen: t.Fees.GrossFen, DeductionsFen: t.DeductionsFen,
		PeriodFen: t.TotalFen, PaidFen: d.S.PaidFen}
	b.OutstandingFen = b.OpeningFen + b.PeriodFen - b.PaidFen
	return b
}

// balanceRows are the balance block's labels and amounts, in order.
func (d Document) balanceRows() []struct {
	Label string
	Fen   int64
} {
	b := d.Balance()
	return []struct {
		Label string
		Fen   int64
	}{
		{d.T("settlements.doc_opening"), b.OpeningFen},
		{d.T("settlements.doc_billed"), b.BilledFen},
		{d.T("settlements.deductions"), -b.DeductionsFen},
		{d.T("settlements.doc_period"), b.PeriodFen},
		{d.T("settlements.doc_paid"), -b.PaidFen},
		{d.T("settlements.doc_outstanding"), b.OutstandingFen},
	}
}

// payeeLines are the payment details' texts: payee, bank, account.
func (d Document) payeeLines() []string {
	out := []string{d.T("settlements.doc_payee", "Name", d.Payee.Name)}
	if d.Payee.Account != "" {
		out = append(out, d.T("settlements.doc_bank", "Bank", d.Payee.Bank), d.T("settlements.doc_account", "Number", d.Payee.Account))
	}
	return out
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
