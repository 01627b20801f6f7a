package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/installedbase"
	"aftersales/internal/labels"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
)

// A unit's service history, printable QR labels and the export of units.

type unitHistoryInput struct {
	ID     int64 `path:"id" minimum:"1"`
	Before int64 `query:"before" minimum:"0" doc:"The next value of the previous page: older requests than this id."`
	Limit  int   `query:"limit" minimum:"0" maximum:"100" doc:"Requests per page (default 20)."`
}

type unitHistoryOutput struct {
	Body servicerequest.History
}

// UnitQuery is the filter of the units list, which labels and export
// take too. Exported and embedded first, like CreateUnder.
type UnitQuery struct {
	Model      string `query:"model" maxLength:"40" doc:"Model code."`
	CustomerID int64  `query:"customer_id" minimum:"0"`
	SiteID     int64  `query:"site_id" minimum:"0"`
	Serial     string `query:"serial" maxLength:"64" doc:"Serial numbers containing this."`
}

// filter is the units filter q names.
func (q UnitQuery) filter() installedbase.UnitFilter {
	return installedbase.UnitFilter{ModelCode: q.Model, CustomerID: q.CustomerID, SiteID: q.SiteID, Serial: q.Serial}
}

type unitLabelsInput struct {
	UnitQuery
	IDs     string `query:"ids" maxLength:"20000" doc:"Product ids, comma-separated (12,15,17); without them, every product matching the filter."`
	Layout  string `query:"layout" enum:"a4-3x8,a4-2x7,a4-2x4," doc:"a4-3x8: 3 × 8 labels of 70 × 37 mm (default); a4-2x7: 99.1 × 38.1 mm; a4-2x4: 99.1 × 67.7 mm."`
	Hotline string `query:"hotline" maxLength:"30" doc:"The service hotline printed on every label, e.g. 400-820-1234."`
	Outline bool   `query:"outline" doc:"Draw each label's edge, for plain paper cut by hand."`
	base    string
}

// Resolve keeps the address the request came to, for the QR codes when no
// public URL is configured.
func (in *unitLabelsInput) Resolve(ctx huma.Context) []error {
	in.base = requestBase(ctx)
	return nil
}

func requestBase(ctx huma.Context) string {
	scheme := "http"
	if ctx.TLS() != nil || ctx.Header("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + ctx.Host()
}

type unitLabelsOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	Body               []byte
}

type unitExportInput struct {
	UnitQuery
	Format         string `query:"format" enum:"csv,xlsx" default:"csv" doc:"csv: UTF-8 with a BOM, as Chinese Excel opens it; xlsx: one sheet of text cells."`
	ChineseHeaders bool   `query:"chinese_headers" doc:"Name the columns in Chinese (序列号, 型号, …), which the import accepts too."`
}

func (h *handlers) registerUnitExtras(a huma.API) {
	history := op("get-unit-history", http.MethodGet, "/units/{id}/history",
		"A unit's service history: its requests, newest first, with clocks, visits and sealed records", "Installed base")
	register(h, a, history, h.getUnitHistory)

	print := withErrors(op("print-unit-labels", http.MethodGet, "/units/labels",
		fmt.Sprintf("Printable QR labels (PDF) for chosen products, or for every product matching the filter (at most %d)", labels.MaxLabels), "Installed base"),
		http.StatusServiceUnavailable)
	print.Responses = map[string]*huma.Response{"200": {Description: "An A4 PDF of labels.",
		Content: map[string]*huma.MediaType{"application/pdf": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}
	register(h, a, print, h.printUnitLabels)

	export := op("export-units", http.MethodGet, "/units/export",
		fmt.Sprintf("Export the products matching the filter as CSV or XLSX, in the import's columns (at most %d rows)", installedbase.MaxExportRows), "Installed base")
	export.Responses = map[string]*huma.Response{"200": {Description: "The file, in the columns the import reads.",
		Content: map[string]*huma.MediaType{
			"text/csv": {Schema: &huma.Schema{Type: "string"}},
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}
	register(h, a, export, h.exportUnits)
}

func (h *handlers) getUnitHistory(ctx context.Context, ac policy.Actor, in *unitHistoryInput) (*unitHistoryOutput, error) {
	if _, err := h.InstalledBase.GetUnit(ctx, ac, in.ID); err != nil {
		return nil, err
	}
	return bodyAs[unitHistoryOutput](h.Requests.UnitHistory(ctx, ac, in.ID, in.Before, in.Limit))
}

func (h *handlers) printUnitLabels(ctx context.Context, ac policy.Actor, in *unitLabelsInput) (*unitLabelsOutput, error) {
	ids, err := installedbase.ParseIDs("query.ids", in.IDs)
	if err != nil {
		return nil, err
	}
	base := h.Config.PublicURL
	if base == "" {
		base = in.base
	}
	pdf, err := h.InstalledBase.LabelSheet(ctx, ac, h.Labels, installedbase.LabelRequest{Base: base, Layout: in.Layout, Hotline: in.Hotline,
		Outline: in.Outline, Selection: installedbase.Selection{IDs: ids, Filter: in.filter()}})
	if err != nil {
		return nil, queryFields(err)
	}
	return &unitLabelsOutput{ContentType: "application/pdf", ContentDisposition: `attachment; filename="labels.pdf"`,
		CacheControl: "private, no-store", Body: pdf}, nil
}

func (h *handlers) exportUnits(ctx context.Context, ac policy.Actor, in *unitExportInput) (*huma.StreamResponse, error) {
	e, err := h.InstalledBase.ExportUnits(ctx, ac, in.filter(), in.Format, in.ChineseHeaders)
	if err != nil {
		return nil, queryFields(err)
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		hc.SetHeader("Content-Type", e.ContentType())
		hc.SetHeader("Content-Disposition", `attachment; filename="`+e.Filename()+`"`)
		hc.SetHeader("Cache-Control", "private, no-store")
		hc.SetStatus(http.StatusOK)
		if err := e.Write(hc.Context(), hc.BodyWriter()); err != nil {
			h.Log.Error("export units", "err", err)
		}
	}}, nil
}

// queryFields locates the fields of a validation problem in the query.
func queryFields(err error) error {
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Invalid {
		return err
	}
	out := *p
	out.Fields = make([]problem.FieldError, len(p.Fields))
	for i, f := range p.Fields {
		if !strings.Contains(f.Field, ".") {
			f.Field = "query." + f.Field
		}
		out.Fields[i] = f
	}
	return &out
}
