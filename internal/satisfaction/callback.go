package satisfaction

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/complaint"
	"aftersales/internal/jobs"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// Why a visit is in the callback queue.
const (
	ReasonSample    = "sample"
	ReasonComplaint = "complaint"
	ReasonLowScore  = "low_score"
)

// Outcomes of a callback.
const (
	CallbackOpen       = "open"
	CallbackConfirmed  = "confirmed"
	CallbackCorrection = "correction" // 退回重填: the provider corrects the record
	CallbackRedo       = "redo"       // 退回重办: a new visit redoes the work
)

// Callback is one entry of the vendor's callback queue.
type Callback struct {
	ID              int64      `db:"id" json:"id"`
	Reason          string     `db:"reason" json:"reason" doc:"sample, complaint or low_score."`
	Status          string     `db:"status" json:"status" doc:"open, confirmed, correction or redo."`
	RecordID        int64      `db:"record_id" json:"record_id"`
	WorkOrderID     int64      `db:"work_order_id" json:"work_order_id"`
	RequestID       int64      `db:"request_id" json:"request_id"`
	RequestNumber   string     `db:"request_number" json:"request_number" doc:"The request's number, as its parties know it."`
	AgreementID     int64      `db:"agreement_id" json:"agreement_id"`
	VendorID        int64      `db:"vendor_id" json:"vendor_id"`
	ProviderID      int64      `db:"provider_id" json:"provider_id"`
	CustomerOrgID   int64      `db:"customer_org_id" json:"customer_org_id"`
	SurveyID        *int64     `db:"survey_id" json:"survey_id,omitempty"`
	ComplaintID     *int64     `db:"complaint_id" json:"complaint_id,omitempty"`
	Period          string     `db:"period" json:"period"`
	CreatedAt       time.Time  `db:"created_at" json:"created_at"`
	CalledAt        *time.Time `db:"called_at" json:"called_at,omitempty"`
	CalledBy        string     `db:"called_by" json:"called_by,omitempty"`
	Reached         *bool      `db:"reached" json:"reached,omitempty"`
	CallScore       *int       `db:"call_score" json:"call_score,omitempty"`
	CallWords       string     `db:"call_words" json:"call_words,omitempty"`
	DecidedAt       *time.Time `db:"decided_at" json:"decided_at,omitempty"`
	DecidedBy       string     `db:"decided_by" json:"decided_by,omitempty"`
	DecisionReason  string     `db:"decision_reason" json:"decision_reason,omitempty"`
	RedoWorkOrderID *int64     `db:"redo_work_order_id" json:"redo_work_order_id,omitempty"`
	Version         int64      `db:"version" json:"version"`
}

const callbackColumns = `id, reason, status, record_id, work_order_id, request_id, agreement_id, vendor_id, provider_id, customer_org_id,
	survey_id, complaint_id, period, created_at, called_at, called_by, reached, call_score, call_words, decided_at, decided_by,
	decision_reason, redo_work_order_id, version,
	(SELECT r.number FROM service_requests r WHERE r.id = callbacks.request_id) AS request_number`

func jobsEnqueue(ctx context.Context, tx *sqlx.Tx, now time.Time, kind string, payload any, runAt time.Time, key string) error {
	return jobs.Enqueue(ctx, tx, now, kind, payload, jobs.Options{RunAt: runAt, UniqueKey: key})
}

// queueCallback puts a sealed visit in the callback queue for reason, once
// per visit and reason.
func (s *Service) queueCallback(ctx context.Context, tx *sqlx.Tx, rec record.Record, reason string, surveyID, complaintID *int64, now time.Time) error {
	content, err := rec.Content()
	if err != nil || content.Visit == nil {
		return err
	}
	requestID := int64(0)
	if rec.RequestID != nil {
		requestID = *rec.RequestID
	}
	_, err = store.Exec(ctx, tx, `INSERT INTO callbacks (reason, status, record_id, work_order_id, request_id, agreement_id, vendor_id, provider_id,
		customer_org_id, survey_id, complaint_id, period, created_at) VALUES (?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (record_id, reason) DO NOTHING`,
		reason, rec.ID, content.Visit.WorkOrder, requestID, rec.AgreementID, rec.VendorID, rec.ProviderID, content.Visit.CustomerOrg,
		surveyID, complaintID, PeriodOf(now), now.UTC())
	return err
}

