package servicerequest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/record"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// refresh recomputes a request's clocks from its events and stores the
// projection lists sort and filter on: the next deadline still running and
// whether any clock is breached.
func (s *Service) refresh(ctx context.Context, q store.Queryer, requestID int64, now time.Time) error {
	r, err := GetRequest(ctx, q, requestID)
	if err != nil {
		return err
	}
	events, err := Events(ctx, q, requestID)
	if err != nil {
		return err
	}
	clocks, err := s.clocks(ctx, q, r, events, now)
	if err != nil {
		return err
	}
	return saveProjection(ctx, q, requestID, clocks)
}

func saveProjection(ctx context.Context, q store.Queryer, requestID int64, clocks []sla.Clock) error {
	next, breached := Projection(clocks)
	_, err := store.Exec(ctx, q, `UPDATE service_requests SET next_due_at = ?, breached = ? WHERE id = ?`, next, breached, requestID)
	return err
}

// Projection is the earliest deadline of a clock still running or paused,
// and whether any clock is breached.
func Projection(clocks []sla.Clock) (*time.Time, bool) {
	var next *time.Time
	breached := false
	for _, c := range clocks {
		if c.State == sla.StateBreached {
			breached = true
		}
		if c.State == sla.StateRunning || c.State == sla.StatePaused {
			if next == nil || c.DueAt.Before(*next) {
				d := c.DueAt.UTC()
				next = &d
			}
		}
	}
	return next, breached
}

// seal writes the service record of a completed visit (DOMAIN 3.2.3).
func (s *Service) seal(ctx context.Context, tx *sqlx.Tx, r Request, w WorkOrder, now time.Time) (record.Record, error) {
	at, err := s.Resolve.Agreement(ctx, tx, r.AgreementID, r.ReceivedAt)
	if err != nil {
		return record.Record{}, err
	}
	shots, err := photoHashes(ctx, tx, r.ID, w.ID)
	if err != nil {
		return record.Record{}, err
	}
	signoff := map[string]any{"kind": w.SignoffKind, "name": w.SignoffName, "signature_sha256": sha256Hex(w.SignaturePNG)}
	if w.SignoffKind == SignoffCode {
		signoff = map[string]any{"kind": w.SignoffKind, "name": w.SignoffName, "confirmed_by": "code sent to " + w.SignoffSentTo}
	}
	content := map[string]any{
		"request":      r.Number,
		"agreement":    at.Number,
		"service_item": r.ServiceItem,
		"priority":     r.Priority,
		"received_at":  r.ReceivedAt,
		"customer_org": r.CustomerOrgID,
		"product":      map[string]any{"serial_number": r.SerialNumber, "model": r.Model},
		"place":        map[string]any{"division": r.SiteDivision, "lat": w.CheckInLat, "lng": w.CheckInLng},
		"work_order":   w.ID,
		"technician":   w.TechnicianID,
		"checked_in":   w.CheckedInAt,
		"checked_out":  w.CheckedOutAt,
		"description":  r.Description,
		"diagnosis":    w.Diagnosis,
		"fault_codes":  w.FaultCodes,
		"actions":      w.ActionsTaken,
		"result":       w.Result,
		"sign_off":     signoff,
		"photos":       shots,
	}
	if s.Parts != nil {
		// Take the work order's row lock before reading the parts: a
		// consumption commits before this point or finds the visit closed,
		// so the record lists exactly the parts used.
		if _, err := store.Exec(ctx, tx, `UPDATE work_orders SET updated_at = updated_at WHERE id = ?`, w.ID); err != nil {
			return record.Record{}, err
		}
		used, err := s.Parts.UsedParts(ctx, tx, w.ID)
		if err != nil {
			return record.Record{}, err
		}
		content["parts"] = used
	}
	return record.Seal(ctx, tx, now, record.New{AgreementID: r.AgreementID, VendorID: r.VendorID, ProviderID: r.ProviderID,
		RequestID: &r.ID, Content: content, RetentionMonths: at.RetentionMonths})
}

func sha256Hex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
