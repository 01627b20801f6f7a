package web

import (
	"net/http"
	"strings"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
)

// The register's edit forms: a service point changed, a certificate
// renewed, leave recorded, a qualification rule changed. A form that edits
// one of several rows names its fields "edit_<field>" so that its errors
// show beside it, not beside the page's add form.

// formFields renames a refusal's fields to those of a form whose fields
// are named with prefix ("edit_lat", "renew_number").
func formFields(prefix string, err error) error {
	if p, ok := problem.As(err); ok && p.Kind == problem.Invalid {
		for i := range p.Fields {
			p.Fields[i].Field = prefix + p.Fields[i].Field
		}
	}
	return err
}

// pointUpdate changes a service point from the register's page.
func (s *Server) pointUpdate(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	p, err := s.Staff.GetPoint(r.Context(), u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := staff.PointInput{Name: strings.TrimSpace(f.String("edit_name")), Address: strings.TrimSpace(f.String("edit_address")), Division: strings.TrimSpace(f.String("edit_division")),
		Lat: f.Float("edit_lat"), Lng: f.Float("edit_lng"), RadiusKm: f.Int("edit_radius_km"), Phone: strings.TrimSpace(f.String("edit_phone")),
		StockLocationID: p.StockLocationID}
	version := f.Int64("version")
	if err = f.Err(); err == nil {
		_, err = s.Staff.UpdatePoint(r.Context(), u.Actor(), id, in, version)
		err = formFields("edit_", err)
	}
	s.afterPost(w, r, err, "staff.point_saved", "/staff#points", func(e error) { s.renderStaffForm(w, r, u, e) })
}

// certRenew renews a certificate: the same certificate (kind, vendor,
// line or permit) with its new number, level and dates.
func (s *Server) certRenew(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	certID := f.Int64Value("renew_certification_id", f.String("certification_id"))
	err := f.Err()
	var c staff.Certification
	if err == nil {
		c, err = s.Staff.GetCertification(r.Context(), u.Actor(), id, certID)
	}
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			err = problem.Field("renew_certification_id", "choose the certificate to renew")
		}
		s.afterPost(w, r, err, "staff.cert_renewed", "/staff/technicians/"+itoa(id), func(e error) { s.renderTechnician(w, r, u, http.StatusUnprocessableEntity, e) })
		return
	}
	in := staff.CertInput{Kind: c.Kind, VendorID: c.VendorID, ProductLine: c.ProductLine, PermitType: c.PermitType, Level: c.Level,
		Number: strings.TrimSpace(f.String("renew_number")), IssuedOn: f.String("renew_issued_on"), ExpiresOn: f.String("renew_expires_on"), ReviewDueOn: f.String("renew_review_due_on")}
	if c.Kind != staff.Permit && f.String("renew_level") != "" {
		in.Level = f.Int("renew_level")
	}
	if err = f.Err(); err == nil {
		_, err = s.Staff.UpdateCertification(r.Context(), u.Actor(), id, certID, in, c.Version)
		err = formFields("renew_", err)
	}
	s.afterPost(w, r, err, "staff.cert_renewed", "/staff/technicians/"+itoa(id)+"#certificates", func(e error) { s.renderTechnician(w, r, u, http.StatusUnprocessableEntity, e) })
}

// leaveAdd records a technician's leave from local date-times.
func (s *Server) leaveAdd(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	leave := staff.Leave{StartsAt: f.DateTime("starts_at", calendar.Shanghai), EndsAt: f.DateTime("ends_at", calendar.Shanghai), Reason: f.String("reason")}
	err := f.Err()
	if err == nil {
		_, err = s.Staff.AddLeave(r.Context(), u.Actor(), id, leave)
	}
	s.afterPost(w, r, err, "staff.leave_added", "/staff/technicians/"+itoa(id)+"#leave", func(e error) { s.renderTechnician(w, r, u, http.StatusUnprocessableEntity, e) })
}

// ruleUpdate changes what a rule requires: a certificate rule's minimum
// level, a permit rule's permit.
func (s *Server) ruleUpdate(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	rule, err := s.Staff.GetRule(r.Context(), u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := staff.RuleInput{Kind: rule.Kind, ProductLine: rule.ProductLine, MinLevel: rule.MinLevel, ServiceItem: rule.ServiceItem, PermitType: rule.PermitType}
	if rule.Kind == staff.CertificateRule {
		in.MinLevel = f.Int("edit_min_level")
	} else {
		in.PermitType = f.String("edit_permit_type")
	}
	if err = f.Err(); err == nil {
		_, err = s.Staff.UpdateRule(r.Context(), u.Actor(), id, in, rule.Version)
		err = formFields("edit_", err)
	}
	s.afterPost(w, r, err, "staff.rule_saved", "/staff/rules?vendor="+itoa(rule.VendorID), func(e error) { s.renderRules(w, r, u, http.StatusUnprocessableEntity, e) })
}
