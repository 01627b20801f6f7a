package settlement

import (
	"strings"
	"time"

	"aftersales/internal/fees"
	"aftersales/internal/parts"
	"aftersales/internal/problem"
)

// Status is where a statement is in its workflow.
type Status string

const (
	// Draft: generated from the records, regenerated at will.
	Draft Status = "draft"
	// Submitted: the provider submitted it; the vendor reviews it.
	Submitted Status = "submitted"
	// Disputed: the vendor disputes one or more lines; the provider answers.
	Disputed Status = "disputed"
	// Approved: the vendor approved it; it is locked and never changes.
	Approved Status = "approved"
)

// LineDeduction is the kind of a breach deduction line; LineUnpriced lists
// a record the schedule does not price, with the reason and no amount.
const (
	LineDeduction fees.LineKind = "deduction"
	LineUnpriced  fees.LineKind = "unpriced"
)

// DisputeState is where a line's dispute stands.
type DisputeState string

const (
	DisputeOpen      DisputeState = "open"
	DisputeAccepted  DisputeState = "accepted"  // the provider removed or changed the line
	DisputeExplained DisputeState = "explained" // the provider explained it; the line stands
)

// Dispute is the vendor's objection to a line and the provider's answer.
type Dispute struct {
	State      DisputeState `json:"state" enum:"open,accepted,explained"`
	Reason     string       `json:"reason"`
	DisputedBy string       `json:"disputed_by"`
	DisputedAt time.Time    `json:"disputed_at"`
	Answer     string       `json:"answer,omitempty"`
	AnsweredBy string       `json:"answered_by,omitempty"`
	AnsweredAt *time.Time   `json:"answered_at,omitempty"`
}

// Line is one line of a statement: a fee line of a priced record, a cap,
// a deduction with its evidence, or an unpriced record with the reason.
// A deduction's amounts are negative: it reduces what the vendor pays.
type StatementLine struct {
	ID       int64  `json:"id" doc:"The line's id; 0 for a draft's record lines, which read the records' kept prices and get an id when the statement is submitted."`
	Position int    `json:"position"`
	RecordID *int64 `json:"record_id,omitempty"`
	Request  string `json:"request,omitempty"`
	fees.Line
	TermsVersion int    `json:"terms_version,omitempty"`
	Rule         string `json:"rule,omitempty" doc:"The breach rule of a deduction."`
	// Evidence names what a deduction is for.
	Evidence       *fees.Evidence `json:"evidence,omitempty"`
	UnpricedReason string         `json:"unpriced_reason,omitempty"`
	Detail         string         `json:"detail,omitempty"`
	// AdjustmentOf is the earlier period a record belongs to by its
	// check-out, when it was sealed only in this one.
	AdjustmentOf string   `json:"adjustment_of,omitempty" doc:"The earlier period of a record sealed late: the line is an adjustment that refers to it."`
	Removed      bool     `json:"removed" doc:"Removed by the provider accepting a dispute; not counted."`
	Dispute      *Dispute `json:"dispute,omitempty"`
}

// Counts reports whether the line counts towards the totals.
func (l StatementLine) Counts() bool { return !l.Removed && l.Kind != LineUnpriced }

// Totals are what a statement comes to: the fee lines per VAT rate, the
// deductions, and the total the vendor pays in figures and in words. The
// total is the fees with tax less the deductions; deductions carry no VAT
// (违约金 is not a price reduction), so the invoice is for the fees.
type StatementTotals struct {
	Fees          fees.Totals `json:"fees"`
	DeductionsFen int64       `json:"deductions_fen" doc:"The deductions, as a positive amount taken off."`
	TotalFen      int64       `json:"total_fen" doc:"What the vendor pays: fees with tax less deductions."`
	TotalInWords  string      `json:"total_in_words" doc:"The total in uppercase Chinese (金额大写)."`
	Unpriced      int         `json:"unpriced" doc:"Records listed as unpriced, with no amount."`
}

// Sum computes a statement's totals from its lines.
func Sum(lines []StatementLine) StatementTotals {
	var t StatementTotals
	feeLines := make([]fees.Line, 0, len(lines))
	for _, l := range lines {
		switch {
		case l.Kind == LineUnpriced:
			t.Unpriced++
		case l.Removed:
		case l.Kind == LineDeduction:
			t.DeductionsFen -= l.GrossFen
		default:
			feeLines = append(feeLines, l.Line)
		}
	}
	t.Fees = fees.Sum(feeLines)
	if t.Fees.ByRate == nil {
		t.Fees.ByRate = []fees.RateTotal{}
	}
	t.TotalFen = t.Fees.GrossFen - t.DeductionsFen
	t.TotalInWords = fees.AmountInWords(t.TotalFen)
	return t
}

