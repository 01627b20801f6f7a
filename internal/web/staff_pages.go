package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/staff"
)

// The staff pages: the register of a provider (service points, technicians
// and the qualification matrix: who may work on which line, until when),
// a technician's certificates, trainings and assessments, and the ranked
// technicians shown where a dispatcher books a visit.

// certState is how a certification stands today: valid, expiring (within
// 30 days of its expiry or review), expired or review overdue.
func certState(c staff.Certification, today string) string {
	soon := calendar.MustParseDate(today).AddDays(staff.WarnDays[0]).String()
	switch {
	case c.ExpiresOn < today:
		return "expired"
	case c.ReviewDueOn != "" && c.ReviewDueOn < today:
		return "review_overdue"
	case c.ExpiresOn <= soon || (c.ReviewDueOn != "" && c.ReviewDueOn <= soon):
		return "expiring"
	}
	return "valid"
}

type certRow struct {
	staff.Certification
	State string
	Label string // what it is, in the reader's language
}

func (s *Server) certRow(r *http.Request, c staff.Certification, today string) certRow {
	label := s.msg(r, "staff.kind_grade") + " " + strconv.Itoa(c.Level)
	switch c.Kind {
	case staff.VendorCert:
		label = c.ProductLine + " L" + strconv.Itoa(c.Level)
	case staff.Permit:
		label = s.msg(r, "staff.permit_"+c.PermitType)
	}
	return certRow{Certification: c, State: certState(c, today), Label: label}
}

type techRow struct {
	staff.TechnicianProfile
	Point string
	Certs []certRow
}

