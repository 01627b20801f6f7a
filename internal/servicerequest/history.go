package servicerequest

import (
	"context"
	"time"

	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// A unit's lifelong service history: every request filed on it, newest
// first, with its clocks, its visits and the records they sealed. The
// caller has checked that the actor may see the unit; each request is
// still shown only to those who may read it (a provider sees the requests
// it handled, not another provider's).

// HistoryEntry is one request in a unit's history.
type HistoryEntry struct {
	ID          int64          `json:"id"`
	Number      string         `json:"number"`
	Status      Status         `json:"status"`
	ServiceItem string         `json:"service_item"`
	Priority    string         `json:"priority"`
	Channel     Channel        `json:"channel"`
	Description string         `json:"description"`
	ReceivedAt  time.Time      `json:"received_at"`
	ClosedAt    *time.Time     `json:"closed_at,omitempty" doc:"When it was resolved or cancelled."`
	Breached    bool           `json:"breached"`
	Clocks      []HistoryClock `json:"clocks"`
	Visits      []HistoryVisit `json:"visits"`
	Records     []RecordRef    `json:"records"`
}

// HistoryClock is where one clock of a request ended (or stands).
type HistoryClock struct {
	Kind  sla.ClockKind  `json:"kind"`
	State sla.ClockState `json:"state" doc:"met, breached, running or paused."`
	DueAt time.Time      `json:"due_at"`
	MetAt *time.Time     `json:"met_at,omitempty"`
}

// HistoryVisit is a work order with its technician.
type HistoryVisit struct {
	ID           int64      `db:"id" json:"id"`
	RequestID    int64      `db:"request_id" json:"-"`
	Status       string     `db:"status" json:"status"`
	Technician   string     `db:"technician" json:"technician"`
	WindowStart  time.Time  `db:"window_start" json:"window_start"`
	CheckedInAt  *time.Time `db:"checked_in_at" json:"checked_in_at,omitempty"`
	CheckedOutAt *time.Time `db:"checked_out_at" json:"checked_out_at,omitempty"`
	Result       string     `db:"result" json:"result,omitempty"`
	RecordID     *int64     `db:"record_id" json:"record_id,omitempty"`
	// Parts are the parts fitted on the visit.
	Parts []parts.UsedPart `db:"-" json:"parts"`
}

// RecordRef names a sealed service record.
type RecordRef struct {
	ID        int64     `db:"id" json:"id"`
	RequestID int64     `db:"request_id" json:"-"`
	Seq       int64     `db:"seq" json:"seq"`
	SealedAt  time.Time `db:"sealed_at" json:"sealed_at"`
	Hash      string    `db:"hash" json:"hash"`
}

// History is one page of a unit's history.
type History struct {
	Items []HistoryEntry `json:"items"`
	// Next is the id to pass as before for the older requests; 0 on the last page.
	Next int64 `json:"next,omitempty"`
}

// MaxHistoryPage is the largest page of a history.
const MaxHistoryPage = 100

// UnitHistory returns the requests on a unit that the actor may read,
// newest first, older than the request id before (0: from the newest).
func (s *Service) UnitHistory(ctx context.Context, actor policy.Actor, unitID, before int64, limit int) (History, error) {
	if limit <= 0 || limit > MaxHistoryPage {
		limit = 20
	}
	if !policy.Allowed(actor, policy.RequestRead, policy.Own) && !policy.Allowed(actor, policy.RequestRead, policy.Self) {
		return History{}, problem.New(problem.NotFound, "product %d not found", unitID)
	}
	where, args := s.visibility(actor)
	query := `SELECT ` + prefixed(requestColumns) + ` FROM service_requests r WHERE ` + where + ` AND r.unit_id = ?`
	args = append(args, unitID)
	if before > 0 {
		query += ` AND r.id < ?`
		args = append(args, before)
	}
	query += ` ORDER BY r.id DESC LIMIT ?`
	args = append(args, limit+1)
	var reqs []Request
	if err := store.Select(ctx, s.DB, &reqs, query, args...); err != nil {
		return History{}, err
	}
	h := History{Items: []HistoryEntry{}}
	if len(reqs) > limit {
		reqs = reqs[:limit]
		h.Next = reqs[limit-1].ID
	}
	if len(reqs) == 0 {
		return h, nil
	}
	ids := make([]int64, len(reqs))
	for i, r := range reqs {
		ids[i] = r.ID
	}
	visits, err := s.Visits.OfRequests(ctx, s.DB, ids)
	if err != nil {
		return History{}, err
	}
	var records []RecordRef
	if err := store.SelectIn(ctx, s.DB, &records, `SELECT id, request_id, seq, sealed_at, hash FROM service_records
		WHERE request_id IN (?) ORDER BY id`, ids); err != nil {
		return History{}, err
	}
	now := s.Now().UTC()
	for _, r := range reqs {
		e, err := s.historyEntry(ctx, r, now)
		if err != nil {
			return History{}, err
		}
		for _, v := range visits {
			if v.RequestID != r.ID {
				continue
			}
			if v.Parts, err = s.usedParts(ctx, s.DB, v.ID); err != nil {
				return History{}, err
			}
			e.Visits = append(e.Visits, v)
		}
		for _, rec := range records {
			if rec.RequestID == r.ID {
				e.Records = append(e.Records, rec)
			}
		}
		h.Items = append(h.Items, e)
	}
	return h, nil
}

func (s *Service) historyEntry(ctx context.Context, r Request, now time.Time) (HistoryEntry, error) {
	e := HistoryEntry{ID: r.ID, Number: r.Number, Status: r.Status, ServiceItem: r.ServiceItem, Priority: r.Priority, Channel: r.Channel,
		Description: r.Description, ReceivedAt: r.ReceivedAt, Breached: r.Breached, Clocks: []HistoryClock{}, Visits: []HistoryVisit{},
		Records: []RecordRef{}}
	events, err := Events(ctx, s.DB, r.ID)
	if err != nil {
		return e, err
	}
	for _, ev := range events {
		if ev.Kind == string(sla.Resolved) || ev.Kind == EventCancelled {
			at := ev.At
			e.ClosedAt = &at
		}
	}
	clocks, err := s.clocks(ctx, s.DB, r, events, now)
	if err != nil {
		return e, err
	}
	for _, c := range clocks {
		e.Clocks = append(e.Clocks, HistoryClock{Kind: c.Kind, State: c.State, DueAt: c.DueAt, MetAt: c.MetAt})
	}
	return e, nil
}

// usedParts asks the ledger, when there is one, for a visit's parts.
func (s *Service) usedParts(ctx context.Context, q store.Queryer, workOrderID int64) ([]parts.UsedPart, error) {
	if s.Parts == nil {
		return []parts.UsedPart{}, nil
	}
	used, err := s.Parts.UsedParts(ctx, q, workOrderID)
	if used == nil {
		used = []parts.UsedPart{}
	}
	return used, err
}
