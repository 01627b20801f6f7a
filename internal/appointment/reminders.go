package appointment

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/calendar"
	"aftersales/internal/jobs"
	"aftersales/internal/notify"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// ReminderJob is the periodic job that reminds customers of tomorrow's visits.
const ReminderJob = "appointment.remind"

// ReminderAhead is how long before its window a visit is reminded of (the
// day before); a visit booked closer than ReminderLast is not reminded: the
// booking itself was the news.
const (
	ReminderAhead = 24 * time.Hour
	ReminderLast  = time.Hour
)

// Register wires the reminders into the job runner.
func (s *Service) Register(r *jobs.Runner) {
	r.Handle(ReminderJob, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.Remind(ctx, r.Now())
		return err
	})
	r.Every(ReminderJob, 15*time.Minute)
}

// Remind tells the customer of each visit not started whose window starts
// between ReminderLast and ReminderAhead from now. It is idempotent: each
// visit and window is reminded once (a visit moved to another window is
// reminded again). It answers how many reminders it queued.
func (s *Service) Remind(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	var ids []int64
	if err := store.Select(ctx, s.DB, &ids, `SELECT id FROM work_orders WHERE status = 'assigned' AND departed_at IS NULL
		AND window_start > ? AND window_start <= ? ORDER BY window_start, id`, now.Add(ReminderLast), now.Add(ReminderAhead)); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			ap, err := workorder.AppointmentOf(ctx, tx, id)
			if err != nil {
				return err
			}
			when := ap.WorkOrder.WindowStart.In(calendar.Shanghai).Format("01-02 15:04") + "–" + ap.WorkOrder.WindowEnd.In(calendar.Shanghai).Format("15:04")
			key := fmt.Sprintf("visit.reminder:%d:%d", id, ap.WorkOrder.WindowStart.Unix())
			sent, err := s.tellCustomer(ctx, tx, ap, "visit.reminder", key, notify.Msg("notify.sms.visit_reminder", "Reference", ap.Reference,
				"When", when, "Technician", ap.TechnicianName), now)
			if sent {
				n++
			}
			return err
		})
		if err != nil {
			return n, fmt.Errorf("remind visit %d: %w", id, err)
		}
	}
	return n, nil
}

// OnTheWay tells the customer that the technician of visit w set off
// (workorder.Service.Departed), once per visit.
func (s *Service) OnTheWay(ctx context.Context, tx *sqlx.Tx, w workorder.WorkOrder, now time.Time) error {
	ap, err := workorder.AppointmentOf(ctx, tx, w.ID)
	if err != nil {
		return err
	}
	_, err = s.tellCustomer(ctx, tx, ap, "visit.on_the_way", fmt.Sprintf("visit.on_the_way:%d", w.ID),
		notify.Msg("notify.sms.visit_on_the_way", "Reference", ap.Reference, "Technician", ap.TechnicianName), now)
	return err
}

// customerLocale is the language of the customer's texts about a visit:
// that of the newest appointment link sent for it (the dispatcher chose it
// for the contact), else that of the customer's user who filed the
// request, else the default.
func customerLocale(ctx context.Context, q store.Queryer, ap workorder.Appointment) (string, error) {
	var locales []string
	if err := store.Select(ctx, q, &locales, `SELECT locale FROM appointment_links WHERE work_order_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`,
		ap.WorkOrder.ID); err != nil || len(locales) > 0 {
		return first(locales), err
	}
	if ap.WorkOrder.RequestID != 0 {
		if err := store.Select(ctx, q, &locales, `SELECT u.locale FROM service_requests r JOIN users u ON u.id = r.created_by_id
			WHERE r.id = ? AND u.org_id = ?`, ap.WorkOrder.RequestID, ap.CustomerOrgID); err != nil {
			return "", err
		}
	}
	return first(locales), nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// tellCustomer texts the request's contact and notifies, in the app, the
// customer's user who filed the request; key makes it once. It reports
// whether anything new was queued.
func (s *Service) tellCustomer(ctx context.Context, tx *sqlx.Tx, ap workorder.Appointment, kind, key string, text notify.Message, now time.Time) (bool, error) {
	told := false
	if s.Texts != nil {
		locale, err := customerLocale(ctx, tx, ap)
		if err != nil {
			return false, err
		}
		ok, err := s.Texts.Queue(ctx, tx, now, notify.SMS{OrgID: ap.CustomerOrgID, Phone: ap.ContactPhone, Kind: kind,
			Ref: smsRef(ap.WorkOrder.ID), DedupeKey: "sms:" + key, Text: text, Locale: locale})
		if err != nil {
			return false, err
		}
		told = ok
	}
	if s.Notify == nil || ap.WorkOrder.RequestID == 0 {
		return told, nil
	}
	var filer []int64
	if err := store.Select(ctx, tx, &filer, `SELECT u.id FROM service_requests r JOIN users u ON u.id = r.created_by_id
		WHERE r.id = ? AND u.org_id = ? AND u.active`, ap.WorkOrder.RequestID, ap.CustomerOrgID); err != nil {
		return told, err
	}
	if len(filer) == 0 {
		return told, nil
	}
	p, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: kind, OrgIDs: []int64{ap.CustomerOrgID}, UserIDs: filer,
		Link: fmt.Sprintf("/requests/%d", ap.WorkOrder.RequestID), DedupeKey: key, Subject: text,
		Data: map[string]any{"work_order_id": ap.WorkOrder.ID, "request_id": ap.WorkOrder.RequestID, "window_start": ap.WorkOrder.WindowStart}})
	return told || (err == nil && !p.Duplicate), err
}
