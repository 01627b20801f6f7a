package spreadsheet

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// Stream writes a workbook of one sheet straight into its zip, row by row:
// the sheet's XML is compressed as it is written, so memory stays constant
// and nothing goes through a temporary file, whatever the number of rows.
// Text is written as inline strings (never evaluated, never turned into a
// number); numbers and amounts as numbers, so that a spreadsheet sums them.
// A workbook of a few hundred thousand rows is written several times
// faster than through a general-purpose library.
type Stream struct {
	zw  *zip.Writer
	w   *bufio.Writer
	row int
	buf []byte
	err error
}

// Style is a cell's look: one of the styles the workbook defines.
type Style uint8

const (
	Plain Style = iota
	Money       // a number with two decimals and thousands separators (#,##0.00)
	Bold
	Title // bold, 14 points
)

type cellKind uint8

const (
	empty cellKind = iota
	text
	integer
	fen
)

// Cell is one cell of a row; the zero Cell is empty.
type Cell struct {
	kind  cellKind
	style Style
	s     string
	n     int64
}

// Text is a text cell.
func Text(s string) Cell { return Cell{kind: text, s: s} }

// Styled is a text cell in a style (Bold, Title).
func Styled(s string, st Style) Cell { return Cell{kind: text, s: s, style: st} }

// Int is a whole number.
func Int(n int64) Cell { return Cell{kind: integer, n: n} }

// Yuan is an amount given in fen, written as a number of yuan with two
// decimals, exactly (no float rounding), in the Money style.
func Yuan(f int64) Cell { return Cell{kind: fen, n: f, style: Money} }

// NewStream starts a workbook on w whose columns have the widths given
// (in characters; widths[0] is column A's). Close finishes it.
func NewStream(w io.Writer, widths ...float64) (*Stream, error) {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	s := &Stream{zw: zw}
	for _, part := range [][2]string{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"xl/workbook.xml", workbook},
		{"xl/_rels/workbook.xml.rels", workbookRels},
		{"xl/styles.xml", styles},
	} {
		f, err := zw.Create(part[0])
		if err == nil {
			_, err = io.WriteString(f, xmlHeader+part[1])
		}
		if err != nil {
			return nil, fmt.Errorf("workbook %s: %w", part[0], err)
		}
	}
	f, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return nil, err
	}
	s.w = bufio.NewWriterSize(f, 64<<10)
	b := append(s.buf[:0], xmlHeader+`<worksheet xmlns="`+mainNS+`" xmlns:r="`+relNS+`">`...)
	if len(widths) > 0 {
		b = append(b, "<cols>"...)
		for i, wd := range widths {
			b = fmt.Appendf(b, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, i+1, i+1, strconv.FormatFloat(wd, 'f', -1, 64))
		}
		b = append(b, "</cols>"...)
	}
	b = append(b, "<sheetData>"...)
	s.buf = b
	return s, s.flush()
}

// Row writes the next row; nil or zero cells are left empty.
func (s *Stream) Row(cells ...Cell) error {
	if s.err != nil {
		return s.err
	}
	s.row++
	b := s.buf[:0]
	b = append(b, `<row r="`...)
	b = strconv.AppendInt(b, int64(s.row), 10)
	b = append(b, `">`...)
	for i, c := range cells {
		if c.kind == empty {
			continue
		}
		b = append(b, `<c r="`...)
		b = appendColumn(b, i)
		b = strconv.AppendInt(b, int64(s.row), 10)
		b = append(b, '"')
		if c.style != Plain {
			b = append(b, ` s="`...)
			b = strconv.AppendInt(b, int64(c.style), 10)
			b = append(b, '"')
		}
		switch c.kind {
		case text:
			b = append(b, ` t="inlineStr"><is><t`...)
			if n := len(c.s); n > 0 && (isSpace(c.s[0]) || isSpace(c.s[n-1])) {
				b = append(b, ` xml:space="preserve"`...)
			}
			b = append(b, '>')
			b = appendEscaped(b, c.s)
			b = append(b, "</t></is></c>"...)
		case integer:
			b = append(b, "><v>"...)
			b = strconv.AppendInt(b, c.n, 10)
			b = append(b, "</v></c>"...)
		case fen:
			b = append(b, "><v>"...)
			b = appendYuan(b, c.n)
			b = append(b, "</v></c>"...)
		}
	}
	b = append(b, "</row>"...)
	s.buf = b
	return s.flush()
}

// Close ends the sheet and the zip. It does not close the writer given to
// NewStream.
func (s *Stream) Close() error {
	if s.err != nil {
		return s.err
	}
	s.buf = append(s.buf[:0], "</sheetData></worksheet>"...)
	if err := s.flush(); err != nil {
		return err
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	s.err = fmt.Errorf("workbook closed")
	return s.zw.Close()
}

func (s *Stream) flush() error {
	if _, err := s.w.Write(s.buf); err != nil {
		s.err = fmt.Errorf("write the workbook: %w", err)
	}
	return s.err
}

// appendColumn appends the letters of column i (0: A).
func appendColumn(b []byte, i int) []byte {
	if i >= 26 {
		b = appendColumn(b, i/26-1)
	}
	return append(b, byte('A'+i%26))
}

// appendYuan appends fen as yuan with two decimals: -12345 is -123.45.
func appendYuan(b []byte, f int64) []byte {
	u := uint64(f)
	if f < 0 {
		b = append(b, '-')
		u = uint64(-f)
	}
	b = strconv.AppendUint(b, u/100, 10)
	return append(b, '.', byte('0'+u%100/10), byte('0'+u%10))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// appendEscaped appends s as XML text: the markup characters escaped, and
// the characters XML 1.0 does not allow (control characters other than
// tab and line breaks, invalid UTF-8) left out.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError && r != 0xFFFE && r != 0xFFFF {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch {
		case c == '&':
			b = append(b, "&amp;"...)
		case c == '<':
			b = append(b, "&lt;"...)
		case c == '>':
			b = append(b, "&gt;"...)
		case c == '\r':
			b = append(b, "&#13;"...)
		case c < 0x20 && c != '\t' && c != '\n':
		default:
			b = append(b, c)
		}
		i++
	}
	return b
}

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	mainNS    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	relNS     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	pkgRelNS  = "http://schemas.openxmlformats.org/package/2006/relationships"

	contentTypes = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`</Types>`
	rootRels = `<Relationships xmlns="` + pkgRelNS + `">` +
		`<Relationship Id="rId1" Type="` + relNS + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbook = `<workbook xmlns="` + mainNS + `" xmlns:r="` + relNS + `">` +
		`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	workbookRels = `<Relationships xmlns="` + pkgRelNS + `">` +
		`<Relationship Id="rId1" Type="` + relNS + `/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="` + relNS + `/styles" Target="styles.xml"/></Relationships>`
	// styles defines the cell formats in the order of Style.
	styles = `<styleSheet xmlns="` + mainNS + `">` +
		`<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>` +
		`<font><b/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font></fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
		`<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
		`<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
		`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
		`<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
		`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
)
