package api

import (
	"context"
	"net/http"
	"reflect"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/calendar"
	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// Installed base: product models, customers' sites, units and unit imports.

type modelCreateInput struct {
	Create
	Body struct {
		Code                      string `json:"code" minLength:"1" maxLength:"40" doc:"Model code, unique for the vendor, e.g. HC-CNC-850; stored upper-case; never changes."`
		Name                      string `json:"name" minLength:"1" maxLength:"200" doc:"Chinese name, e.g. 数控加工中心."`
		NameEn                    string `json:"name_en,omitempty" maxLength:"200"`
		ProductLine               string `json:"product_line,omitempty" maxLength:"100"`
		MaintenanceIntervalMonths *int   `json:"maintenance_interval_months,omitempty" minimum:"1" maximum:"120" doc:"Maintenance cycle; leave out for none."`
		WarrantyMonths            int    `json:"warranty_months" minimum:"0" maximum:"240" doc:"Default warranty of new units."`
	}
}

type modelPatchInput struct {
	ChangeAt
	Body struct {
		Name                      *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
		NameEn                    *string `json:"name_en,omitempty" maxLength:"200"`
		ProductLine               *string `json:"product_line,omitempty" maxLength:"100"`
		MaintenanceIntervalMonths *int    `json:"maintenance_interval_months,omitempty" minimum:"0" maximum:"120" doc:"0 removes the cycle."`
		WarrantyMonths            *int    `json:"warranty_months,omitempty" minimum:"0" maximum:"240"`
	}
}

type siteCreateInput struct {
	Create
	Body struct {
		CustomerID   int64    `json:"customer_id,omitempty" minimum:"0" doc:"The customer organization; customers leave it out for their own."`
		Name         string   `json:"name" minLength:"1" maxLength:"100" doc:"Unique among the customer's sites."`
		Address      string   `json:"address" minLength:"1" maxLength:"300"`
		Division     string   `json:"division" minLength:"6" maxLength:"6" doc:"6-digit administrative division code of the county (区/县), e.g. 320505."`
		Lat          *float64 `json:"lat,omitempty" doc:"WGS-84 latitude; with lng."`
		Lng          *float64 `json:"lng,omitempty" doc:"WGS-84 longitude; with lat."`
		ContactName  string   `json:"contact_name,omitempty" maxLength:"100"`
		ContactPhone string   `json:"contact_phone,omitempty" maxLength:"30" doc:"Mobile (13912345678) or landline with area code (0571-88012345)."`
	}
}

type sitePatchInput struct {
	ChangeAt
	Body struct {
		Name         *string  `json:"name,omitempty" minLength:"1" maxLength:"100"`
		Address      *string  `json:"address,omitempty" minLength:"1" maxLength:"300"`
		Division     *string  `json:"division,omitempty" minLength:"6" maxLength:"6"`
		Lat          *float64 `json:"lat,omitempty"`
		Lng          *float64 `json:"lng,omitempty"`
		ContactName  *string  `json:"contact_name,omitempty" maxLength:"100"`
		ContactPhone *string  `json:"contact_phone,omitempty" maxLength:"30"`
	}
}

type siteListInput struct {
	CustomerID int64 `query:"customer_id" minimum:"0"`
}

// unitView is a unit with what a reader needs beside it.
type unitView struct {
	installedbase.Unit
	InWarranty bool   `json:"in_warranty" doc:"The warranty runs today (China time)."`
	QRPath     string `json:"qr_path" doc:"Path the product's QR label opens; rotating the token changes it."`
}

type unitCreateInput struct {
	Create
	Body struct {
		SerialNumber string `json:"serial_number" minLength:"1" maxLength:"64" doc:"Unique for the vendor; trimmed and upper-cased, leading zeros kept."`
		Model        string `json:"model" minLength:"1" maxLength:"40" doc:"Model code of the vendor."`
		SiteID       int64  `json:"site_id" minimum:"1"`
		InstallDate  string `json:"install_date" minLength:"1" maxLength:"20" doc:"2025-03-07 or 2025/3/7; not in the future."`
		WarrantyEnd  string `json:"warranty_end,omitempty" maxLength:"20" doc:"Last day of warranty; default install date plus the model's warranty months."`
		AgreementID  *int64 `json:"agreement_id,omitempty" minimum:"1" doc:"The vendor's agreement that covers the unit."`
	}
}

type unitPatchInput struct {
	ChangeAt
	Body struct {
		SiteID      *int64  `json:"site_id,omitempty" minimum:"1"`
		InstallDate *string `json:"install_date,omitempty" maxLength:"20"`
		WarrantyEnd *string `json:"warranty_end,omitempty" maxLength:"20"`
		AgreementID *int64  `json:"agreement_id,omitempty" minimum:"0" doc:"0 removes the unit from its agreement."`
	}
}

type unitListInput struct {
	UnitQuery
	Cursor string `query:"cursor" maxLength:"20" doc:"The next value of the previous page."`
	Limit  int    `query:"limit" minimum:"0" maximum:"200"`
}

type unitListOutput cursorPage[unitView, string]

type serialQuery struct {
	Serial string `query:"serial" required:"true" minLength:"1" maxLength:"64" doc:"The serial number, exactly (spaces around it and letter case do not count)."`
}

type unitImportInput struct {
	Body struct {
		Filename        string `json:"filename" minLength:"1" maxLength:"200"`
		Content         string `json:"content" minLength:"1" maxLength:"3000000" doc:"CSV text, or the file in base64 (XLSX, GBK CSV)."`
		ContentEncoding string `json:"content_encoding,omitempty" enum:"text,base64," doc:"base64 for XLSX and for CSV that is not UTF-8."`
		DryRun          bool   `json:"dry_run,omitempty" doc:"Check every row, change nothing."`
	}
}

type unitImportOutput struct {
	Status int
	Body   installedbase.ImportReport
}

func (h *handlers) unitView(u installedbase.Unit) unitView {
	today := calendar.LocalDate(h.InstalledBase.Now())
	return unitView{Unit: u, InWarranty: u.InWarranty(today), QRPath: u.QRPath()}
}

func (h *handlers) registerInstalledBase(a huma.API) {
	h.registerModels(a)
	h.registerSites(a)
	h.registerUnits(a)
	h.registerUnitExtras(a)
}

// modelListOutput is named so that its schema is (see partListOutput).
type modelListOutput items[installedbase.ProductModel]

func (h *handlers) registerModels(a huma.API) {
	register(h, a, op("list-product-models", http.MethodGet, "/product-models", "List the product models you can see", "Installed base"), h.listProductModels)

	register(h, a, created(op("create-product-model", http.MethodPost, "/product-models", "Add a product model", "Installed base")), h.createProductModel)

	register(h, a, op("get-product-model", http.MethodGet, "/product-models/{id}", "Get a product model", "Installed base"), h.getProductModel)

	registerChange(h, a, op("update-product-model", http.MethodPatch, "/product-models/{id}", "Change a product model", "Installed base"), h.updateProductModel)
}

func (h *handlers) listProductModels(ctx context.Context, ac policy.Actor, _ *struct{}) (*modelListOutput, error) {
	return listAs[modelListOutput](h.InstalledBase.ListModels(ctx, ac))
}

func (h *handlers) createProductModel(ctx context.Context, ac policy.Actor, in *modelCreateInput) (*tagged[installedbase.ProductModel], error) {
	b := in.Body
	return versioned(h.InstalledBase.CreateModel(ctx, ac, installedbase.ModelInput{Code: b.Code, Name: b.Name, NameEn: b.NameEn, ProductLine: b.ProductLine,
		MaintenanceIntervalMonths: b.MaintenanceIntervalMonths, WarrantyMonths: b.WarrantyMonths}))
}

func (h *handlers) getProductModel(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[installedbase.ProductModel], error) {
	return versioned(h.InstalledBase.GetModel(ctx, ac, in.ID))
}

func (h *handlers) updateProductModel(ctx context.Context, ac policy.Actor, in *modelPatchInput, v int64) (*tagged[installedbase.ProductModel], error) {
	b := in.Body
	return versioned(h.InstalledBase.UpdateModel(ctx, ac, in.ID, installedbase.ModelPatch{Name: b.Name, NameEn: b.NameEn, ProductLine: b.ProductLine,
		MaintenanceIntervalMonths: b.MaintenanceIntervalMonths, WarrantyMonths: b.WarrantyMonths}, v))
}

type siteList items[installedbase.Site]

func (h *handlers) registerSites(a huma.API) {
	register(h, a, op("list-sites", http.MethodGet, "/sites", "List the customers' sites you can see", "Installed base"), h.listSites)

	register(h, a, created(op("create-site", http.MethodPost, "/sites", "Add a site of a customer", "Installed base")), h.createSite)

	register(h, a, op("get-site", http.MethodGet, "/sites/{id}", "Get a site", "Installed base"), h.getSite)

	registerChange(h, a, op("update-site", http.MethodPatch, "/sites/{id}", "Change a site", "Installed base"), h.updateSite)
}

func (h *handlers) listSites(ctx context.Context, ac policy.Actor, in *siteListInput) (*siteList, error) {
	return listAs[siteList](h.InstalledBase.ListSites(ctx, ac, in.CustomerID))
}

func (h *handlers) createSite(ctx context.Context, ac policy.Actor, in *siteCreateInput) (*tagged[installedbase.Site], error) {
	b := in.Body
	return versioned(h.InstalledBase.CreateSite(ctx, ac, installedbase.SiteInput{CustomerOrgID: b.CustomerID, Name: b.Name, Address: b.Address,
		Division: b.Division, Lat: b.Lat, Lng: b.Lng, ContactName: b.ContactName, ContactPhone: b.ContactPhone}))
}

func (h *handlers) getSite(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[installedbase.Site], error) {
	return versioned(h.InstalledBase.GetSite(ctx, ac, in.ID))
}

func (h *handlers) updateSite(ctx context.Context, ac policy.Actor, in *sitePatchInput, v int64) (*tagged[installedbase.Site], error) {
	b := in.Body
	return versioned(h.InstalledBase.UpdateSite(ctx, ac, in.ID, installedbase.SitePatch{Name: b.Name, Address: b.Address, Division: b.Division,
		Lat: b.Lat, Lng: b.Lng, ContactName: b.ContactName, ContactPhone: b.ContactPhone}, v))
}

func (h *handlers) registerUnits(a huma.API) {
	register(h, a, op("list-units", http.MethodGet, "/units", "List installed units you can see, by id", "Installed base"), h.listUnits)

	register(h, a, created(op("create-unit", http.MethodPost, "/units", "Register an installed unit", "Installed base")), h.createUnit)

	register(h, a, op("get-unit", http.MethodGet, "/units/{id}", "Get an installed unit", "Installed base"), h.getUnit)

	// The serial number is a query parameter: a path /units/by-serial/{serial}
	// and /units/{id}/history would both match /units/by-serial/history.
	register(h, a, withErrors(op("get-unit-by-serial", http.MethodGet, "/units/by-serial", "Find an installed unit by serial number", "Installed base"), 409), h.getUnitBySerial)

	registerChange(h, a, op("update-unit", http.MethodPatch, "/units/{id}", "Change an installed unit", "Installed base"), h.updateUnit)

	rotate := op("rotate-unit-qr-token", http.MethodPost, "/units/{id}/qr-token", "Give a unit a new QR token; labels printed before stop working", "Installed base")
	register(h, a, rotate, h.rotateUnitQrToken)

	// 503: uploads at once over the server's bound.
	imp := withErrors(created(op("import-units", http.MethodPost, "/units/imports", "Import units from a CSV or XLSX file: a dry run reports every bad row; "+
		"a real run imports all rows or none (201), or answers 422 naming each bad row as content.line_N.field", "Installed base")), 503)
	imp.MaxBodyBytes = MaxUnitImportBody
	// Registering the operations, not binding handlers to them (register).
	if a != nil {
		imp.Responses = map[string]*huma.Response{"200": {Description: "The dry run's report; nothing was imported.",
			Content: map[string]*huma.MediaType{"application/json": {
				Schema: a.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[installedbase.ImportReport](), true, "ImportReport")}}}}
	}
	register(h, a, imp, h.importUnits)
}

