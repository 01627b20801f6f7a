package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
)

// The staff register: service points, technicians with their
// certifications, trainings and assessments, the vendors' qualification
// rules, and the vendor's one-off exceptions to them.

type pointBody struct {
	Name            string  `json:"name" minLength:"1" maxLength:"100" doc:"Unique in the provider, e.g. 苏州网点."`
	Address         string  `json:"address" minLength:"1" maxLength:"300"`
	Division        string  `json:"division" doc:"County-level division code, e.g. 320505."`
	Lat             float64 `json:"lat" doc:"WGS-84 latitude."`
	Lng             float64 `json:"lng" doc:"WGS-84 longitude."`
	RadiusKm        int     `json:"radius_km,omitempty" minimum:"0" maximum:"1000" doc:"The area its technicians cover; default 50."`
	Phone           string  `json:"phone,omitempty" maxLength:"30"`
	StockLocationID *int64  `json:"stock_location_id,omitempty" minimum:"1" doc:"The provider's store in the stock ledger that supplies the point."`
}

func (b pointBody) input() staff.PointInput {
	return staff.PointInput{Name: b.Name, Address: b.Address, Division: b.Division, Lat: b.Lat, Lng: b.Lng, RadiusKm: b.RadiusKm, Phone: b.Phone, StockLocationID: b.StockLocationID}
}

type providerQuery struct {
	ProviderID int64 `query:"provider_id" minimum:"0" doc:"The provider; default your own organization. A vendor names a provider it works with."`
}

type pointCreateInput struct {
	Create
	Body pointBody
}

type pointUpdateInput struct {
	ChangeAt
	Body pointBody
}

type technicianUpdateInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the profile as last read."`
	Body    struct {
		ServicePointID     *int64        `json:"service_point_id,omitempty" minimum:"1"`
		EfficiencyPermille int           `json:"efficiency_permille,omitempty" minimum:"0" maximum:"4000" doc:"1000 is average (the default); planned durations scale by 1000/efficiency."`
		Skills             []staff.Skill `json:"skills" maxItems:"50" doc:"Replace the technician's skills."`
	}
}

type certBody struct {
	Kind        string `json:"kind" enum:"vendor,permit,grade" doc:"vendor: the vendor's product-line certificate; permit: a statutory permit (特种作业操作证); grade: the provider's own grade (上岗证等级)."`
	VendorID    *int64 `json:"vendor_id,omitempty" minimum:"1" doc:"vendor: who issued it."`
	ProductLine string `json:"product_line,omitempty" maxLength:"64" doc:"vendor: the product line it covers."`
	PermitType  string `json:"permit_type,omitempty" maxLength:"32" doc:"permit: electrical, refrigeration, welding, work_at_height or pressure_vessel."`
	Level       int    `json:"level,omitempty" minimum:"0" maximum:"99" doc:"vendor, grade: 1 to 5."`
	Number      string `json:"number" minLength:"1" maxLength:"64"`
	IssuedOn    string `json:"issued_on" doc:"YYYY-MM-DD."`
	ExpiresOn   string `json:"expires_on,omitempty" doc:"YYYY-MM-DD; a permit's defaults to six years after issue."`
	ReviewDueOn string `json:"review_due_on,omitempty" doc:"permit: its next review (复审), YYYY-MM-DD; defaults to three years after issue."`
}

func (b certBody) input() staff.CertInput {
	return staff.CertInput{Kind: staff.CertKind(b.Kind), VendorID: b.VendorID, ProductLine: b.ProductLine, PermitType: b.PermitType, Level: b.Level,
		Number: b.Number, IssuedOn: b.IssuedOn, ExpiresOn: b.ExpiresOn, ReviewDueOn: b.ReviewDueOn}
}

type certCreateInput struct {
	CreateUnder
	Body certBody
}

type certPath struct {
	ID     int64 `path:"id" minimum:"1"`
	CertID int64 `path:"cert_id" minimum:"1"`
}

type certUpdateInput struct {
	ID      int64  `path:"id" minimum:"1"`
	CertID  int64  `path:"cert_id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the version being changed."`
	Body    certBody
}

