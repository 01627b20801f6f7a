package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/workorder"
)

// clockOut is a clock as the API shows it.
type clockOut struct {
	Kind             string     `json:"kind" enum:"response,onsite,resolution,escalation"`
	DueAt            time.Time  `json:"due_at,omitzero"`
	State            string     `json:"state" enum:"running,paused,met,breached"`
	MetAt            *time.Time `json:"met_at,omitempty"`
	CalendarID       string     `json:"calendar_id"`
	RemainingSeconds int64      `json:"remaining_seconds" doc:"Working time left; negative when overdue."`
	ElapsedShare     float64    `json:"elapsed_share" doc:"Share of the allowed working time used."`
}

type requestOut struct {
	servicerequest.Request
	Clocks []clockOut                    `json:"clocks"`
	Events []servicerequest.RequestEvent `json:"events,omitempty"`
}

func toRequestOut(v servicerequest.View) requestOut {
	out := requestOut{Request: v.Request, Events: v.Events, Clocks: []clockOut{}}
	for _, c := range v.Clocks {
		out.Clocks = append(out.Clocks, clockOut{Kind: string(c.Kind), DueAt: calendar.Shown(c.DueAt, calendar.Shanghai).Truncate(time.Second), State: string(c.State), MetAt: c.MetAt,
			CalendarID: c.CalendarID, RemainingSeconds: int64(c.Remaining / time.Second), ElapsedShare: c.ElapsedShare})
	}
	return out
}

type requestCreateInput struct {
	Create
	Body struct {
		SerialNumber string `json:"serial_number" minLength:"1" maxLength:"64"`
		ServiceItem  string `json:"service_item" enum:"repair,maintenance,consultation,part_replacement"`
		Priority     string `json:"priority" enum:"emergency,general"`
		Description  string `json:"description" minLength:"1" maxLength:"4000"`
		ContactName  string `json:"contact_name,omitempty" maxLength:"100"`
		ContactPhone string `json:"contact_phone,omitempty" maxLength:"30"`
	}
}

type requestActionInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the request as last read."`
	Body    struct {
		Kind     string `json:"kind" enum:"responded,paused,resumed,reclassified,cancelled,note"`
		Reason   string `json:"reason,omitempty" enum:"waiting_customer,waiting_vendor_parts,suspension," doc:"Why the clocks pause (kind paused)."`
		Priority string `json:"priority,omitempty" enum:"emergency,general," doc:"The new priority (kind reclassified)."`
		Note     string `json:"note,omitempty" maxLength:"2000"`
	}
}

type workOrderCreateInput struct {
	CreateUnder
	Body struct {
		TechnicianID int64     `json:"technician_id" minimum:"1"`
		WindowStart  time.Time `json:"window_start" doc:"Start of the appointment agreed with the customer."`
		WindowEnd    time.Time `json:"window_end"`
		Note         string    `json:"note,omitempty" maxLength:"2000"`
	}
}

type workOrderStepInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the work order as last read."`
	Body    struct {
		Kind         string   `json:"kind" enum:"depart,check_in,record,sign_off,check_out"`
		Lat          *float64 `json:"lat,omitempty" minimum:"-90" maximum:"90"`
		Lng          *float64 `json:"lng,omitempty" minimum:"-180" maximum:"180"`
		Diagnosis    string   `json:"diagnosis,omitempty" maxLength:"4000"`
		FaultCodes   string   `json:"fault_codes,omitempty" maxLength:"500"`
		ActionsTaken string   `json:"actions_taken,omitempty" maxLength:"4000"`
		SignoffName  string   `json:"signoff_name,omitempty" maxLength:"100"`
		SignaturePNG string   `json:"signature_png,omitempty" maxLength:"400000" doc:"The customer's drawn signature, PNG, base64."`
		SignoffCode  string   `json:"signoff_code,omitempty" maxLength:"12" doc:"Instead of a signature: the code sent to the customer (send-signoff-code)."`
		Result       string   `json:"result,omitempty" enum:"fixed,not_fixed,needs_parts,"`
		TravelKM     *float64 `json:"travel_km,omitempty" doc:"check_out: the road distance from the service point to the site, in kilometres (more than 0, at most 5000); travel is priced on it instead of the straight line times the road factor."`
	}
}

