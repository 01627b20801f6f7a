package workorder

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
)

// seal writes the service record of a visit of request r completed now
// (DOMAIN 3.2.3), with the request's clocks as they stand at sealing: the
// check-out's events are already recorded.
func (s *Service) seal(ctx context.Context, tx *sqlx.Tx, r servicerequest.Request, w WorkOrder, now time.Time) (record.Record, error) {
	basis, err := s.Requests.SealingOf(ctx, tx, r, w.ID, now)
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
	v := &record.Visit{Request: r.Number, Agreement: basis.Agreement, ServiceItem: r.ServiceItem, Priority: r.Priority,
		ReceivedAt: r.ReceivedAt.UTC(), CustomerOrg: r.CustomerOrgID,
		Product:   record.Product{SerialNumber: r.SerialNumber, Model: r.Model},
		Place:     record.Place{Division: r.SiteDivision, Lat: w.CheckInLat, Lng: w.CheckInLng},
		WorkOrder: w.ID, Technician: technician,
		Description: r.Description, Diagnosis: w.Diagnosis, FaultCodes: w.FaultCodes, Actions: w.ActionsTaken, Result: w.Result,
		SignOff: signoff, Photos: basis.Photos, Parts: []record.FittedPart{}, Clocks: record.ClockOutcomes(basis.Clocks, now)}
	if w.CheckedInAt != nil && w.CheckedOutAt != nil {
		v.CheckedIn, v.CheckedOut = w.CheckedInAt.UTC(), w.CheckedOutAt.UTC()
		v.OnSiteSeconds = int64(v.CheckedOut.Sub(v.CheckedIn) / time.Second)
	}
	if s.Exception != nil {
		if v.Exception, err = s.Exception(ctx, tx, w.ID); err != nil {
			return record.Record{}, err
		}
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
	return record.Seal(ctx, tx, now, record.New{AgreementID: r.AgreementID, VendorID: r.VendorID, ProviderID: r.ProviderID,
		RequestID: &r.ID, Content: record.Content{Kind: record.KindVisit, Visit: v}, RetentionMonths: basis.RetentionMonths})
}

func sha256Hex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
