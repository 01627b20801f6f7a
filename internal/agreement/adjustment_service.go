package agreement

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// runs reports whether an agreement with this status accepts adjustments:
// a draft is edited directly, an ended agreement no longer changes.
func runs(s Status) bool { return s == Active || s == Suspended }

func (s *Service) statusToday(ctx context.Context, q store.Queryer, a Agreement) (Status, []Version, error) {
	return ReadStatusOn(ctx, q, a, s.today())
}

// leadDays is the adjustment lead time of the terms in force today, or of
// the first version while none is in force yet.
func leadDays(versions []Version, today string) int {
	if v, ok := InForce(versions, today); ok {
		return v.Terms.AdjustmentLeadDays
	}
	if len(versions) > 0 {
		return versions[0].Terms.AdjustmentLeadDays
	}
	return 0
}

// Propose records an adjustment request by one party of a running agreement.
func (s *Service) Propose(ctx context.Context, actor policy.Actor, id int64, p Proposal) (Adjustment, error) {
	now := s.Now().UTC()
	today := s.today()
	var out Adjustment
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		a, err := s.load(ctx, tx, actor, id, policy.AdjustmentPropose)
		if err != nil {
			return err
		}
		status, versions, err := s.statusToday(ctx, tx, a)
		if err != nil {
			return err
		}
		if !runs(status) {
			return problem.Because(problem.Conflict, "status_transition", "agreement %s is %s: adjustments are proposed only while it runs", a.Number, problem.Enum("agreement_status.", status))
		}
		latest := versions[len(versions)-1]
		var fs problem.Fields
		problem.CheckText(&fs, "reason", p.Reason, true, 2000)
		terms, field, err := proposedTerms(latest.Terms, p)
		if err != nil {
			return err
		}
		terms.Check(&fs, field, true)
		if err := s.checkCalendars(ctx, &fs, field, terms); err != nil {
			return err
		}
		if err := checkPoints(ctx, tx, &fs, field, a.ProviderID, terms); err != nil {
			return err
		}
		if len(fs) == 0 && reflect.DeepEqual(normalized(terms), normalized(latest.Terms)) {
			fs.Add(field, "the proposed terms are the same as version %d", latest.Number)
		}
		if err := CheckDesiredDate("effective_from", p.DesiredFrom, today, leadDays(versions, today)); err != nil {
			pe, _ := problem.As(err)
			fs = append(fs, pe.Fields...)
		}
		if err := fs.Err(); err != nil {
			return err
		}
		raw, err := json.Marshal(terms)
		if err != nil {
			return err
		}
		out = Adjustment{AgreementID: id, ProposerOrgID: actor.OrgID, ProposedBy: actor.Label(), BaseVersion: latest.Number,
			Terms: terms, TermsJSON: string(raw), Reason: strings.TrimSpace(p.Reason), DesiredFrom: p.DesiredFrom,
			State: Pending, CreatedAt: now}
		if actor.Operator {
			out.ProposerOrgID = a.VendorID
		}
		if len(p.Changes) > 0 {
			patch := string(p.Changes)
			out.PatchJSON = &patch
			if err := json.Unmarshal(p.Changes, &out.Patch); err != nil {
				return err
			}
		}
		if out.ID, err = insertAdjustment(ctx, tx, out); err != nil {
			return err
		}
		return record(ctx, tx, now, actor, a, "agreement.adjustment.propose", "adjustment_request", out.ID, nil, out)
	})
	return out, err
}

// proposedTerms returns the full terms a proposal stands for, and the field
// under which their problems are named.
func proposedTerms(base Terms, p Proposal) (Terms, string, error) {
	switch {
	case p.Terms != nil && len(p.Changes) > 0:
		return Terms{}, "", problem.Field("changes", "send either terms (the full proposed terms) or changes, not both")
	case p.Terms != nil:
		return *p.Terms, "terms", nil
	case len(p.Changes) > 0:
		t, err := ApplyChanges(base, p.Changes, "changes")
		return t, "changes", err
	}
	return Terms{}, "", problem.Field("terms", "send the proposed terms, or the changes to the current terms")
}

// normalized makes nil and empty lists compare equal.
func normalized(t Terms) Terms {
	raw, _ := json.Marshal(t)
	var out Terms
	_ = json.Unmarshal(raw, &out)
	for _, l := range []*[]string{&out.CoveredModels, &out.ServiceArea} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	if len(out.ServicePoints) == 0 {
		out.ServicePoints = nil
	}
	if len(out.ServiceItems) == 0 {
		out.ServiceItems = nil
	}
	return out
}

// loadAdjustment returns a request and its agreement, if the actor may read them.
func (s *Service) loadAdjustment(ctx context.Context, q store.Queryer, actor policy.Actor, adjID int64, action policy.Action) (Adjustment, Agreement, error) {
	adj, err := GetAdjustment(ctx, q, adjID)
	if err != nil {
		return adj, Agreement{}, err
	}
	a, err := s.load(ctx, q, actor, adj.AgreementID, policy.AgreementRead)
	if err != nil {
		return adj, a, adjustmentNotFound(adjID)
	}
	return adj, a, policy.Check(actor, policy.AdjustmentRead, action, scope(actor, a), adjustmentNotFound(adjID))
}

