package web

import (
	"net/http"
	"strings"

	"aftersales/internal/account"
	"aftersales/internal/files"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
)

// The staff register's forms: service points and the technicians'
// profiles, training, assessments, leave and certificate scans (the
// provider's admin), and the vendor's qualification rules (the vendor's
// admin). Each does what the API does, through the same service calls.

// pointCreate adds a service point from the register's page.
func (s *Server) pointCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	in := staff.PointInput{Name: strings.TrimSpace(f.String("name")), Address: strings.TrimSpace(f.String("address")), Division: strings.TrimSpace(f.String("division")),
		Lat: f.Float("lat"), Lng: f.Float("lng"), RadiusKm: f.Int("radius_km"), Phone: strings.TrimSpace(f.String("phone"))}
	err := f.Err()
	if err == nil {
		_, err = s.Staff.CreatePoint(r.Context(), u.Actor(), u.OrgID, in)
	}
	s.afterPost(w, r, err, "staff.point_added", "/staff#points", func(e error) { s.renderStaffForm(w, r, u, e) })
}

// renderStaffForm shows the register again with a form's errors.
func (s *Server) renderStaffForm(w http.ResponseWriter, r *http.Request, u account.User, formErr error) {
	s.staffPageWith(w, r, u, http.StatusUnprocessableEntity, formErr)
}

// technicianProfileUpdate sets a technician's service point, efficiency and skills.
func (s *Server) technicianProfileUpdate(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	in := staff.TechnicianInput{EfficiencyPermille: f.Int("efficiency_permille")}
	if p := f.OptionalInt64("service_point_id"); p != nil && *p > 0 {
		in.ServicePointID = p
	}
	lines, levels := f.Strings("skill_line"), f.Strings("skill_level")
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		level := 0
		if i < len(levels) {
			level = f.IntValue("skill_level", levels[i])
		}
		in.Skills = append(in.Skills, staff.Skill{ProductLine: line, Level: level})
	}
	version := f.Int64("version")
	err := f.Err()
	if err == nil {
		_, err = s.Staff.UpdateTechnician(r.Context(), u.Actor(), id, in, version)
	}
	s.afterPost(w, r, err, "staff.profile_saved", "/staff/technicians/"+itoa(id), func(e error) { s.renderTechnician(w, r, u, http.StatusUnprocessableEntity, e) })
}

// trainingCreate records a training the technician took.
func (s *Server) trainingCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	// Hours as the person writes them (1.5), kept in tenths; beyond the
	// domain's range, so that it names the field.
	tenths := int(min(max(f.Float("hours"), -1), 1e6)*10 + 0.5)
	err := f.Err()
	if err == nil {
		_, err = s.Staff.AddTraining(r.Context(), u.Actor(), id, staff.Training{Course: f.String("course"), HeldOn: f.String("held_on"), HoursTenths: tenths,
			Trainer: f.String("trainer"), Result: f.String("result")})
	}
	if p, ok := problem.As(err); ok {
		for i := range p.Fields {
			if p.Fields[i].Field == "hours_tenths" {
				p.Fields[i].Field = "hours"
			}
		}
	}
	s.afterPost(w, r, err, "staff.training_added", "/staff/technicians/"+itoa(id)+"#trainings", func(e error) { s.renderTechnician(w, r, u, http.StatusUnprocessableEntity, e) })
}

// assessmentCreate records a technician's assessment for a period.
func (s *Server) assessmentCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	score := -1 // none given: the domain names it
	if strings.TrimSpace(f.String("score")) != "" {
		score = f.Int("score")
	}
	err := f.Err()
	if err == nil {
		_, err = s.Staff.AddAssessment(r.Context(), u.Actor(), id, staff.Assessment{Period: strings.TrimSpace(f.String("period")), Score: score,
			Assessor: f.String("assessor"), Comments: f.String("comments")})
	}
	s.afterPost(w, r, err, "staff.assessment_added", "/staff/technicians/"+itoa(id)+"#assessments", func(e error) { s.renderTechnician(w, r, u, http.StatusUnprocessableEntity, e) })
}

// certPath is the technician's id and the certificate's the path names.
func certPath(r *http.Request) (technician, cert int64, err error) {
	if technician, err = pathID(r); err != nil {
		return 0, 0, err
	}
	if cert, err = pathIDNamed(r, "cert"); err != nil {
		return 0, 0, err
	}
	return technician, cert, nil
}

