package servicerequest

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// Who is told what about a request, at once and in the same transaction
// as the change: the provider's dispatchers when it arrives (an emergency
// marked as such), the customer who filed it with its number and the
// promised times, and the customer's people when a visit is booked and
// when it is done. Each person chooses in the profile whether email
// reaches them for each kind (notify.EmailKinds).

// activeUsers are the active users of org with one of roles, by id.
func activeUsers(ctx context.Context, q store.Queryer, org int64, roles ...policy.Role) ([]int64, error) {
	query, args, err := sqlx.In(`SELECT id FROM users WHERE org_id = ? AND active = ? AND role IN (?) ORDER BY id`, org, true, roles)
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = store.Select(ctx, q, &ids, query, args...)
	return ids, err
}

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
	dispatchers, err := activeUsers(ctx, tx, r.ProviderID, policy.Dispatcher)
	if err != nil {
		return err
	}
	subject := notify.Msg("notify.received.subject", "Number", r.Number, "Model", r.Model)
	if r.Priority == "emergency" {
		subject = notify.Msg("notify.received_emergency.subject", "Number", r.Number, "Model", r.Model)
	}
	if _, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "request.received", OrgIDs: []int64{r.ProviderID},
		UserIDs: dispatchers, Link: fmt.Sprintf("/requests/%d", r.ID), DedupeKey: fmt.Sprintf("request.received:%d", r.ID),
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
	_, err = s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "request.filed", OrgIDs: []int64{r.CustomerOrgID},
		UserIDs: []int64{actor.UserID}, Link: fmt.Sprintf("/requests/%d", r.ID), DedupeKey: fmt.Sprintf("request.filed:%d", r.ID),
		Subject: notify.Msg("notify.filed.subject", "Number", r.Number), Body: body, Data: data})
	return err
}

// noticeBooked tells the customer's people the visit's window and who comes.
func (s *Service) noticeBooked(ctx context.Context, tx store.Queryer, r Request, wo WorkOrder, technician string, start, end time.Time, now time.Time) error {
	if s.Notify == nil {
		return nil
	}
	customers, err := activeUsers(ctx, tx, r.CustomerOrgID, policy.Customer)
	if err != nil || len(customers) == 0 {
		return err
	}
	window := shanghai(start) + "–" + end.In(calendar.Shanghai).Format("15:04")
	_, err = s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "visit.booked", OrgIDs: []int64{r.CustomerOrgID},
		UserIDs: customers, Link: fmt.Sprintf("/requests/%d", r.ID),
		DedupeKey: fmt.Sprintf("visit.booked:%d:%d:%d", wo.ID, wo.TechnicianID, start.Unix()),
		Subject:   notify.Msg("notify.booked.subject", "Number", r.Number, "Window", window),
		Body: notify.Msg("notify.booked.body", "Number", r.Number, "Model", r.Model, "Serial", r.SerialNumber,
			"Window", window, "Technician", technician),
		Data: map[string]any{"request_id": r.ID, "work_order_id": wo.ID, "window_start": start, "window_end": end}})
	return err
}

// noticeDone tells the customer's people that the visit's work is done.
func (s *Service) noticeDone(ctx context.Context, tx store.Queryer, r Request, wo WorkOrder, now time.Time) error {
	if s.Notify == nil {
		return nil
	}
	customers, err := activeUsers(ctx, tx, r.CustomerOrgID, policy.Customer)
	if err != nil || len(customers) == 0 {
		return err
	}
	_, err = s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "visit.done", OrgIDs: []int64{r.CustomerOrgID},
		UserIDs: customers, Link: fmt.Sprintf("/requests/%d", r.ID), DedupeKey: fmt.Sprintf("visit.done:%d", wo.ID),
		Subject: notify.Msg("notify.done.subject", "Number", r.Number),
		Body: notify.Msg("notify.done.body", "Number", r.Number, "Model", r.Model, "Serial", r.SerialNumber,
			"Result", notify.Msg("notify.result."+wo.Result)),
		Data: map[string]any{"request_id": r.ID, "work_order_id": wo.ID, "result": wo.Result}})
	return err
}
