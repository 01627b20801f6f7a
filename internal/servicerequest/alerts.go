package servicerequest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// Publisher records notifications inside a transaction (notify.Service).
type Publisher interface {
	Publish(ctx context.Context, tx store.Queryer, now time.Time, ev notify.Event) (notify.Published, error)
}

// WarnShare is the share of a clock's allowed working time at which the
// people on the request are warned.
const WarnShare = 0.75

// Alert returns the notification a clock calls for at now, if any: a
// warning once WarnShare of its time is used, and a breach once it is
// late. The dedupe key makes each one go out once.
func Alert(r Request, c sla.Clock) (notify.Event, bool) {
	var ev notify.Event
	switch {
	case c.State == sla.StateBreached && c.MetAt == nil:
		ev = notify.Event{Kind: "clock.breached", DedupeKey: fmt.Sprintf("clock.breached:request:%d:%s", r.ID, c.Kind),
			Subject: notify.Msg("notify.clock_breached.subject", "Number", r.Number, "Clock", clockName(c.Kind)),
			Body: notify.Msg("notify.clock_breached.body", "Number", r.Number, "Clock", clockName(c.Kind), "Model", r.Model, "Serial", r.SerialNumber,
				"Due", c.DueAt.In(calendar.Shanghai).Format("2006-01-02 15:04"))}
	case c.State == sla.StateRunning && c.ElapsedShare >= WarnShare:
		ev = notify.Event{Kind: "clock.warning", DedupeKey: fmt.Sprintf("clock.warning:75:request:%d:%s", r.ID, c.Kind),
			Subject: notify.Msg("notify.clock_warning.subject", "Number", r.Number, "Clock", clockName(c.Kind), "DueShort", c.DueAt.In(calendar.Shanghai).Format("01-02 15:04")),
			Body: notify.Msg("notify.clock_warning.body", "Number", r.Number, "Clock", clockName(c.Kind), "Model", r.Model, "Serial", r.SerialNumber,
				"Share", fmt.Sprintf("%.0f", c.ElapsedShare*100), "Due", c.DueAt.In(calendar.Shanghai).Format("2006-01-02 15:04"))}
	default:
		return ev, false
	}
	if c.Kind == sla.Escalation {
		// A request may be escalated more than once; each clock alerts once.
		ev.DedupeKey += fmt.Sprintf(":%d", c.StartedAt.Unix())
	}
	ev.Link = fmt.Sprintf("/requests/%d", r.ID)
	ev.Data = map[string]any{"request_id": r.ID, "number": r.Number, "clock": c.Kind, "due_at": c.DueAt, "state": c.State, "elapsed_share": c.ElapsedShare}
	ev.OrgIDs = []int64{r.ProviderID, r.VendorID}
	return ev, true
}

// clockName is the clock's name in the recipient's language.
func clockName(k sla.ClockKind) notify.Message { return notify.Msg("notify.clock." + string(k)) }

// watchIn recomputes one request's clocks in tx, stores the projection and
// publishes the alerts due.
func (s *Service) watchIn(ctx context.Context, tx *sqlx.Tx, pub Publisher, id int64, now time.Time) (int, error) {
	r, err := GetRequest(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	events, err := Events(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	clocks, err := s.clocks(ctx, tx, r, events, now)
	if !r.Status.Open() {
		// A closed request's clocks raise nothing more; they are stored
		// once more for the requests closed before clocks were stored. One
		// whose clocks cannot be computed (its calendar gone) keeps none,
		// rather than holding up the job. Either way it has no next
		// deadline and no next check (SetProjection).
		if err == nil {
			if err := saveClocks(ctx, tx, r, clocks); err != nil {
				return 0, err
			}
		}
		_, err := store.Exec(ctx, tx, `UPDATE service_requests SET next_due_at = NULL, next_check_at = NULL WHERE id = ?`, id)
		return 0, err
	}
	if err != nil {
		return 0, err
	}
	if err := saveProjection(ctx, tx, r, clocks); err != nil {
		return 0, err
	}
	n := 0
	if pub != nil {
		var recipients []int64
		for _, c := range clocks {
			ev, ok := Alert(r, c)
			if !ok {
				continue
			}
			if recipients == nil {
				if recipients, err = s.alerted(ctx, tx, r); err != nil {
					return 0, err
				}
			}
			ev.UserIDs = recipients
			if c.Kind == sla.Escalation {
				// Whoever must answer the open escalation (one at a time) hears of its clock too.
				var answerers []int64
				if err := store.Select(ctx, tx, &answerers, `SELECT e.assignee_id FROM escalations e WHERE e.request_id = ? AND e.assignee_id IS NOT NULL AND e.answered_at IS NULL
					UNION SELECT u.id FROM escalations e JOIN users u ON u.org_id = e.vendor_id AND u.role = ? AND u.active
					WHERE e.request_id = ? AND e.target = 'second_line' AND e.answered_at IS NULL`, id, policy.VendorAdmin, id); err != nil {
					return 0, err
				}
				ev.UserIDs = append(slices.Clone(recipients), answerers...)
			}
			res, err := pub.Publish(ctx, tx, now, ev)
			if err != nil {
				return 0, err
			}
			if !res.Duplicate {
				n++
			}
		}
	}
	return n, nil
}

// alerted are who hear of a request's clocks: the provider's dispatchers
// and admins, and the technicians of its visits booked or under way.
func (s *Service) alerted(ctx context.Context, q store.Queryer, r Request) ([]int64, error) {
	people, err := account.ActiveUserIDs(ctx, q, r.ProviderID, policy.Dispatcher, policy.ProviderAdmin)
	if err != nil {
		return nil, err
	}
	techs, err := s.Visits.Technicians(ctx, q, r.ID)
	if err != nil {
		return nil, err
	}
	for _, id := range techs {
		if !slices.Contains(people, id) {
			people = append(people, id)
		}
	}
	return append([]int64{}, people...), nil
}