// scanAttach stores the scan of a certificate from the technician's page.
func (s *Server) scanAttach(w http.ResponseWriter, r *http.Request, u account.User) {
	id, cert, err := certPath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := readUploadForm(r, "file", 1, staff.MaxScanBytes)
	defer files.CloseAll(in)
	if err == nil {
		if len(in) == 0 {
			err = problem.Field("file", "choose the scan to attach")
		} else {
			_, err = s.Staff.AttachScan(r.Context(), u.Actor(), id, cert, in[0])
		}
	}
	s.afterPost(w, r, err, "staff.scan_attached", "/staff/technicians/"+itoa(id)+"#certificates", func(e error) { s.renderTechnician(w, r, u, http.StatusUnprocessableEntity, e) })
}

// scanShow shows a certificate's scan to whoever may read the certificate.
func (s *Server) scanShow(w http.ResponseWriter, r *http.Request, u account.User) {
	id, cert, err := certPath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, data, err := s.Staff.Scan(r.Context(), u.Actor(), id, cert)
	s.serveFile(w, r, f, data, err)
}

// renderRules lists a vendor's qualification rules: the vendor's own (its
// admin adds and removes them here), or, for a provider, those of the
// vendors it works with.
func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	ctx, a, q := r.Context(), u.Actor(), readQuery(r)
	vendorID := u.OrgID
	var vendors []org.Organization
	if u.OrgKind != "vendor" {
		var err error
		if vendors, vendorID, err = s.partnerChoice(ctx, a, q, org.Vendor, "vendor"); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	d := rulesData{Vendors: vendors, VendorID: vendorID, ServiceItems: staff.ServiceItems, PermitTypes: staff.PermitTypes,
		CanManage: u.OrgKind == "vendor" && policy.Allowed(a, policy.QualificationRuleManage, policy.Own)}
	if vendorID != 0 {
		rules, err := s.Staff.Rules(ctx, a, vendorID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Rules = rules
	}
	nav := "staff"
	if u.OrgKind == "vendor" {
		nav = "rules"
	}
	v := s.newView(r, "staff.rules_title", nav)
	v.Data = d
	s.renderForm(w, r, q.mark(v, status), "staff_rules", v, formErr)
}

type rulesData struct {
	Vendors      []org.Organization
	VendorID     int64 // the vendor whose rules are shown
	ServiceItems []string
	PermitTypes  []string
	CanManage    bool
	Rules        []staff.Rule
}

// ruleCreate adds a rule of the vendor.
func (s *Server) ruleCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	in := staff.RuleInput{Kind: f.String("kind")}
	switch in.Kind {
	case staff.CertificateRule:
		in.ProductLine, in.MinLevel = strings.TrimSpace(f.String("product_line")), f.Int("min_level")
	case staff.PermitRule:
		in.ServiceItem, in.PermitType, in.ProductLine = f.String("service_item"), f.String("permit_type"), strings.TrimSpace(f.String("permit_product_line"))
	}
	err := f.Err()
	if err == nil {
		_, err = s.Staff.CreateRule(r.Context(), u.Actor(), u.OrgID, in)
	}
	if p, ok := problem.As(err); ok && in.Kind == staff.PermitRule {
		for i := range p.Fields {
			if p.Fields[i].Field == "product_line" {
				p.Fields[i].Field = "permit_product_line"
			}
		}
	}
	s.afterPost(w, r, err, "staff.rule_added", "/staff/rules", func(e error) { s.renderRules(w, r, u, http.StatusUnprocessableEntity, e) })
}

// ruleDelete removes a rule of the vendor.
func (s *Server) ruleDelete(w http.ResponseWriter, r *http.Request, u account.User) {
	id, ok := s.postedTo(w, r)
	if !ok {
		return
	}
	err := s.Staff.DeleteRule(r.Context(), u.Actor(), id)
	s.afterPost(w, r, err, "staff.rule_removed", "/staff/rules", func(e error) { s.renderRules(w, r, u, http.StatusUnprocessableEntity, e) })
}

func init() {
	funcs["hasPrefix"] = strings.HasPrefix
}