// complaintFiled puts every complaint about a sealed visit in the queue.
func (s *Service) complaintFiled(ctx context.Context, tx *sqlx.Tx, c complaint.Complaint, now time.Time) error {
	if c.WorkOrderID == nil {
		return nil
	}
	var recordID *int64
	if err := store.Get(ctx, tx, &recordID, `SELECT record_id FROM work_orders WHERE id = ?`, *c.WorkOrderID); err != nil || recordID == nil {
		return err
	}
	rec, err := record.Get(ctx, tx, *recordID)
	if err != nil {
		return err
	}
	return s.queueCallback(ctx, tx, rec, ReasonComplaint, c.SurveyID, &c.ID, now)
}

func callbackNotFound(id int64) error {
	return problem.New(problem.NotFound, "callback %d not found", id)
}

func (s *Service) loadCallback(ctx context.Context, q store.Queryer, a policy.Actor, id int64, action policy.Action) (Callback, error) {
	return policy.Load(a, policy.CallbackRead, action, callbackNotFound(id),
		func() (Callback, error) {
			return store.ByID[Callback](ctx, q, `SELECT `+callbackColumns+` FROM callbacks WHERE id = ?`, id, callbackNotFound)
		},
		policy.ByParties[Callback](a))
}

// Parties are the vendor and the provider of the callback's agreement.
func (c Callback) Parties() []int64 { return []int64{c.VendorID, c.ProviderID} }

// GetCallback returns one entry of the queue.
func (s *Service) GetCallback(ctx context.Context, a policy.Actor, id int64) (Callback, error) {
	return s.loadCallback(ctx, s.DB, a, id, policy.CallbackRead)
}

// Callbacks lists the queue of the actor's organization (status "" for all),
// open ones oldest first, others newest first.
func (s *Service) Callbacks(ctx context.Context, a policy.Actor, status string, limit int) ([]Callback, error) {
	if err := policy.Allow(a, policy.CallbackRead, policy.Own); err != nil {
		return nil, err
	}
	where, args := []string{"1=1"}, []any{}
	if !a.Operator {
		where, args = append(where, "(vendor_id = ? OR provider_id = ?)"), append(args, a.OrgID, a.OrgID)
	}
	order := "id DESC"
	if status != "" {
		where, args = append(where, "status = ?"), append(args, status)
		if status == CallbackOpen {
			order = "id"
		}
	}
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	out := []Callback{}
	err := store.Select(ctx, s.DB, &out, `SELECT `+callbackColumns+` FROM callbacks WHERE `+strings.Join(where, " AND ")+
		` ORDER BY `+order+fmt.Sprintf(" LIMIT %d", limit), args...)
	return out, err
}

// Call is the outcome of a phone call to the customer.
type Call struct {
	Reached bool   `json:"reached"`
	Score   *int   `json:"score,omitempty" doc:"The customer's score on the agreement's survey scale, when reached."`
	Words   string `json:"words,omitempty" maxLength:"2000" doc:"What the customer said."`
}

// Decision closes an entry: confirmed, or sent back for a correction of the
// record or a redo of the work, with the reason.
type Decision struct {
	Outcome string `json:"outcome" enum:"confirmed,correction,redo"`
	Reason  string `json:"reason,omitempty" maxLength:"2000" doc:"Required when the visit is sent back."`
	// The redo visit's window; by default the next working morning.
	WindowStart time.Time `json:"window_start,omitempty"`
	WindowEnd   time.Time `json:"window_end,omitempty"`
}

