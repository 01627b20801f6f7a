package workorder

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
)

// The SQL of visits: the work_orders table and the sign-off codes.

const woColumns = `id, origin, COALESCE(request_id, 0) AS request_id, unit_id, agreement_id, redo_of, technician_id, assigned_by, window_start, window_end, status, departed_at, checked_in_at, check_in_lat, check_in_lng,
	checked_out_at, diagnosis, fault_codes, actions_taken, result, signoff_kind, signoff_name, signature_png, signoff_sent_to, record_id, created_at, updated_at, version`

// Get loads one work order.
func Get(ctx context.Context, q store.Queryer, id int64) (WorkOrder, error) {
	return store.ByID[WorkOrder](ctx, q, `SELECT `+woColumns+` FROM work_orders WHERE id = ?`, id, workOrderNotFound)
}

// OfRequest lists a request's visits, oldest first.
func OfRequest(ctx context.Context, q store.Queryer, requestID int64) ([]WorkOrder, error) {
	var out []WorkOrder
	err := store.Select(ctx, q, &out, `SELECT `+woColumns+` FROM work_orders WHERE request_id = ? ORDER BY id`, requestID)
	return out, err
}

// TechnicianNames names the technicians of a request's visits, by user id.
func TechnicianNames(ctx context.Context, q store.Queryer, requestID int64) (map[int64]string, error) {
	var rows []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	err := store.Select(ctx, q, &rows, `SELECT DISTINCT u.id, u.name FROM work_orders w JOIN users u ON u.id = w.technician_id WHERE w.request_id = ?`, requestID)
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, err
}

// insertWorkOrder stores a new visit of origin for sub, booked by actor.
func insertWorkOrder(ctx context.Context, tx *sqlx.Tx, actor policy.Actor, o Origin, sub subject, a Assignment, now time.Time) (int64, error) {
	var requestID, unitID, agreementID *int64
	if o.Kind == OriginRequest {
		requestID = &o.RequestID
	} else {
		unitID, agreementID = &sub.UnitID, &sub.AgreementID
	}
	return store.InsertID(ctx, tx, `INSERT INTO work_orders (origin, request_id, unit_id, agreement_id, redo_of, technician_id, assigned_by,
		window_start, window_end, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'assigned', ?, ?) RETURNING id`, o.Kind, requestID, unitID, agreementID, store.NullID(o.RedoOf),
		a.TechnicianID, store.NullID(actor.UserID), a.WindowStart.UTC(), a.WindowEnd.UTC(), now, now)
}

// moveWorkOrder gives a visit not started another technician or window.
func moveWorkOrder(ctx context.Context, tx *sqlx.Tx, id int64, a Assignment, now time.Time) error {
	_, err := store.Exec(ctx, tx, `UPDATE work_orders SET technician_id = ?, window_start = ?, window_end = ?, updated_at = ?, version = version + 1
		WHERE id = ?`, a.TechnicianID, a.WindowStart.UTC(), a.WindowEnd.UTC(), now, id)
	return err
}

