package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// The parts a request needs: the dispatcher sets them, and the day
// planner gives its visit only to a technician whose van holds them all.

// NeededPart is a part a request needs, and how many.
type NeededPart struct {
	PartID     int64  `db:"part_id" json:"part_id" minimum:"1"`
	Qty        int    `db:"qty" json:"qty" minimum:"1" maximum:"999"`
	PartNumber string `db:"part_number" json:"part_number,omitempty" readOnly:"true"`
	Name       string `db:"name" json:"name,omitempty" readOnly:"true"`
}

// MaxNeededParts bounds a request's list of needed parts.
const MaxNeededParts = 50

// NeededParts reads the parts a request needs, for those who dispatch it.
func (s *Service) NeededParts(ctx context.Context, a policy.Actor, requestID int64) ([]NeededPart, error) {
	if _, err := s.requestProvider(ctx, s.DB, a, requestID); err != nil {
		return nil, err
	}
	return neededParts(ctx, s.DB, requestID)
}

// SetNeededParts replaces the parts a request needs (empty: none).
func (s *Service) SetNeededParts(ctx context.Context, a policy.Actor, requestID int64, parts []NeededPart) ([]NeededPart, error) {
	var fs problem.Fields
	if len(parts) > MaxNeededParts {
		fs.Add("parts", "at most 50 parts")
	}
	seen := map[int64]bool{}
	for i, p := range parts {
		switch {
		case p.PartID <= 0:
			fs.Add(fmt.Sprintf("parts[%d].part_id", i), "must be a part")
		case seen[p.PartID]:
			fs.Add(fmt.Sprintf("parts[%d].part_id", i), "is listed twice")
		}
		seen[p.PartID] = true
		if p.Qty < 1 || p.Qty > 999 {
			fs.Add(fmt.Sprintf("parts[%d].qty", i), "must be 1 to 999")
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	var out []NeededPart
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		providerID, err := s.requestProvider(ctx, tx, a, requestID)
		if err != nil {
			return err
		}
		for i, p := range parts {
			var active bool
			err := store.Get(ctx, tx, &active, `SELECT p.active FROM parts p JOIN service_requests r ON r.vendor_id = p.vendor_id WHERE p.id = ? AND r.id = ?`, p.PartID, requestID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && !active) {
				fs.Add(fmt.Sprintf("parts[%d].part_id", i), "no such active part of the request's vendor")
				continue
			}
			if err != nil {
				return err
			}
		}
		if err := fs.Err(); err != nil {
			return err
		}
		before, err := neededParts(ctx, tx, requestID)
		if err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `DELETE FROM request_parts WHERE request_id = ?`, requestID); err != nil {
			return err
		}
		for _, p := range parts {
			if _, err := store.Exec(ctx, tx, `INSERT INTO request_parts (request_id, part_id, qty) VALUES (?, ?, ?)`, requestID, p.PartID, p.Qty); err != nil {
				return err
			}
		}
		if out, err = neededParts(ctx, tx, requestID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Now().UTC(), a, providerID, "request.parts.set", "service_request", requestID, partsAudit(before), partsAudit(out))
	})
	return out, err
}

func partsAudit(ps []NeededPart) map[string]any {
	m := map[string]any{}
	for _, p := range ps {
		m[p.PartNumber] = p.Qty
	}
	return m
}

