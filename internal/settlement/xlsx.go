package settlement

import (
	"fmt"
	"io"

	"aftersales/internal/spreadsheet"
)

// WriteXLSX writes the statement as a workbook, row by row straight into
// its zip (spreadsheet.Stream: constant memory for a large period): the
// heading with both parties, one row per line with its evidence, the tax
// per rate, the totals in figures and in 金额大写. Amounts are numbers in
// yuan with two decimals, so that a spreadsheet sums them.
func WriteXLSX(w io.Writer, d Document) error {
	sw, err := spreadsheet.NewStream(w, 6, 36, 36, 14, 14, 14, 14, 14, 14)
	if err != nil {
		return err
	}
	s := d.S
	put := sw.Row
	txt := func(v string) spreadsheet.Cell { return spreadsheet.Text(spreadsheet.Guard(v)) }
	amount := spreadsheet.Yuan
	bold := func(v string) spreadsheet.Cell { return spreadsheet.Styled(v, spreadsheet.Bold) }
	var none spreadsheet.Cell
	steps := [][]spreadsheet.Cell{
		{spreadsheet.Styled(d.T("settlements.doc_title"), spreadsheet.Title)},
		{txt(d.T("settlements.doc_number")), txt(s.Number)},
		{txt(d.T("settlements.period")), txt(s.PeriodFrom + " – " + lastOf(s.PeriodTo))},
		{txt(d.T("settlements.status")), txt(d.T("settlements.status_" + string(s.Status)))},
		{txt(d.T("settlements.vendor")), txt(d.Vendor), txt(d.VendorAddress)},
		{txt(d.T("settlements.provider")), txt(d.Provider), txt(d.ProviderAddress)},
		{},
		{bold("#"), bold(d.T("settlements.line")), bold(d.T("settlements.doc_evidence")), bold(d.T("settlements.quantity")),
			bold(d.T("settlements.doc_unit")), bold(d.T("settlements.net")), bold(d.T("settlements.doc_rate")), bold(d.T("settlements.tax")),
			bold(d.T("settlements.gross"))},
	}
	for _, cells := range steps {
		if err := put(cells...); err != nil {
			return err
		}
	}
	err = d.EachLine(func(l StatementLine) error {
		t, detail := d.describe(l)
		if l.Removed {
			t += " (" + d.T("settlements.dispute_accepted") + ")"
		}
		rate := none
		if l.TaxRateBP > 0 {
			rate = txt(pct(l.TaxRateBP))
		}
		if err := put(spreadsheet.Int(int64(l.Position)), txt(t), txt(detail), spreadsheet.Int(l.Quantity), amount(l.UnitFen),
			amount(l.NetFen), rate, amount(l.TaxFen), amount(l.GrossFen)); err != nil {
			return fmt.Errorf("statement xlsx line %d: %w", l.Position, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	tot := s.Totals
	rows := [][]spreadsheet.Cell{{}, {none, txt(d.T("settlements.net")), none, none, none, amount(tot.Fees.NetFen)}}
	for _, r := range tot.Fees.ByRate {
		rows = append(rows, []spreadsheet.Cell{none, txt(d.T("settlements.tax_at", "Rate", pct(r.RateBP))), none, none, none, amount(r.NetFen), txt(pct(r.RateBP)), amount(r.TaxFen)})
	}
	rows = append(rows,
		[]spreadsheet.Cell{none, txt(d.T("settlements.gross")), none, none, none, none, none, none, amount(tot.Fees.GrossFen)},
		[]spreadsheet.Cell{none, txt(d.T("settlements.deductions")), none, none, none, none, none, none, amount(-tot.DeductionsFen)},
		[]spreadsheet.Cell{none, bold(d.T("settlements.total")), none, none, none, none, none, none, amount(tot.TotalFen)},
		[]spreadsheet.Cell{none, txt(d.T("settlements.in_words")), txt(tot.TotalInWords)},
		[]spreadsheet.Cell{}, []spreadsheet.Cell{none, bold(d.T("settlements.doc_balance"))})
	for _, r := range d.balanceRows() {
		rows = append(rows, []spreadsheet.Cell{none, txt(r.Label), none, none, none, none, none, none, amount(r.Fen)})
	}
	rows = append(rows, []spreadsheet.Cell{})
	for _, l := range d.payeeLines() {
		rows = append(rows, []spreadsheet.Cell{none, txt(l)})
	}
	if d.DueOn != "" {
		rows = append(rows, []spreadsheet.Cell{none, txt(d.T("settlements.doc_due", "Date", d.DueOn))})
	}
	rows = append(rows, []spreadsheet.Cell{}, []spreadsheet.Cell{none, txt(d.T("settlements.vendor") + " " + d.T("settlements.doc_seal")), txt(d.T("settlements.provider") + " " + d.T("settlements.doc_seal"))},
		[]spreadsheet.Cell{none, txt(d.T("settlements.doc_signature")), txt(d.T("settlements.doc_signature"))},
		[]spreadsheet.Cell{none, txt(d.T("settlements.doc_date")), txt(d.T("settlements.doc_date"))})
	for _, cells := range rows {
		if err := put(cells...); err != nil {
			return err
		}
	}
	return sw.Close()
}