type trainingCreateInput struct {
	CreateUnder
	Body struct {
		Course      string `json:"course" minLength:"1" maxLength:"200"`
		HeldOn      string `json:"held_on" doc:"YYYY-MM-DD."`
		HoursTenths int    `json:"hours_tenths" minimum:"0" maximum:"100000" doc:"Length in tenths of an hour (15 = 1.5 h)."`
		Trainer     string `json:"trainer,omitempty" maxLength:"100"`
		Result      string `json:"result" enum:"passed,failed,attended"`
	}
}

type assessmentCreateInput struct {
	CreateUnder
	Body struct {
		Period   string `json:"period" maxLength:"10" doc:"A month (2026-11), a quarter (2026-Q4) or a year (2026)."`
		Score    int    `json:"score" minimum:"0" maximum:"1000"`
		Assessor string `json:"assessor" minLength:"1" maxLength:"100"`
		Comments string `json:"comments,omitempty" maxLength:"2000"`
	}
}

type leaveCreateInput struct {
	CreateUnder
	Body struct {
		StartsAt time.Time `json:"starts_at" doc:"RFC 3339; whole days start at 00:00 in Asia/Shanghai."`
		EndsAt   time.Time `json:"ends_at" doc:"RFC 3339, after starts_at (exclusive)."`
		Reason   string    `json:"reason,omitempty" maxLength:"500"`
	}
}

type ruleBody struct {
	Kind        string `json:"kind" enum:"certificate,permit" doc:"certificate: a product line needs the vendor's certificate at min_level; permit: a service item needs a statutory permit."`
	ProductLine string `json:"product_line,omitempty" maxLength:"64" doc:"A product line of your models; for a permit rule, empty means every line."`
	MinLevel    int    `json:"min_level,omitempty" minimum:"0" maximum:"99" doc:"certificate: 1 to 5."`
	ServiceItem string `json:"service_item,omitempty" maxLength:"32" doc:"permit: repair, maintenance, consultation or part_replacement."`
	PermitType  string `json:"permit_type,omitempty" maxLength:"32" doc:"permit: electrical, refrigeration, welding, work_at_height or pressure_vessel."`
}

func (b ruleBody) input() staff.RuleInput {
	return staff.RuleInput{Kind: b.Kind, ProductLine: b.ProductLine, MinLevel: b.MinLevel, ServiceItem: b.ServiceItem, PermitType: b.PermitType}
}

type vendorQuery struct {
	VendorID int64 `query:"vendor_id" minimum:"0" doc:"The vendor; default your own organization. A provider names a vendor it works with."`
}

type ruleCreateInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           ruleBody
}

type ruleUpdateInput struct {
	ChangeAt
	Body ruleBody
}

type exceptionCreateInput struct {
	ID             int64  `path:"id" minimum:"1" doc:"The service request."`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		TechnicianID int64  `json:"technician_id" minimum:"1"`
		Reason       string `json:"reason" minLength:"1" maxLength:"1000" doc:"Why this technician may do this one visit; the request keeps it."`
	}
}

type recommendInput struct {
	ID              int64   `path:"id" minimum:"1" doc:"The service request whose visit is to be booked."`
	Policy          string  `query:"policy" enum:"deadline_first,least_travel,emergency," doc:"How to weigh the preferences; default deadline_first. emergency drops the area rule and ranks by the earliest arrival."`
	Earliest        string  `query:"earliest" doc:"RFC 3339: when the visit may start at the earliest; default now."`
	DurationMinutes int     `query:"duration_minutes" minimum:"0" maximum:"1440" doc:"Planned time on site for an average technician; default: the agreement's for the request's service item (120 if it sets none)."`
	PartIDs         []int64 `query:"part_id" doc:"Parts the visit needs, looked for in the technicians' vans."`
}

func orDefault(id int64, ac policy.Actor) int64 {
	if id == 0 {
		return ac.OrgID
	}
	return id
}

