package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/skip2/go-qrcode"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/document"
	"aftersales/internal/installedbase"
	"aftersales/internal/labels"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/web/form"
)

// The installed base pages: products (units), customers' sites, product
// models, and the import of units from a spreadsheet.

// ibTabs is the sub-navigation of the installed base pages.
func ibTabs(u account.User) []navItem {
	tabs := []navItem{{"units", "/units", "units.tab_units"}, {"sites", "/sites", "units.tab_sites"}}
	if len(policy.Granted(u.Role, policy.ModelRead)) > 0 {
		tabs = append(tabs, navItem{"models", "/models", "units.tab_models"})
	}
	if policy.Allowed(u.Actor(), policy.UnitManage, policy.Own) {
		tabs = append(tabs, navItem{"import", "/units/import", "units.tab_import"})
	}
	return tabs
}

type unitsPageData struct {
	Tabs      []navItem
	Tab       string
	Units     []installedbase.Unit
	Models    []installedbase.ProductModel
	Customers []org.Organization
	Today     string
	Next      template.URL // the next page, or ""
	CanCreate bool
	// ExportXLSX and ExportCSV download the products of the current filter.
	ExportXLSX, ExportCSV template.URL
	Layouts               []labels.Layout
	Chosen                map[int64]bool // units ticked before a refused print run
}

// renderUnits lists the installed products the user may see, filtered by
// model, customer and serial number, a page at a time; printErr is a
// refused print run of labels.
func (s *Server) renderUnits(w http.ResponseWriter, r *http.Request, u account.User, status int, printErr error) {
	ctx, a, pq := r.Context(), u.Actor(), readQuery(r)
	q := pq.Values
	f := unitFilter(pq)
	f.Limit, f.After = 50, pq.ID("after")
	var next int64
	units, ok := whenRead(s, w, r, pq, func() (units []installedbase.Unit, err error) {
		units, next, err = s.InstalledBase.ListUnits(ctx, a, f)
		return units, err
	})
	if !ok {
		return
	}
	d := unitsPageData{Tabs: ibTabs(u), Tab: "units", Units: units, Today: s.today(), CanCreate: policy.Allowed(a, policy.UnitManage, policy.Own),
		Layouts: labels.Layouts,
		Chosen:  map[int64]bool{}}
	filter := url.Values{"model": {f.ModelCode}, "serial": {f.Serial}, "customer": {q.Get("customer")}}.Encode()
	d.ExportXLSX, d.ExportCSV = template.URL("/units/export?format=xlsx&"+filter), template.URL("/units/export?format=csv&"+filter)
	if ids, err := installedbase.ParseIDs("id", q["id"]...); err == nil {
		for _, id := range ids {
			d.Chosen[id] = true
		}
	}
	var err error
	if d.Models, err = s.InstalledBase.ListModels(ctx, a); err != nil && !problem.Is(err, problem.Forbidden) {
		s.fail(w, r, err)
		return
	}
	if d.Customers, err = s.customers(r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	if next > 0 {
		nq := url.Values{"model": {f.ModelCode}, "serial": {f.Serial}, "customer": {q.Get("customer")}, "after": {strconv.FormatInt(next, 10)}}
		d.Next = template.URL("/units?" + nq.Encode())
	}
	v := s.newView(r, "units.title", "units")
	v.Form, v.Data = q, d
	if err := formErrors(v, printErr); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, pq.mark(v, status), "units", v)
}