func (h *handlers) listUnits(ctx context.Context, ac policy.Actor, in *unitListInput) (*unitListOutput, error) {
	f := in.filter()
	f.Limit = in.Limit
	var err error
	if f.After, err = pageCursor(in.Cursor); err != nil {
		return nil, err
	}
	items, next, err := h.InstalledBase.ListUnits(ctx, ac, f)
	if err != nil {
		return nil, err
	}
	out := &unitListOutput{}
	out.Body.Items = each(items, h.unitView)
	if next > 0 {
		out.Body.Next = strconv.FormatInt(next, 10)
	}
	return out, nil
}

func (h *handlers) createUnit(ctx context.Context, ac policy.Actor, in *unitCreateInput) (*tagged[unitView], error) {
	b := in.Body
	return versionedAs(h.unitView)(h.InstalledBase.CreateUnit(ctx, ac, installedbase.UnitInput{SerialNumber: b.SerialNumber, ModelCode: b.Model, SiteID: b.SiteID,
		InstallDate: b.InstallDate, WarrantyEnd: b.WarrantyEnd, AgreementID: b.AgreementID}))
}

func (h *handlers) getUnit(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[unitView], error) {
	return versionedAs(h.unitView)(h.InstalledBase.GetUnit(ctx, ac, in.ID))
}