func (h *handlers) registerStaff(a huma.API) {
	const tag = "Staff"
	register(h, a, op("list-service-points", http.MethodGet, "/service-points", "List a provider's service points", tag), h.listServicePoints)
	register(h, a, created(op("create-service-point", http.MethodPost, "/service-points", "Add a service point of your provider", tag)), h.createServicePoint)
	register(h, a, op("get-service-point", http.MethodGet, "/service-points/{id}", "Get a service point", tag), h.getServicePoint)
	registerChange(h, a, op("update-service-point", http.MethodPatch, "/service-points/{id}", "Change a service point (all its fields)", tag), h.updateServicePoint)

	register(h, a, op("list-technicians", http.MethodGet, "/technicians", "List a provider's technicians with their skills", tag), h.listTechnicians)
	register(h, a, op("get-technician", http.MethodGet, "/technicians/{id}", "Get a technician's staff profile", tag), h.getTechnician)
	registerChange(h, a, op("update-technician", http.MethodPatch, "/technicians/{id}", "Set a technician's service point, efficiency and skills", tag), h.updateTechnician)

	register(h, a, op("list-certifications", http.MethodGet, "/technicians/{id}/certifications", "A technician's certifications", tag), h.listCertifications)
	register(h, a, created(described(op("create-certification", http.MethodPost, "/technicians/{id}/certifications", "Record a certification of a technician", tag),
		"A certification that expires before it is issued, a level outside 1 to 5, or a vendor the provider does not work with "+
			"is refused naming the field; nothing is saved.")), h.createCertification)
	register(h, a, op("get-certification", http.MethodGet, "/technicians/{id}/certifications/{cert_id}", "Get a certification", tag), h.getCertification)
	registerChange(h, a, op("update-certification", http.MethodPatch, "/technicians/{id}/certifications/{cert_id}", "Renew or correct a certification (all its fields)", tag), h.updateCertification)

	register(h, a, op("list-trainings", http.MethodGet, "/technicians/{id}/trainings", "A technician's training records", tag), h.listTrainings)
	register(h, a, created(op("create-training", http.MethodPost, "/technicians/{id}/trainings", "Record a training a technician took", tag)), h.createTraining)
	register(h, a, op("list-assessments", http.MethodGet, "/technicians/{id}/assessments", "A technician's assessments", tag), h.listAssessments)
	register(h, a, created(op("create-assessment", http.MethodPost, "/technicians/{id}/assessments", "Record a technician's assessment for a period", tag)), h.createAssessment)

	register(h, a, op("list-leave", http.MethodGet, "/technicians/{id}/leave", "A technician's leave", tag), h.listLeave)
	register(h, a, created(described(op("create-leave", http.MethodPost, "/technicians/{id}/leave", "Record a technician's leave (days or hours)", tag),
		"Leave that overlaps leave already recorded is refused naming it. Booking a visit that overlaps leave is refused with `reason` on_leave.")), h.createLeave)

	register(h, a, op("list-qualification-rules", http.MethodGet, "/qualification-rules", "A vendor's qualification rules", tag), h.listRules)
	register(h, a, created(described(op("create-qualification-rule", http.MethodPost, "/qualification-rules", "Add a qualification rule of your vendor", tag),
		"From then on, booking a visit on that product line (or for that service item) with a technician who lacks the "+
			"certificate or permit is refused with a 422 problem whose `reason` is not_certified, certification_expired, review_overdue, level_too_low or permit_missing.")), h.createRule)
	register(h, a, op("get-qualification-rule", http.MethodGet, "/qualification-rules/{id}", "Get a qualification rule", tag), h.getRule)
	registerChange(h, a, op("update-qualification-rule", http.MethodPatch, "/qualification-rules/{id}", "Change a qualification rule", tag), h.updateRule)
	rdel := op("delete-qualification-rule", http.MethodDelete, "/qualification-rules/{id}", "Remove a qualification rule", tag)
	rdel.DefaultStatus = http.StatusNoContent
	register(h, a, rdel, h.deleteRule)

	register(h, a, described(op("recommend-technicians", http.MethodGet, "/service-requests/{id}/recommendations", "Rank the technicians to book a request's visit with", tag),
		"Hard rules filter (qualified for the unit's product line and service item, inside the area their service point covers, "+
			"a free slot that day); the others are scored on travel from the previous stop (straight line x road factor), whether the on-site "+
			"deadline can still be met, the day's load, the needed parts in their van, and whether they did the unit's last visit. Each "+
			"recommendation carries its score parts; each excluded technician its reason."), h.recommendTechnicians)
	register(h, a, withErrors(described(op("recommend-reassignment", http.MethodGet, "/work-orders/{id}/recommendations", "Rank the technicians to take over a booked visit", tag),
		"The same ranking as a request's recommendations, for a visit not started: unless `earliest` is given, the visit keeps "+
			"its window when it is still ahead, a technician with another visit in it is excluded (overlapping_visit), and the visit itself "+
			"does not count on its technician's day. The answer names the visit and its current technician."), 409), h.recommendReassignment)
	register(h, a, op("list-qualification-exceptions", http.MethodGet, "/service-requests/{id}/qualification-exceptions",
		"The vendor's exceptions to its qualification rules on a request", tag), h.listExceptions)
	register(h, a, withErrors(created(op("grant-qualification-exception", http.MethodPost, "/service-requests/{id}/qualification-exceptions",
		"Let one visit of a request be booked with a technician the rules refuse", tag)), 409), h.grantException)
}

