package installedbase

import (
	"bytes"
	"context"
	"strings"

	"aftersales/internal/labels"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// LabelRequest is a print run of QR labels.
type LabelRequest struct {
	Selection Selection
	// Base is the server's public address; each label's code opens Base/q/{token}.
	Base    string
	Layout  string // a labels.Layouts id; "" for the default
	Hotline string
	Outline bool
}

// LabelSheet checks a print run and renders it as a PDF. The labels are for
// units the actor may see; a missing font is a problem of kind Unavailable.
func (s *Service) LabelSheet(ctx context.Context, a policy.Actor, fonts *labels.FontSource, req LabelRequest) ([]byte, error) {
	layout, ok := labels.LayoutByID(req.Layout)
	var fs problem.Fields
	if !ok {
		fs.Add("layout", "must be one of %s", labels.LayoutIDs())
	}
	hotline := strings.TrimSpace(req.Hotline)
	problem.CheckText(&fs, "hotline", hotline, false, 30)
	if hotline != "" && strings.Trim(hotline, "0123456789-+ ()") != "" {
		fs.Add("hotline", "must be a phone number such as 400-820-1234")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	units, err := s.SelectUnits(ctx, a, req.Selection, labels.MaxLabels)
	if err != nil {
		return nil, err
	}
	font, err := fonts.Font()
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(req.Base, "/")
	items := make([]labels.Label, len(units))
	for i, u := range units {
		items[i] = labels.Label{ModelCode: u.ModelCode, ModelName: u.ModelName, Serial: u.SerialNumber, URL: base + u.QRPath()}
	}
	var buf bytes.Buffer
	if err := labels.Render(&buf, font, labels.Options{Layout: layout, Hotline: hotline, Outline: req.Outline}, items); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