// requestProvider is the provider of a request the actor dispatches for;
// a request the actor may not see is not found.
func (s *Service) requestProvider(ctx context.Context, q store.Queryer, a policy.Actor, requestID int64) (int64, error) {
	var r struct {
		VendorID   int64  `db:"vendor_id"`
		ProviderID *int64 `db:"provider_id"`
		CustomerID int64  `db:"customer_org_id"`
		Assigned   bool   `db:"assigned"`
	}
	err := store.Get(ctx, q, &r, `SELECT r.vendor_id, r.provider_id, r.customer_org_id,
		EXISTS (SELECT 1 FROM work_orders w WHERE w.request_id = r.id AND w.technician_id = ?) AS assigned
		FROM service_requests r WHERE r.id = ?`, a.UserID, requestID)
	notFound := problem.New(problem.NotFound, "service request %d not found", requestID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.ProviderID == nil) {
		return 0, notFound
	}
	if err != nil {
		return 0, err
	}
	if policy.ServiceScope(a, r.Assigned, r.VendorID, *r.ProviderID, r.CustomerID) == policy.Unrelated {
		return 0, notFound
	}
	if err := mayDispatch(ctx, q, a, *r.ProviderID); err != nil {
		if problem.Is(err, problem.NotFound) {
			return 0, notFound
		}
		return 0, err
	}
	return *r.ProviderID, nil
}

func neededParts(ctx context.Context, q store.Queryer, requestID int64) ([]NeededPart, error) {
	out := []NeededPart{}
	err := store.Select(ctx, q, &out, `SELECT rp.part_id, rp.qty, p.part_number, p.name FROM request_parts rp JOIN parts p ON p.id = rp.part_id
		WHERE rp.request_id = ? ORDER BY p.part_number, rp.part_id`, requestID)
	return out, err
}

// loadParts fills in what the day's requests need and what the
// technicians' vans hold of it.
func loadParts(ctx context.Context, q store.Queryer, b *Board) error {
	var need []struct {
		RequestID int64 `db:"request_id"`
		NeededPart
	}
	if err := store.Select(ctx, q, &need, `SELECT rp.request_id, rp.part_id, rp.qty, p.part_number, p.name FROM request_parts rp
		JOIN service_requests r ON r.id = rp.request_id JOIN parts p ON p.id = rp.part_id
		WHERE r.provider_id = ? AND r.status NOT IN ('resolved', 'cancelled') ORDER BY rp.request_id, p.part_number, rp.part_id`, b.ProviderID); err != nil {
		return err
	}
	if len(need) == 0 {
		return nil
	}
	byReq := map[int64][]NeededPart{}
	parts := map[int64]bool{}
	for _, n := range need {
		byReq[n.RequestID] = append(byReq[n.RequestID], n.NeededPart)
		parts[n.PartID] = true
	}
	for i := range b.Open {
		b.Open[i].Parts = byReq[b.Open[i].RequestID]
	}
	for i := range b.Lanes {
		for j := range b.Lanes[i].Visits {
			b.Lanes[i].Visits[j].Parts = byReq[b.Lanes[i].Visits[j].RequestID]
		}
	}
	var held []struct {
		TechnicianID int64 `db:"technician_id"`
		PartID       int64 `db:"part_id"`
		Qty          int   `db:"qty"`
	}
	if err := store.Select(ctx, q, &held, `SELECT l.technician_id, h.part_id, SUM(h.qty) AS qty FROM stock_on_hand h JOIN stock_locations l ON l.id = h.location_id
		WHERE l.org_id = ? AND l.kind = 'van' AND l.active AND l.technician_id IS NOT NULL AND h.qty > 0
		GROUP BY l.technician_id, h.part_id`, b.ProviderID); err != nil {
		return err
	}
	lane := map[int64]int{}
	for i, l := range b.Lanes {
		lane[l.TechnicianID] = i
	}
	for _, h := range held {
		i, ok := lane[h.TechnicianID]
		if !ok || !parts[h.PartID] {
			continue
		}
		if b.Lanes[i].Van == nil {
			b.Lanes[i].Van = map[int64]int{}
		}
		b.Lanes[i].Van[h.PartID] = h.Qty
	}
	return nil
}

// vanHolds says whether a van's stock covers every needed part.
func vanHolds(van map[int64]int, need []NeededPart) bool {
	return !slices.ContainsFunc(need, func(p NeededPart) bool { return van[p.PartID] < p.Qty })
}