// Build lays out a statement's lines: the vendor's records in the order
// given, each with its fee lines (or as unpriced), the period cap, then
// the deductions. Records the customer pays are not on the statement.
func Build(period Period, priced []Priced, caps []fees.Line, capVersion int, ds []fees.Deduction) []StatementLine {
	var out []StatementLine
	add := func(l StatementLine) {
		l.Position = len(out) + 1
		out = append(out, l)
	}
	for _, p := range priced {
		if p.Payer != PayerVendor {
			continue
		}
		base := StatementLine{RecordID: &p.RecordID, Request: p.RequestNo, TermsVersion: p.TermsVersion}
		if p.Day != "" && p.Day < period.From.String() {
			base.AdjustmentOf = PeriodOf(period.Kind(), mustDate(p.Day)).Key
		}
		if p.Unpriced != nil {
			l := base
			l.Kind, l.UnpricedReason, l.Detail = LineUnpriced, string(p.Unpriced.Reason), p.Unpriced.Detail
			add(l)
			continue
		}
		for _, fl := range p.Lines {
			l := base
			l.Line = fl
			add(l)
		}
	}
	for _, c := range caps {
		add(StatementLine{Line: c, TermsVersion: capVersion})
	}
	for _, d := range ds {
		if d.AmountFen == 0 && d.CappedFen == 0 {
			continue
		}
		ev := d.Evidence
		l := StatementLine{Request: ev.Request, TermsVersion: ev.TermsVersion, Rule: d.Rule, Evidence: &ev}
		if ev.RecordID != 0 {
			id := ev.RecordID
			l.RecordID = &id
		}
		l.Line = fees.Line{Kind: LineDeduction, Quantity: d.Quantity, UnitFen: d.UnitFen, NetFen: -d.AmountFen, GrossFen: -d.AmountFen}
		if d.CappedFen > 0 {
			l.Detail = "capped"
		}
		add(l)
	}
	return out
}

// because gives a problem its machine-readable reason.
func because(reason string, e *problem.Error) *problem.Error {
	e.Reason = reason
	return e
}

// DisputeLine records the vendor's objection to a line of a submitted
// statement.
func DisputeLine(st Status, l *StatementLine, reason, by string, at time.Time) error {
	if st != Submitted && st != Disputed {
		if st == Approved {
			return problem.New(problem.Conflict, "an approved statement is locked: its lines are no longer disputed")
		}
		return problem.New(problem.Conflict, "a draft is not disputed: the provider submits it first")
	}
	if l.Removed || l.Kind == LineUnpriced {
		return problem.New(problem.Conflict, "line %d carries no amount to dispute", l.Position)
	}
	if l.Dispute != nil && l.Dispute.State == DisputeOpen {
		return problem.New(problem.Conflict, "line %d is already disputed and waits for the provider's answer", l.Position)
	}
	if strings.TrimSpace(reason) == "" {
		return problem.Field("reason", "is required")
	}
	l.Dispute = &Dispute{State: DisputeOpen, Reason: reason, DisputedBy: by, DisputedAt: at.UTC()}
	return nil
}

// Answer is the provider's answer to a dispute: accept it (the line is
// removed, or changed to AmountFen before tax), or explain why it stands.
type Answer struct {
	Accept    bool
	AmountFen *int64
	Text      string
}

// AnswerDispute applies the provider's answer to a disputed line.
func AnswerDispute(st Status, l *StatementLine, a Answer, by string, at time.Time) error {
	if st != Disputed || l.Dispute == nil || l.Dispute.State != DisputeOpen {
		return problem.New(problem.Conflict, "line %d has no open dispute to answer", l.Position)
	}
	var fs problem.Fields
	if !a.Accept && strings.TrimSpace(a.Text) == "" {
		fs.Add("text", "explain why the line stands, or accept the dispute")
	}
	if !a.Accept && a.AmountFen != nil {
		fs.Add("amount_fen", "only an accepted dispute changes the amount")
	}
	if a.AmountFen != nil {
		switch v := *a.AmountFen; {
		case v < 0:
			fs.Add("amount_fen", "must not be negative")
		case v > fees.MaxFen:
			fs.Add("amount_fen", "must be at most %d fen (one hundred million yuan)", fees.MaxFen)
		case l.Kind != LineDeduction && v >= l.NetFen:
			fs.Add("amount_fen", "an accepted dispute lowers the line: give less than %s", parts.FormatYuan(l.NetFen))
		case l.Kind == LineDeduction && v >= -l.NetFen:
			fs.Add("amount_fen", "an accepted dispute lowers the deduction: give less than %s", parts.FormatYuan(-l.NetFen))
		}
	}
	if err := fs.Err(); err != nil {
		return err
	}
	t := at.UTC()
	l.Dispute.Answer, l.Dispute.AnsweredBy, l.Dispute.AnsweredAt = a.Text, by, &t
	if !a.Accept {
		l.Dispute.State = DisputeExplained
		return nil
	}
	l.Dispute.State = DisputeAccepted
	switch {
	case a.AmountFen == nil:
		l.Removed = true
	case l.Kind == LineDeduction:
		l.NetFen, l.GrossFen = -*a.AmountFen, -*a.AmountFen
	default:
		l.NetFen = *a.AmountFen
		l.TaxFen = fees.TaxOf(l.NetFen, l.TaxRateBP)
		l.GrossFen = l.NetFen + l.TaxFen
	}
	return nil
}

// OpenDisputes counts the lines that wait for the provider's answer.
func OpenDisputes(lines []StatementLine) int {
	n := 0
	for _, l := range lines {
		if l.Dispute != nil && l.Dispute.State == DisputeOpen {
			n++
		}
	}
	return n
}
