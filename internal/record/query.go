package record

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// ScopeOf tells how a record relates to the actor: its vendor's and its
// provider's people own it; nobody else sees it.
func ScopeOf(a policy.Actor, r Record) policy.Scope {
	return policy.PartyScope(a, r.VendorID, r.ProviderID)
}

// Filter narrows a listing of records.
type Filter struct {
	AgreementID int64
	From, To    time.Time // sealed in [From, To); zero: open
	// Before is the keyset cursor: records with a smaller id.
	Before int64
	Limit  int
}

// MaxPage is the most records one page lists.
const MaxPage = 200

// List returns the records the actor may read, newest first, and the
// cursor of the next page (0 on the last).
func List(ctx context.Context, q store.Queryer, a policy.Actor, f Filter) ([]Record, int64, error) {
	if len(policy.Granted(a.Role, policy.RecordRead)) == 0 && !a.Operator {
		return nil, 0, problem.New(problem.Forbidden, "role %s does not read service records", problem.Enum("role.", a.Role))
	}
	var where []string
	var args []any
	switch {
	case a.Operator:
	case a.OrgKind == "vendor":
		where, args = append(where, "vendor_id = ?"), append(args, a.OrgID)
	default:
		where, args = append(where, "provider_id = ?"), append(args, a.OrgID)
	}
	if f.AgreementID != 0 {
		where, args = append(where, "agreement_id = ?"), append(args, f.AgreementID)
	}
	if !f.From.IsZero() {
		where, args = append(where, "sealed_at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "sealed_at < ?"), append(args, f.To.UTC())
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxPage {
		limit = 50
	}
	query := `SELECT ` + columns + ` FROM service_records`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	var out []Record
	if err := store.Select(ctx, q, &out, query+` ORDER BY id DESC LIMIT ?`, append(args, limit+1)...); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > limit {
		out, next = out[:limit], out[limit-1].ID
	}
	return out, next, nil
}

// Read returns one record the actor may read; to anyone else it does not exist.
func Read(ctx context.Context, q store.Queryer, a policy.Actor, id int64) (Record, error) {
	return ReadFor(ctx, q, a, id, policy.RecordRead)
}

// ReadFor returns one record the actor may do action on (policy.Check):
// not found to those who may not read it, forbidden to those who may read
// it but not do action.
func ReadFor(ctx context.Context, q store.Queryer, a policy.Actor, id int64, action policy.Action) (Record, error) {
	r, err := Get(ctx, q, id)
	if err != nil {
		return r, err
	}
	if err := policy.Check(a, policy.RecordRead, action, ScopeOf(a, r), notFound(id)); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Corrections lists the records that correct record id, oldest first.
func Corrections(ctx context.Context, q store.Queryer, id int64) ([]Record, error) {
	var out []Record
	err := store.Select(ctx, q, &out, `SELECT `+columns+` FROM service_records WHERE corrects_id = ? ORDER BY seq`, id)
	return out, err
}

// Summary is what a list shows of a record, read from its content.
type Summary struct {
	Request    string `json:"request"`
	Agreement  string `json:"agreement"`
	Serial     string `json:"serial_number"`
	Model      string `json:"model"`
	Result     string `json:"result"`
	Diagnosis  string `json:"diagnosis"`
	Actions    string `json:"actions"`
	FaultCodes string `json:"fault_codes"`
	// Answer is a consultation's (DOMAIN 3.1.3), which has no visit.
	Answer string `json:"answer"`
	// Reason and Changes are a correction's: why, and the corrected fields
	// by the names the content uses (diagnosis, fault_codes, actions, result).
	Reason  string            `json:"reason"`
	Changes map[string]string `json:"changes"`
}

// Summary reads the record's content, of whichever version; a field the
// content lacks is empty.
func (r Record) Summary() Summary {
	c, err := r.Content()
	if err != nil {
		return Summary{}
	}
	return c.Summary()
}

// Summary is what a list shows of the content.
func (c Content) Summary() Summary {
	switch {
	case c.Visit != nil:
		v := c.Visit
		return Summary{Request: v.Request, Agreement: v.Agreement, Serial: v.Product.SerialNumber, Model: v.Product.Model,
			Result: v.Result, Diagnosis: v.Diagnosis, Actions: v.Actions, FaultCodes: v.FaultCodes}
	case c.Consultation != nil:
		v := c.Consultation
		return Summary{Request: v.Request, Agreement: v.Agreement, Serial: v.Product.SerialNumber, Model: v.Product.Model, Answer: v.Answer}
	case c.Correction != nil:
		v := c.Correction
		return Summary{Request: v.Request, Agreement: v.Agreement, Serial: v.Product.SerialNumber, Model: v.Product.Model,
			Reason: v.Reason, Changes: v.Changes}
	}
	return Summary{}
}

// Change is one field a correction changed: the value it had before the
// correction and the value the correction gives it.
type Change struct {
	Field string `json:"field"`
	Was   string `json:"was"`
	Now   string `json:"now"`
}

// field is the summary's value of a field a correction may change, by the
// name the content uses.
func (s Summary) field(name string) string {
	switch name {
	case "diagnosis":
		return s.Diagnosis
	case "fault_codes":
		return s.FaultCodes
	case "actions":
		// A consultation's answer is what it did.
		return cmp.Or(s.Actions, s.Answer)
	case "result":
		return s.Result
	}
	return ""
}

// ChangesOf tells, for each correction of original in the order they were
// sealed, what it changed: each field with the value in force before it
// (the original's, or an earlier correction's) and its new value, the
// fields in name order.
func ChangesOf(original Summary, corrections []Summary) [][]Change {
	current := map[string]string{}
	was := func(f string) string {
		if v, ok := current[f]; ok {
			return v
		}
		return original.field(f)
	}
	out := make([][]Change, len(corrections))
	for i, c := range corrections {
		fields := slices.Sorted(maps.Keys(c.Changes))
		for _, f := range fields {
			out[i] = append(out[i], Change{Field: f, Was: was(f), Now: c.Changes[f]})
		}
		for _, f := range fields {
			current[f] = c.Changes[f]
		}
	}
	return out
}