// customers are the customer organizations the user sees (itself, for a customer).
func (s *Server) customers(r *http.Request, u account.User) ([]org.Organization, error) {
	all, err := s.Orgs.List(r.Context(), u.Actor())
	if err != nil {
		return nil, err
	}
	var out []org.Organization
	for _, o := range all {
		if o.Kind == org.Customer {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *Server) today() string { return calendar.LocalDate(s.Now()) }

// unitPage shows one product: model, serial, site, warranty and its QR link.
func (s *Server) unitPage(w http.ResponseWriter, r *http.Request, u account.User) {
	unit, ok := byPathID(s, w, r, u.Actor(), s.InstalledBase.GetUnit)
	if !ok {
		return
	}
	model, _ := s.InstalledBase.GetModel(r.Context(), u.Actor(), unit.ModelID)
	q := readQuery(r)
	before := q.ID("before")
	var history servicerequest.History
	var err error
	if q.OK() {
		history, err = s.Requests.UnitHistory(r.Context(), u.Actor(), unit.ID, before, 10)
		if err != nil && !problem.Is(err, problem.NotFound) {
			s.fail(w, r, err)
			return
		}
	}
	docs, err := s.Documents.ForModel(r.Context(), u.Actor(), unit.ModelID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "units.detail", "units")
	v.Title = unit.SerialNumber
	v.Data = unitData{Unit: unit, Model: model, Documents: docs, InWarranty: unit.InWarranty(s.today()),
		QRURL: s.absoluteURL(r, unit.QRPath()), CanManage: policy.Allowed(u.Actor(), policy.UnitManage, policy.Own) && u.OrgID == unit.VendorID,
		History: history, Older: before > 0}
	s.renderFiltered(w, r, "unit", v, q)
}

// unitRotateQR gives the product a new QR token; old labels stop working.
func (s *Server) unitRotateQR(w http.ResponseWriter, r *http.Request, u account.User) {
	unit, ok := byPathID(s, w, r, u.Actor(), s.InstalledBase.RotateQRToken)
	if !ok {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "units.qr_rotated"), fmt.Sprintf("/units/%d", unit.ID))
}

// unitQR is the QR code of a unit's label as a PNG, for staff to print.
func (s *Server) unitQR(w http.ResponseWriter, r *http.Request, u account.User) {
	unit, ok := byPathID(s, w, r, u.Actor(), s.InstalledBase.GetUnit)
	if !ok {
		return
	}
	png, err := qrcode.Encode(s.absoluteURL(r, unit.QRPath()), qrcode.Medium, 320)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(png)
}

// absoluteURL is path under the public URL, or on the host the request came to.
func (s *Server) absoluteURL(r *http.Request, path string) string {
	if s.Config.PublicURL != "" {
		return strings.TrimRight(s.Config.PublicURL, "/") + path
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// modelsForForm lists the product models for the form of a new thing that
// takes the action; to whom the policy refuses it, it answers the refusal.
func (s *Server) modelsForForm(w http.ResponseWriter, r *http.Request, u account.User, action policy.Action) ([]installedbase.ProductModel, bool) {
	err := policy.Allow(u.Actor(), action, policy.Own)
	var models []installedbase.ProductModel
	if err == nil {
		models, err = s.InstalledBase.ListModels(r.Context(), u.Actor())
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return models, true
}

func (s *Server) renderUnitNew(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	models, ok := s.modelsForForm(w, r, u, policy.UnitManage)
	if !ok {
		return
	}
	sites, err := s.InstalledBase.ListSites(r.Context(), u.Actor(), 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "units.new", "units")
	v.Data = unitNewData{Models: models, Sites: sites, Today: s.today()}
	s.renderForm(w, r, status, "unit_new", v, formErr)
}

func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	siteID := f.Int64("site_id")
	err := f.Err()
	var unit installedbase.Unit
	if err == nil {
		unit, err = s.InstalledBase.CreateUnit(r.Context(), u.Actor(), installedbase.UnitInput{SerialNumber: f.String("serial_number"),
			ModelCode: f.String("model"), SiteID: siteID, InstallDate: f.String("install_date"), WarrantyEnd: f.String("warranty_end")})
	}
	if s.refused(w, r, err, func(err error) { s.renderUnitNew(w, r, u, http.StatusUnprocessableEntity, err) }) {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "units.created", "Serial", unit.SerialNumber), fmt.Sprintf("/units/%d", unit.ID))
}

type unitData struct {
	Unit                  installedbase.Unit
	Model                 installedbase.ProductModel
	Documents             []document.Document
	InWarranty, CanManage bool
	QRURL                 string
	History               servicerequest.History
	Older                 bool // the page is not the newest history
}

type unitNewData struct {
	Models []installedbase.ProductModel
	Sites  []installedbase.Site
	Today  string
}

type modelsData struct {
	tabbed
	Models    []installedbase.ProductModel
	CanCreate bool
}

type sitesData struct {
	tabbed
	Sites     []installedbase.Site
	CanCreate bool
}

type siteNewData struct {
	Customers  []org.Organization
	IsCustomer bool
}

type unitImportData struct {
	tabbed
	Report *installedbase.ImportReport
	Shown  []installedbase.RowError
	Hidden int
}

func (s *Server) modelsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	if models, ok := forUser(s, w, r, u, s.InstalledBase.ListModels); ok {
		s.renderPage(w, r, "models", "models.title", "units", modelsData{tabbed: tabbed{ibTabs(u), "models"}, Models: models,
			CanCreate: policy.Allowed(u.Actor(), policy.ModelManage, policy.Own)})
	}
}

func (s *Server) modelNewPage(w http.ResponseWriter, r *http.Request, u account.User) {
	if err := policy.Allow(u.Actor(), policy.ModelManage, policy.Own); err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "models.new", "units")
	s.render(w, r, http.StatusOK, "model_new", v)
}

