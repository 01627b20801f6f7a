package staff

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/calendar"
	"aftersales/internal/jobs"
	"aftersales/internal/notify"
	"aftersales/internal/store"
)

// WarnDays are how many days before an expiry or a review the technician
// and the provider's admins are warned: once at each.
var WarnDays = []int{30, 7}

// ExpiryJob is the kind of the daily job that sends the warnings.
const ExpiryJob = "staff.expiries"

// Register wires the expiry warnings into the job runner: checked every
// hour, each warning sent once.
func (s *Service) Register(r *jobs.Runner) {
	r.Handle(ExpiryJob, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.WarnExpiries(ctx, r.Now())
		return err
	})
	r.Every(ExpiryJob, time.Hour)
}

// Due is one date of a certification coming up: its expiry or its review.
type Due struct {
	Cert     Certification
	What     string // "expiry" or "review"
	On       string // YYYY-MM-DD
	DaysLeft int
	// Warn is the warning it calls for: 30 or 7 (days), 0 for none yet.
	Warn int
}

// DueDates lists what of certs calls for a warning on today (YYYY-MM-DD):
// an expiry or a review at most 30 days away gets the 30-day warning, at
// most 7 the 7-day one. A date already past is not warned of: the rule at
// booking refuses from then on.
func DueDates(certs []Certification, today string) []Due {
	t, err := calendar.ParseDate(today)
	if err != nil {
		return nil
	}
	var out []Due
	add := func(c Certification, what, on string) {
		d, err := calendar.ParseDate(on)
		if err != nil {
			return
		}
		left := daysBetween(t, d)
		warn := 0
		for _, w := range WarnDays {
			if left >= 0 && left <= w {
				warn = w
			}
		}
		if warn > 0 {
			out = append(out, Due{Cert: c, What: what, On: on, DaysLeft: left, Warn: warn})
		}
	}
	for _, c := range certs {
		add(c, "expiry", c.ExpiresOn)
		if c.ReviewDueOn != "" && c.ReviewDueOn < c.ExpiresOn {
			add(c, "review", c.ReviewDueOn)
		}
	}
	return out
}

func daysBetween(a, b calendar.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 0, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 0, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}

// certLabel names a certification in a message.
func certLabel(c Certification) string {
	switch c.Kind {
	case VendorCert:
		return c.ProductLine + " " + c.Number
	case Permit:
		return c.PermitType + " " + c.Number
	}
	return c.Number
}

// bookedAfter is a visit booked for the technician on a day after a
// certificate's expiry, on the line the certificate covers.
type bookedAfter struct {
	WorkOrderID int64     `db:"id"`
	RequestID   int64     `db:"request_id"`
	Number      string    `db:"number"`
	WindowStart time.Time `db:"window_start"`
}

// WarnExpiries sends the warnings due at now: to the technician and the
// provider's admins for each expiry or review 30 and 7 days ahead; and, for
// a vendor certificate the rules require, to the provider's dispatchers
// with the visits already booked after it expires. Each goes out once.
func (s *Service) WarnExpiries(ctx context.Context, now time.Time) (sent int, err error) {
	if s.Notify == nil {
		return 0, nil
	}
	today := localDate(now)
	horizon := calendar.MustParseDate(today).AddDays(WarnDays[0]).String()
	var certs []Certification
	if err := store.Select(ctx, s.DB, &certs, `SELECT `+certColumns+` FROM certifications WHERE (expires_on >= ? AND expires_on <= ?)
		OR (review_due_on <> '' AND review_due_on >= ? AND review_due_on <= ?) ORDER BY id`, today, horizon, today, horizon); err != nil {
		return 0, err
	}
	for _, d := range DueDates(certs, today) {
		n, err := s.warnOne(ctx, d, now)
		if err != nil {
			return sent, fmt.Errorf("warn of certification %d: %w", d.Cert.ID, err)
		}
		sent += n
	}
	return sent, nil
}

