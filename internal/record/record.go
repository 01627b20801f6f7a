// Package record seals service records (DOMAIN 3.2.3): every completed
// service leaves an immutable record of time, place, customer, product,
// content, result, technician, parts and sign-off. Records of one agreement
// form a hash chain, so that any later change, removal or reordering is
// detectable; a correction is a new record that refers to the one it
// corrects. Records are kept at least for the agreement's retention period.
package record

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Genesis is the previous hash of the first record of a chain.
const Genesis = "genesis"

// Record is one sealed service record.
type Record struct {
	ID          int64     `db:"id" json:"id"`
	AgreementID int64     `db:"agreement_id" json:"agreement_id"`
	Seq         int64     `db:"seq" json:"seq"`
	VendorID    int64     `db:"vendor_id" json:"vendor_id"`
	ProviderID  int64     `db:"provider_id" json:"provider_id"`
	RequestID   *int64    `db:"request_id" json:"request_id,omitempty"`
	CorrectsID  *int64    `db:"corrects_id" json:"corrects_id,omitempty"`
	ContentJSON string    `db:"content_json" json:"-"`
	SealedAt    time.Time `db:"sealed_at" json:"sealed_at"`
	RetainUntil string    `db:"retain_until" json:"retain_until"`
	PrevHash    string    `db:"prev_hash" json:"prev_hash"`
	Hash        string    `db:"hash" json:"hash"`
}

// Content reads the record's content as the version it was sealed with.
func (r Record) Content() (Content, error) {
	return DecodeContent([]byte(r.ContentJSON))
}

// Hash is the chain hash of a record: it covers the sequence number, the
// previous hash, the sealing instant (microseconds, UTC) and the exact
// content bytes.
func Hash(seq int64, prevHash string, sealedAt time.Time, content string) string {
	h := sha256.New()
	h.Write([]byte(strconv.FormatInt(seq, 10)))
	h.Write([]byte{'\n'})
	h.Write([]byte(prevHash))
	h.Write([]byte{'\n'})
	h.Write([]byte(sealedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)))
	h.Write([]byte{'\n'})
	h.Write([]byte(content))
	return hex.EncodeToString(h.Sum(nil))
}

// New describes a record to seal.
type New struct {
	AgreementID int64
	VendorID    int64
	ProviderID  int64
	RequestID   *int64
	CorrectsID  *int64
	// Content is sealed as the current Version, marshalled to JSON once;
	// the stored bytes are what is hashed, and are never re-marshalled.
	Content Content
	// RetentionMonths is the agreement's retention period for records.
	RetentionMonths int
	// KeepUntil, when later than the retention period's end, is kept to
	// instead (YYYY-MM-DD): a correction outlives the record it corrects.
	KeepUntil string
}

// Seal appends a record to its agreement's chain inside tx.
func Seal(ctx context.Context, tx *sqlx.Tx, now time.Time, n New) (Record, error) {
	n.Content.Version = Version
	if err := n.Content.check(); err != nil {
		return Record{}, err
	}
	content, err := json.Marshal(n.Content)
	if err != nil {
		return Record{}, fmt.Errorf("seal: %w", err)
	}
	return sealBytes(ctx, tx, now, n, content)
}

