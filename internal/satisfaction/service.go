package satisfaction

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/audit"
	"aftersales/internal/complaint"
	"aftersales/internal/i18n"
	"aftersales/internal/jobs"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// SendJob is the job kind that sends a visit's survey after its delay.
const SendJob = "survey.send"

// Service holds the use cases on surveys, satisfaction and callbacks.
type Service struct {
	DB         *store.DB
	Now        func() time.Time
	Notify     *notify.Service
	Complaints *complaint.Service
	// Texts sends the survey link by text message to the request's contact
	// when the contact's phone is a mobile; nil: no texts.
	Texts *notify.Texts
	// Visits books the visit of a callback's redo (workorder.Service); the
	// composition root sets it.
	Visits Redoer
}

// Redoer books, inside tx, a visit that redoes visit of, for reason, in
// the window from start to end: workorder.Service answers.
type Redoer interface {
	Redo(ctx context.Context, tx *sqlx.Tx, a policy.Actor, of int64, start, end time.Time, reason string) (workorder.WorkOrder, error)
}

// SurveyActor is who the audit records as answering a survey: the
// customer holding its link, without an account.
const SurveyActor = "customer (survey link)"

// New returns the service and hooks it to the filing of a complaint; the
// composition root hooks VisitSealed to the sealing of a visit's record.
func New(db *store.DB, now func() time.Time, n *notify.Service, c *complaint.Service) *Service {
	s := &Service{DB: db, Now: now, Notify: n, Complaints: c}
	c.Filed = s.complaintFiled
	return s
}

type sendPayload struct {
	RecordID int64 `json:"record_id"`
}

// VisitSealed runs inside the transaction that seals a visit's record: if
// the agreement's share picks the visit, its survey is queued for after the
// delay; if the callback share picks it, it joins the vendor's callback queue.
func (s *Service) VisitSealed(ctx context.Context, tx *sqlx.Tx, rec record.Record, now time.Time) error {
	v, err := agreement.TermsAt(ctx, tx, rec.AgreementID, rec.SealedAt)
	if err != nil {
		return err
	}
	rules := v.Terms.SurveyRules()
	if Sampled("survey", rec.ID, rules.SharePermille) {
		runAt := rec.SealedAt.Add(time.Duration(rules.DelayMinutes) * time.Minute)
		if err := enqueue(ctx, tx, now, SendJob, sendPayload{rec.ID}, runAt, fmt.Sprintf("survey.send:%d", rec.ID)); err != nil {
			return err
		}
	}
	if Sampled("callback", rec.ID, rules.CallbackSharePermille) {
		return s.queueCallback(ctx, tx, rec, ReasonSample, nil, nil, now)
	}
	return nil
}

// Send creates and sends the survey of a sealed visit (the job SendJob):
// the scale and questions of the terms in force at sealing, a fresh link,
// in-app and by email to the customer's portal users in their language. It
// returns the link's token, which is kept nowhere but in what was sent.
// Sending twice is a no-op (no token); a record purged meanwhile sends nothing.
func (s *Service) Send(ctx context.Context, recordID int64) (token string, err error) {
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		token = ""
		now := s.Now().UTC()
		var exists int
		if err := store.Get(ctx, tx, &exists, `SELECT COUNT(*) FROM surveys WHERE record_id = ?`, recordID); err != nil || exists > 0 {
			return err
		}
		rec, err := record.Get(ctx, tx, recordID)
		if problem.Is(err, problem.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		content, err := rec.Content()
		if err != nil || content.Visit == nil {
			return err
		}
		visit := content.Visit
		ver, err := agreement.TermsAt(ctx, tx, rec.AgreementID, rec.SealedAt)
		if err != nil {
			return err
		}
		rules := ver.Terms.SurveyRules()
		questions, _ := json.Marshal(rules.Questions)
		var users []struct {
			ID     int64  `db:"id"`
			Locale string `db:"locale"`
		}
		if err := store.Select(ctx, tx, &users, `SELECT id, locale FROM users WHERE org_id = ? AND role = 'customer' AND active = ? ORDER BY id`,
			visit.CustomerOrg, true); err != nil {
			return err
		}
		locale := "zh-CN"
		if len(users) > 0 && users[0].Locale != "" {
			locale = i18n.Match(users[0].Locale)
		}
		tok, hash, err := NewToken()
		if err != nil {
			return err
		}
		token = tok
		var tech *int64
		if visit.Technician.ID > 0 {
			tech = &visit.Technician.ID
		}
		requestID := int64(0)
		if rec.RequestID != nil {
			requestID = *rec.RequestID
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO surveys (record_id, work_order_id, request_id, agreement_id, vendor_id, provider_id,
			customer_org_id, technician_id, period, sealed_at, sent_at, expires_at, token_hash, locale, scale_min, scale_max, satisfied_from, questions_json)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			rec.ID, visit.WorkOrder, requestID, rec.AgreementID, rec.VendorID, rec.ProviderID, visit.CustomerOrg, tech,
			PeriodOf(rec.SealedAt), rec.SealedAt.UTC(), now, now.AddDate(0, 0, rules.ExpiryDays), hash, locale,
			rules.ScaleMin, rules.ScaleMax, rules.SatisfiedFrom, string(questions))
		if err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `INSERT INTO survey_tallies (agreement_id, period, scale_max, sent) VALUES (?, ?, ?, 1)
			ON CONFLICT (agreement_id, period, scale_max) DO UPDATE SET sent = survey_tallies.sent + 1`,
			rec.AgreementID, PeriodOf(rec.SealedAt), rules.ScaleMax); err != nil {
			return err
		}
		if err := s.textSurvey(ctx, tx, now, id, requestID, [3]int64{visit.CustomerOrg, rec.VendorID, rec.ProviderID}, locale, visit.Request, rules.ExpiryDays, token); err != nil {
			return err
		}
		if s.Notify == nil || len(users) == 0 {
			return nil
		}
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		_, err = s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "survey.sent", OrgIDs: []int64{visit.CustomerOrg}, UserIDs: ids,
			Link: SurveyPath(token), DedupeKey: fmt.Sprintf("survey.sent:%d", id),
			Subject: notify.Msg("notify.survey.subject", "Request", visit.Request),
			Body:    notify.Msg("notify.survey.body", "Model", visit.Product.Model, "Serial", visit.Product.SerialNumber, "Days", rules.ExpiryDays),
			Data:    map[string]any{"survey_id": id, "request": visit.Request, "work_order_id": visit.WorkOrder}})
		return err
	})
	return token, err
}