func (s *Server) modelCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	in := installedbase.ModelInput{Code: f.String("code"), Name: f.String("name"), NameEn: f.String("name_en"), ProductLine: f.String("product_line")}
	in.WarrantyMonths = 12
	if f.String("warranty_months") != "" {
		in.WarrantyMonths = f.Int("warranty_months")
	}
	if iv := f.Int("maintenance_interval_months"); iv != 0 {
		in.MaintenanceIntervalMonths = &iv
	}
	err := f.Err()
	var m installedbase.ProductModel
	if err == nil {
		m, err = s.InstalledBase.CreateModel(r.Context(), u.Actor(), in)
	}
	if s.refused(w, r, err, func(err error) {
		v := s.newView(r, "models.new", "units")
		v.Form = r.PostForm
		_ = formErrors(v, err)
		s.render(w, r, http.StatusUnprocessableEntity, "model_new", v)
	}) {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "models.created", "Code", m.Code), "/models")
}

func (s *Server) sitesPage(w http.ResponseWriter, r *http.Request, u account.User) {
	q := readQuery(r)
	customerID := q.ID("customer")
	sites, ok := whenRead(s, w, r, q, func() ([]installedbase.Site, error) {
		return s.InstalledBase.ListSites(r.Context(), u.Actor(), customerID)
	})
	if !ok {
		return
	}
	v := s.newView(r, "sites.title", "units")
	v.Data = sitesData{tabbed: tabbed{ibTabs(u), "sites"}, Sites: sites, CanCreate: len(policy.Granted(u.Role, policy.SiteManage)) > 0}
	s.renderFiltered(w, r, "sites", v, q)
}

func (s *Server) renderSiteNew(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	if len(policy.Granted(u.Role, policy.SiteManage)) == 0 {
		s.fail(w, r, policy.Allow(u.Actor(), policy.SiteManage, policy.Own))
		return
	}
	customers, err := s.customers(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "sites.new", "units")
	v.Data = siteNewData{Customers: customers, IsCustomer: u.OrgKind == "customer"}
	s.renderForm(w, r, status, "site_new", v, formErr)
}

func (s *Server) siteCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	in := installedbase.SiteInput{Name: f.String("name"), Address: f.String("address"), Division: f.String("division"),
		ContactName: f.String("contact_name"), ContactPhone: f.String("contact_phone"), Lat: f.OptionalFloat("lat"), Lng: f.OptionalFloat("lng"),
		CustomerOrgID: f.Int64("customer_id")}
	err := f.Err()
	var site installedbase.Site
	if err == nil {
		site, err = s.InstalledBase.CreateSite(r.Context(), u.Actor(), in)
	}
	if s.refused(w, r, err, func(err error) { s.renderSiteNew(w, r, u, http.StatusUnprocessableEntity, err) }) {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "sites.created", "Name", site.Name), "/sites")
}

// The import of units: upload a file, see the dry run's report, confirm.
// Between the two steps the file waits in the session, named by its hash so
// that the confirmation applies exactly the file that was checked.

const (
	sessionImportName = "unit_import_name"
	sessionImportData = "unit_import_data"
)

