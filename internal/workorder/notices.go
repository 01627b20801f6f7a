package workorder

import (
	"context"
	"fmt"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// The customer's people are told, in the transaction of the change, when a
// visit of their request is booked (its window and who comes) and when its
// work is done. Each person chooses in the profile whether email reaches
// them for each kind (notify.EmailKinds).

// noticeBooked tells the customer's people the visit's window and who comes.
func (s *Service) noticeBooked(ctx context.Context, tx store.Queryer, sub subject, wo WorkOrder, technician string, start, end time.Time, now time.Time) error {
	if s.Notify == nil {
		return nil
	}
	customers, err := account.ActiveUserIDs(ctx, tx, sub.CustomerOrgID, policy.Customer)
	if err != nil || len(customers) == 0 {
		return err
	}
	window := start.In(calendar.Shanghai).Format("2006-01-02 15:04") + "–" + end.In(calendar.Shanghai).Format("15:04")
	_, err = s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "visit.booked", OrgIDs: []int64{sub.CustomerOrgID},
		UserIDs: customers, Link: sub.Link,
		DedupeKey: fmt.Sprintf("visit.booked:%d:%d:%d", wo.ID, wo.TechnicianID, start.Unix()),
		Subject:   notify.Msg("notify.booked.subject", "Number", sub.Reference, "Window", window),
		Body: notify.Msg("notify.booked.body", "Number", sub.Reference, "Model", sub.Model, "Serial", sub.Serial,
			"Window", window, "Technician", technician),
		Data: sub.data(wo, "window_start", start, "window_end", end)})
	return err
}

// noticeDone tells the customer's people that the visit's work is done.
func (s *Service) noticeDone(ctx context.Context, tx store.Queryer, sub subject, wo WorkOrder, now time.Time) error {
	if s.Notify == nil {
		return nil
	}
	customers, err := account.ActiveUserIDs(ctx, tx, sub.CustomerOrgID, policy.Customer)
	if err != nil || len(customers) == 0 {
		return err
	}
	_, err = s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "visit.done", OrgIDs: []int64{sub.CustomerOrgID},
		UserIDs: customers, Link: sub.Link, DedupeKey: fmt.Sprintf("visit.done:%d", wo.ID),
		Subject: notify.Msg("notify.done.subject", "Number", sub.Reference),
		Body: notify.Msg("notify.done.body", "Number", sub.Reference, "Model", sub.Model, "Serial", sub.Serial,
			"Result", notify.Msg("notify.result."+wo.Result)),
		Data: sub.data(wo, "result", wo.Result)})
	return err
}