func (h *handlers) listServicePoints(ctx context.Context, ac policy.Actor, in *providerQuery) (*items[staff.Point], error) {
	return asList(h.Staff.ListPoints(ctx, ac, orDefault(in.ProviderID, ac)))
}

func (h *handlers) createServicePoint(ctx context.Context, ac policy.Actor, in *pointCreateInput) (*tagged[staff.Point], error) {
	return versioned(h.Staff.CreatePoint(ctx, ac, ac.OrgID, in.Body.input()))
}

func (h *handlers) getServicePoint(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[staff.Point], error) {
	return versioned(h.Staff.GetPoint(ctx, ac, in.ID))
}

func (h *handlers) updateServicePoint(ctx context.Context, ac policy.Actor, in *pointUpdateInput, v int64) (*tagged[staff.Point], error) {
	return versioned(h.Staff.UpdatePoint(ctx, ac, in.ID, in.Body.input(), v))
}

func (h *handlers) listTechnicians(ctx context.Context, ac policy.Actor, in *providerQuery) (*items[staff.TechnicianProfile], error) {
	return asList(h.Staff.ListTechnicians(ctx, ac, orDefault(in.ProviderID, ac)))
}

func (h *handlers) getTechnician(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[staff.TechnicianProfile], error) {
	return versioned(h.Staff.GetTechnician(ctx, ac, in.ID))
}

func (h *handlers) updateTechnician(ctx context.Context, ac policy.Actor, in *technicianUpdateInput, v int64) (*tagged[staff.TechnicianProfile], error) {
	b := in.Body
	return versioned(h.Staff.UpdateTechnician(ctx, ac, in.ID, staff.TechnicianInput{ServicePointID: b.ServicePointID, EfficiencyPermille: b.EfficiencyPermille, Skills: b.Skills}, v))
}

func (h *handlers) listCertifications(ctx context.Context, ac policy.Actor, in *idPath) (*items[staff.Certification], error) {
	return asList(h.Staff.Certifications(ctx, ac, in.ID))
}

func (h *handlers) createCertification(ctx context.Context, ac policy.Actor, in *certCreateInput) (*tagged[staff.Certification], error) {
	return versioned(h.Staff.AddCertification(ctx, ac, in.ID, in.Body.input()))
}

func (h *handlers) getCertification(ctx context.Context, ac policy.Actor, in *certPath) (*tagged[staff.Certification], error) {
	return versioned(h.Staff.GetCertification(ctx, ac, in.ID, in.CertID))
}

func (h *handlers) updateCertification(ctx context.Context, ac policy.Actor, in *certUpdateInput, v int64) (*tagged[staff.Certification], error) {
	return versioned(h.Staff.UpdateCertification(ctx, ac, in.ID, in.CertID, in.Body.input(), v))
}

func (h *handlers) listTrainings(ctx context.Context, ac policy.Actor, in *idPath) (*items[staff.Training], error) {
	return asList(h.Staff.Trainings(ctx, ac, in.ID))
}

func (h *handlers) createTraining(ctx context.Context, ac policy.Actor, in *trainingCreateInput) (*struct{ Body staff.Training }, error) {
	b := in.Body
	return withBody(h.Staff.AddTraining(ctx, ac, in.ID, staff.Training{Course: b.Course, HeldOn: b.HeldOn, HoursTenths: b.HoursTenths, Trainer: b.Trainer, Result: b.Result}))
}

func (h *handlers) listAssessments(ctx context.Context, ac policy.Actor, in *idPath) (*items[staff.Assessment], error) {
	return asList(h.Staff.Assessments(ctx, ac, in.ID))
}

func (h *handlers) createAssessment(ctx context.Context, ac policy.Actor, in *assessmentCreateInput) (*struct{ Body staff.Assessment }, error) {
	b := in.Body
	return withBody(h.Staff.AddAssessment(ctx, ac, in.ID, staff.Assessment{Period: b.Period, Score: b.Score, Assessor: b.Assessor, Comments: b.Comments}))
}

