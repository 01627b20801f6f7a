package labels

import "github.com/signintech/gopdf"

// AddTo makes the font available to another PDF document under family, so
// that other printed documents (a settlement statement) embed the same
// parsed face as the labels.
func (f *Font) AddTo(pdf *gopdf.GoPdf, family string) error {
	return pdf.AddTTFFontFromFontContainer(family, f.container)
}
