package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"aftersales/internal/account"
	"aftersales/internal/appointment"
	"aftersales/internal/document"
	"aftersales/internal/parts"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
	"aftersales/internal/stock"
	"aftersales/internal/workorder"
)

type workOrderRow struct {
	WorkOrder workorder.WorkOrder
	About     workorder.About
	// Priority is a request's; a maintenance visit has none.
	Priority string
}

// workOrdersPage is the technician's phone view: today's and upcoming visits in
// order of their appointment.
func (s *Server) workOrdersPage(w http.ResponseWriter, r *http.Request, u account.User) {
	ctx := r.Context()
	var wos []workorder.WorkOrder
	if err := s.WorkOrders.Mine(ctx, u.Actor(), &wos); err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]workOrderRow, 0, len(wos))
	for _, wo := range wos {
		row := workOrderRow{WorkOrder: wo}
		var err error
		if row.About, err = workorder.AboutVisit(ctx, s.DB, wo); err == nil && wo.Origin == workorder.OriginRequest {
			var req servicerequest.Request
			req, err = servicerequest.GetRequest(ctx, s.DB, wo.RequestID)
			row.Priority = req.Priority
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		rows = append(rows, row)
	}
	s.renderPage(w, r, "work_orders", "work_orders.title", "work_orders", rows)
}

type workOrderData struct {
	WorkOrder workorder.WorkOrder
	About     workorder.About
	// View is a request's visit's request (nil for a maintenance visit),
	// with its clocks.
	View    *servicerequest.View
	Clocks  []clockView
	MapLink template.URL // geo: links are not in html/template's safe list
	// The parts fitted on this visit, where the technician may draw them
	// from, and the vendor's parts to choose among.
	Used    []parts.UsedPart
	Sources []stock.Location
	Parts   []partRow
	// PartsError is a refused consumption, shown in the parts section.
	PartsError string
	Media      requestMedia
	// Documents: the current documents for the unit's model the technician may read.
	Documents []document.Document
	// Dispatcher: the reader may move the visit; Reassign ranks who could
	// take it over, Links are the appointment links sent, SentLink the one
	// just sent (its path is shown once).
	Dispatcher bool
	Reassign   *staff.Recommendations
	Links      []linkRow
	SentLink   *appointment.Sent
}

func (s *Server) renderWorkOrder(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	s.renderWorkOrderAs(w, r, u, status, formErr, nil)
}

// renderWorkOrderWith shows the visit's page after a post, with more to show.
func (s *Server) renderWorkOrderWith(w http.ResponseWriter, r *http.Request, u account.User, more func(*workOrderData)) {
	s.renderWorkOrderAs(w, r, u, http.StatusOK, nil, more)
}

func (s *Server) renderWorkOrderAs(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error, more func(*workOrderData)) {
	ctx := r.Context()
	wo, ok := byPathID(s, w, r, u.Actor(), s.WorkOrders.Get)
	if !ok {
		return
	}
	var err error
	d := workOrderData{WorkOrder: wo}
	if d.About, err = workorder.AboutVisit(ctx, s.DB, wo); err != nil {
		s.fail(w, r, err)
		return
	}
	d.MapLink = template.URL(mapLink(d.About.Address, nil, nil))
	if wo.Origin == workorder.OriginRequest {
		view, err := s.Requests.Get(ctx, u.Actor(), wo.RequestID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.View, d.Clocks = &view, clockViews(view.Clocks, s.Now())
		d.MapLink = template.URL(mapLink(view.Request.SiteAddress, view.Request.SiteLat, view.Request.SiteLng))
	}
	if d.Documents, err = s.Documents.ForUnit(ctx, u.Actor(), d.About.UnitID); err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "work_orders.work_order", "work_orders")
	v.Title = d.About.Reference
	if err := s.workOrderParts(r, u, &d); err != nil {
		s.fail(w, r, err)
		return
	}
	if p, ok := problem.As(formErr); ok && p.Kind == problem.PartRefused {
		d.PartsError, formErr = s.refusal(r, p), nil
		v.Form = r.PostForm
	}
	if d.View != nil {
		if d.Media, err = s.loadRequestMedia(r, u, d.View.Request, wo.TechnicianID == u.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	d.Media.WorkOrderID = wo.ID
	if wo.TechnicianID == u.ID && wo.Status == workorder.WOOnSite {
		if d.Media.Code, err = workorder.PendingCode(ctx, s.DB, wo.ID, s.Now()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.dispatcherPanel(r, u, &d); err != nil {
		s.fail(w, r, err)
		return
	}
	if more != nil {
		more(&d)
	}
	v.Data = d
	s.renderForm(w, r, status, "work_order", v, formErr)
}

// workOrderStep records one step of the visit from the phone form.
func (s *Server) workOrderStep(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	version := f.Int64("version")
	st := workorder.Step{Kind: f.String("kind"), Diagnosis: f.String("diagnosis"), FaultCodes: f.String("fault_codes"),
		ActionsTaken: f.String("actions_taken"), SignoffName: f.String("signoff_name"), SignoffCode: f.String("signoff_code"), Result: f.String("result"),
		TravelKM: f.OptionalFloat("travel_km")}
	// Where the phone was, when it could tell: both or neither.
	if lat, lng := f.OptionalFloat("lat"), f.OptionalFloat("lng"); lat != nil && lng != nil {
		st.Lat, st.Lng = lat, lng
	}
	if sig := f.String("signature"); sig != "" && st.SignoffCode == "" {
		data, ok := strings.CutPrefix(sig, "data:image/png;base64,")
		b, err := base64.StdEncoding.DecodeString(data)
		if !ok || err != nil {
			s.renderWorkOrder(w, r, u, http.StatusUnprocessableEntity, problem.Field("signature_png", "the signature could not be read; sign again"))
			return
		}
		st.SignaturePNG = b
	}
	err := f.Err()
	if err == nil {
		_, err = s.WorkOrders.Step(r.Context(), u.Actor(), id, st, version)
	}
	s.afterPost(w, r, err, "work_orders.step_"+st.Kind, "/work-orders/"+itoa(id), func(e error) { s.renderWorkOrder(w, r, u, http.StatusUnprocessableEntity, e) })
}

// mapLink opens the site in the phone's map application: by coordinates
// when known, by address otherwise.
func mapLink(address string, lat, lng *float64) string {
	q := url.QueryEscape(address)
	if lat != nil && lng != nil {
		return "geo:" + strconv.FormatFloat(*lat, 'f', 6, 64) + "," + strconv.FormatFloat(*lng, 'f', 6, 64) + "?q=" + q
	}
	if address == "" {
		return ""
	}
	return "geo:0,0?q=" + q
}