func (h *handlers) listRules(ctx context.Context, ac policy.Actor, in *vendorQuery) (*items[staff.Rule], error) {
	return asList(h.Staff.Rules(ctx, ac, orDefault(in.VendorID, ac)))
}

func (h *handlers) createRule(ctx context.Context, ac policy.Actor, in *ruleCreateInput) (*tagged[staff.Rule], error) {
	return versioned(h.Staff.CreateRule(ctx, ac, ac.OrgID, in.Body.input()))
}

func (h *handlers) getRule(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[staff.Rule], error) {
	return versioned(h.Staff.GetRule(ctx, ac, in.ID))
}

func (h *handlers) updateRule(ctx context.Context, ac policy.Actor, in *ruleUpdateInput, v int64) (*tagged[staff.Rule], error) {
	return versioned(h.Staff.UpdateRule(ctx, ac, in.ID, in.Body.input(), v))
}

func (h *handlers) deleteRule(ctx context.Context, ac policy.Actor, in *idPath) (*struct{}, error) {
	return nil, h.Staff.DeleteRule(ctx, ac, in.ID)
}

func (h *handlers) listExceptions(ctx context.Context, ac policy.Actor, in *idPath) (*items[staff.QualificationException], error) {
	return asList(h.Staff.Exceptions(ctx, ac, in.ID))
}

func (h *handlers) grantException(ctx context.Context, ac policy.Actor, in *exceptionCreateInput) (*struct{ Body staff.QualificationException }, error) {
	return withBody(h.Staff.GrantException(ctx, ac, in.ID, in.Body.TechnicianID, in.Body.Reason))
}

func (h *handlers) recommendTechnicians(ctx context.Context, ac policy.Actor, in *recommendInput) (*struct{ Body staff.Recommendations }, error) {
	q, err := recommendQuery(in.Policy, in.Earliest, in.DurationMinutes, in.PartIDs)
	if err != nil {
		return nil, err
	}
	return withBody(h.Staff.Recommend(ctx, ac, in.ID, q))
}

type reassignRecommendInput struct {
	ID              int64   `path:"id" minimum:"1" doc:"The visit to reassign."`
	Policy          string  `query:"policy" enum:"deadline_first,least_travel,emergency," doc:"How to weigh the preferences; default deadline_first."`
	Earliest        string  `query:"earliest" doc:"RFC 3339: look for a new slot from this time instead of keeping the visit's window."`
	DurationMinutes int     `query:"duration_minutes" minimum:"0" maximum:"1440" doc:"Planned time on site for an average technician; default: the agreement's for the request's service item (120 if it sets none)."`
	PartIDs         []int64 `query:"part_id" doc:"Parts the visit needs, looked for in the technicians' vans."`
}

func (h *handlers) recommendReassignment(ctx context.Context, ac policy.Actor, in *reassignRecommendInput) (*struct{ Body staff.Recommendations }, error) {
	q, err := recommendQuery(in.Policy, in.Earliest, in.DurationMinutes, in.PartIDs)
	if err != nil {
		return nil, err
	}
	return withBody(h.Staff.RecommendForVisit(ctx, ac, in.ID, q))
}

// recommendQuery reads a recommendation's query parameters.
func recommendQuery(policy, earliest string, durationMinutes int, partIDs []int64) (staff.RecommendQuery, error) {
	q := staff.RecommendQuery{Policy: policy, Duration: time.Duration(durationMinutes) * time.Minute, PartIDs: partIDs}
	if earliest != "" {
		t, err := time.Parse(time.RFC3339, earliest)
		if err != nil {
			return q, problem.Field("query.earliest", "must be an RFC 3339 time, e.g. 2026-12-07T09:00:00+08:00")
		}
		q.Earliest = t
	}
	return q, nil
}

func (h *handlers) listLeave(ctx context.Context, ac policy.Actor, in *idPath) (*items[staff.Leave], error) {
	return asList(h.Staff.LeaveOf(ctx, ac, in.ID))
}

func (h *handlers) createLeave(ctx context.Context, ac policy.Actor, in *leaveCreateInput) (*struct{ Body staff.Leave }, error) {
	b := in.Body
	return withBody(h.Staff.AddLeave(ctx, ac, in.ID, staff.Leave{StartsAt: b.StartsAt, EndsAt: b.EndsAt, Reason: b.Reason}))
}
