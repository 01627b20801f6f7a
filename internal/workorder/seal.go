package workorder

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
	"aftersales/internal/installedbase"
	"aftersales/internal/org"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
)

// seal writes the service record of visit w of sub completed now (DOMAIN
// 3.2.3). A request's visit carries the request's clocks as they stand at
// sealing (the check-out's events are already recorded); a maintenance
// visit has no clocks and is sealed as a maintenance visit.
func (s *Service) seal(ctx context.Context, tx *sqlx.Tx, sub subject, w WorkOrder, now time.Time) (record.Record, error) {
	basis, err := s.sealing(ctx, tx, sub, w, now)
	if err != nil {
		return record.Record{}, err
	}
	tech, err := account.GetUser(ctx, tx, w.TechnicianID)
	if err != nil {
		return record.Record{}, err
	}
	technician := record.Person{ID: tech.ID, Name: cmp.Or(tech.Name, tech.Email)}
	customer, err := org.Get(ctx, tx, sub.CustomerOrgID)
	if err != nil {
		return record.Record{}, err
	}
	// The site's name as the installed base has it; a unit the base no
	// longer knows leaves the record with the request's address only.
	unit, err := installedbase.Get(ctx, tx, sub.UnitID)
	if err != nil && !problem.Is(err, problem.NotFound) {
		return record.Record{}, err
	}
	signoff := record.SignOff{Kind: w.SignoffKind, Name: w.SignoffName, SignatureSHA256: sha256Hex(w.SignaturePNG)}
	if w.SignoffKind == SignoffCode {
		// The assigned technician is the only one who enters the code.
		signoff = record.SignOff{Kind: w.SignoffKind, Name: w.SignoffName, CodeSentTo: w.SignoffSentTo, ConfirmedBy: &technician}
	}
	v := &record.Visit{Agreement: basis.Agreement, ServiceItem: sub.ServiceItem, ReceivedAt: w.CreatedAt.UTC(), CustomerOrg: sub.CustomerOrgID,
		Customer: customer.Name, Product: record.Product{SerialNumber: sub.Serial, Model: sub.Model},
		Place:     record.Place{Division: sub.Division, Site: unit.SiteName, Address: cmp.Or(sub.Address, unit.Address), Lat: w.CheckInLat, Lng: w.CheckInLng},
		WorkOrder: w.ID, Technician: technician, Diagnosis: w.Diagnosis, FaultCodes: w.FaultCodes, Actions: w.ActionsTaken, Result: w.Result,
		SignOff: signoff, Photos: basis.Photos, Parts: []record.FittedPart{}, Clocks: record.ClockOutcomes(basis.Clocks, now),
		TravelMetres: w.travelMetres}
	kind, requestID := record.KindMaintenanceVisit, (*int64)(nil)
	if r := sub.request; r != nil {
		kind, requestID = record.KindVisit, &r.ID
		v.Request, v.Priority, v.ReceivedAt, v.Description = r.Number, r.Priority, r.ReceivedAt.UTC(), r.Description
	}
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
		if err := lockWorkOrder(ctx, tx, w.ID); err != nil {
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
	return record.Seal(ctx, tx, now, record.New{AgreementID: sub.AgreementID, VendorID: sub.VendorID, ProviderID: sub.ProviderID,
		RequestID: requestID, Content: record.Content{Kind: kind, Visit: v}, RetentionMonths: basis.RetentionMonths})
}

// sealing reads what a visit's record takes from its origin: for a
// request, its agreement, clocks and photos (servicerequest.SealingOf);
// for a maintenance visit, the agreement's number and retention in force
// at check-out.
func (s *Service) sealing(ctx context.Context, tx *sqlx.Tx, sub subject, w WorkOrder, now time.Time) (servicerequest.Sealing, error) {
	if sub.request != nil {
		return s.Requests.SealingOf(ctx, tx, *sub.request, w.ID, now)
	}
	at, err := s.Requests.Resolve.Agreement(ctx, tx, sub.AgreementID, now)
	if err != nil {
		return servicerequest.Sealing{}, err
	}
	return servicerequest.Sealing{Agreement: at.Number, RetentionMonths: at.RetentionMonths, Photos: []record.PhotoDigest{}}, nil
}

func sha256Hex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
