package web

import (
	"net/http"
	"strings"

	"aftersales/internal/account"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/settlement"
	"aftersales/internal/web/form"
)

func init() {
	funcs["join"] = strings.Join
}

// The provider's notice of suspension for non-payment
// and its lifting; the banners are on the home, agreement and settlement
// pages of both parties.

// suspensionBanner is a suspension not ended, as the banner shows it.
type suspensionBanner struct {
	settlement.Suspension
	CanLift bool
}

// withSuspensions puts the suspensions not ended that the user's office
// sees (of one agreement when agreementID is not 0) on the page's banner.
func (s *Server) withSuspensions(r *http.Request, u account.User, v *view, agreementID int64) {
	a := u.Actor()
	if !policy.Allowed(a, policy.SuspensionRead, policy.Own) {
		return
	}
	list, err := s.Settlements.Suspensions(r.Context(), a, agreementID, true)
	if err != nil {
		return // the banner is no reason to fail the page
	}
	for _, sp := range list {
		v.Suspensions = append(v.Suspensions, suspensionBanner{Suspension: sp,
			CanLift: policy.Allowed(a, policy.SuspensionGive, policy.PartyScope(a, sp.ProviderID))})
	}
}

// overdueGroup is an agreement's overdue statements, for the notice form.
type overdueGroup struct {
	AgreementID int64
	Number      string
	Statements  []settlement.StatementHeader
	NoticeDays  int
}

func (s *Server) suspensionNotice(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	in := settlement.NewSuspension{AgreementID: f.Int64("agreement"), StatementIDs: f.Int64s("statement"),
		EffectiveOn: f.String("effective_on"), Reason: f.String("reason")}
	err := f.Err()
	if err == nil {
		_, err = s.Settlements.Suspend(r.Context(), u.Actor(), in)
	}
	if p, ok := problem.As(err); ok && p.Kind == problem.Invalid && len(p.Fields) > 0 {
		err = problem.Field("form", "%s", s.translate(r, p).Fields[0].Message)
	}
	s.afterPost(w, r, err, "suspension.noticed_flash", "/settlements", func(e error) { s.renderSettlements(w, r, u, http.StatusUnprocessableEntity, e) })
}

func (s *Server) suspensionLift(w http.ResponseWriter, r *http.Request, u account.User) {
	id, ok := s.postedTo(w, r)
	if !ok {
		return
	}
	_, err := s.Settlements.Lift(r.Context(), u.Actor(), id, form.Of(r).String("reason"))
	s.afterPost(w, r, err, "suspension.lifted_flash", "/settlements", func(e error) { s.renderSettlements(w, r, u, http.StatusUnprocessableEntity, e) })
}

// overdueGroups lists the agreements with overdue statements the user may
// give notice for.
func (s *Server) overdueGroups(r *http.Request, u account.User) []overdueGroup {
	a := u.Actor()
	if !policy.Allowed(a, policy.SuspensionGive, policy.Own) {
		return nil
	}
	list, err := s.Settlements.Overdue(r.Context(), a)
	if err != nil {
		return nil
	}
	var out []overdueGroup
	for _, st := range list {
		if st.ProviderID != a.OrgID {
			continue
		}
		if n := len(out); n > 0 && out[n-1].AgreementID == st.AgreementID {
			out[n-1].Statements = append(out[n-1].Statements, st)
			continue
		}
		g := overdueGroup{AgreementID: st.AgreementID, Statements: []settlement.StatementHeader{st}, NoticeDays: 15}
		if d, err := s.Agreements.Get(r.Context(), a, st.AgreementID); err == nil {
			g.Number = d.Number
			if d.Current != nil {
				g.NoticeDays = d.Current.Terms.Payment.SuspensionNotice()
			}
		}
		out = append(out, g)
	}
	return out
}