// RecordCall records the outcome of the auditor's call.
func (s *Service) RecordCall(ctx context.Context, a policy.Actor, id int64, call Call, expected int64) (Callback, error) {
	var fs problem.Fields
	call.Words = strings.TrimSpace(call.Words)
	problem.CheckText(&fs, "words", call.Words, false, 2000)
	if call.Score != nil && !call.Reached {
		fs.Add("score", "a score is given only by a customer reached")
	}
	return s.changeCallback(ctx, a, id, expected, &fs, func(tx *sqlx.Tx, c *Callback, now time.Time) error {
		if call.Score != nil {
			var min, max int
			if err := store.Get(ctx, tx, &min, `SELECT COALESCE(MIN(scale_min), 1) FROM surveys WHERE record_id = ?`, c.RecordID); err != nil {
				return err
			}
			if err := store.Get(ctx, tx, &max, `SELECT COALESCE(MAX(scale_max), 5) FROM surveys WHERE record_id = ?`, c.RecordID); err != nil {
				return err
			}
			if *call.Score < min || *call.Score > max {
				return problem.Field("score", "must be from %d to %d, not %d", min, max, *call.Score)
			}
		}
		c.CalledAt, c.CalledBy, c.Reached, c.CallScore, c.CallWords = &now, a.Label(), &call.Reached, call.Score, call.Words
		return nil
	}, "callback.call")
}

// Decide closes an entry of the queue. Sending back for a correction asks
// the provider to seal a correction of the record (退回重填); for a redo it
// books a new visit under the same request, with the same technician,
// marked as a redo of the first (退回重办).
func (s *Service) Decide(ctx context.Context, a policy.Actor, id int64, d Decision, expected int64) (Callback, error) {
	var fs problem.Fields
	d.Reason = strings.TrimSpace(d.Reason)
	switch d.Outcome {
	case CallbackConfirmed:
	case CallbackCorrection, CallbackRedo:
		problem.CheckText(&fs, "reason", d.Reason, true, 2000)
	default:
		fs.Add("outcome", "must be confirmed, correction or redo")
	}
	problem.CheckText(&fs, "reason", d.Reason, false, 2000)
	if d.Outcome == CallbackRedo && !d.WindowStart.IsZero() && !d.WindowEnd.After(d.WindowStart) {
		fs.Add("window_end", "must be after window_start")
	}
	return s.changeCallback(ctx, a, id, expected, &fs, func(tx *sqlx.Tx, c *Callback, now time.Time) error {
		if c.Status != CallbackOpen {
			return problem.New(problem.Conflict, "callback %d is already closed as %s", c.ID, problem.Enum("callbacks.outcome.", c.Status))
		}
		c.Status, c.DecidedAt, c.DecidedBy, c.DecisionReason = d.Outcome, &now, a.Label(), d.Reason
		switch d.Outcome {
		case CallbackRedo:
			wo, err := s.orderRedo(ctx, tx, a, *c, d, now)
			if err != nil {
				return err
			}
			c.RedoWorkOrderID = &wo
			return s.tellProvider(ctx, tx, *c, now, "notify.callback.redo.subject", fmt.Sprintf("/work-orders/%d", wo))
		case CallbackCorrection:
			return s.tellProvider(ctx, tx, *c, now, "notify.callback.correction.subject", fmt.Sprintf("/records/%d", c.RecordID))
		}
		return nil
	}, "callback.decide")
}

func (s *Service) changeCallback(ctx context.Context, a policy.Actor, id, expected int64, fs *problem.Fields,
	fn func(tx *sqlx.Tx, c *Callback, now time.Time) error, action string) (Callback, error) {
	if err := fs.Err(); err != nil {
		return Callback{}, err
	}
	var out Callback
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		now := s.Now().UTC()
		c, err := s.loadCallback(ctx, tx, a, id, policy.CallbackWork)
		if err != nil {
			return err
		}
		if expected > 0 && c.Version != expected {
			return problem.New(problem.PreconditionFailed, "callback %d was changed by someone else", c.ID)
		}
		before := c
		if err := fn(tx, &c, now); err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `UPDATE callbacks SET status = ?, called_at = ?, called_by = ?, reached = ?, call_score = ?, call_words = ?,
			decided_at = ?, decided_by = ?, decision_reason = ?, redo_work_order_id = ?, version = version + 1 WHERE id = ?`,
			c.Status, c.CalledAt, c.CalledBy, c.Reached, c.CallScore, c.CallWords, c.DecidedAt, c.DecidedBy, c.DecisionReason,
			c.RedoWorkOrderID, c.ID); err != nil {
			return err
		}
		if out, err = s.loadCallback(ctx, tx, a, id, policy.CallbackRead); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, c.VendorID, action, "callback", c.ID, before, out)
	})
	return out, err
}