// GetAdjustment returns one adjustment request.
func (s *Service) GetAdjustment(ctx context.Context, actor policy.Actor, adjID int64) (Adjustment, error) {
	adj, _, err := s.loadAdjustment(ctx, s.DB, actor, adjID, policy.AdjustmentRead)
	return adj, err
}

// Adjustments lists an agreement's adjustment requests, newest first.
func (s *Service) Adjustments(ctx context.Context, actor policy.Actor, id int64) ([]Adjustment, error) {
	if _, err := s.load(ctx, s.DB, actor, id, policy.AdjustmentRead); err != nil {
		return nil, err
	}
	return Adjustments(ctx, s.DB, id)
}

// Decide accepts, rejects or withdraws a pending adjustment request. An
// accepted request becomes a new version, effective on the desired date but
// not before the lead time of the terms in force has run from today.
func (s *Service) Decide(ctx context.Context, actor policy.Actor, adjID int64, to AdjustmentState, comment string) (Adjustment, error) {
	now := s.Now().UTC()
	today := s.today()
	var out Adjustment
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		action := policy.AdjustmentDecide
		if to == Withdrawn {
			action = policy.AdjustmentPropose
		}
		adj, a, err := s.loadAdjustment(ctx, tx, actor, adjID, action)
		if err != nil {
			return err
		}
		proposer := adj.ProposerOrgID == actor.OrgID || actor.Operator && to == Withdrawn
		comment = strings.TrimSpace(comment)
		if err := CheckDecision(adj, proposer, to, comment); err != nil {
			return err
		}
		// Lock the agreement: a version number is handed out below.
		if err := bump(ctx, tx, a.ID, 0, now); err != nil {
			return err
		}
		before := adj
		label := actor.Label()
		adj.State, adj.DecidedBy, adj.DecidedAt, adj.Comment = to, &label, &now, comment
		if to == Accepted {
			v, err := s.acceptedVersion(ctx, tx, a, adj, today)
			if err != nil {
				return err
			}
			v.CreatedBy, v.CreatedAt = label, now
			if err := insertVersion(ctx, tx, v); err != nil {
				return err
			}
			adj.ResultVersion, adj.EffectiveFrom = &v.Number, &v.EffectiveFrom
			if err := record(ctx, tx, now, actor, a, "agreement.version.add", "agreement", a.ID, nil, v); err != nil {
				return err
			}
		}
		if err := decideAdjustment(ctx, tx, adj); err != nil {
			return err
		}
		out = adj
		return record(ctx, tx, now, actor, a, "agreement.adjustment."+verb(to), "adjustment_request", adj.ID, before, adj)
	})
	return out, err
}

func verb(to AdjustmentState) string {
	return map[AdjustmentState]string{Accepted: "accept", Rejected: "reject", Withdrawn: "withdraw"}[to]
}

// acceptedVersion builds the version an accepted request creates. If
// another version was added since the proposal, a proposal made as changes
// is applied to the newer terms; a full set of terms would silently undo
// that version, so it must be proposed again.
func (s *Service) acceptedVersion(ctx context.Context, q store.Queryer, a Agreement, adj Adjustment, today string) (Version, error) {
	status, versions, err := s.statusToday(ctx, q, a)
	if err != nil {
		return Version{}, err
	}
	if !runs(status) {
		return Version{}, problem.Because(problem.Conflict, "status_transition", "agreement %s is %s: an adjustment can no longer be accepted", a.Number, problem.Enum("agreement_status.", status))
	}
	latest := versions[len(versions)-1]
	terms := adj.Terms
	if latest.Number != adj.BaseVersion {
		if adj.PatchJSON == nil {
			return Version{}, problem.Because(problem.Conflict, "agreement_changed", "version %d was added after this request was proposed against version %d; it must be proposed again", latest.Number, adj.BaseVersion)
		}
		if terms, err = ApplyChanges(latest.Terms, []byte(*adj.PatchJSON), "changes"); err == nil {
			var fs problem.Fields
			terms.Check(&fs, "changes", true)
			if err := s.checkCalendars(ctx, &fs, "changes", terms); err != nil {
				return Version{}, err
			}
			if err := checkPoints(ctx, q, &fs, "changes", a.ProviderID, terms); err != nil {
				return Version{}, err
			}
			err = fs.Err()
		}
		if err != nil {
			return Version{}, problem.Because(problem.Conflict, "agreement_changed", "the changes no longer apply to version %d: %v", latest.Number, err)
		}
	}
	id := adj.ID
	return Version{AgreementID: a.ID, Number: latest.Number + 1, Terms: terms, AdjustmentID: &id,
		EffectiveFrom: AdjustmentEffectiveFrom(adj.DesiredFrom, today, leadDays(versions, today), latest),
		Note:          adj.Reason}, nil
}
