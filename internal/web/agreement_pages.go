package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"aftersales/internal/account"
	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
	"aftersales/internal/web/form"
)

func (s *Server) agreementsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	if items, ok := forUser(s, w, r, u, s.Agreements.List); ok {
		s.renderPage(w, r, "agreements", "agreements.title", "agreements", items)
	}
}

type agreementPageData struct {
	agreement.Detail
	Plain       []termLine
	Versions    []agreement.Version
	History     []historyRow
	Events      []agreement.StatusEvent
	Adjustments []adjustmentRow
	// What the viewer may do here.
	CanWrite, CanStatus, CanPropose, CanSeeAdjustments bool
	Party                                              agreement.Party
	Targets                                            []agreement.Status
}

type historyRow struct {
	agreement.Version
	Prev int // the version before, 0 for the first
}

type adjustmentRow struct {
	agreement.Adjustment
	Changes                      []diffLine
	Mine, CanDecide, CanWithdraw bool
}

func (s *Server) agreementPage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.renderAgreement(w, r, u, http.StatusOK, nil, nil)
}

func (s *Server) renderAgreement(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error, form url.Values) {
	ctx, act := r.Context(), u.Actor()
	d, ok := byPathID(s, w, r, act, s.Agreements.Get)
	if !ok {
		return
	}
	var err error
	id := d.ID
	v := s.newView(r, "agreements.detail", "agreements")
	v.Title = d.Number
	s.withSuspensions(r, u, v, d.ID)
	data := agreementPageData{Detail: d, Party: d.PartyOf(u.OrgID),
		CanWrite:          policy.Allowed(act, policy.AgreementWrite, policy.Own) && (d.Status == agreement.Draft || d.Status == agreement.Active),
		CanStatus:         policy.Allowed(act, policy.AgreementStatus, policy.Own),
		CanPropose:        policy.Allowed(act, policy.AdjustmentPropose, policy.Own) && (d.Status == agreement.Active || d.Status == agreement.Suspended),
		CanSeeAdjustments: policy.Allowed(act, policy.AdjustmentRead, policy.Own)}
	data.Targets = statusTargets(d, data.Party, act)
	if d.Current != nil {
		data.Plain = plainTerms(v, d.Current.Terms)
	}
	if data.Versions, err = s.Agreements.Versions(ctx, act, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if data.Events, err = s.Agreements.StatusEvents(ctx, act, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if data.CanSeeAdjustments {
		adjs, err := s.Agreements.Adjustments(ctx, act, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, a := range adjs {
			row := adjustmentRow{Adjustment: a, Mine: a.ProposerOrgID == u.OrgID}
			if base := versionNumbered(data.Versions, a.BaseVersion); base != nil {
				row.Changes = diffLines(agreement.Diff(base.Terms, a.Terms))
			}
			pending := a.State == agreement.Pending
			row.CanDecide = pending && !row.Mine && policy.Allowed(act, policy.AdjustmentDecide, policy.Own)
			row.CanWithdraw = pending && row.Mine && policy.Allowed(act, policy.AdjustmentPropose, policy.Own)
			data.Adjustments = append(data.Adjustments, row)
		}
	}
	// Newest version first on the page, each linked to its changes.
	for i := len(data.Versions) - 1; i >= 0; i-- {
		row := historyRow{Version: data.Versions[i]}
		if i > 0 {
			row.Prev = data.Versions[i-1].Number
		}
		data.History = append(data.History, row)
	}
	v.Data, v.Form = data, form
	if formErr != nil {
		if err := formErrors(v, formErr); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, status, "agreement", v)
}

func versionNumbered(vs []agreement.Version, n int) *agreement.Version {
	for i := range vs {
		if vs[i].Number == n {
			return &vs[i]
		}
	}
	return nil
}

// statusTargets are the status changes to offer the viewer; the service
// decides again when one is submitted.
func statusTargets(d agreement.Detail, p agreement.Party, act policy.Actor) []agreement.Status {
	if !policy.Allowed(act, policy.AgreementStatus, policy.Own) || d.TerminatesOn != nil {
		return nil
	}
	switch d.Status {
	case agreement.Draft:
		if p == agreement.VendorParty && policy.Allowed(act, policy.AgreementWrite, policy.Own) {
			return []agreement.Status{agreement.Active}
		}
	case agreement.Active:
		return []agreement.Status{agreement.Suspended, agreement.Terminated}
	case agreement.Suspended:
		if d.SuspendedBy != nil && d.PartyOf(*d.SuspendedBy) == p {
			return []agreement.Status{agreement.Active, agreement.Terminated}
		}
		return []agreement.Status{agreement.Terminated}
	}
	return nil
}

func (s *Server) agreementStatus(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	version := f.Int64("version")
	to := agreement.Status(f.String("status"))
	err := f.Err()
	if err == nil {
		_, err = s.Agreements.ChangeStatus(r.Context(), u.Actor(), id, agreement.Transition{To: to,
			Reason: f.String("reason"), On: f.String("effective_on")}, max(version, 1))
	}
	switch {
	case err == nil:
		s.flash(r, s.msg(r, "agreements.status_changed", "Status", s.msg(r, "agreement_status."+string(to))))
	case problem.Is(err, problem.PreconditionFailed):
		s.flash(r, s.msg(r, "conflict"))
	case problem.Is(err, problem.Invalid):
		s.renderAgreement(w, r, u, http.StatusUnprocessableEntity, err, r.PostForm)
		return
	case problem.Is(err, problem.Conflict):
		p, _ := problem.As(err)
		s.flash(r, s.translate(r, p).Detail)
	default:
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agreements/"+itoa(id), http.StatusSeeOther)
}

func (s *Server) adjustmentDecide(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	to, ok := map[string]agreement.AdjustmentState{"accept": agreement.Accepted, "reject": agreement.Rejected,
		"withdraw": agreement.Withdrawn}[r.PathValue("decision")]
	if !ok {
		s.fail(w, r, problem.New(problem.NotFound, "no such page"))
		return
	}
	if err := readForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	adj, err := s.Agreements.Decide(r.Context(), u.Actor(), id, to, form.Of(r).String("comment"))
	switch {
	case err == nil:
		s.flash(r, s.msg(r, "adjustments.decided_"+string(to), "ID", adj.ID))
	case problem.Is(err, problem.Invalid), problem.Is(err, problem.Conflict):
		p, _ := problem.As(err)
		msg := s.translate(r, p).Detail
		if len(p.Fields) > 0 {
			msg = s.msg(r, "adjustments.comment_required")
		}
		s.flash(r, msg)
		if adj, err = s.Agreements.GetAdjustment(r.Context(), u.Actor(), id); err != nil {
			s.fail(w, r, err)
			return
		}
	default:
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agreements/"+itoa(adj.AgreementID)+"#adjustments", http.StatusSeeOther)
}

// agreementDiffData is what the diff of two versions shows.
type agreementDiffData struct {
	Agreement agreement.Detail
	From, To  int
	Changes   []diffLine
	Latest    int
}

func (s *Server) agreementDiffPage(w http.ResponseWriter, r *http.Request, u account.User) {
	d, ok := byPathID(s, w, r, u.Actor(), s.Agreements.Get)
	if !ok {
		return
	}
	id := d.ID
	// The versions are named by number, as the path names the agreement:
	// one that is not a number names no version.
	from, err1 := strconv.Atoi(r.URL.Query().Get("from"))
	to, err2 := strconv.Atoi(r.URL.Query().Get("to"))
	if err1 != nil || err2 != nil {
		s.fail(w, r, problem.New(problem.NotFound, "no such versions"))
		return
	}
	changes, err := s.Agreements.Diff(r.Context(), u.Actor(), id, from, to)
	if err != nil {
		if problem.Is(err, problem.Invalid) {
			err = problem.New(problem.NotFound, "no such versions")
		}
		s.fail(w, r, err)
		return
	}
	s.renderPage(w, r, "agreement_diff", "agreements.diff", "agreements", agreementDiffData{Agreement: d, From: from, To: to, Changes: diffLines(changes), Latest: d.Latest})
}

// formMode is what the shared terms form is for.
type formMode string

const (
	modeCreate  formMode = "create"
	modeVersion formMode = "version"
	modePropose formMode = "propose"
)

// choice is one checkbox of a group.
type choice struct {
	Value   string
	Checked bool
}

// pointChoice is a register point on the form, with what the form holds
// for it.
type pointChoice struct {
	staff.PointChoice
	Checked bool
	Radius  string
}

// pointChoices are the register points of providers on form.
func (s *Server) pointChoices(ctx context.Context, form url.Values, providers ...int64) ([]pointChoice, error) {
	ps, err := staff.PointChoices(ctx, s.DB, providers)
	if err != nil {
		return nil, err
	}
	out := make([]pointChoice, 0, len(ps))
	for _, p := range ps {
		id := itoa(p.ID)
		c := pointChoice{PointChoice: p, Checked: slices.Contains(form["register_point"], id), Radius: form.Get("point_radius_" + id)}
		if c.Radius == "" {
			c.Radius = "50"
		}
		out = append(out, c)
	}
	return out, nil
}

type agreementFormData struct {
	Mode      formMode
	Agreement *agreement.Detail
	Providers []org.Organization
	// Points are the service points of the staff register the terms may
	// refer to: the agreement's provider's (all listed providers' when
	// creating one).
	Points   []pointChoice
	Items    []choice
	Today    string
	Earliest string // the earliest effective date of a proposal
	Action   string
}

func (s *Server) agreementForm(w http.ResponseWriter, r *http.Request, u account.User, mode formMode, status int, form url.Values, formErr error) {
	ctx, act := r.Context(), u.Actor()
	data := agreementFormData{Mode: mode, Today: calendar.LocalDate(s.Now()), Action: "/agreements"}
	title := "agreements.new"
	if mode == modeCreate {
		if err := policy.Allow(act, policy.AgreementWrite, policy.Own); err != nil {
			s.fail(w, r, err)
			return
		}
		orgs, err := s.Orgs.List(ctx, act)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, o := range orgs {
			if o.Kind == org.Provider && o.ID != u.OrgID {
				data.Providers = append(data.Providers, o)
			}
		}
		if form == nil {
			form = termsValues(agreement.Terms{Emergency: agreement.EmergencyTerms{CalendarID: "cn"},
				General: agreement.GeneralTerms{CalendarID: "cn"}, ServiceItems: agreement.ServiceItems,
				Payment: agreement.PaymentTerms{SettlementPeriod: agreement.Monthly, PaymentDueDays: 30}, AdjustmentLeadDays: 30})
		}
	} else {
		d, ok := byPathID(s, w, r, act, s.Agreements.Get)
		if !ok {
			return
		}
		id := d.ID
		action := policy.AgreementWrite
		title, data.Action = "agreements.add_version", "/agreements/"+itoa(id)+"/versions"
		if mode == modePropose {
			action = policy.AdjustmentPropose
			title, data.Action = "adjustments.new", "/agreements/"+itoa(id)+"/adjustments"
		}
		if err := policy.Allow(act, action, policy.Own); err != nil {
			s.fail(w, r, err)
			return
		}
		data.Agreement = &d
		versions, err := s.Agreements.Versions(ctx, act, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		latest := versions[len(versions)-1]
		lead := latest.Terms.AdjustmentLeadDays
		if d.Current != nil {
			lead = d.Current.Terms.AdjustmentLeadDays
		}
		data.Earliest = agreement.EarliestAdjustment(data.Today, lead)
		if form == nil {
			form = termsValues(latest.Terms)
			form.Set("version", itoa(d.Version))
			form.Set("effective_from", max(data.Today, latest.EffectiveFrom))
			if mode == modePropose {
				form.Set("effective_from", max(data.Earliest, latest.EffectiveFrom))
			}
		}
	}
	for _, it := range agreement.ServiceItems {
		data.Items = append(data.Items, choice{Value: string(it), Checked: slices.Contains(form["service_items"], string(it))})
	}
	providers := []int64{}
	if data.Agreement != nil {
		providers = append(providers, data.Agreement.ProviderID)
	}
	for _, o := range data.Providers {
		providers = append(providers, o.ID)
	}
	points, err := s.pointChoices(ctx, form, providers...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data.Points = points
	v := s.newView(r, title, "agreements")
	v.Data, v.Form = data, form
	if formErr != nil {
		if err := termsFormErrors(v, formErr); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, status, "agreement_form", v)
}

func (s *Server) agreementNewPage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.agreementForm(w, r, u, modeCreate, http.StatusOK, nil, nil)
}

func (s *Server) agreementVersionPage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.agreementForm(w, r, u, modeVersion, http.StatusOK, nil, nil)
}

func (s *Server) adjustmentNewPage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.agreementForm(w, r, u, modePropose, http.StatusOK, nil, nil)
}

// agreementSubmit handles the three uses of the terms form.
func (s *Server) agreementSubmit(mode formMode) func(http.ResponseWriter, *http.Request, account.User) {
	return func(w http.ResponseWriter, r *http.Request, u account.User) {
		if err := readForm(r); err != nil {
			s.fail(w, r, err)
			return
		}
		var id int64 // the agreement a version or a proposal is for
		if mode != modeCreate {
			var err error
			if id, err = pathID(r); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		f := form.Of(r)
		providerID, version := f.Int64("provider_id"), f.Int64("version")
		terms, fs := termsForm(f)
		if len(fs) > 0 {
			s.agreementForm(w, r, u, mode, http.StatusUnprocessableEntity, r.PostForm, fs.Err())
			return
		}
		ctx, act := r.Context(), u.Actor()
		var err error
		next := ""
		switch mode {
		case modeCreate:
			var d agreement.Detail
			d, err = s.Agreements.Create(ctx, act, agreement.NewAgreement{ProviderID: providerID, Number: f.String("number"),
				Terms: terms, EffectiveFrom: f.String("effective_from"), Note: f.String("note")})
			next = "/agreements/" + itoa(d.ID)
		case modeVersion:
			_, err = s.Agreements.AddVersion(ctx, act, id, agreement.NewVersion{Terms: terms,
				EffectiveFrom: f.String("effective_from"), Note: f.String("note")}, max(version, 1))
			next = "/agreements/" + itoa(id)
		case modePropose:
			_, err = s.Agreements.Propose(ctx, act, id, agreement.Proposal{Terms: &terms, Reason: f.String("reason"),
				DesiredFrom: f.String("effective_from")})
			next = "/agreements/" + itoa(id) + "#adjustments"
		}
		switch {
		case err == nil:
			s.flashRedirect(w, r, s.msg(r, "saved"), next)
		case problem.Is(err, problem.Invalid):
			s.agreementForm(w, r, u, mode, http.StatusUnprocessableEntity, r.PostForm, err)
		case problem.Is(err, problem.PreconditionFailed):
			s.flashRedirect(w, r, s.msg(r, "conflict"), r.URL.Path+"/new")
		default:
			s.fail(w, r, err)
		}
	}
}
