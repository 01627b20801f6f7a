// Package labels lays out printable QR labels for installed units: an A4
// sheet of self-adhesive labels, each with the model, the serial number,
// the QR code of the unit's public page and a short instruction in Chinese.
// It knows nothing of the database or HTTP: callers pass what to print.
package labels

import (
	"fmt"
	"io"
	"strings"

	"github.com/signintech/gopdf"
	"github.com/skip2/go-qrcode"

	"aftersales/internal/problem"
)

// Label is what one label shows.
type Label struct {
	ModelCode string
	ModelName string
	Serial    string
	// URL is the absolute address the QR code opens (/q/{token}).
	URL string
}

// Options apply to every label of a sheet.
type Options struct {
	Layout Layout
	// Instruction is the short line under the serial number.
	Instruction string
	// Hotline is printed when known, e.g. 400-820-1234.
	Hotline string
	// Outline draws each label's edge, for sheets cut by hand.
	Outline bool
}

// DefaultInstruction tells whoever stands at the machine what the code is for.
const DefaultInstruction = "扫码报修 · 请勿撕毁"

// MaxLabels bounds one sheet: about 40 pages of the densest layout.
const MaxLabels = 1000

// Layout is a grid of labels on an A4 page, in millimetres.
type Layout struct {
	ID          string
	Cols, Rows  int
	W, H        float64 // one label
	Left, Top   float64 // page margin to the first label
	GapX, GapY  float64 // between labels
	Description string
}

// Layouts are the label sheets offered, the first being the default.
var Layouts = []Layout{
	{ID: "a4-3x8", Cols: 3, Rows: 8, W: 70, H: 37, Left: 0, Top: 0.5, Description: "A4, 3 × 8 labels of 70 × 37 mm (24 per sheet)"},
	{ID: "a4-2x7", Cols: 2, Rows: 7, W: 99.1, H: 38.1, Left: 4.65, Top: 15.15, GapX: 2.5, Description: "A4, 2 × 7 labels of 99.1 × 38.1 mm (14 per sheet)"},
	{ID: "a4-2x4", Cols: 2, Rows: 4, W: 99.1, H: 67.7, Left: 4.65, Top: 13.1, GapX: 2.5, Description: "A4, 2 × 4 labels of 99.1 × 67.7 mm (8 per sheet), for large machines"},
}

// LayoutByID finds a layout; "" is the default.
func LayoutByID(id string) (Layout, bool) {
	if id == "" {
		return Layouts[0], true
	}
	for _, l := range Layouts {
		if l.ID == id {
			return l, true
		}
	}
	return Layout{}, false
}

// PerPage is the number of labels on one sheet.
func (l Layout) PerPage() int { return l.Cols * l.Rows }

// LayoutIDs lists the ids, for messages.
func LayoutIDs() string {
	ids := make([]string, len(Layouts))
	for i, l := range Layouts {
		ids[i] = l.ID
	}
	return strings.Join(ids, ", ")
}

const (
	pad       = 2.5 // mm inside the label's edge
	ptPerMM   = 72 / 25.4
	quietZone = 2 // modules of white around the code (the label's margin adds to it)
)