// textSurvey queues the survey's link by text message to the mobile of the
// request's contact, in the survey's language.
// orgs are the customer's, the vendor's and the provider's.
func (s *Service) textSurvey(ctx context.Context, tx *sqlx.Tx, now time.Time, surveyID, requestID int64, orgs [3]int64, locale, number string, days int, token string) error {
	if s.Texts == nil || requestID == 0 {
		return nil
	}
	var phone string
	if err := store.Get(ctx, tx, &phone, `SELECT contact_phone FROM service_requests WHERE id = ?`, requestID); err != nil {
		return err
	}
	_, err := s.Texts.Queue(ctx, tx, now, notify.SMS{OrgID: orgs[0], VendorID: orgs[1], ProviderID: orgs[2], Phone: phone, Kind: "survey.sent",
		Ref: SurveySMSRef(surveyID), DedupeKey: "sms:" + SurveySMSRef(surveyID), Locale: locale,
		Text: notify.Msg("notify.sms.survey", "Request", number, "Days", days), Link: SurveyPath(token)})
	return err
}

// SurveySMSRef is what a survey's text message is about.
func SurveySMSRef(surveyID int64) string { return fmt.Sprintf("survey:%d", surveyID) }

// SurveyPath is the path of a survey's link in the app.
func SurveyPath(token string) string { return "/survey/" + token }

// Register wires the survey and complaint jobs into the job runner.
func (s *Service) Register(r *jobs.Runner) {
	r.Handle(SendJob, func(ctx context.Context, payload json.RawMessage) error {
		var p sendPayload
		if err := json.Unmarshal(payload, &p); err != nil {
			return fmt.Errorf("survey.send payload: %w", err)
		}
		_, err := s.Send(ctx, p.RecordID)
		return err
	})
	r.Handle(complaint.WatchJob, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.Complaints.Watch(ctx, s.Now())
		return err
	})
	r.Every(complaint.WatchJob, time.Minute)
	r.Handle(ThresholdJob, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.WatchThresholds(ctx, s.Now())
		return err
	})
	r.Every(ThresholdJob, time.Hour)
}

// surveyByToken finds the survey of a link. A malformed or unknown token is
// one not-found answer: a forged link learns nothing.
func surveyByToken(ctx context.Context, q store.Queryer, token string) (Survey, error) {
	var sv Survey
	if !WellFormed(token) {
		return sv, problem.New(problem.NotFound, "this survey link is not valid")
	}
	err := store.Get(ctx, q, &sv, `SELECT `+surveyColumns+` FROM surveys WHERE token_hash = ?`, TokenHash(token))
	if err == store.ErrNotFound {
		// A link printed on the service receipt (ReceiptLink).
		err = store.Get(ctx, q, &sv, `SELECT `+surveyColumns+` FROM surveys WHERE record_id = (SELECT record_id FROM survey_receipts WHERE token_hash = ?)`,
			TokenHash(token))
	}
	if err == store.ErrNotFound {
		return sv, problem.New(problem.NotFound, "this survey link is not valid")
	}
	return sv, err
}

