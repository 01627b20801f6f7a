package servicerequest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
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

// seal writes the service record of a completed visit (DOMAIN 3.2.3),
// with the request's clocks as they stand at sealing: events holds every
// event of the visit's check-out.
func (s *Service) seal(ctx context.Context, tx *sqlx.Tx, r Request, w WorkOrder, events []RequestEvent, now time.Time) (record.Record, error) {
	at, err := s.Resolve.Agreement(ctx, tx, r.AgreementID, r.ReceivedAt)
	if err != nil {
		return record.Record{}, err
	}
	shots, err := photoHashes(ctx, tx, r.ID, w.ID)
	if err != nil {
		return record.Record{}, err
	}
	clocks, err := s.clocksOn(ctx, at.Terms, r.Priority, events, now)
	if err != nil {
		return record.Record{}, err
	}
	tech, err := account.GetUser(ctx, tx, w.TechnicianID)
	if err != nil {
		return record.Record{}, err
	}
	technician := record.Person{ID: tech.ID, Name: cmp.Or(tech.Name, tech.Email)}
	signoff := record.SignOff{Kind: w.SignoffKind, Name: w.SignoffName, SignatureSHA256: sha256Hex(w.SignaturePNG)}
	if w.SignoffKind == SignoffCode {
		// The assigned technician is the only one who enters the code.
		signoff = record.SignOff{Kind: w.SignoffKind, Name: w.SignoffName, CodeSentTo: w.SignoffSentTo, ConfirmedBy: &technician}
	}
	v := &record.Visit{Request: r.Number, Agreement: at.Number, ServiceItem: r.ServiceItem, Priority: r.Priority,
		ReceivedAt: r.ReceivedAt.UTC(), CustomerOrg: r.CustomerOrgID,
		Product:   record.Product{SerialNumber: r.SerialNumber, Model: r.Model},
		Place:     record.Place{Division: r.SiteDivision, Lat: w.CheckInLat, Lng: w.CheckInLng},
		WorkOrder: w.ID, Technician: technician,
		Description: r.Description, Diagnosis: w.Diagnosis, FaultCodes: w.FaultCodes, Actions: w.ActionsTaken, Result: w.Result,
		SignOff: signoff, Photos: shots, Parts: []record.FittedPart{}, Clocks: record.ClockOutcomes(clocks, now)}
	if w.CheckedInAt != nil && w.CheckedOutAt != nil {
		v.CheckedIn, v.CheckedOut = w.CheckedInAt.UTC(), w.CheckedOutAt.UTC()
		v.OnSiteSeconds = int64(v.CheckedOut.Sub(v.CheckedIn) / time.Second)
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
		for _, p := range used {
			price := p.UnitPriceFen
			v.Parts = append(v.Parts, record.FittedPart{PartNumber: p.PartNumber, Name: p.Name, Kind: p.Kind, Quantity: p.Quantity,
				SerialRemoved: p.SerialRemoved, SerialInstalled: p.SerialInstalled, UnitPriceFen: &price})
		}
	}
	rec, err := record.Seal(ctx, tx, now, record.New{AgreementID: r.AgreementID, VendorID: r.VendorID, ProviderID: r.ProviderID,
		RequestID: &r.ID, Content: record.Content{Kind: record.KindVisit, Visit: v}, RetentionMonths: at.RetentionMonths})
	if err == nil && s.Sealed != nil {
		err = s.Sealed(ctx, tx, rec, now)
	}
	return rec, err
}

func sha256Hex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