// Render writes a PDF of the labels, filling sheets row by row.
func Render(w io.Writer, font *Font, opt Options, items []Label) error {
	if len(items) == 0 {
		return problem.Field("units", "choose at least one product")
	}
	if len(items) > MaxLabels {
		return problem.Field("units", "%d labels asked for; at most %d fit in one print run: narrow the selection", len(items), MaxLabels)
	}
	if opt.Layout.Cols == 0 {
		opt.Layout = Layouts[0]
	}
	if opt.Instruction == "" {
		opt.Instruction = DefaultInstruction
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	pdf.SetInfo(gopdf.PdfInfo{Title: "QR labels", Creator: "aftersales"})
	if err := pdf.AddTTFFontFromFontContainer(fontFamily, font.container); err != nil {
		return fmt.Errorf("labels: %w", err)
	}
	l := opt.Layout
	for i, item := range items {
		slot := i % l.PerPage()
		if slot == 0 {
			pdf.AddPage()
		}
		col, row := slot%l.Cols, slot/l.Cols
		x := l.Left + float64(col)*(l.W+l.GapX)
		y := l.Top + float64(row)*(l.H+l.GapY)
		if err := drawLabel(pdf, l, x, y, item, opt); err != nil {
			return fmt.Errorf("label %d (%s): %w", i+1, item.Serial, err)
		}
	}
	_, err := pdf.WriteTo(w)
	return err
}

func drawLabel(pdf *gopdf.GoPdf, l Layout, x, y float64, item Label, opt Options) error {
	if opt.Outline {
		pdf.SetLineWidth(0.1)
		pdf.SetStrokeColor(190, 190, 190)
		pdf.RectFromUpperLeftWithStyle(x, y, l.W, l.H, "D")
	}
	// The code takes a square as tall as the label allows, on the left; the
	// text fills the rest. On the tall layout the text goes under the code.
	side := l.H - 2*pad
	tall := l.H > 55
	if tall {
		side = l.H - 2*pad - 16
	}
	if err := drawQR(pdf, item.URL, x+pad, y+pad, side); err != nil {
		return err
	}
	tx, ty, tw := x+pad+side+2.5, y+pad+0.5, l.W-side-2*pad-2.5
	if tall {
		tx, ty, tw = x+pad+side+4, y+pad+2, l.W-side-2*pad-4
	}
	lines := []textLine{
		{item.ModelCode, 10, 0, true, 1},
		{item.ModelName, 7, 85, false, 1},
		{"SN " + item.Serial, 8.5, 0, true, 2},
		{opt.Instruction, 7.5, 0, false, 2},
	}
	if opt.Hotline != "" {
		lines = append(lines, textLine{"服务热线 " + opt.Hotline, 7.5, 0, false, 1})
	}
	bottom := y + l.H - pad
	for _, ln := range lines {
		if ln.text == "" {
			continue
		}
		used, err := drawText(pdf, ln, tx, ty, tw, bottom)
		if err != nil {
			return err
		}
		ty += used
	}
	return nil
}

type textLine struct {
	text     string
	size     float64 // points
	gray     uint8
	fit      bool // shrink before wrapping (serial numbers)
	maxLines int
}

// drawText writes a line in the box from (x, y), width w, not below bottom;
// it shrinks lines marked fit down to 5 pt, wraps up to maxLines lines, and
// ends what does not fit with an ellipsis. It returns the height used.
func drawText(pdf *gopdf.GoPdf, ln textLine, x, y, w, bottom float64) (float64, error) {
	size := ln.size
	if err := pdf.SetFont(fontFamily, "", size); err != nil {
		return 0, err
	}
	for ln.fit && size > 5 {
		width, err := pdf.MeasureTextWidth(ln.text)
		if err != nil {
			return 0, err
		}
		if width <= w {
			break
		}
		size -= 0.5
		if err := pdf.SetFont(fontFamily, "", size); err != nil {
			return 0, err
		}
	}
	lineH := size / ptPerMM * 1.25
	parts, err := pdf.SplitTextWithOption(ln.text, w, &gopdf.BreakOption{Mode: gopdf.BreakModeStrict})
	if err != nil || len(parts) == 0 {
		parts = []string{ln.text}
	}
	room := int((bottom - y) / lineH)
	limit := min(max(ln.maxLines, 1), room)
	if limit <= 0 {
		return 0, nil
	}
	if len(parts) > limit {
		parts = parts[:limit]
		parts[limit-1] = ellipsize(pdf, parts[limit-1], w)
	}
	pdf.SetTextColor(ln.gray, ln.gray, ln.gray)
	defer pdf.SetTextColor(0, 0, 0)
	for i, p := range parts {
		pdf.SetXY(x, y+float64(i)*lineH)
		if err := pdf.Cell(&gopdf.Rect{W: w, H: lineH}, p); err != nil {
			return 0, err
		}
	}
	return float64(len(parts))*lineH + 0.6, nil
}

// ellipsize cuts s so that it and "…" fit in w.
func ellipsize(pdf *gopdf.GoPdf, s string, w float64) string {
	r := []rune(s)
	for len(r) > 0 {
		cand := string(r) + "…"
		if width, err := pdf.MeasureTextWidth(cand); err == nil && width <= w {
			return cand
		}
		r = r[:len(r)-1]
	}
	return "…"
}

// drawQR draws the code as filled rectangles: runs of dark modules in a
// row, merged with the same run in the rows below. Vectors print sharp at
// any size and keep the file small.
func drawQR(pdf *gopdf.GoPdf, content string, x, y, side float64) error {
	code, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return err
	}
	code.DisableBorder = true
	bits := code.Bitmap()
	n := len(bits) + 2*quietZone
	m := side / float64(n)
	ox, oy := x+quietZone*m, y+quietZone*m
	pdf.SetFillColor(0, 0, 0)
	for _, b := range moduleBlocks(bits) {
		// A hair of overlap closes the seams some renderers leave between blocks.
		pdf.RectFromUpperLeftWithStyle(ox+float64(b.col)*m, oy+float64(b.row)*m, float64(b.width)*m, float64(b.height)*m+0.02, "F")
	}
	return nil
}

// block is a rectangle of dark modules.
type block struct{ row, col, width, height int }

// moduleBlocks covers the dark modules with rectangles: each row's runs,
// a run extended downwards while the next row has the very same run.
func moduleBlocks(bits [][]bool) []block {
	var out []block
	open := map[[2]int]int{} // run (col, width) -> index in out, for runs of the previous row
	for r, row := range bits {
		next := map[[2]int]int{}
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			key := [2]int{start, c - start}
			if i, ok := open[key]; ok {
				out[i].height++
				next[key] = i
			} else {
				out = append(out, block{row: r, col: start, width: c - start, height: 1})
				next[key] = len(out) - 1
			}
		}
		open = next
	}
	return out
}
