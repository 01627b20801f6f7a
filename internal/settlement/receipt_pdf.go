package settlement

import (
	"fmt"
	"io"

	"github.com/signintech/gopdf"

	"aftersales/internal/fees"
	"aftersales/internal/labels"
)

// ReceiptDocument is the customer's receipt of a request as a document:
// the request and its unit, and the receipts of its visits out of
// warranty, each naming the provider that did the work.
type ReceiptDocument struct {
	Request       string // the request's number
	Serial, Model string
	Receipts      []Receipt
	// T translates a catalog id into the reader's language.
	T func(id string, args ...any) string
}

// receiptCols are the widths of the receipt's table: line, quantity, unit
// price, net, tax (with its rate), gross.
var receiptCols = []float64{66, 20, 22, 24, 24, 24}

// WriteReceiptPDF renders the receipt as an A4 document with the CJK font
// embedded: title and request, then for each visit the provider that did
// it with its address, the visit, the lines, the tax per rate, the total
// in figures and in 金额大写; "page x of y" at the foot of every page.
func WriteReceiptPDF(w io.Writer, font *labels.Font, d ReceiptDocument) error {
	if err := writeA4(w, font, d.Request+" "+d.T("receipts.title"), d.T, func(pdf *gopdf.GoPdf) (*pdfWriter, error) {
		p := &receiptPDF{pdfWriter: pdfWriter{pdf: pdf, d: Document{T: d.T}}, r: d}
		return &p.pdfWriter, p.render()
	}); err != nil {
		return fmt.Errorf("receipt pdf: %w", err)
	}
	return nil
}

type receiptPDF struct {
	pdfWriter
	r ReceiptDocument
}

func (p *receiptPDF) render() error {
	d := p.r
	p.newPage()
	if err := p.text(marginX, p.y, contentW, 16, d.T("receipts.heading"), gopdf.Center); err != nil {
		return err
	}
	p.y += 10
	head := d.T("requests.number") + " " + d.Request + "    " + d.T("requests.product") + " " + d.Serial + " · " + d.Model
	if err := p.text(marginX, p.y, contentW, 9, head, gopdf.Center); err != nil {
		return err
	}
	p.y += 8
	for i, rc := range d.Receipts {
		if i > 0 {
			p.y += 6
		}
		if err := p.receipt(rc); err != nil {
			return err
		}
	}
	return nil
}

// receipt lays out one visit's receipt; it starts on a new page when its
// heading and first lines do not fit.
func (p *receiptPDF) receipt(rc Receipt) error {
	d := p.r
	if err := p.need(60, false); err != nil {
		return err
	}
	// The provider that did the work, with its address.
	p.pdf.SetLineWidth(0.2)
	p.pdf.RectFromUpperLeftWithStyle(marginX, p.y, contentW, 19, "D")
	if err := p.text(marginX+2, p.y+2, contentW-4, 8, d.T("receipts.provider"), gopdf.Left); err != nil {
		return err
	}
	if err := p.text(marginX+2, p.y+6.5, contentW-4, 10, rc.Provider, gopdf.Left); err != nil {
		return err
	}
	if rc.ProviderAddress != "" {
		if _, err := p.wrapped(marginX+2, p.y+11.5, contentW-4, 7.5, d.T("settlements.doc_address")+" "+rc.ProviderAddress); err != nil {
			return err
		}
	}
	p.y += 22
	facts := [][2]string{
		{d.T("receipts.visit"), d.T("records.number", "N", rc.RecordID) + " · " + rc.Day},
		{d.T("receipts.why"), d.T("receipts.out_of_warranty")},
	}
	if rc.TermsVersion != 0 {
		facts = append(facts, [2]string{d.T("receipts.terms_version"), fmt.Sprint(rc.TermsVersion)})
	}
	for _, f := range facts {
		if err := p.text(marginX, p.y, 35, 9, f[0], gopdf.Left); err != nil {
			return err
		}
		if err := p.text(marginX+36, p.y, contentW-36, 9, f[1], gopdf.Left); err != nil {
			return err
		}
		p.y += 5.5
	}
	p.y += 2
	if rc.UnpricedReason != "" {
		return p.text(marginX, p.y, contentW, 9, d.T("receipts.unpriced")+" "+d.T("settlements.unpriced_"+string(rc.UnpricedReason)), gopdf.Left)
	}
	if err := p.header(); err != nil {
		return err
	}
	for _, l := range rc.Lines {
		if err := p.line(l); err != nil {
			return err
		}
	}
	rows := [][2]string{{d.T("settlements.net"), yuan(rc.Totals.NetFen)}}
	for _, r := range rc.Totals.ByRate {
		rows = append(rows, [2]string{d.T("settlements.tax_at", "Rate", pct(r.RateBP)), yuan(r.TaxFen)})
	}
	rows = append(rows, [2]string{d.T("receipts.total"), yuan(rc.Totals.GrossFen)})
	if err := p.need(float64(len(rows))*5.5+16, false); err != nil {
		return err
	}
	p.y += 2
	if err := p.amounts(rows, d.T("settlements.in_words")+"："+rc.InWords); err != nil {
		return err
	}
	p.y += 11
	return nil
}

func (p *receiptPDF) header() error {
	d := p.r
	heads := []string{d.T("settlements.line"), d.T("settlements.quantity"), d.T("settlements.doc_unit"), d.T("settlements.net"),
		d.T("settlements.tax"), d.T("settlements.gross")}
	return p.headRow(receiptCols, heads, 1)
}

// line writes one line of a receipt as the page shows it: what it charges
// for, the quantity (minutes, km), the unit price, the amounts.
func (p *receiptPDF) line(l fees.Line) error {
	d := p.r
	if p.y+6 > contentBottom {
		p.newPage()
		if err := p.header(); err != nil {
			return err
		}
	}
	title := d.T("settlements.kind_" + string(l.Kind))
	qty := fmt.Sprint(l.Quantity)
	switch l.Kind {
	case fees.LinePart:
		title += " " + l.Ref
	case fees.LineSurcharge:
		title += " " + d.T("settlements.ref_"+l.Ref) + " " + pct(l.RateBP)
		qty = ""
	case fees.LineLabour:
		qty = d.T("settlements.minutes", "N", l.Quantity)
	case fees.LineTravel:
		qty = fmt.Sprintf("%d km", l.Quantity)
	}
	unit := "—"
	if l.UnitFen != 0 && l.Kind != fees.LineSurcharge {
		unit = yuan(l.UnitFen)
	}
	tax := yuan(l.TaxFen)
	if l.TaxRateBP > 0 {
		tax += " (" + pct(l.TaxRateBP) + ")"
	}
	x := marginX
	for i, c := range []string{title, qty, unit, yuan(l.NetFen), tax, yuan(l.GrossFen)} {
		align := gopdf.Right
		if i == 0 {
			align = gopdf.Left
		}
		if err := p.text(x+1, p.y, receiptCols[i]-2, 8, c, align); err != nil {
			return err
		}
		x += receiptCols[i]
	}
	p.y += 6
	p.pdf.SetStrokeColor(210, 214, 220)
	p.pdf.Line(marginX, p.y-0.8, marginX+contentW, p.y-0.8)
	p.pdf.SetStrokeColor(0, 0, 0)
	return nil
}