// maxUnitImportBytes bounds a file uploaded on the page: about 200,000 rows.
// It waits in the session between the check and the import; larger files go
// through the CLI.
const maxUnitImportBytes = 16 << 20

func (s *Server) unitImportPage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.renderUnitImport(w, r, u, http.StatusOK, nil, nil)
}

func (s *Server) renderUnitImport(w http.ResponseWriter, r *http.Request, u account.User, status int, rep *installedbase.ImportReport, formErr error) {
	if err := policy.Allow(u.Actor(), policy.UnitManage, policy.Own); err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "units.import", "units")
	d := unitImportData{tabbed: tabbed{ibTabs(u), "import"}, Report: rep}
	if rep != nil {
		d.Shown, d.Hidden = s.importProblems(r, rep.Errors, 500)
	}
	v.Data = d
	if err := formErrors(v, formErr); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "unit_import", v)
}

func (s *Server) unitImportUpload(w http.ResponseWriter, r *http.Request, u account.User) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		s.renderUnitImport(w, r, u, http.StatusUnprocessableEntity, nil, problem.Field("file", "%s", s.msg(r, "units.import_choose")))
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderUnitImport(w, r, u, http.StatusUnprocessableEntity, nil, problem.Field("file", "%s", s.msg(r, "units.import_choose")))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxUnitImportBytes+1))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(data) > maxUnitImportBytes {
		s.renderUnitImport(w, r, u, http.StatusUnprocessableEntity, nil, problem.Field("file", "%s", s.msg(r, "units.import_too_large")))
		return
	}
	if len(data) > s.asyncImportBytes {
		if err := policy.Allow(u.Actor(), policy.UnitManage, policy.Own); err != nil {
			s.fail(w, r, err)
			return
		}
		s.Sessions.Remove(r.Context(), sessionImportData)
		run, err := s.startImport(u, hdr.Filename, data, true)
		if err != nil {
			s.renderUnitImport(w, r, u, http.StatusConflict, nil, err)
			return
		}
		http.Redirect(w, r, "/units/import/runs/"+run.ID, http.StatusSeeOther)
		return
	}
	rep, err := s.InstalledBase.ImportUnits(r.Context(), u.Actor(), installedbase.ImportRequest{Filename: hdr.Filename, Data: data, DryRun: true})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rep.OK() {
		s.Sessions.Put(r.Context(), sessionImportName, hdr.Filename)
		s.Sessions.Put(r.Context(), sessionImportData, data)
	} else {
		s.Sessions.Remove(r.Context(), sessionImportData)
	}
	status := http.StatusOK
	if !rep.OK() {
		status = http.StatusUnprocessableEntity
	}
	s.renderUnitImport(w, r, u, status, &rep, nil)
}

func (s *Server) unitImportConfirm(w http.ResponseWriter, r *http.Request, u account.User) {
	if err := readForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	data, ok := s.Sessions.Get(r.Context(), sessionImportData).([]byte)
	sum := sha256.Sum256(data)
	if !ok || hex.EncodeToString(sum[:]) != form.Of(r).String("sha256") {
		s.renderUnitImport(w, r, u, http.StatusUnprocessableEntity, nil, problem.Field("file", "%s", s.msg(r, "units.import_expired")))
		return
	}
	if len(data) > s.asyncImportBytes {
		run, err := s.startImport(u, s.Sessions.GetString(r.Context(), sessionImportName), data, false)
		if err != nil {
			s.renderUnitImport(w, r, u, http.StatusConflict, nil, err)
			return
		}
		s.Sessions.Remove(r.Context(), sessionImportData)
		http.Redirect(w, r, "/units/import/runs/"+run.ID, http.StatusSeeOther)
		return
	}
	rep, err := s.InstalledBase.ImportUnits(r.Context(), u.Actor(), installedbase.ImportRequest{
		Filename: s.Sessions.GetString(r.Context(), sessionImportName), Data: data})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !rep.OK() {
		s.renderUnitImport(w, r, u, http.StatusUnprocessableEntity, &rep, nil)
		return
	}
	s.Sessions.Remove(r.Context(), sessionImportData)
	s.flashRedirect(w, r, s.importedMessage(r, rep), "/units")
}
