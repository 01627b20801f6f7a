package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/appointment"
	"aftersales/internal/policy"
)

// appointmentLinkInput is a link to send for a visit.
type appointmentLinkInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Locale string `json:"locale,omitempty" enum:"zh-CN,en" doc:"The language the link's page and text message open in (the customer may switch); zh-CN when omitted."`
	}
}

func (h *handlers) registerAppointments(a huma.API) {
	const tag = "Visits"
	register(h, a, withErrors(created(described(op("send-appointment-link", http.MethodPost, "/work-orders/{id}/appointment-links",
		"Send the customer a link to agree the visit's window", tag),
		"The link opens without an account, on a phone, and offers the free windows of the visit's technician over the "+
			"next days (working hours after holidays, no leave, no other visit, two hours' notice). The customer picks one (the visit moves "+
			"there), confirms the booked one, or asks to be called. It works once, until the visit's start or 72 hours; a newer link replaces "+
			"it. It is texted to the request's contact when SMS is configured; `path` is answered once, to send by other means.")), 409), h.sendAppointmentLink)
	register(h, a, op("list-appointment-links", http.MethodGet, "/work-orders/{id}/appointment-links",
		"The links sent for a visit and the customer's answers", tag), h.listAppointmentLinks)
}

func (h *handlers) sendAppointmentLink(ctx context.Context, ac policy.Actor, in *appointmentLinkInput) (*struct{ Body appointment.Sent }, error) {
	return withBody(h.Appointments.Send(ctx, ac, in.ID, in.Body.Locale))
}

func (h *handlers) listAppointmentLinks(ctx context.Context, ac policy.Actor, in *idPath) (*items[appointment.Link], error) {
	return asList(h.Appointments.Links(ctx, ac, in.ID))
}