// orderRedo books the redo visit through the visits (workorder.Redo):
// same request, same technician, the given window or the next morning, the
// request reopened if it was resolved; redo_visits counts it for the
// provider and the period.
func (s *Service) orderRedo(ctx context.Context, tx *sqlx.Tx, a policy.Actor, c Callback, d Decision, now time.Time) (int64, error) {
	var wo workorder.WorkOrder
	var err error
	if !d.WindowStart.IsZero() {
		wo, err = s.Visits.Redo(ctx, tx, a, c.WorkOrderID, d.WindowStart, d.WindowEnd, d.Reason)
	} else {
		// The first of the technician's free half days from the next
		// morning, over a week.
		for i := 0; i < 14; i++ {
			day := now.In(calendar.Shanghai).AddDate(0, 0, 1+i/2)
			start := time.Date(day.Year(), day.Month(), day.Day(), 9+5*(i%2), 0, 0, 0, calendar.Shanghai)
			wo, err = s.Visits.Redo(ctx, tx, a, c.WorkOrderID, start, start.Add(3*time.Hour), d.Reason)
			if !isReason(err, staff.OverlappingVisit) {
				break
			}
		}
	}
	if err != nil {
		return 0, err
	}
	_, err = store.Exec(ctx, tx, `INSERT INTO redo_visits (work_order_id, redo_of, request_id, callback_id, provider_id, agreement_id, period, reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, wo.ID, c.WorkOrderID, c.RequestID, c.ID, c.ProviderID, c.AgreementID, PeriodOf(now), d.Reason, now)
	return wo.ID, err
}

// RedoOf tells whether a visit redoes an earlier one, and which.
func RedoOf(ctx context.Context, q store.Queryer, workOrderID int64) (redoOf int64, reason string, ok bool, err error) {
	var r struct {
		RedoOf int64  `db:"redo_of"`
		Reason string `db:"reason"`
	}
	err = store.Get(ctx, q, &r, `SELECT redo_of, reason FROM redo_visits WHERE work_order_id = ?`, workOrderID)
	if err == store.ErrNotFound {
		return 0, "", false, nil
	}
	return r.RedoOf, r.Reason, err == nil, err
}

func (s *Service) tellProvider(ctx context.Context, tx *sqlx.Tx, c Callback, now time.Time, subject, link string) error {
	if s.Notify == nil {
		return nil
	}
	var ids []int64
	if err := store.Select(ctx, tx, &ids, `SELECT id FROM users WHERE org_id = ? AND role IN ('provider_admin', 'dispatcher') AND active = ? ORDER BY id`,
		c.ProviderID, true); err != nil || len(ids) == 0 {
		return err
	}
	_, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "callback." + c.Status, OrgIDs: []int64{c.ProviderID}, UserIDs: ids, Link: link,
		DedupeKey: fmt.Sprintf("callback.%s:%d", c.Status, c.ID), Subject: notify.Msg(subject, "Request", c.RequestID),
		Body: notify.Localized{"zh-CN": c.DecisionReason, "en": c.DecisionReason}, Data: map[string]any{"callback_id": c.ID, "work_order_id": c.WorkOrderID}})
	return err
}

// isReason tells whether err is a problem of the given reason.
func isReason(err error, reason string) bool {
	var p *problem.Error
	return errors.As(err, &p) && p.Reason == reason
}