func (h *handlers) getUnitBySerial(ctx context.Context, ac policy.Actor, in *serialQuery) (*tagged[unitView], error) {
	u, err := h.InstalledBase.UnitBySerial(ctx, ac, in.Serial)
	if p, ok := problem.As(err); ok && p.Kind == problem.Invalid {
		return nil, problem.Field("query.serial", "%s", p.Fields[0].Message)
	}
	return versionedAs(h.unitView)(u, err)
}

func (h *handlers) updateUnit(ctx context.Context, ac policy.Actor, in *unitPatchInput, v int64) (*tagged[unitView], error) {
	b := in.Body
	return versionedAs(h.unitView)(h.InstalledBase.UpdateUnit(ctx, ac, in.ID, installedbase.UnitPatch{SiteID: b.SiteID, InstallDate: b.InstallDate,
		WarrantyEnd: b.WarrantyEnd, AgreementID: b.AgreementID}, v))
}

func (h *handlers) rotateUnitQrToken(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[unitView], error) {
	return versionedAs(h.unitView)(h.InstalledBase.RotateQRToken(ctx, ac, in.ID))
}

func (h *handlers) importUnits(ctx context.Context, ac policy.Actor, in *unitImportInput) (*unitImportOutput, error) {
	data, err := uploadContent(in.Body.Content, in.Body.ContentEncoding)
	if err != nil {
		return nil, err
	}
	rep, err := h.InstalledBase.ImportUnits(ctx, ac, installedbase.ImportRequest{Filename: in.Body.Filename, Data: data, DryRun: in.Body.DryRun})
	if err != nil {
		return nil, err
	}
	if in.Body.DryRun {
		return &unitImportOutput{Status: http.StatusOK, Body: rep}, nil
	}
	if !rep.OK() {
		return nil, rep.ImportProblem()
	}
	return &unitImportOutput{Status: http.StatusCreated, Body: rep}, nil
}

// MaxUnitImportBody bounds the body of the unit import: 16 MiB of file as
// base64, and room for the rest.
const MaxUnitImportBody = 24 << 20