// saveStep stores a visit as a step left it, if nobody changed it since.
func saveStep(ctx context.Context, tx *sqlx.Tx, w WorkOrder, now time.Time) error {
	_, err := store.Exec(ctx, tx, `UPDATE work_orders SET status = ?, departed_at = ?, checked_in_at = ?, check_in_lat = ?, check_in_lng = ?, checked_out_at = ?,
		diagnosis = ?, fault_codes = ?, actions_taken = ?, result = ?, signoff_kind = ?, signoff_name = ?, signature_png = ?, signoff_sent_to = ?,
		record_id = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
		w.Status, w.DepartedAt, w.CheckedInAt, w.CheckInLat, w.CheckInLng, w.CheckedOutAt, w.Diagnosis, w.FaultCodes, w.ActionsTaken, w.Result,
		w.SignoffKind, w.SignoffName, w.SignaturePNG, w.SignoffSentTo, w.RecordID, now, w.ID, w.Version)
	return err
}

// lockWorkOrder takes a visit's row lock for the rest of tx.
func lockWorkOrder(ctx context.Context, tx *sqlx.Tx, id int64) error {
	_, err := store.Exec(ctx, tx, `UPDATE work_orders SET updated_at = updated_at WHERE id = ?`, id)
	return err
}

// openVisitsOf lists a technician's visits not done, by appointment.
func openVisitsOf(ctx context.Context, q store.Queryer, technicianID int64, out *[]WorkOrder) error {
	return store.Select(ctx, q, out, `SELECT `+woColumns+` FROM work_orders WHERE technician_id = ? AND status IN ('assigned', 'on_site')
		ORDER BY window_start, id LIMIT 100`, technicianID)
}

// PendingCode is the sign-off code of a visit still usable, if any.
func PendingCode(ctx context.Context, q store.Queryer, workOrderID int64, now time.Time) (*SentCode, error) {
	var c SentCode
	err := store.Get(ctx, q, &c, `SELECT sent_to, expires_at FROM signoff_codes WHERE work_order_id = ? AND attempts < ? AND expires_at > ?`,
		workOrderID, CodeAttempts, now.UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return &c, err
}

// storedCode is a sign-off code as kept: salted and hashed.
type storedCode struct {
	Salt      string    `db:"salt"`
	Hash      string    `db:"code_hash"`
	SentTo    string    `db:"sent_to"`
	ExpiresAt time.Time `db:"expires_at"`
	Attempts  int       `db:"attempts"`
}

func getCode(ctx context.Context, q store.Queryer, workOrderID int64) (storedCode, error) {
	var c storedCode
	err := store.Get(ctx, q, &c, `SELECT salt, code_hash, sent_to, expires_at, attempts FROM signoff_codes WHERE work_order_id = ?`, workOrderID)
	return c, err
}

// putCode replaces a visit's sign-off code.
func putCode(ctx context.Context, tx *sqlx.Tx, workOrderID int64, salt, hash string, c SentCode, now time.Time) error {
	if err := deleteCode(ctx, tx, workOrderID); err != nil {
		return err
	}
	_, err := store.Exec(ctx, tx, `INSERT INTO signoff_codes (work_order_id, salt, code_hash, sent_to, expires_at, attempts, created_at)
		VALUES (?, ?, ?, ?, ?, 0, ?)`, workOrderID, salt, hash, c.SentTo, c.ExpiresAt, now)
	return err
}

func countWrongCode(ctx context.Context, tx *sqlx.Tx, workOrderID int64) error {
	_, err := store.Exec(ctx, tx, `UPDATE signoff_codes SET attempts = attempts + 1 WHERE work_order_id = ?`, workOrderID)
	return err
}

func deleteCode(ctx context.Context, tx *sqlx.Tx, workOrderID int64) error {
	_, err := store.Exec(ctx, tx, `DELETE FROM signoff_codes WHERE work_order_id = ?`, workOrderID)
	return err
}

// The reads behind RequestVisits.

func bookedFor(ctx context.Context, q store.Queryer, requestID, userID int64) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM work_orders WHERE request_id = ? AND technician_id = ? AND status <> 'cancelled'`, requestID, userID)
	return n > 0, err
}

func techniciansOn(ctx context.Context, q store.Queryer, requestID int64) ([]int64, error) {
	var ids []int64
	err := store.Select(ctx, q, &ids, `SELECT DISTINCT technician_id FROM work_orders WHERE request_id = ? AND status IN ('assigned', 'on_site')
		ORDER BY technician_id`, requestID)
	return ids, err
}

func historyOf(ctx context.Context, q store.Queryer, requestIDs []int64) ([]servicerequest.HistoryVisit, error) {
	var out []servicerequest.HistoryVisit
	err := store.SelectIn(ctx, q, &out, `SELECT w.id, w.request_id, w.status, COALESCE(u.name, '') AS technician, w.window_start,
		w.checked_in_at, w.checked_out_at, w.result, w.record_id FROM work_orders w LEFT JOIN users u ON u.id = w.technician_id
		WHERE w.request_id IN (?) ORDER BY w.id`, requestIDs)
	return out, err
}

func visitRef(ctx context.Context, q store.Queryer, id int64) (servicerequest.VisitRef, error) {
	var v servicerequest.VisitRef
	err := store.Get(ctx, q, &v, `SELECT id, COALESCE(request_id, 0) AS request_id, technician_id, status FROM work_orders WHERE id = ?`, id)
	return v, err
}

func workedBy(technicianID int64, withCancelled bool) (string, []any) {
	if withCancelled {
		return "r.id IN (SELECT request_id FROM work_orders WHERE technician_id = ?)", []any{technicianID}
	}
	return "r.id IN (SELECT request_id FROM work_orders WHERE technician_id = ? AND status <> 'cancelled')", []any{technicianID}
}