func (h *handlers) registerRequests(a huma.API) {
	register(h, a, created(described(op("create-service-request", http.MethodPost, "/service-requests", "File a service request", "Service requests"),
		"Resolves the product by serial number, checks the agreement's scope (422 with `reason` "+
			"model_not_covered, outside_service_area, agreement_inactive, agreement_suspended or service_item_not_covered) and starts the clocks.")), h.createServiceRequest)

	register(h, a, op("get-service-request", http.MethodGet, "/service-requests/{id}", "A service request with its clocks and history", "Service requests"), h.getServiceRequest)

	registerChange(h, a, withErrors(op("act-on-service-request", http.MethodPost, "/service-requests/{id}/actions", "Respond, pause or resume the clocks, reclassify, cancel, or add a note", "Service requests"), 409), h.actOnServiceRequest)

	register(h, a, withErrors(created(op("create-work-order", http.MethodPost, "/service-requests/{id}/work-orders", "Assign a technician and book a visit", "Work orders")), 409), h.createWorkOrder)

	register(h, a, withErrors(created(described(op("book-maintenance-visit", http.MethodPost, "/units/{id}/work-orders", "Book a maintenance visit to a unit", "Work orders"),
		"A visit with no fault behind it: the unit's agreement must take maintenance at the window's start "+
			"(otherwise 422 out-of-scope with the reason), and the technician must be qualified and free, as for a request's visit. "+
			"The visit is stepped and sealed like any other; its record is a maintenance visit's.")), 409), h.bookMaintenanceVisit)

	register(h, a, op("get-work-order", http.MethodGet, "/work-orders/{id}", "A work order", "Work orders"), h.getWorkOrder)

	registerChange(h, a, withErrors(op("record-field-step", http.MethodPost, "/work-orders/{id}/steps", "Check in, record the work, get the sign-off, check out", "Work orders"), 409), h.recordFieldStep)
}

func (h *handlers) createServiceRequest(ctx context.Context, act policy.Actor, in *requestCreateInput) (*tagged[requestOut], error) {
	b := in.Body
	return versionedAs(toRequestOut)(h.Requests.Create(ctx, act, servicerequest.NewRequest{SerialNumber: b.SerialNumber, ServiceItem: b.ServiceItem,
		Priority: b.Priority, Description: b.Description, ContactName: b.ContactName, ContactPhone: b.ContactPhone, Channel: servicerequest.API}))
}

func (h *handlers) getServiceRequest(ctx context.Context, act policy.Actor, in *idPath) (*tagged[requestOut], error) {
	return versionedAs(toRequestOut)(h.Requests.Get(ctx, act, in.ID))
}

func (h *handlers) actOnServiceRequest(ctx context.Context, ac policy.Actor, in *requestActionInput, v int64) (*tagged[requestOut], error) {
	b := in.Body
	return versionedAs(toRequestOut)(h.Requests.Act(ctx, ac, in.ID, servicerequest.Action{Kind: b.Kind, Reason: b.Reason, Priority: b.Priority, Note: b.Note}, v))
}

func (h *handlers) createWorkOrder(ctx context.Context, ac policy.Actor, in *workOrderCreateInput) (*tagged[workorder.WorkOrder], error) {
	return h.book(ctx, ac, workorder.ForRequest(in.ID), in)
}

func (h *handlers) bookMaintenanceVisit(ctx context.Context, ac policy.Actor, in *workOrderCreateInput) (*tagged[workorder.WorkOrder], error) {
	return h.book(ctx, ac, workorder.ForMaintenance(in.ID), in)
}

// book books the visit of origin that in asks for.
func (h *handlers) book(ctx context.Context, ac policy.Actor, origin workorder.Origin, in *workOrderCreateInput) (*tagged[workorder.WorkOrder], error) {
	b := in.Body
	return versioned(h.WorkOrders.Book(ctx, ac, origin, workorder.Assignment{TechnicianID: b.TechnicianID, WindowStart: b.WindowStart, WindowEnd: b.WindowEnd, Note: b.Note}))
}

func (h *handlers) getWorkOrder(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[workorder.WorkOrder], error) {
	return versioned(h.WorkOrders.Get(ctx, ac, in.ID))
}