func (s *Service) warnOne(ctx context.Context, d Due, now time.Time) (sent int, err error) {
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var admins, dispatchers []int64
		if err := store.Select(ctx, tx, &admins, `SELECT id FROM users WHERE org_id = ? AND role = 'provider_admin' AND active ORDER BY id`, d.Cert.ProviderID); err != nil {
			return err
		}
		var name string
		if err := store.Get(ctx, tx, &name, `SELECT name FROM users WHERE id = ?`, d.Cert.TechnicianID); err != nil {
			return err
		}
		c := d.Cert
		link := fmt.Sprintf("/staff/technicians/%d", c.TechnicianID)
		data := map[string]any{"certification_id": c.ID, "technician_id": c.TechnicianID, "kind": c.Kind, "date": d.On, "days_left": d.DaysLeft}
		subject := notify.Msg("notify.certification_expiry.subject", "Technician", name, "Certificate", certLabel(c), "Days", d.DaysLeft)
		body := notify.Msg("notify.certification_expiry.body", "Technician", name, "Certificate", certLabel(c), "Date", d.On, "Days", d.DaysLeft)
		if d.What == "review" {
			subject = notify.Msg("notify.certification_review.subject", "Technician", name, "Certificate", certLabel(c), "Days", d.DaysLeft)
			body = notify.Msg("notify.certification_review.body", "Technician", name, "Certificate", certLabel(c), "Date", d.On, "Days", d.DaysLeft)
		}
		p, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "certification." + d.What + "_due", OrgIDs: []int64{c.ProviderID},
			UserIDs: append([]int64{c.TechnicianID}, admins...), Link: link, Data: data,
			DedupeKey: fmt.Sprintf("certification.%s:%d:%s:%d", d.What, c.ID, d.On, d.Warn), Subject: subject, Body: body})
		if err != nil {
			return err
		}
		if !p.Duplicate {
			sent++
		}
		if c.Kind != VendorCert || d.What != "expiry" {
			return nil
		}
		visits, err := visitsAfterExpiry(ctx, tx, c)
		if err != nil || len(visits) == 0 {
			return err
		}
		if err := store.Select(ctx, tx, &dispatchers, `SELECT id FROM users WHERE org_id = ? AND role IN ('dispatcher', 'provider_admin') AND active ORDER BY id`, c.ProviderID); err != nil {
			return err
		}
		var list []string
		ids := make([]string, len(visits))
		for i, v := range visits {
			list = append(list, v.Number+" "+v.WindowStart.In(calendar.Shanghai).Format("01-02 15:04"))
			ids[i] = fmt.Sprint(v.WorkOrderID)
		}
		data["work_order_ids"] = ids
		p, err = s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "certification.visits_at_risk", OrgIDs: []int64{c.ProviderID}, UserIDs: dispatchers,
			Link: link, Data: data, DedupeKey: fmt.Sprintf("certification.visits:%d:%s:%s", c.ID, c.ExpiresOn, strings.Join(ids, ",")),
			Subject: notify.Msg("notify.certification_visits.subject", "Technician", name, "Count", len(visits), "Date", c.ExpiresOn),
			Body:    notify.Msg("notify.certification_visits.body", "Technician", name, "Certificate", certLabel(c), "Date", c.ExpiresOn, "Visits", strings.Join(list, "; "))})
		if err == nil && !p.Duplicate {
			sent++
		}
		return err
	})
	return sent, err
}

// visitsAfterExpiry lists the technician's booked visits on days after the
// certificate expires, on units of its vendor and product line when the
// vendor requires the certificate for that line.
func visitsAfterExpiry(ctx context.Context, q store.Queryer, c Certification) ([]bookedAfter, error) {
	if c.VendorID == nil {
		return nil, nil
	}
	var n int
	if err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM qualification_rules WHERE vendor_id = ? AND kind = 'certificate' AND product_line = ?`, *c.VendorID, c.ProductLine); err != nil || n == 0 {
		return nil, err
	}
	expires, err := calendar.ParseDate(c.ExpiresOn)
	if err != nil {
		return nil, err
	}
	// The first moment after the expiry day, in the calendar's zone.
	after := time.Date(expires.Year, expires.Month, expires.Day, 0, 0, 0, 0, calendar.Shanghai).AddDate(0, 0, 1)
	var out []bookedAfter
	err = store.Select(ctx, q, &out, `SELECT w.id, w.request_id, r.number, w.window_start FROM work_orders w
		JOIN service_requests r ON r.id = w.request_id JOIN units u ON u.id = r.unit_id JOIN product_models m ON m.id = u.model_id
		WHERE w.technician_id = ? AND w.status = 'assigned' AND w.window_end >= ? AND u.vendor_id = ? AND m.product_line = ?
		ORDER BY w.window_start, w.id`, c.TechnicianID, after.UTC(), *c.VendorID, c.ProductLine)
	return out, err
}
