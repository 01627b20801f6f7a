package agreement

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

const columns = `id, vendor_id, provider_id, number, status, terminates_on, suspended_by, version, created_at, updated_at`

func notFound(id int64) error { return problem.New(problem.NotFound, "agreement %d not found", id) }

func adjustmentNotFound(id int64) error {
	return problem.New(problem.NotFound, "adjustment request %d not found", id)
}

// insertAgreement stores a new agreement row.
func insertAgreement(ctx context.Context, q store.Queryer, a Agreement) (Agreement, error) {
	id, err := store.InsertID(ctx, q, `INSERT INTO agreements (vendor_id, provider_id, number, status, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id`, a.VendorID, a.ProviderID, a.Number, a.Stored, a.CreatedAt, a.UpdatedAt)
	if store.IsUniqueViolation(err) {
		return a, problem.Field("number", "the number %s is already used by another agreement of this vendor", a.Number)
	}
	a.ID, a.Version = id, 1
	return a, err
}

// Get loads one agreement.
func Get(ctx context.Context, q store.Queryer, id int64) (Agreement, error) {
	return store.ByID[Agreement](ctx, q, `SELECT `+columns+` FROM agreements WHERE id = ?`, id, notFound)
}

// ListForOrg returns the agreements an organization is a party to, newest first.
func ListForOrg(ctx context.Context, q store.Queryer, orgID int64) ([]Agreement, error) {
	var out []Agreement
	err := store.Select(ctx, q, &out, `SELECT `+columns+` FROM agreements
		WHERE vendor_id = ? OR provider_id = ? ORDER BY id DESC`, orgID, orgID)
	return out, err
}

// listAll returns every agreement (for the operator).
func listAll(ctx context.Context, q store.Queryer) ([]Agreement, error) {
	var out []Agreement
	err := store.Select(ctx, q, &out, `SELECT `+columns+` FROM agreements ORDER BY id DESC`)
	return out, err
}

// bump raises the agreement's revision if it is still expected (0: any) and
// so takes the row lock that serializes concurrent changes of one agreement.
func bump(ctx context.Context, q store.Queryer, id, expected int64, now time.Time) error {
	query := `UPDATE agreements SET version = version + 1, updated_at = ? WHERE id = ?`
	args := []any{now, id}
	if expected > 0 {
		query += ` AND version = ?`
		args = append(args, expected)
	}
	res, err := store.Exec(ctx, q, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.PreconditionFailed, "agreement %d was changed by someone else; reload it", id)
	}
	return nil
}

// saveStatus stores the status fields of a (after bump).
func saveStatus(ctx context.Context, q store.Queryer, a Agreement) error {
	_, err := store.Exec(ctx, q, `UPDATE agreements SET status = ?, terminates_on = ?, suspended_by = ? WHERE id = ?`,
		a.Stored, a.TerminatesOn, a.SuspendedBy, a.ID)
	return err
}

type versionRow struct {
	AgreementID   int64     `db:"agreement_id"`
	Number        int       `db:"number"`
	EffectiveFrom string    `db:"effective_from"`
	TermsJSON     string    `db:"terms_json"`
	Note          string    `db:"note"`
	AdjustmentID  *int64    `db:"adjustment_id"`
	CreatedBy     string    `db:"created_by"`
	CreatedAt     time.Time `db:"created_at"`
}

