package spreadsheet

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestStreamReadsBack writes a workbook through Stream and reads it back
// with excelize: text stays text (digits, formulas, markup, spaces, CJK),
// numbers are numbers, amounts in yuan with two decimals, control
// characters left out, empty cells and rows empty.
func TestStreamReadsBack(t *testing.T) {
	var buf bytes.Buffer
	s, err := NewStream(&buf, 6, 30)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]Cell{
		{Styled("结算单", Title)},
		{Text("000123"), Text(Guard("=HYPERLINK(\"x\")")), Text("<a&b> \"q\""), Text(" 前后空格 "), Text("tab\tand\x01ctl")},
		{},
		{Int(42), Yuan(-12345), Yuan(5), Yuan(1_000_000_000_00), {}, Styled("合计", Bold)},
	}
	for _, r := range rows {
		if err := s.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, want := range map[string]string{
		"A1": "结算单", "A2": "000123", "B2": "'=HYPERLINK(\"x\")", "C2": "<a&b> \"q\"", "D2": " 前后空格 ", "E2": "tab\tandctl",
		"A3": "", "A4": "42", "B4": "-123.45", "C4": "0.05", "D4": "1,000,000,000.00", "E4": "", "F4": "合计",
	} {
		got, err := f.GetCellValue("Sheet1", cell)
		if err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", cell, got, err, want)
		}
	}
	for cell, want := range map[string]excelize.CellType{"A2": excelize.CellTypeInlineString, "A4": excelize.CellTypeUnset, "B4": excelize.CellTypeUnset} {
		if got, _ := f.GetCellType("Sheet1", cell); got != want {
			t.Errorf("%s type %v, want %v", cell, got, want)
		}
	}
	if raw, _ := f.GetCellValue("Sheet1", "B4", excelize.Options{RawCellValue: true}); raw != "-123.45" {
		t.Errorf("B4 raw %q", raw)
	}
	if w, _ := f.GetColWidth("Sheet1", "B"); w != 30 {
		t.Errorf("column B is %v wide", w)
	}
	if st, _ := f.GetCellStyle("Sheet1", "A1"); st != int(Title) {
		t.Errorf("A1 style %d", st)
	}
}