const surveyColumns = `id, record_id, work_order_id, request_id, agreement_id, vendor_id, provider_id, customer_org_id, technician_id, period,
	sealed_at, sent_at, expires_at, token_hash, locale, scale_min, scale_max, satisfied_from, questions_json, answered_at, score, satisfied,
	answers_json, comment`

// Open returns the survey of a link, to show it; a survey already answered
// or expired is returned too, with its state, so the page can say so.
func (s *Service) Open(ctx context.Context, token string) (Survey, error) {
	sv, err := surveyByToken(ctx, s.DB, token)
	if problem.Is(err, problem.NotFound) && WellFormed(token) {
		// A receipt's link opened before the survey's delay: send it now.
		if rsv, ok, rerr := s.surveyByReceipt(ctx, token); rerr != nil || ok {
			return rsv, rerr
		}
	}
	return sv, err
}

// Answered is what answering a survey did.
type Answered struct {
	Survey      Survey `json:"survey"`
	ComplaintID int64  `json:"complaint_id,omitempty"`
}

// Answer records the customer's answer from the link: once, before it
// expires, on the survey's scale. "I want to complain" files a complaint
// linked to the visit in the same transaction: both are saved or neither.
// A low score puts the visit in the vendor's callback queue.
func (s *Service) Answer(ctx context.Context, token string, a Answer) (Answered, error) {
	var out Answered
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		now := s.Now().UTC()
		sv, err := surveyByToken(ctx, tx, token)
		if err != nil {
			return err
		}
		switch sv.State(now) {
		case "answered":
			return problem.New(problem.Conflict, "this survey was answered on %s; each visit is answered once", sv.AnsweredAt.Format(time.DateOnly))
		case "expired":
			return problem.New(problem.Conflict, "this survey link expired on %s", sv.ExpiresAt.Format(time.DateOnly))
		}
		if err := a.check(sv); err != nil {
			return err
		}
		if a.Answers == nil {
			a.Answers = map[string]int{}
		}
		answers, _ := json.Marshal(a.Answers)
		satisfied := a.Score >= sv.SatisfiedFrom
		res, err := store.Exec(ctx, tx, `UPDATE surveys SET answered_at = ?, score = ?, satisfied = ?, answers_json = ?, comment = ?
			WHERE id = ? AND answered_at IS NULL`, now, a.Score, satisfied, string(answers), a.Comment, sv.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return problem.New(problem.Conflict, "this survey was answered already; each visit is answered once")
		}
		sat := 0
		if satisfied {
			sat = 1
		}
		if _, err := store.Exec(ctx, tx, `UPDATE survey_tallies SET answers = answers + 1, satisfied = satisfied + ?, score_sum = score_sum + ?
			WHERE agreement_id = ? AND period = ? AND scale_max = ?`, sat, a.Score, sv.AgreementID, sv.Period, sv.ScaleMax); err != nil {
			return err
		}
		customer := policy.Actor{OrgID: sv.CustomerOrgID, OrgKind: "customer", Role: policy.Customer, Email: SurveyActor}
		before := sv
		if sv, err = surveyByToken(ctx, tx, token); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, customer, sv.ProviderID, "survey.answered", "survey", sv.ID, before, sv); err != nil {
			return err
		}
		out.Survey = sv
		if c := a.Complaint; c != nil {
			filed, err := s.Complaints.FileIn(ctx, tx, customer, complaint.NewComplaint{Kind: complaint.KindComplaint, Category: c.Category,
				Channel: "survey", WorkOrderID: sv.WorkOrderID, Description: c.Description, ContactName: c.ContactName,
				ContactPhone: c.Phone, SurveyID: sv.ID})
			if err != nil {
				return prefixed(err, "complaint.")
			}
			out.ComplaintID = filed.ID
		}
		if !satisfied {
			rec, err := record.Get(ctx, tx, sv.RecordID)
			if err == nil {
				return s.queueCallback(ctx, tx, rec, ReasonLowScore, &sv.ID, nil, now)
			}
			if !problem.Is(err, problem.NotFound) {
				return err
			}
		}
		return nil
	})
	return out, err
}

// prefixed names the fields of a validation problem under prefix.
func prefixed(err error, prefix string) error {
	var p *problem.Error
	if pe, ok := err.(*problem.Error); ok {
		p = pe
	}
	if p == nil || p.Kind != problem.Invalid {
		return err
	}
	for i := range p.Fields {
		p.Fields[i].Field = prefix + p.Fields[i].Field
	}
	return p
}

func enqueue(ctx context.Context, tx *sqlx.Tx, now time.Time, kind string, payload any, runAt time.Time, key string) error {
	return jobsEnqueue(ctx, tx, now, kind, payload, runAt, key)
}