// partnerChoice lists the organizations of kind the actor sees and the one
// of them the query names in param, else the first (none when the query
// cannot be read).
func (s *Server) partnerChoice(ctx context.Context, a policy.Actor, q *pageQuery, kind org.Kind, param string) ([]org.Organization, int64, error) {
	all, err := s.Orgs.List(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	var of []org.Organization
	for _, o := range all {
		if o.Kind == kind {
			of = append(of, o)
		}
	}
	id := q.ID(param)
	if id == 0 && q.OK() && len(of) > 0 {
		id = of[0].ID
	}
	return of, id, nil
}

// staffPageWith shows a provider's register: its own to the provider's
// people, a partner's (chosen with ?provider=) to a vendor.
func (s *Server) staffPageWith(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	ctx, a, q := r.Context(), u.Actor(), readQuery(r)
	providerID := u.OrgID
	var providers []org.Organization
	if u.OrgKind == "vendor" {
		var err error
		if providers, providerID, err = s.partnerChoice(ctx, a, q, org.Provider, "provider"); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	d := staffData{Providers: providers, ProviderID: providerID,
		CanManage: u.OrgKind == "provider" && policy.Allowed(a, policy.StaffManage, policy.Own)}
	if providerID != 0 {
		points, err := s.Staff.ListPoints(ctx, a, providerID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		techs, err := s.Staff.ListTechnicians(ctx, a, providerID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		names := map[int64]string{}
		for _, p := range points {
			names[p.ID] = p.Name
		}
		today := calendar.DateOf(s.Now(), calendar.Shanghai).String()
		rows := make([]techRow, 0, len(techs))
		for _, t := range techs {
			row := techRow{TechnicianProfile: t}
			if t.ServicePointID != nil {
				row.Point = names[*t.ServicePointID]
			}
			certs, err := s.Staff.Certifications(ctx, a, t.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			for _, c := range certs {
				row.Certs = append(row.Certs, s.certRow(r, c, today))
			}
			rows = append(rows, row)
		}
		d.Points, d.Technicians = points, rows
	}
	v := s.newView(r, "staff.title", "staff")
	v.Data = d
	s.renderForm(w, r, q.mark(v, status), "staff", v, formErr)
}

type staffData struct {
	Providers   []org.Organization
	ProviderID  int64 // the provider whose register is shown
	CanManage   bool
	Points      []staff.Point
	Technicians []techRow
}

type technicianData struct {
	Tech            staff.TechnicianProfile
	Certs           []certRow
	Trainings       []staff.Training
	Assessments     []staff.Assessment
	Leave           []staff.Leave
	CanManage       bool
	PermitTypes     []string
	Vendors         []org.Organization
	Points          []staff.Point
	TrainingResults []string
}

// recommendationsData is the part of a request's page about who may do
// its visit.
type recommendationsData struct {
	RequestID  int64
	Rec        *staff.Recommendations
	Exceptions []staff.QualificationException
	CanGrant   bool
	Techs      []staff.TechnicianName
}

// renderTechnician shows one technician's certificates, trainings and
// assessments; the provider's admin records certificates here.
func (s *Server) renderTechnician(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	ctx, a := r.Context(), u.Actor()
	t, ok := byPathID(s, w, r, a, s.Staff.GetTechnician)
	if !ok {
		return
	}
	id := t.ID
	certs, err := s.Staff.Certifications(ctx, a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	trainings, err := s.Staff.Trainings(ctx, a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	assessments, err := s.Staff.Assessments(ctx, a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := calendar.DateOf(s.Now(), calendar.Shanghai).String()
	rows := make([]certRow, 0, len(certs))
	for _, c := range certs {
		rows = append(rows, s.certRow(r, c, today))
	}
	leave, err := s.Staff.LeaveOf(ctx, a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := technicianData{Tech: t, Certs: rows, Trainings: trainings, Assessments: assessments, Leave: leave,
		CanManage: policy.Allowed(a, policy.StaffManage, policy.Own) && a.OrgID == t.ProviderID, PermitTypes: staff.PermitTypes}
	if d.CanManage {
		vendors, err := s.Orgs.List(ctx, a)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var vs []org.Organization
		for _, o := range vendors {
			if o.Kind == org.Vendor {
				vs = append(vs, o)
			}
		}
		d.Vendors = vs
		points, err := s.Staff.ListPoints(ctx, a, t.ProviderID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Points, d.TrainingResults = points, staff.TrainingResults
	}
	v := s.newView(r, "staff.technician_title", "staff")
	v.Title = t.Name + " · " + v.Title
	v.Data = d
	s.renderForm(w, r, status, "staff_technician", v, formErr)
}

// certificationCreate records a certificate from the technician's page.
func (s *Server) certificationCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	in := staff.CertInput{Kind: staff.CertKind(f.String("kind")), ProductLine: f.String("product_line"), PermitType: f.String("permit_type"),
		Number: f.String("number"), IssuedOn: f.String("issued_on"), ExpiresOn: f.String("expires_on"), ReviewDueOn: f.String("review_due_on")}
	if in.Kind == staff.Permit {
		in.ProductLine = ""
	} else {
		in.PermitType = ""
	}
	if in.Kind == staff.VendorCert {
		in.VendorID = f.OptionalInt64("vendor_id")
	}
	if in.Kind != staff.Permit {
		in.Level = f.Int("level")
	}
	err := f.Err()
	if err == nil {
		_, err = s.Staff.AddCertification(r.Context(), u.Actor(), id, in)
	}
	s.afterPost(w, r, err, "staff.cert_added", "/staff/technicians/"+itoa(id), func(e error) { s.renderTechnician(w, r, u, http.StatusUnprocessableEntity, e) })
}

// recommendationsPart is the part of a request's page that ranks the
// technicians for its visit (dispatchers), or lists and grants the
// vendor's exceptions (the vendor's admin). Others get nothing.
func (s *Server) recommendationsPart(w http.ResponseWriter, r *http.Request, u account.User) {
	ctx, a := r.Context(), u.Actor()
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The day to start from: a date that is not one is refused, naming
	// it, as the policy's name is (422); a past day is today.
	pq := readQuery(r)
	day := pq.Day("date")
	if err := pq.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	d := recommendationsData{RequestID: id}
	switch {
	case policy.Allowed(a, policy.RequestAssign, policy.Own):
		q := staff.RecommendQuery{Policy: pq.Get("policy")}
		if day.After(s.Now()) {
			q.Earliest = day
		}
		rec, err := s.Staff.Recommend(ctx, a, id, q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		// The refusals in the reader's language.
		v := s.newView(r, "staff.recommendations", "requests")
		for i := range rec.Excluded {
			if ref := rec.Excluded[i].Refusal; ref != nil && ref.Problem() != nil {
				tr := *ref
				tr.Detail = v.translate(ref.Problem()).Fields[0].Message
				rec.Excluded[i].Refusal = &tr
			}
		}
		d.Rec = &rec
		if d.Exceptions, err = s.Staff.Exceptions(ctx, a, id); err != nil {
			s.fail(w, r, err)
			return
		}
	case policy.Allowed(a, policy.QualificationExceptionGrant, policy.Own):
		d.CanGrant = true
		fallthrough
	default:
		ex, err := s.Staff.Exceptions(ctx, a, id)
		if err != nil {
			// Not a party to the request: nothing to show.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		d.Exceptions = ex
		if d.CanGrant {
			techs, err := s.Staff.RequestTechnicians(ctx, a, id)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			d.Techs = techs
		}
	}
	v := s.newView(r, "staff.recommendations", "requests")
	v.Data = d
	var buf bytes.Buffer
	if err := s.pages.byName["staff_recommendations"].ExecuteTemplate(&buf, "recommendations", v); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// exceptionGrant records the vendor's exception from a request's page.
func (s *Server) exceptionGrant(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	tech := f.Int64("technician_id")
	err := f.Err()
	if err == nil {
		_, err = s.Staff.GrantException(r.Context(), u.Actor(), id, tech, f.String("reason"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flashRedirect(w, r, s.msg(r, "staff.exception_granted"), "/requests/"+itoa(id))
}

// Tenths shows a number of tenths (training hours) as a decimal.
func (v *view) Tenths(n int) string { return strconv.Itoa(n/10) + "." + strconv.Itoa(n%10) }

// Inc numbers a row from 1.
func (v *view) Inc(i int) int { return i + 1 }
