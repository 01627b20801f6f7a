package settlement

import (
	"fmt"
	"io"

	"github.com/signintech/gopdf"

	"aftersales/internal/labels"
)

const pdfFont = "cjk"

// A4 in millimetres, and the margins of the statement.
const (
	pageW, pageH   = 210.0, 297.0
	marginX        = 15.0
	marginTop      = 15.0
	contentBottom  = 277.0
	footerY        = 285.0
	contentW       = pageW - 2*marginX
	lineTextHeight = 4.2
)

// columns of the lines table: #, item, quantity, net, rate, tax, gross.
var pdfCols = []float64{9, 83, 16, 22, 14, 18, 18}

// pdfWriter lays the statement out page by page.
type pdfWriter struct {
	pdf *gopdf.GoPdf
	d   Document
	y   float64
}

// WritePDF renders the statement as an A4 business document with the CJK
// font embedded: title, number and period, both parties, the lines with
// their evidence, tax per rate, totals in figures and in 金额大写, payment,
// boxes for both parties' seals and signatures, and "page x of y".
func WritePDF(w io.Writer, font *labels.Font, d Document) error {
	if err := writeA4(w, font, d.S.Number, d.T, func(pdf *gopdf.GoPdf) (*pdfWriter, error) {
		p := &pdfWriter{pdf: pdf, d: d}
		return p, p.render()
	}); err != nil {
		return fmt.Errorf("statement pdf: %w", err)
	}
	return nil
}

// writeA4 starts an A4 document titled title with the CJK font embedded,
// has draw lay it out, puts "page x of y" at the foot of every page and
// writes it to w. draw returns the writer it drew with, for the footers.
func writeA4(w io.Writer, font *labels.Font, title string, t func(id string, args ...any) string, draw func(*gopdf.GoPdf) (*pdfWriter, error)) error {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	pdf.SetInfo(gopdf.PdfInfo{Title: title, Creator: "aftersales"})
	if err := font.AddTo(pdf, pdfFont); err != nil {
		return err
	}
	p, err := draw(pdf)
	if err != nil {
		return err
	}
	total := pdf.GetNumberOfPages()
	for i := 1; i <= total; i++ {
		if err := pdf.SetPage(i); err != nil {
			return err
		}
		if err := p.text(marginX, footerY, contentW, 8, t("settlements.doc_page", "N", i, "Of", total), gopdf.Center); err != nil {
			return err
		}
	}
	_, err = pdf.WriteTo(w)
	return err
}

func (p *pdfWriter) text(x, y, w, size float64, s string, align int) error {
	if err := p.pdf.SetFont(pdfFont, "", size); err != nil {
		return err
	}
	p.pdf.SetXY(x, y)
	return p.pdf.CellWithOption(&gopdf.Rect{W: w, H: size * 0.45}, s, gopdf.CellOption{Align: align})
}

// wrapped writes s in the width w from y on and returns the height used.
func (p *pdfWriter) wrapped(x, y, w, size float64, s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	if err := p.pdf.SetFont(pdfFont, "", size); err != nil {
		return 0, err
	}
	lines, err := p.pdf.SplitTextWithOption(s, w, &gopdf.BreakOption{Mode: gopdf.BreakModeStrict})
	if err != nil {
		return 0, err
	}
	h := size * 0.42
	for i, ln := range lines {
		p.pdf.SetXY(x, y+float64(i)*h)
		if err := p.pdf.Cell(&gopdf.Rect{W: w, H: h}, ln); err != nil {
			return 0, err
		}
	}
	return float64(len(lines)) * h, nil
}

func (p *pdfWriter) newPage() {
	p.pdf.AddPage()
	p.y = marginTop
}

// need starts a new page when h more millimetres do not fit.
func (p *pdfWriter) need(h float64, header bool) error {
	if p.y+h <= contentBottom {
		return nil
	}
	p.newPage()
	if header {
		return p.tableHeader()
	}
	return nil
}

