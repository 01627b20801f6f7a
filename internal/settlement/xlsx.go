package settlement

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"aftersales/internal/spreadsheet"
)

// WriteXLSX writes the statement as a workbook, row by row through
// excelize's stream writer (constant memory for a large period): the
// heading with both parties, one row per line with its evidence, the tax
// per rate, the totals in figures and in 金额大写. Amounts are numbers in
// yuan with two decimals, so that a spreadsheet sums them.
func WriteXLSX(w io.Writer, d Document) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 6); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 3, 36); err != nil {
		return err
	}
	if err := sw.SetColWidth(4, 9, 14); err != nil {
		return err
	}
	s := d.S
	row := 0
	put := func(cells ...any) error {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, cells)
	}
	txt := func(v string) any { return spreadsheet.Guard(v) }
	amount := func(fen int64) any { return excelize.Cell{StyleID: money, Value: float64(fen) / 100} }
	steps := [][]any{
		{excelize.Cell{StyleID: title, Value: d.T("settlements.doc_title")}},
		{txt(d.T("settlements.doc_number")), txt(s.Number)},
		{txt(d.T("settlements.period")), txt(s.PeriodFrom + " – " + lastOf(s.PeriodTo))},
		{txt(d.T("settlements.status")), txt(d.T("settlements.status_" + string(s.Status)))},
		{txt(d.T("settlements.vendor")), txt(d.Vendor), txt(d.VendorAddress)},
		{txt(d.T("settlements.provider")), txt(d.Provider), txt(d.ProviderAddress)},
		{},
		{excelize.Cell{StyleID: bold, Value: "#"}, excelize.Cell{StyleID: bold, Value: d.T("settlements.line")},
			excelize.Cell{StyleID: bold, Value: d.T("settlements.doc_evidence")}, excelize.Cell{StyleID: bold, Value: d.T("settlements.quantity")},
			excelize.Cell{StyleID: bold, Value: d.T("settlements.doc_unit")}, excelize.Cell{StyleID: bold, Value: d.T("settlements.net")},
			excelize.Cell{StyleID: bold, Value: d.T("settlements.doc_rate")}, excelize.Cell{StyleID: bold, Value: d.T("settlements.tax")},
			excelize.Cell{StyleID: bold, Value: d.T("settlements.gross")}},
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
		cells := []any{l.Position, txt(t), txt(detail), l.Quantity, amount(l.UnitFen), amount(l.NetFen), nil, amount(l.TaxFen), amount(l.GrossFen)}
		if l.TaxRateBP > 0 {
			cells[6] = pct(l.TaxRateBP)
		}
		if err := put(cells...); err != nil {
			return fmt.Errorf("statement xlsx line %d: %w", l.Position, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	tot := s.Totals
	rows := [][]any{{}, {nil, txt(d.T("settlements.net")), nil, nil, nil, amount(tot.Fees.NetFen)}}
	for _, r := range tot.Fees.ByRate {
		rows = append(rows, []any{nil, txt(d.T("settlements.tax_at", "Rate", pct(r.RateBP))), nil, nil, nil, amount(r.NetFen), pct(r.RateBP), amount(r.TaxFen)})
	}
	rows = append(rows,
		[]any{nil, txt(d.T("settlements.gross")), nil, nil, nil, nil, nil, nil, amount(tot.Fees.GrossFen)},
		[]any{nil, txt(d.T("settlements.deductions")), nil, nil, nil, nil, nil, nil, amount(-tot.DeductionsFen)},
		[]any{nil, excelize.Cell{StyleID: bold, Value: d.T("settlements.total")}, nil, nil, nil, nil, nil, nil, amount(tot.TotalFen)},
		[]any{nil, txt(d.T("settlements.in_words")), txt(tot.TotalInWords)},
		[]any{}, []any{nil, excelize.Cell{StyleID: bold, Value: d.T("settlements.doc_balance")}})
	for _, r := range d.balanceRows() {
		rows = append(rows, []any{nil, txt(r.Label), nil, nil, nil, nil, nil, nil, amount(r.Fen)})
	}
	rows = append(rows, []any{})
	for _, l := range d.payeeLines() {
		rows = append(rows, []any{nil, txt(l)})
	}
	if d.DueOn != "" {
		rows = append(rows, []any{nil, txt(d.T("settlements.doc_due", "Date", d.DueOn))})
	}
	rows = append(rows, []any{}, []any{nil, txt(d.T("settlements.vendor") + " " + d.T("settlements.doc_seal")), txt(d.T("settlements.provider") + " " + d.T("settlements.doc_seal"))},
		[]any{nil, txt(d.T("settlements.doc_signature")), txt(d.T("settlements.doc_signature"))},
		[]any{nil, txt(d.T("settlements.doc_date")), txt(d.T("settlements.doc_date"))})
	for _, cells := range rows {
		if err := put(cells...); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
