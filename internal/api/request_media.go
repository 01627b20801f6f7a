package api

import (
	"context"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/workorder"
)

// Photos, sign-off codes, escalations and reassignment of service requests.

type photoIn struct {
	Filename string `json:"filename" minLength:"1" maxLength:"200"`
	Content  string `json:"content" minLength:"1" doc:"The photo's bytes, base64. JPEG, PNG, WebP, HEIC or GIF, at most 10 MiB each."`
}

type photosOutput items[servicerequest.Photo]

type photoPath struct {
	ID      int64 `path:"id" minimum:"1"`
	PhotoID int64 `path:"photo" minimum:"1"`
}

type photoContentOutput struct {
	ContentType  string `header:"Content-Type"`
	ETag         string `header:"ETag"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

type signoffCodeOutput struct {
	Body workorder.SentCode
}

type escalateInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Target     string `json:"target" enum:"senior,second_line"`
		AssigneeID int64  `json:"assignee_id,omitempty" minimum:"0" doc:"The senior technician (target senior)."`
		Reason     string `json:"reason" minLength:"1" maxLength:"2000"`
	}
}

type escalationOutput struct {
	Body servicerequest.Escalation
}

type escalationAnswerInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Answer string `json:"answer" minLength:"1" maxLength:"4000"`
	}
}

type escalationListInput struct {
	Open bool `query:"open" doc:"Only escalations not answered yet."`
}

type escalationListOutput items[servicerequest.Escalation]

type reassignInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		TechnicianID int64     `json:"technician_id" minimum:"1"`
		WindowStart  time.Time `json:"window_start"`
		WindowEnd    time.Time `json:"window_end"`
		Note         string    `json:"note,omitempty" maxLength:"2000"`
	}
}

func (h *handlers) registerRequestMedia(a huma.API) {
	// 503: uploads at once over the server's bound.
	register(h, a, withErrors(created(op("add-service-request-photos", http.MethodPost, "/service-requests/{id}/photos",
		"Attach photos of the fault or of the work; a bad photo refuses them all", "Service requests")), 409, 503), h.addServiceRequestPhotos)

	// The body is read as a stream by photosAddInput.Resolve; its schema is
	// declared once the operation is registered (declared before, huma would
	// read and hold the body itself). The web server's body limit for the
	// route is MaxPhotosBody.
	// Registering the operations, not binding handlers to them (register).
	if a != nil {
		a.OpenAPI().Paths["/service-requests/{id}/photos"].Post.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"application/json": {Schema: a.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[photosBody](), true, "PhotosAddRequest")}}}
	}

	register(h, a, op("list-service-request-photos", http.MethodGet, "/service-requests/{id}/photos", "The photos of a service request", "Service requests"), h.listServiceRequestPhotos)

	get := op("get-service-request-photo", http.MethodGet, "/service-requests/{id}/photos/{photo}", "One photo's bytes", "Service requests")
	get.Responses = map[string]*huma.Response{"200": {Description: "The photo", Content: map[string]*huma.MediaType{"image/*": {}}}}
	register(h, a, get, h.getServiceRequestPhoto)

	register(h, a, withErrors(op("send-signoff-code", http.MethodPost, "/work-orders/{id}/signoff-code",
		"Send the customer a six-digit code to confirm the visit (valid 15 minutes, 5 attempts); a new one replaces the last", "Work orders"), 409), h.sendSignoffCode)

	register(h, a, withErrors(op("reassign-work-order", http.MethodPost, "/work-orders/{id}/reassign",
		"Move a visit not started to another technician or window; the clocks are kept and the previous technician is told", "Work orders"), 409), h.reassignWorkOrder)

	register(h, a, withErrors(created(op("escalate-service-request", http.MethodPost, "/service-requests/{id}/escalations",
		"Escalate a complex fault to a senior technician or the vendor's second line; starts an escalation clock", "Service requests")), 409), h.escalateServiceRequest)

	register(h, a, withErrors(op("answer-escalation", http.MethodPost, "/escalations/{id}/answer", "Answer an escalation, which stops its clock", "Service requests"), 409), h.answerEscalation)

	register(h, a, op("list-escalations", http.MethodGet, "/escalations",
		"Escalations to answer or follow: the vendor's second line sees those sent to it", "Service requests"), h.listEscalations)
}

func (h *handlers) addServiceRequestPhotos(ctx context.Context, ac policy.Actor, in *photosAddInput) (*photosOutput, error) {
	defer files.CloseAll(in.body.Photos)
	if in.readErr != nil {
		return nil, in.readErr
	}
	items, err := h.Requests.AddPhotos(ctx, ac, in.ID, in.body)
	if err != nil {
		return nil, err
	}
	out := &photosOutput{}
	out.Body.Items = items
	return out, nil
}

func (h *handlers) listServiceRequestPhotos(ctx context.Context, ac policy.Actor, in *idPath) (*photosOutput, error) {
	return listAs[photosOutput](h.Requests.Photos(ctx, ac, in.ID))
}

func (h *handlers) getServiceRequestPhoto(ctx context.Context, ac policy.Actor, in *photoPath) (*photoContentOutput, error) {
	f, data, err := h.Requests.PhotoContent(ctx, ac, in.ID, in.PhotoID)
	if err != nil {
		return nil, err
	}
	return &photoContentOutput{ContentType: f.ContentType, ETag: `"` + f.SHA256 + `"`, CacheControl: "private, max-age=3600", Body: data}, nil
}

func (h *handlers) sendSignoffCode(ctx context.Context, ac policy.Actor, in *idPath) (*signoffCodeOutput, error) {
	return bodyAs[signoffCodeOutput](h.WorkOrders.SendSignoffCode(ctx, ac, in.ID))
}

func (h *handlers) reassignWorkOrder(ctx context.Context, ac policy.Actor, in *reassignInput) (*tagged[workorder.WorkOrder], error) {
	w, err := h.WorkOrders.Get(ctx, ac, in.ID)
	if err != nil {
		return nil, err
	}
	b := in.Body
	return versioned(h.WorkOrders.Reassign(ctx, ac, workorder.ForRequest(w.RequestID), w.ID, workorder.Assignment{TechnicianID: b.TechnicianID, WindowStart: b.WindowStart, WindowEnd: b.WindowEnd, Note: b.Note}))
}

func (h *handlers) escalateServiceRequest(ctx context.Context, ac policy.Actor, in *escalateInput) (*escalationOutput, error) {
	return bodyAs[escalationOutput](h.Requests.Escalate(ctx, ac, in.ID, servicerequest.NewEscalation{Target: in.Body.Target, AssigneeID: in.Body.AssigneeID, Reason: in.Body.Reason}))
}

func (h *handlers) answerEscalation(ctx context.Context, ac policy.Actor, in *escalationAnswerInput) (*escalationOutput, error) {
	return bodyAs[escalationOutput](h.Requests.AnswerEscalation(ctx, ac, in.ID, in.Body.Answer))
}

func (h *handlers) listEscalations(ctx context.Context, ac policy.Actor, in *escalationListInput) (*escalationListOutput, error) {
	return listAs[escalationListOutput](h.Requests.Escalations(ctx, ac, in.Open))
}