// sealBytes appends a record holding exactly content.
func sealBytes(ctx context.Context, tx *sqlx.Tx, now time.Time, n New, content []byte) (Record, error) {
	if n.RetentionMonths <= 0 {
		return Record{}, fmt.Errorf("seal: retention period must be positive, got %d months", n.RetentionMonths)
	}
	if n.CorrectsID != nil {
		var agreementID int64
		if err := store.Get(ctx, tx, &agreementID, `SELECT agreement_id FROM service_records WHERE id = ?`, *n.CorrectsID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return Record{}, problem.Field("corrects_id", "no record %d", *n.CorrectsID)
			}
			return Record{}, err
		}
		if agreementID != n.AgreementID {
			return Record{}, problem.Field("corrects_id", "a correction belongs to the same agreement as the record it corrects")
		}
	}
	if _, err := store.Exec(ctx, tx, `INSERT INTO record_chains (agreement_id, last_seq, last_hash) VALUES (?, 0, ?)
		ON CONFLICT (agreement_id) DO NOTHING`, n.AgreementID, Genesis); err != nil {
		return Record{}, err
	}
	// Taking the head row's lock first serializes appends to this chain.
	if _, err := store.Exec(ctx, tx, `UPDATE record_chains SET last_seq = last_seq WHERE agreement_id = ?`, n.AgreementID); err != nil {
		return Record{}, err
	}
	var head struct {
		Seq  int64  `db:"last_seq"`
		Hash string `db:"last_hash"`
	}
	if err := store.Get(ctx, tx, &head, `SELECT last_seq, last_hash FROM record_chains WHERE agreement_id = ?`, n.AgreementID); err != nil {
		return Record{}, err
	}
	sealed := now.UTC().Truncate(time.Microsecond)
	r := Record{AgreementID: n.AgreementID, Seq: head.Seq + 1, VendorID: n.VendorID, ProviderID: n.ProviderID,
		RequestID: n.RequestID, CorrectsID: n.CorrectsID, ContentJSON: string(content), SealedAt: sealed,
		RetainUntil: max(sealed.AddDate(0, n.RetentionMonths, 0).Format("2006-01-02"), n.KeepUntil), PrevHash: head.Hash}
	r.Hash = Hash(r.Seq, r.PrevHash, r.SealedAt, r.ContentJSON)
	var err error
	r.ID, err = store.InsertID(ctx, tx, `INSERT INTO service_records (agreement_id, seq, vendor_id, provider_id, request_id, corrects_id,
		content_json, sealed_at, retain_until, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.AgreementID, r.Seq, r.VendorID, r.ProviderID, r.RequestID, r.CorrectsID, r.ContentJSON, r.SealedAt, r.RetainUntil, r.PrevHash, r.Hash)
	if err != nil {
		return Record{}, fmt.Errorf("seal: %w", err)
	}
	if _, err := store.Exec(ctx, tx, `UPDATE record_chains SET last_seq = ?, last_hash = ? WHERE agreement_id = ?`, r.Seq, r.Hash, r.AgreementID); err != nil {
		return Record{}, err
	}
	return r, nil
}

const columns = `id, agreement_id, seq, vendor_id, provider_id, request_id, corrects_id, content_json, sealed_at, retain_until, prev_hash, hash`

// Get loads one record.
func Get(ctx context.Context, q store.Queryer, id int64) (Record, error) {
	return store.ByID[Record](ctx, q, `SELECT `+columns+` FROM service_records WHERE id = ?`, id, notFound)
}

func notFound(id int64) error { return problem.New(problem.NotFound, "no service record %d", id) }

// ForRequest lists the records of a service request, oldest first.
func ForRequest(ctx context.Context, q store.Queryer, requestID int64) ([]Record, error) {
	var out []Record
	err := store.Select(ctx, q, &out, `SELECT `+columns+` FROM service_records WHERE request_id = ? ORDER BY id`, requestID)
	return out, err
}

// Break is the first place a chain does not verify.
type Break struct {
	AgreementID int64
	Seq         int64
	RecordID    int64
	Kind        BreakKind // what is wrong, for a page to say in its language
	From, To    int64     // the sequence numbers of a gap or a cut end
	Reason      string    // the same in English, for logs and the CLI
}

// BreakKind says how a chain is broken.
type BreakKind string

const (
	BreakGap       BreakKind = "gap"       // a record is missing: the sequence jumps From → To
	BreakLink      BreakKind = "link"      // the record does not follow the previous one's hash
	BreakChanged   BreakKind = "changed"   // its content or time was changed after sealing
	BreakTruncated BreakKind = "truncated" // the chain ends at From but its head says To
)

func (b Break) Error() string {
	return fmt.Sprintf("agreement %d: record %d (seq %d): %s", b.AgreementID, b.RecordID, b.Seq, b.Reason)
}

// VerifyResult summarizes a verification.
type VerifyResult struct {
	Chains  int
	Records int
	Breaks  []Break // the first break of each broken chain
}

// Verify checks every chain (or only agreementID's, when not 0): each record
// must follow its predecessor by sequence and hash, and its own hash must
// match its content; the chain's head must point at its last record.
func Verify(ctx context.Context, q store.Queryer, agreementID int64) (VerifyResult, error) {
	var chains []struct {
		AgreementID int64  `db:"agreement_id"`
		LastSeq     int64  `db:"last_seq"`
		LastHash    string `db:"last_hash"`
		AnchorSeq   int64  `db:"anchor_seq"`
		AnchorHash  string `db:"anchor_hash"`
	}
	query := `SELECT agreement_id, last_seq, last_hash, anchor_seq, anchor_hash FROM record_chains`
	var args []any
	if agreementID != 0 {
		query += ` WHERE agreement_id = ?`
		args = append(args, agreementID)
	}
	if err := store.Select(ctx, q, &chains, query+` ORDER BY agreement_id`, args...); err != nil {
		return VerifyResult{}, err
	}
	var res VerifyResult
	for _, c := range chains {
		res.Chains++
		rows, err := q.QueryxContext(ctx, store.Rebind(q, `SELECT `+columns+` FROM service_records WHERE agreement_id = ? ORDER BY seq`), c.AgreementID)
		if err != nil {
			return res, err
		}
		prevSeq, prevHash := c.AnchorSeq, Genesis
		if c.AnchorSeq > 0 {
			prevHash = c.AnchorHash
		}
		var broken *Break
		for rows.Next() {
			var r Record
			if err := rows.StructScan(&r); err != nil {
				rows.Close()
				return res, err
			}
			res.Records++
			if broken != nil {
				continue
			}
			switch {
			case r.Seq != prevSeq+1:
				broken = &Break{AgreementID: c.AgreementID, Seq: r.Seq, RecordID: r.ID, Kind: BreakGap, From: prevSeq, To: r.Seq,
					Reason: fmt.Sprintf("sequence jumps from %d to %d (a record is missing)", prevSeq, r.Seq)}
			case r.PrevHash != prevHash:
				broken = &Break{AgreementID: c.AgreementID, Seq: r.Seq, RecordID: r.ID, Kind: BreakLink, Reason: "does not follow the previous record's hash"}
			case Hash(r.Seq, r.PrevHash, r.SealedAt, r.ContentJSON) != r.Hash:
				broken = &Break{AgreementID: c.AgreementID, Seq: r.Seq, RecordID: r.ID, Kind: BreakChanged, Reason: "content or time was changed after sealing"}
			}
			prevSeq, prevHash = r.Seq, r.Hash
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, err
		}
		if broken == nil && (prevSeq != c.LastSeq || prevHash != c.LastHash) {
			broken = &Break{AgreementID: c.AgreementID, Seq: c.LastSeq, Kind: BreakTruncated, From: prevSeq, To: c.LastSeq,
				Reason: fmt.Sprintf("the chain ends at seq %d but its head says %d (records were removed from the end)", prevSeq, c.LastSeq)}
		}
		if broken != nil {
			res.Breaks = append(res.Breaks, *broken)
		}
	}
	return res, nil
}

// Purge deletes an agreement's oldest records whose retention period ended
// before today, keeping the chain verifiable from an anchor. A record still
// inside its retention period is never deleted, nor is any record after it.
// A record that was corrected is kept as long as its last correction: a
// correction holds only what it changed, so the two leave together. The
// work orders whose visits sealed the purged records stay, with their
// record reference cleared, so that what refers to them (parts fitted,
// returns owed, photos) is untouched.
//
// The prefix that may go is found by the database (purgeLimit), so a
// chain with nothing due costs one read of its first record; what is due
// leaves PurgeBatch records a transaction, each batch audited, so that a
// long-overdue chain never holds the writer or the memory for long.
func Purge(ctx context.Context, db *store.DB, agreementID int64, today time.Time) (int, error) {
	return purge(ctx, db, agreementID, today, PurgeBatch)
}

// PurgeBatch is how many records one transaction of the purge removes at
// the most.
const PurgeBatch = 5000

func purge(ctx context.Context, db *store.DB, agreementID int64, today time.Time, batch int) (int, error) {
	total := 0
	for {
		n, err := purgeBatch(ctx, db, agreementID, today, batch)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// purgeBatch removes up to size records of the chain's prefix that may go,
// in one transaction with its audit row.
func purgeBatch(ctx context.Context, db *store.DB, agreementID int64, today time.Time, size int) (int, error) {
	cutoff := today.Format("2006-01-02")
	n := 0
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		limit, err := purgeLimit(ctx, tx, agreementID, cutoff, size)
		if err != nil || limit == 0 {
			return err
		}
		var last purgeCandidate
		if err := store.Get(ctx, tx, &last, `SELECT id, seq, vendor_id, retain_until, hash
			FROM service_records WHERE agreement_id = ? AND seq < ? ORDER BY seq DESC LIMIT 1`, agreementID, limit); err != nil {
			return err
		}
		if err := store.Get(ctx, tx, &n, `SELECT COUNT(*) FROM service_records WHERE agreement_id = ? AND seq <= ?`, agreementID, last.Seq); err != nil {
			return err
		}
		var workOrders []int64
		if err := store.Select(ctx, tx, &workOrders, `SELECT id FROM work_orders WHERE record_id IN
			(SELECT id FROM service_records WHERE agreement_id = ? AND seq <= ?) ORDER BY id`, agreementID, last.Seq); err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `UPDATE work_orders SET record_id = NULL, updated_at = ?, version = version + 1 WHERE record_id IN
			(SELECT id FROM service_records WHERE agreement_id = ? AND seq <= ?)`, today.UTC(), agreementID, last.Seq); err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `DELETE FROM service_records WHERE agreement_id = ? AND seq <= ?`, agreementID, last.Seq); err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `UPDATE record_chains SET anchor_seq = ?, anchor_hash = ? WHERE agreement_id = ?`, last.Seq, last.Hash, agreementID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, today, purger, last.VendorID, "record.purge", "record_chain", agreementID, nil, map[string]any{
			"agreement_id": agreementID, "purged": n, "through_seq": last.Seq, "anchor_hash": last.Hash, "retained_until": last.RetainUntil,
			"today": cutoff, "work_orders_unlinked": workOrders})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// purgeCandidate is what the purge reads of a record.
type purgeCandidate struct {
	ID          int64  `db:"id"`
	Seq         int64  `db:"seq"`
	VendorID    int64  `db:"vendor_id"`
	RetainUntil string `db:"retain_until"`
	Hash        string `db:"hash"`
}

// purgeLimit returns the first seq of the chain that stays, or 0 when its
// first record does. What goes is a prefix whose every record's retention
// is over and which holds every correction of its records: a correction
// holds only what it changed, so a corrected record stays as long as any
// correction of it. At the most size records go, unless the first of them
// is held by a correction further on: then the whole prefix goes at once.
func purgeLimit(ctx context.Context, q store.Queryer, agreementID int64, cutoff string, size int) (int64, error) {
	var first struct {
		Seq         int64  `db:"seq"`
		RetainUntil string `db:"retain_until"`
	}
	err := store.Get(ctx, q, &first, `SELECT seq, retain_until FROM service_records WHERE agreement_id = ? ORDER BY seq LIMIT 1`, agreementID)
	if errors.Is(err, store.ErrNotFound) || err == nil && first.RetainUntil >= cutoff {
		return 0, nil // an empty chain, or its oldest record is kept
	}
	if err != nil {
		return 0, err
	}
	var kept []int64
	if err := store.Select(ctx, q, &kept, `SELECT seq FROM service_records WHERE agreement_id = ? AND retain_until >= ?
		ORDER BY seq LIMIT 1`, agreementID, cutoff); err != nil {
		return 0, err
	}
	whole := int64(math.MaxInt64)
	if len(kept) > 0 {
		whole = kept[0]
	}
	if whole, err = heldBack(ctx, q, agreementID, whole); err != nil || whole <= first.Seq {
		return 0, err
	}
	if whole-first.Seq <= int64(size) {
		return whole, nil
	}
	limit, err := heldBack(ctx, q, agreementID, first.Seq+int64(size))
	if err != nil || limit <= first.Seq {
		return whole, err
	}
	return limit, nil
}

// heldBack lowers limit until no record before it has a correction at or
// after it. Corrections are few; their index (service_records_corrects)
// finds them without reading the chain.
func heldBack(ctx context.Context, q store.Queryer, agreementID, limit int64) (int64, error) {
	for {
		var held []int64
		if err := store.Select(ctx, q, &held, `SELECT o.seq FROM service_records c JOIN service_records o ON o.id = c.corrects_id
			WHERE c.corrects_id IS NOT NULL AND c.agreement_id = ? AND c.seq >= ? AND o.seq < ?
			ORDER BY o.seq LIMIT 1`, agreementID, limit, limit); err != nil {
			return 0, err
		}
		if len(held) == 0 {
			return limit, nil
		}
		limit = held[0]
	}
}

// purger is who the audit trail names for the retention purge.
var purger = policy.Actor{Operator: true, Email: "retention-purge"}

// PurgeDue runs the retention purge on every agreement's chain, as of the
// date of now in Asia/Shanghai (retention dates are calendar dates there).
// It is the periodic retention job; it returns how many records it removed.
func PurgeDue(ctx context.Context, db *store.DB, now time.Time) (int, error) {
	var ids []int64
	if err := store.Select(ctx, db, &ids, `SELECT agreement_id FROM record_chains ORDER BY agreement_id`); err != nil {
		return 0, err
	}
	total := 0
	today := now.In(calendar.Shanghai)
	var errs []error
	for _, id := range ids {
		// One chain that cannot be purged does not hold back the others.
		n, err := Purge(ctx, db, id, today)
		if err != nil {
			errs = append(errs, fmt.Errorf("purge records of agreement %d: %w", id, err))
		}
		total += n
	}
	return total, errors.Join(errs...)
}

// Delete refuses to delete a record inside its retention period; past it,
// records leave only through Purge, oldest first, so the chain stays whole.
func Delete(ctx context.Context, q store.Queryer, id int64, today time.Time) error {
	r, err := Get(ctx, q, id)
	if err != nil {
		return err
	}
	if r.RetainUntil >= today.Format("2006-01-02") {
		return problem.New(problem.Conflict, "service record %d must be kept until %s (the agreement's retention period)", id, r.RetainUntil)
	}
	return problem.New(problem.Conflict, "service record %d is past its retention period; records are removed by the retention purge, oldest first", id)
}