func (r versionRow) version() (Version, error) {
	v := Version{AgreementID: r.AgreementID, Number: r.Number, EffectiveFrom: r.EffectiveFrom, Note: r.Note,
		AdjustmentID: r.AdjustmentID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	terms, err := decodeTerms(r.TermsJSON)
	if err != nil {
		return v, fmt.Errorf("agreement %d version %d: terms: %w", r.AgreementID, r.Number, err)
	}
	v.Terms = terms
	return v, nil
}

// decodedTerms remembers the terms decoded from each stored text. Versions
// are never changed, and every service request decodes the terms in force
// for its scope check and clocks: decoding was a tenth of the CPU of filing
// one. The key is the text itself, so an entry can never be stale; callers
// get a copy of their own.
var decodedTerms = struct {
	sync.Mutex
	m map[string]Terms
}{m: map[string]Terms{}}

// maxDecodedTerms bounds the memory decodedTerms holds (terms of a few
// kilobytes each); past it, the map starts again.
const maxDecodedTerms = 1024

func decodeTerms(text string) (Terms, error) {
	decodedTerms.Lock()
	t, ok := decodedTerms.m[text]
	decodedTerms.Unlock()
	if ok {
		return t.Clone(), nil
	}
	if err := json.Unmarshal([]byte(text), &t); err != nil {
		return Terms{}, err
	}
	decodedTerms.Lock()
	if len(decodedTerms.m) >= maxDecodedTerms {
		clear(decodedTerms.m)
	}
	decodedTerms.m[text] = t
	decodedTerms.Unlock()
	return t.Clone(), nil
}

const versionColumns = `agreement_id, number, effective_from, terms_json, note, adjustment_id, created_by, created_at`

// insertVersion appends version v (its Number set by the caller).
func insertVersion(ctx context.Context, q store.Queryer, v Version) error {
	terms, err := json.Marshal(v.Terms)
	if err != nil {
		return err
	}
	_, err = store.Exec(ctx, q, `INSERT INTO agreement_versions (`+versionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		v.AgreementID, v.Number, v.EffectiveFrom, string(terms), v.Note, v.AdjustmentID, v.CreatedBy, v.CreatedAt)
	if store.IsUniqueViolation(err) {
		return problem.New(problem.Conflict, "version %d of agreement %d was added at the same time; reload and try again", v.Number, v.AgreementID)
	}
	return err
}

// Versions returns every version of an agreement, oldest first.
func Versions(ctx context.Context, q store.Queryer, agreementID int64) ([]Version, error) {
	var rows []versionRow
	if err := store.Select(ctx, q, &rows, `SELECT `+versionColumns+` FROM agreement_versions
		WHERE agreement_id = ? ORDER BY number`, agreementID); err != nil {
		return nil, err
	}
	out := make([]Version, 0, len(rows))
	for _, r := range rows {
		v, err := r.version()
		if err != nil {
			return nil, err
		}
		if err := resolvePoints(ctx, q, &v.Terms); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// latestVersion returns the highest-numbered version, if any.
func latestVersion(ctx context.Context, q store.Queryer, agreementID int64) (*Version, error) {
	var r versionRow
	err := store.Get(ctx, q, &r, `SELECT `+versionColumns+` FROM agreement_versions
		WHERE agreement_id = ? ORDER BY number DESC LIMIT 1`, agreementID)
	if err == store.ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := r.version()
	if err != nil {
		return nil, err
	}
	return &v, resolvePoints(ctx, q, &v.Terms)
}

// TermsAt returns the version of an agreement in force at instant at: the
// highest-numbered version effective on or before the date of at in
// Shanghai (see InForce). It is the one question every computation of
// clocks, scope and fees asks; it does not authorize.
func TermsAt(ctx context.Context, q store.Queryer, agreementID int64, at time.Time) (Version, error) {
	var r versionRow
	err := store.Get(ctx, q, &r, `SELECT `+versionColumns+` FROM agreement_versions
		WHERE agreement_id = ? AND effective_from <= ? ORDER BY number DESC LIMIT 1`, agreementID, calendar.LocalDate(at))
	if err == store.ErrNotFound {
		return Version{}, problem.New(problem.NotFound, "agreement %d has no terms in force on %s", agreementID, calendar.LocalDate(at))
	}
	if err != nil {
		return Version{}, err
	}
	v, err := r.version()
	if err != nil {
		return v, err
	}
	return v, resolvePoints(ctx, q, &v.Terms)
}

// GetInForce returns an agreement and its version in force on at's local date
// in one query; it answers like Get when the agreement is missing and like
// TermsAt when no version is in force yet.
func GetInForce(ctx context.Context, q store.Queryer, id int64, at time.Time) (Agreement, Version, error) {
	var r InForceRow
	err := q.QueryRowxContext(ctx, store.Rebind(q, `SELECT `+InForceColumns+` FROM agreements a
		LEFT JOIN agreement_versions v ON v.agreement_id = a.id
			AND v.number = (SELECT MAX(number) FROM agreement_versions WHERE agreement_id = a.id AND effective_from <= ?)
		WHERE a.id = ?`), calendar.LocalDate(at), id).Scan(r.Dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return Agreement{}, Version{}, notFound(id)
	}
	if err != nil {
		return Agreement{}, Version{}, err
	}
	return r.Result(ctx, q, id, at)
}

func insertStatusEvent(ctx context.Context, q store.Queryer, e StatusEvent) (int64, error) {
	return store.InsertID(ctx, q, `INSERT INTO agreement_status_events
		(agreement_id, from_status, to_status, reason, effective_on, org_id, actor, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.AgreementID, e.From, e.To, e.Reason, e.EffectiveOn, e.OrgID, e.Actor, e.At)
}

// StatusEvents returns an agreement's changes of status, oldest first.
func StatusEvents(ctx context.Context, q store.Queryer, agreementID int64) ([]StatusEvent, error) {
	out := []StatusEvent{}
	err := store.Select(ctx, q, &out, `SELECT id, agreement_id, from_status, to_status, reason, effective_on, org_id, actor, at
		FROM agreement_status_events WHERE agreement_id = ? ORDER BY id`, agreementID)
	return out, err
}

const adjustmentColumns = `id, agreement_id, proposer_org_id, proposed_by, base_version, terms_json, patch_json, reason,
	desired_from, state, decided_by, decided_at, comment, result_version, effective_from, created_at`

func insertAdjustment(ctx context.Context, q store.Queryer, a Adjustment) (int64, error) {
	return store.InsertID(ctx, q, `INSERT INTO adjustment_requests (agreement_id, proposer_org_id, proposed_by, base_version,
		terms_json, patch_json, reason, desired_from, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.AgreementID, a.ProposerOrgID, a.ProposedBy, a.BaseVersion, a.TermsJSON, a.PatchJSON, a.Reason, a.DesiredFrom, a.State, a.CreatedAt)
}

func decode(a *Adjustment) error {
	if err := json.Unmarshal([]byte(a.TermsJSON), &a.Terms); err != nil {
		return fmt.Errorf("adjustment %d: terms: %w", a.ID, err)
	}
	if a.PatchJSON != nil {
		if err := json.Unmarshal([]byte(*a.PatchJSON), &a.Patch); err != nil {
			return fmt.Errorf("adjustment %d: changes: %w", a.ID, err)
		}
	}
	return nil
}

// GetAdjustment loads one adjustment request.
func GetAdjustment(ctx context.Context, q store.Queryer, id int64) (Adjustment, error) {
	a, err := store.ByID[Adjustment](ctx, q, `SELECT `+adjustmentColumns+` FROM adjustment_requests WHERE id = ?`, id, adjustmentNotFound)
	if err != nil {
		return a, err
	}
	return a, decode(&a)
}

// Adjustments returns an agreement's adjustment requests, newest first.
func Adjustments(ctx context.Context, q store.Queryer, agreementID int64) ([]Adjustment, error) {
	out := []Adjustment{}
	if err := store.Select(ctx, q, &out, `SELECT `+adjustmentColumns+` FROM adjustment_requests
		WHERE agreement_id = ? ORDER BY id DESC`, agreementID); err != nil {
		return nil, err
	}
	for i := range out {
		if err := decode(&out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decideAdjustment records a decision if the request is still pending.
func decideAdjustment(ctx context.Context, q store.Queryer, a Adjustment) error {
	res, err := store.Exec(ctx, q, `UPDATE adjustment_requests SET state = ?, decided_by = ?, decided_at = ?, comment = ?,
		result_version = ?, effective_from = ? WHERE id = ? AND state = 'pending'`,
		a.State, a.DecidedBy, a.DecidedAt, a.Comment, a.ResultVersion, a.EffectiveFrom, a.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.Because(problem.Conflict, "adjustment_decided", "adjustment request %d was decided by someone else", a.ID)
	}
	return nil
}
