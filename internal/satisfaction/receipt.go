package satisfaction

import (
	"context"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/store"
)

// ReceiptLink makes a survey link to print as a QR code on the service
// receipt of a visit's record, for a party who may read the record. Each
// call makes a fresh random token and stores only its hash, like a sent
// link; it opens the record's survey (sending it then, if its delay has not
// passed). ok is false, and nothing is stored, when the record is not a
// visit's or the agreement's share does not survey it.
func (s *Service) ReceiptLink(ctx context.Context, a policy.Actor, recordID int64) (token string, ok bool, err error) {
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		rec, err := record.Read(ctx, tx, a, recordID)
		if err != nil {
			return err
		}
		if ok, err = surveyed(ctx, tx, rec); err != nil || !ok {
			return err
		}
		tok, hash, err := NewToken()
		if err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `INSERT INTO survey_receipts (token_hash, record_id, created_at) VALUES (?, ?, ?)`,
			hash, rec.ID, s.Now().UTC()); err != nil {
			return err
		}
		token = tok
		return nil
	})
	return token, ok, err
}

// Surveyed reports whether a record's visit is surveyed, for a party who may
// read the record: the page offers the receipt's QR code only then.
func (s *Service) Surveyed(ctx context.Context, a policy.Actor, recordID int64) (bool, error) {
	rec, err := record.Read(ctx, s.DB, a, recordID)
	if err != nil {
		return false, err
	}
	return surveyed(ctx, s.DB, rec)
}

func surveyed(ctx context.Context, q store.Queryer, rec record.Record) (bool, error) {
	c, err := rec.Content()
	if err != nil || c.Visit == nil || rec.CorrectsID != nil {
		return false, nil
	}
	v, err := agreement.TermsAt(ctx, q, rec.AgreementID, rec.SealedAt)
	if err != nil {
		return false, err
	}
	return Sampled("survey", rec.ID, v.Terms.SurveyRules().SharePermille), nil
}

// surveyByReceipt finds the survey a receipt's link opens, sending it first
// when its delay has not passed yet.
func (s *Service) surveyByReceipt(ctx context.Context, token string) (Survey, bool, error) {
	var recordID int64
	err := store.Get(ctx, s.DB, &recordID, `SELECT record_id FROM survey_receipts WHERE token_hash = ?`, TokenHash(token))
	if err == store.ErrNotFound {
		return Survey{}, false, nil
	}
	if err != nil {
		return Survey{}, false, err
	}
	if _, err := s.Send(ctx, recordID); err != nil {
		return Survey{}, false, err
	}
	var sv Survey
	err = store.Get(ctx, s.DB, &sv, `SELECT `+surveyColumns+` FROM surveys WHERE record_id = ?`, recordID)
	if err == store.ErrNotFound {
		return sv, false, problem.New(problem.NotFound, "this survey link is not valid")
	}
	return sv, err == nil, err
}

// SurveyTexts are the text messages that sent the survey of a sealed visit
// record, with their delivery states, to whoever may read the record.
func (s *Service) SurveyTexts(ctx context.Context, a policy.Actor, recordID int64) ([]notify.SMSMessage, error) {
	if _, err := record.Read(ctx, s.DB, a, recordID); err != nil {
		return nil, err
	}
	var ids []int64
	if err := store.Select(ctx, s.DB, &ids, `SELECT id FROM surveys WHERE record_id = ? ORDER BY id`, recordID); err != nil {
		return nil, err
	}
	out := []notify.SMSMessage{}
	for _, id := range ids {
		texts, err := notify.SMSMessagesAbout(ctx, s.DB, SurveySMSRef(id))
		if err != nil {
			return nil, err
		}
		out = append(out, texts...)
	}
	return out, nil
}
