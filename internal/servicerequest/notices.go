package servicerequest

import (
	"context"
	"fmt"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// Who is told what about a request, at once and in the same transaction
// as the change: the provider's dispatchers when it arrives (an emergency
// marked as such), the customer who filed it with its number and the
// promised times (the customer's people hear of its visits from
// internal/workorder). Each person chooses in the profile whether email
// reaches them for each kind (notify.EmailKinds).

func shanghai(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01-02 15:04") }

// promised is the due time of a request's clock of kind, or "".
func promised(clocks []sla.Clock, kind sla.ClockKind) string {
	for _, c := range clocks {
		if c.Kind == kind {
			return shanghai(c.DueAt)
		}
	}
	return ""
}

// noticeReceived tells the provider's dispatchers of a new request, and
// the customer who filed it its number and promised times.
func (s *Service) noticeReceived(ctx context.Context, tx store.Queryer, actor policy.Actor, r Request, clocks []sla.Clock, now time.Time) error {
	if s.Notify == nil {
		return nil
	}
	response, onsite := promised(clocks, sla.Response), promised(clocks, sla.OnSite)
	data := map[string]any{"request_id": r.ID, "number": r.Number, "priority": r.Priority, "channel": string(r.Channel),
		"service_item": r.ServiceItem}
	var subject notify.Message
	if r.Priority == "emergency" {
		subject = notify.Msg("notify.received_emergency.subject", "Number", r.Number, "Model", r.Model)
	} else {
		subject = notify.Msg("notify.received.subject", "Number", r.Number, "Model", r.Model)
	}
	if _, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "request.received", OrgIDs: []int64{r.ProviderID},
		Staff: notify.Staff{OrgID: r.ProviderID, Roles: []policy.Role{policy.Dispatcher}}, Link: fmt.Sprintf("/requests/%d", r.ID), DedupeKey: fmt.Sprintf("request.received:%d", r.ID),
		Subject: subject,
		Body: notify.Msg("notify.received.body", "Model", r.Model, "Serial", r.SerialNumber, "Address", r.SiteAddress,
			"Description", r.Description, "Response", response),
		Data: data}); err != nil {
		return err
	}
	if actor.UserID == 0 || actor.OrgID != r.CustomerOrgID {
		return nil
	}
	body := notify.Msg("notify.filed.body", "Number", r.Number, "Model", r.Model, "Serial", r.SerialNumber, "Response", response)
	if onsite != "" {
		body = notify.Msg("notify.filed_emergency.body", "Number", r.Number, "Model", r.Model, "Serial", r.SerialNumber,
			"Response", response, "OnSite", onsite)
	}
	_, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "request.filed", OrgIDs: []int64{r.CustomerOrgID},
		UserIDs: []int64{actor.UserID}, Link: fmt.Sprintf("/requests/%d", r.ID), DedupeKey: fmt.Sprintf("request.filed:%d", r.ID),
		Subject: notify.Msg("notify.filed.subject", "Number", r.Number), Body: body, Data: data})
	return err
}
