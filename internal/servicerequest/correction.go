package servicerequest

import (
	"context"
	"slices"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
)

// Correction is what the provider changes in a sealed service record. A
// sealed record is never changed: the correction is a record of its own,
// sealed on the same chain, that refers to the one it corrects and says
// why (DOMAIN 3.2.3). Only the fields given change.
type Correction struct {
	Reason     string
	Diagnosis  *string
	FaultCodes *string
	Actions    *string
	Result     *string
}

// changes are the corrected fields as the record's content names them,
// after checking each; every bad field is named.
func (c Correction) changes() (map[string]string, error) {
	var fs problem.Fields
	problem.CheckText(&fs, "reason", c.Reason, true, 2000)
	out := map[string]string{}
	for _, f := range []struct {
		name, key string
		value     *string
		max       int
	}{{"diagnosis", "diagnosis", c.Diagnosis, 4000}, {"fault_codes", "fault_codes", c.FaultCodes, 500}, {"actions_taken", "actions", c.Actions, 4000}} {
		if f.value != nil {
			problem.CheckText(&fs, f.name, *f.value, true, f.max)
			out[f.key] = *f.value
		}
	}
	if c.Result != nil {
		if !slices.Contains(record.Results, *c.Result) {
			fs.Add("result", "must be fixed, not_fixed or needs_parts")
		}
		out["result"] = *c.Result
	}
	if len(out) == 0 && len(fs) == 0 {
		fs.Add("diagnosis", "give at least one corrected field: diagnosis, fault_codes, actions_taken or result")
	}
	return out, fs.Err()
}

// CorrectRecord seals a correction of service record id.
func (s *Service) CorrectRecord(ctx context.Context, actor policy.Actor, id int64, c Correction) (record.Record, error) {
	now := s.Now().UTC()
	var out record.Record
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		orig, err := record.ReadFor(ctx, tx, actor, id, policy.RecordCorrect)
		if err != nil {
			return err
		}
		if orig.CorrectsID != nil {
			return problem.New(problem.Conflict, "service record %d is itself a correction; correct record %d instead", orig.ID, *orig.CorrectsID)
		}
		changes, err := c.changes()
		if err != nil {
			return err
		}
		at, err := s.Resolve.Agreement(ctx, tx, orig.AgreementID, now)
		if err != nil {
			return err
		}
		sum := orig.Summary()
		content := record.Content{Kind: record.KindCorrection, Correction: &record.Correction{
			Corrects: record.Corrected{ID: orig.ID, Seq: orig.Seq, Hash: orig.Hash},
			Request:  sum.Request, Agreement: sum.Agreement, Product: record.Product{SerialNumber: sum.Serial, Model: sum.Model},
			Reason: c.Reason, Changes: changes, CorrectedBy: record.Person{ID: actor.UserID, Name: actor.Label()}, CorrectedAt: now,
		}}
		// A correction is kept as long as the agreement now says, and never
		// less than the record it corrects.
		out, err = record.Seal(ctx, tx, now, record.New{AgreementID: orig.AgreementID, VendorID: orig.VendorID, ProviderID: orig.ProviderID,
			RequestID: orig.RequestID, CorrectsID: &orig.ID, Content: content, RetentionMonths: at.RetentionMonths, KeepUntil: orig.RetainUntil})
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, orig.ProviderID, "record.correct", "service_record", out.ID, nil, content)
	})
	return out, err
}