func (p *pdfWriter) render() error {
	d, s := p.d, p.d.S
	p.newPage()
	if err := p.text(marginX, p.y, contentW, 16, d.T("settlements.doc_title"), gopdf.Center); err != nil {
		return err
	}
	p.y += 10
	head := d.T("settlements.doc_number") + " " + s.Number + "    " + d.T("settlements.period") + " " + s.PeriodFrom + " – " + lastOf(s.PeriodTo) +
		"    " + d.T("settlements.status") + " " + d.T("settlements.status_"+string(s.Status))
	if err := p.text(marginX, p.y, contentW, 9, head, gopdf.Center); err != nil {
		return err
	}
	p.y += 8
	// The parties, side by side.
	half := contentW / 2
	for i, party := range [][3]string{{d.T("settlements.vendor"), d.Vendor, d.VendorAddress}, {d.T("settlements.provider"), d.Provider, d.ProviderAddress}} {
		x := marginX + float64(i)*half
		p.pdf.SetLineWidth(0.2)
		p.pdf.RectFromUpperLeftWithStyle(x, p.y, half-2, 19, "D")
		if err := p.text(x+2, p.y+2, half-6, 8, party[0], gopdf.Left); err != nil {
			return err
		}
		if err := p.text(x+2, p.y+6.5, half-6, 10, party[1], gopdf.Left); err != nil {
			return err
		}
		if party[2] != "" {
			if _, err := p.wrapped(x+2, p.y+11.5, half-6, 7.5, d.T("settlements.doc_address")+" "+party[2]); err != nil {
				return err
			}
		}
	}
	p.y += 24
	if err := p.tableHeader(); err != nil {
		return err
	}
	if err := p.d.EachLine(p.line); err != nil {
		return err
	}
	return p.totals()
}

func (p *pdfWriter) tableHeader() error {
	d := p.d
	heads := []string{"#", d.T("settlements.line"), d.T("settlements.quantity"), d.T("settlements.net"), d.T("settlements.doc_rate"),
		d.T("settlements.tax"), d.T("settlements.gross")}
	return p.headRow(pdfCols, heads, 2)
}

// headRow writes a table's shaded row of headings in the columns cols, the
// first left of them aligned left and the others right.
func (p *pdfWriter) headRow(cols []float64, heads []string, left int) error {
	p.pdf.SetFillColor(235, 239, 245)
	p.pdf.RectFromUpperLeftWithStyle(marginX, p.y, contentW, 7, "F")
	p.pdf.SetFillColor(0, 0, 0) // PDF paints text with the fill colour
	x := marginX
	for i, h := range heads {
		align := gopdf.Right
		if i < left {
			align = gopdf.Left
		}
		if err := p.text(x+1, p.y+1.8, cols[i]-2, 8, h, align); err != nil {
			return err
		}
		x += cols[i]
	}
	p.y += 8
	return nil
}

func (p *pdfWriter) line(l StatementLine) error {
	title, detail := p.d.describe(l)
	if l.Removed {
		title += " (" + p.d.T("settlements.dispute_accepted") + ")"
	}
	// Measure the detail first so that a line never breaks across pages.
	if err := p.pdf.SetFont(pdfFont, "", 7); err != nil {
		return err
	}
	rows, err := p.pdf.SplitTextWithOption(detail, pdfCols[1]-2, &gopdf.BreakOption{Mode: gopdf.BreakModeStrict})
	if err != nil && detail != "" {
		return err
	}
	h := 5 + float64(len(rows))*7*0.42 + 1.5
	if err := p.need(h, true); err != nil {
		return err
	}
	cells := []string{fmt.Sprint(l.Position), title, fmt.Sprint(l.Quantity), yuan(l.NetFen), "", "", yuan(l.GrossFen)}
	if l.TaxRateBP > 0 {
		cells[4], cells[5] = pct(l.TaxRateBP), yuan(l.TaxFen)
	}
	if l.Kind == LineUnpriced {
		cells[2], cells[3], cells[6] = "", "", ""
	}
	x := marginX
	for i, c := range cells {
		align, size := gopdf.Right, 8.0
		if i < 2 {
			align = gopdf.Left
		}
		if err := p.text(x+1, p.y, pdfCols[i]-2, size, c, align); err != nil {
			return err
		}
		x += pdfCols[i]
	}
	if _, err := p.wrapped(marginX+pdfCols[0]+1, p.y+4.2, pdfCols[1]-2, 7, detail); err != nil {
		return err
	}
	p.y += h
	p.pdf.SetStrokeColor(210, 214, 220)
	p.pdf.Line(marginX, p.y-0.8, marginX+contentW, p.y-0.8)
	p.pdf.SetStrokeColor(0, 0, 0)
	return nil
}

