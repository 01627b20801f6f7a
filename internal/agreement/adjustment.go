package agreement

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"aftersales/internal/problem"
)

// AdjustmentState is where an adjustment request stands.
type AdjustmentState string

const (
	Pending   AdjustmentState = "pending"
	Accepted  AdjustmentState = "accepted"
	Rejected  AdjustmentState = "rejected"
	Withdrawn AdjustmentState = "withdrawn"
)

// Adjustment is a request by one party to change the agreement's terms
// (调整申请, §2.1.1). It takes effect only when the other party accepts,
// and not before the agreed lead time has run.
type Adjustment struct {
	ID          int64 `db:"id" json:"id"`
	AgreementID int64 `db:"agreement_id" json:"agreement_id"`
	// ProposerOrgID is the party that proposed it; the other party decides.
	ProposerOrgID int64  `db:"proposer_org_id" json:"proposer_org_id"`
	ProposedBy    string `db:"proposed_by" json:"proposed_by"`
	// BaseVersion is the latest version when it was proposed: the proposed
	// terms were written against it.
	BaseVersion int `db:"base_version" json:"base_version"`
	// Terms are the full proposed terms; Patch is the change as proposed,
	// when it was proposed as a change (a JSON merge patch).
	Terms         Terms           `db:"-" json:"terms"`
	TermsJSON     string          `db:"terms_json" json:"-"`
	Patch         map[string]any  `db:"-" json:"changes,omitempty"`
	PatchJSON     *string         `db:"patch_json" json:"-"`
	Reason        string          `db:"reason" json:"reason"`
	DesiredFrom   string          `db:"desired_from" json:"desired_from"`
	State         AdjustmentState `db:"state" json:"state"`
	DecidedBy     *string         `db:"decided_by" json:"decided_by,omitempty"`
	DecidedAt     *time.Time      `db:"decided_at" json:"decided_at,omitempty"`
	Comment       string          `db:"comment" json:"comment,omitempty"`
	ResultVersion *int            `db:"result_version" json:"result_version,omitempty"`
	EffectiveFrom *string         `db:"effective_from" json:"effective_from,omitempty"`
	CreatedAt     time.Time       `db:"created_at" json:"created_at"`
}

// Proposal is what a party submits: either full Terms or Changes (a JSON
// merge patch, RFC 7396, on the latest version's terms), a reason and the
// date it wishes the change to take effect.
type Proposal struct {
	Terms       *Terms
	Changes     json.RawMessage
	Reason      string
	DesiredFrom string
}

// ApplyChanges applies a JSON merge patch to terms and returns the result.
// Objects merge, null clears an optional value, lists are replaced whole.
// Fields the terms do not have are named in the error.
func ApplyChanges(base Terms, patch json.RawMessage, field string) (Terms, error) {
	var p map[string]any
	if err := json.Unmarshal(patch, &p); err != nil || p == nil {
		return Terms{}, problem.Field(field, "must be a JSON object of the terms to change")
	}
	raw, err := json.Marshal(base)
	if err != nil {
		return Terms{}, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Terms{}, err
	}
	merged, err := json.Marshal(mergePatch(doc, p))
	if err != nil {
		return Terms{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	var out Terms
	if err := dec.Decode(&out); err != nil {
		return Terms{}, patchError(field, err)
	}
	return out, nil
}

func mergePatch(target any, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// patchError names the field of a decoding failure.
func patchError(field string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return problem.Field(field+"."+te.Field, "must be a %s", problem.Enum("json_kind.", te.Type.Kind()))
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return problem.Field(field+"."+name, "the terms have no field %q", name)
	}
	return problem.Field(field, "cannot be applied: %s", err)
}

// CheckDecision decides whether party may move a request from its state to
// to: the other party accepts or rejects a pending request, the proposing
// party withdraws it.
func CheckDecision(a Adjustment, proposer bool, to AdjustmentState, comment string) error {
	var fs problem.Fields
	problem.CheckText(&fs, "comment", comment, to == Rejected, 2000)
	if err := fs.Err(); err != nil {
		return err
	}
	if a.State != Pending {
		return problem.Because(problem.Conflict, "adjustment_decided", "adjustment request %d is already %s", a.ID, problem.Enum("adjustment_state.", a.State))
	}
	switch to {
	case Accepted, Rejected:
		if proposer {
			return problem.New(problem.Forbidden, "the other party of the agreement decides on an adjustment request")
		}
	case Withdrawn:
		if !proposer {
			return problem.New(problem.Forbidden, "only the party that proposed an adjustment may withdraw it")
		}
	default:
		return problem.Field("state", "unknown decision %q", to)
	}
	return nil
}