func (h *handlers) recordFieldStep(ctx context.Context, ac policy.Actor, in *workOrderStepInput, v int64) (*tagged[workorder.WorkOrder], error) {
	b := in.Body
	st := workorder.Step{Kind: b.Kind, Lat: b.Lat, Lng: b.Lng, Diagnosis: b.Diagnosis, FaultCodes: b.FaultCodes,
		ActionsTaken: b.ActionsTaken, SignoffName: b.SignoffName, SignoffCode: b.SignoffCode, Result: b.Result, TravelKM: b.TravelKM}
	if b.SignaturePNG != "" {
		var err error
		if st.SignaturePNG, err = fromBase64("body.signature_png", b.SignaturePNG); err != nil {
			return nil, err
		}
	}
	return versioned(h.WorkOrders.Step(ctx, ac, in.ID, st, v))
}

type requestListInput struct {
	Status   []string `query:"status" enum:"received,responded,scheduled,on_site,resolved,cancelled" doc:"Repeat or comma-separate for several."`
	Priority string   `query:"priority" enum:"emergency,general,"`
	Breached string   `query:"breached" enum:"true,false,"`
	Area     string   `query:"area" maxLength:"6" doc:"Division code prefix of the product's site."`
	Q        string   `query:"q" maxLength:"100" doc:"Search: a request number, a whole serial number, or the terms of the description (every term; the last Latin word as a prefix). Matches are listed newest first, not most urgent first."`
	Cursor   string   `query:"cursor" maxLength:"200"`
	Limit    int      `query:"limit" minimum:"0" maximum:"200"`
}

type requestListOutput cursorPage[servicerequest.Request, string]

func (h *handlers) registerRequestList(a huma.API) {
	register(h, a, op("list-service-requests", http.MethodGet, "/service-requests", "List service requests, most urgent first", "Service requests"), h.listServiceRequests)
}

func (h *handlers) listServiceRequests(ctx context.Context, ac policy.Actor, in *requestListInput) (*requestListOutput, error) {
	f := servicerequest.Filter{Priority: in.Priority, Area: in.Area, Query: in.Q, Cursor: in.Cursor, Limit: in.Limit}
	for _, s := range in.Status {
		f.Status = append(f.Status, servicerequest.Status(s))
	}
	if in.Breached != "" {
		b := in.Breached == "true"
		f.Breached = &b
	}
	p, err := h.Requests.List(ctx, ac, f)
	if err != nil {
		return nil, err
	}
	out := &requestListOutput{}
	out.Body.Items, out.Body.Next = p.Items, p.Next
	return out, nil
}

type answerInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the request as last read."`
	Body    struct {
		Answer string `json:"answer" minLength:"1" maxLength:"8000"`
	}
}

type scopeExceptionInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		SerialNumber string `json:"serial_number" minLength:"1" maxLength:"64"`
		Reason       string `json:"reason" minLength:"1" maxLength:"2000"`
		ValidDays    int    `json:"valid_days" minimum:"1" maximum:"90" doc:"How long the exception may be used."`
	}
}

type scopeExceptionOutput struct {
	Body struct {
		ID int64 `json:"id"`
	}
}

func (h *handlers) registerRequestExtras(a huma.API) {
	registerChange(h, a, withErrors(op("answer-consultation", http.MethodPost, "/service-requests/{id}/answer", "Answer a consultation without a visit and seal the record", "Service requests"), 409), h.answerConsultation)

	register(h, a, created(op("grant-scope-exception", http.MethodPost, "/scope-exceptions", "Let one product be served once outside its agreement's scope", "Service requests")), h.grantScopeException)
}

func (h *handlers) answerConsultation(ctx context.Context, ac policy.Actor, in *answerInput, v int64) (*tagged[requestOut], error) {
	return versionedAs(toRequestOut)(h.Requests.Answer(ctx, ac, in.ID, in.Body.Answer, v))
}

func (h *handlers) grantScopeException(ctx context.Context, ac policy.Actor, in *scopeExceptionInput) (*scopeExceptionOutput, error) {
	id, err := h.Requests.GrantScopeException(ctx, ac, in.Body.SerialNumber, in.Body.Reason, in.Body.ValidDays)
	if err != nil {
		return nil, err
	}
	out := &scopeExceptionOutput{}
	out.Body.ID = id
	return out, nil
}