// amounts writes rows of a label and an amount, flush right, then the
// total in words (金额大写) in a box across the page.
func (p *pdfWriter) amounts(rows [][2]string, inWords string) error {
	for _, r := range rows {
		if err := p.text(marginX+contentW-90, p.y, 55, 9, r[0], gopdf.Left); err != nil {
			return err
		}
		if err := p.text(marginX+contentW-35, p.y, 35, 9, r[1], gopdf.Right); err != nil {
			return err
		}
		p.y += 5.5
	}
	p.y += 2
	p.pdf.SetLineWidth(0.3)
	p.pdf.RectFromUpperLeftWithStyle(marginX, p.y, contentW, 9, "D")
	return p.text(marginX+3, p.y+2.6, contentW-6, 10, inWords, gopdf.Left)
}

func (p *pdfWriter) totals() error {
	d, t := p.d, p.d.S.Totals
	rows := [][2]string{{d.T("settlements.net"), yuan(t.Fees.NetFen)}}
	for _, r := range t.Fees.ByRate {
		rows = append(rows, [2]string{d.T("settlements.tax_at", "Rate", pct(r.RateBP)), yuan(r.TaxFen)})
	}
	rows = append(rows, [2]string{d.T("settlements.gross"), yuan(t.Fees.GrossFen)},
		[2]string{d.T("settlements.deductions"), "-" + yuan(t.DeductionsFen)},
		[2]string{d.T("settlements.total"), yuan(t.TotalFen)})
	if err := p.need(float64(len(rows)+7)*5.5+74, false); err != nil {
		return err
	}
	p.y += 3
	if err := p.amounts(rows, d.T("settlements.in_words")+"："+t.TotalInWords); err != nil {
		return err
	}
	p.y += 13
	// The balance block on the right, the payment details on the left.
	top := p.y
	if err := p.text(marginX+contentW-90, p.y, 90, 9, d.T("settlements.doc_balance"), gopdf.Left); err != nil {
		return err
	}
	p.y += 5.5
	for _, r := range d.balanceRows() {
		if err := p.text(marginX+contentW-90, p.y, 55, 9, r.Label, gopdf.Left); err != nil {
			return err
		}
		if err := p.text(marginX+contentW-35, p.y, 35, 9, yuan(r.Fen), gopdf.Right); err != nil {
			return err
		}
		p.y += 5.5
	}
	bottom := p.y
	p.y = top
	pay := d.payeeLines()
	if d.DueOn != "" {
		pay = append(pay, d.T("settlements.doc_due", "Date", d.DueOn))
	}
	for _, l := range pay {
		h, err := p.wrapped(marginX, p.y, contentW-95, 9, l)
		if err != nil {
			return err
		}
		p.y += h + 1.7
	}
	p.y = max(p.y, bottom) + 4
	// Boxes for both parties' seals and signatures.
	half := contentW / 2
	for i, who := range []string{d.T("settlements.vendor"), d.T("settlements.provider")} {
		x := marginX + float64(i)*half
		p.pdf.SetLineWidth(0.2)
		p.pdf.RectFromUpperLeftWithStyle(x, p.y, half-2, 40, "D")
		if err := p.text(x+3, p.y+3, half-8, 9, who+" "+d.T("settlements.doc_seal"), gopdf.Left); err != nil {
			return err
		}
		if err := p.text(x+3, p.y+28, half-8, 9, d.T("settlements.doc_signature"), gopdf.Left); err != nil {
			return err
		}
		if err := p.text(x+3, p.y+34, half-8, 9, d.T("settlements.doc_date"), gopdf.Left); err != nil {
			return err
		}
	}
	p.y += 42
	return nil
}

// lastOf is the last day of a period given the day after it.
func lastOf(to string) string {
	d, err := calendarParse(to)
	if err != nil {
		return to
	}
	return d.AddDays(-1).String()
}
