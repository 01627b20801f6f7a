package spreadsheet

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// TextSheet streams rows of text into a workbook of one sheet, in constant
// memory: every cell is a text cell, so that a serial number or a code of
// digits is never turned into a number, and text that starts like a
// formula stays text (an XLSX text cell is never evaluated).
type TextSheet struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	bold int
	row  int
}

// NewTextSheet starts a workbook whose first cols columns are width
// characters wide. Close it, or write it with WriteTo, which closes it.
func NewTextSheet(cols int, width float64) (*TextSheet, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err == nil && cols > 0 {
		err = sw.SetColWidth(1, cols, width)
	}
	var bold int
	if err == nil {
		bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &TextSheet{f: f, sw: sw, bold: bold}, nil
}

// Header writes a row in bold.
func (s *TextSheet) Header(cells []string) error { return s.put(cells, s.bold) }

// Row writes a row.
func (s *TextSheet) Row(cells []string) error { return s.put(cells, 0) }

func (s *TextSheet) put(cells []string, style int) error {
	s.row++
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = excelize.Cell{StyleID: style, Value: c}
	}
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, vals)
}

// WriteTo finishes the workbook, writes it to w and closes it.
func (s *TextSheet) WriteTo(w io.Writer) (int64, error) {
	defer s.Close()
	if err := s.sw.Flush(); err != nil {
		return 0, err
	}
	n, err := s.f.WriteTo(w)
	if err != nil {
		return n, fmt.Errorf("write the workbook: %w", err)
	}
	return n, nil
}

// Close drops the workbook's temporary files.
func (s *TextSheet) Close() { _ = s.f.Close() }
