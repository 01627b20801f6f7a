package complaint

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/files"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Service holds the use cases on complaints and suggestions.
type Service struct {
	DB        *store.DB
	Now       func() time.Time
	Calendars func(ctx context.Context, id string) (*calendar.Calendar, error)
	Notify    *notify.Service
	// Texts acknowledges a complaint or suggestion by text message to the
	// filer's contact (or the request's) when it is a mobile; nil: no texts.
	Texts *notify.Texts
	// Filed, when set, hears of each complaint inside the transaction that
	// files it (the vendor's callback queue takes every complaint).
	Filed func(ctx context.Context, tx *sqlx.Tx, c Complaint, now time.Time) error
}

// New is a complaint or suggestion as filed.
type NewComplaint struct {
	Kind         string `json:"kind,omitempty" enum:"complaint,suggestion" doc:"complaint (the default) or suggestion."`
	Category     string `json:"category" enum:"attitude,slow_response,repair_quality,parts,fees,other"`
	Channel      string `json:"channel,omitempty" enum:"portal,survey,qr,phone,vendor" doc:"How it reached us; by default from the filer's role."`
	RequestID    int64  `json:"request_id,omitempty" minimum:"0" doc:"The service request it is about (this or work_order_id)."`
	WorkOrderID  int64  `json:"work_order_id,omitempty" minimum:"0" doc:"The visit it is about."`
	Description  string `json:"description" maxLength:"4000"`
	ContactName  string `json:"contact_name,omitempty" maxLength:"100"`
	ContactPhone string `json:"contact_phone,omitempty" maxLength:"40"`
	// SurveyID links a complaint filed from a survey (set by the survey).
	SurveyID int64 `json:"-"`
	// Attachments are files filed with it (photos, PDF), from the pages;
	// the caller closes them.
	Attachments []*files.Incoming `json:"-"`
	// RequestNumber names the request by its number instead of RequestID,
	// as a customer reads it on the receipt (the QR page).
	RequestNumber string `json:"-"`
	// UnitID, when set, requires the request to be of this unit (the QR
	// page of the unit's label).
	UnitID int64 `json:"-"`

	attachmentTypes []string
}

// Event is one entry of a complaint's history.
type ComplaintEvent struct {
	ID          int64     `db:"id" json:"-"`
	ComplaintID int64     `db:"complaint_id" json:"-"`
	Kind        string    `db:"kind" json:"kind" doc:"filed, note, reply, closed, reopened, warning, breached, escalated."`
	At          time.Time `db:"at" json:"at"`
	ActorID     *int64    `db:"actor_id" json:"-"`
	Actor       string    `db:"actor" json:"actor"`
	Text        string    `db:"text" json:"text,omitempty"`
}

// Detail is a complaint with its clocks and history.
type Detail struct {
	Complaint
	// RequestNumber is the number of the request it is about.
	RequestNumber string           `json:"request_number,omitempty"`
	Clocks        []ComplaintClock `json:"clocks"`
	Events        []ComplaintEvent `json:"events"`
	Attachments   []files.File     `json:"attachments"`
	// Texts are the text messages that acknowledged it, with their
	// delivery states.
	Texts []notify.SMSMessage `json:"texts"`
}

const columns = `id, kind, category, channel, status, agreement_id, vendor_id, provider_id, customer_org_id, request_id, work_order_id,
	technician_id, survey_id, description, contact_name, contact_phone, filed_by_id, filed_by, filed_at, period, calendar_id,
	first_answer_due, first_answer_warn_at, close_due, close_warn_at, unanswered_days, first_answered_at, reply, replied_at,
	closed_at, close_kind, reopened, escalated_at, alerts, updated_at, version`

func notFound(id int64) error { return problem.New(problem.NotFound, "complaint %d not found", id) }

// Get loads a complaint without authorizing.
func Get(ctx context.Context, q store.Queryer, id int64) (Complaint, error) {
	return store.ByID[Complaint](ctx, q, `SELECT `+columns+` FROM complaints WHERE id = ?`, id, notFound)
}

// Scope is how a complaint relates to the actor: Own to its three parties.
func Scope(a policy.Actor, c Complaint) policy.Scope {
	return policy.PartyScope(a, c.VendorID, c.ProviderID, c.CustomerOrgID)
}

func (s *Service) load(ctx context.Context, q store.Queryer, a policy.Actor, id int64, action policy.Action) (Complaint, error) {
	return policy.Load(a, policy.ComplaintRead, action, notFound(id),
		func() (Complaint, error) { return Get(ctx, q, id) },
		func(c Complaint) (policy.Scope, error) { return Scope(a, c), nil })
}

// target is what a complaint is filed against.
type target struct {
	RequestID     int64 `db:"id"`
	AgreementID   int64 `db:"agreement_id"`
	VendorID      int64 `db:"vendor_id"`
	ProviderID    int64 `db:"provider_id"`
	CustomerOrgID int64 `db:"customer_org_id"`
	WorkOrderID   *int64
	TechnicianID  *int64
}

// resolve finds the request (and visit) a complaint is about, hidden as not
// found from anyone who is not a party to it: a customer cannot complain
// about another customer's visit.
func resolve(ctx context.Context, q store.Queryer, a policy.Actor, n NewComplaint) (target, error) {
	var t target
	if n.RequestNumber = strings.TrimSpace(n.RequestNumber); n.RequestNumber != "" {
		var id int64
		err := store.Get(ctx, q, &id, `SELECT id FROM service_requests WHERE number = ? AND (unit_id = ? OR ? = 0)`, n.RequestNumber, n.UnitID, n.UnitID)
		if err == store.ErrNotFound || err == nil && n.RequestID > 0 && n.RequestID != id {
			return t, problem.Field("request_number", "no service request %s of this product", n.RequestNumber)
		}
		if err != nil {
			return t, err
		}
		n.RequestID = id
	}
	if n.WorkOrderID > 0 {
		var w struct {
			RequestID    int64 `db:"request_id"`
			TechnicianID int64 `db:"technician_id"`
		}
		err := store.Get(ctx, q, &w, `SELECT request_id, technician_id FROM work_orders WHERE id = ?`, n.WorkOrderID)
		if err == store.ErrNotFound || (err == nil && n.RequestID > 0 && n.RequestID != w.RequestID) {
			return t, problem.Field("work_order_id", "visit %d not found", n.WorkOrderID)
		}
		if err != nil {
			return t, err
		}
		n.RequestID = w.RequestID
		t.WorkOrderID, t.TechnicianID = &n.WorkOrderID, &w.TechnicianID
	}
	if n.RequestID <= 0 {
		return t, problem.Field("request_id", "name the service request or visit it is about")
	}
	wo, tech := t.WorkOrderID, t.TechnicianID
	err := store.Get(ctx, q, &t, `SELECT id, agreement_id, vendor_id, provider_id, customer_org_id FROM service_requests WHERE id = ?`, n.RequestID)
	t.WorkOrderID, t.TechnicianID = wo, tech
	// Another organization's request is not found, as one that does not
	// exist; the message is the catalog's, so that it is translated.
	notFound := problem.Field("request_id", "service request %d not found", n.RequestID)
	if n.WorkOrderID > 0 {
		notFound = problem.Field("work_order_id", "visit %d not found", n.WorkOrderID)
	}
	if err == store.ErrNotFound {
		return t, notFound
	}
	if err != nil {
		return t, err
	}
	if policy.PartyScope(a, t.VendorID, t.ProviderID, t.CustomerOrgID) != policy.Own {
		return t, notFound
	}
	return t, nil
}

func (n *NewComplaint) check(a policy.Actor) error {
	var fs problem.Fields
	n.Description, n.ContactName, n.ContactPhone = strings.TrimSpace(n.Description), strings.TrimSpace(n.ContactName), strings.TrimSpace(n.ContactPhone)
	if n.Kind == "" {
		n.Kind = KindComplaint
	}
	if n.Kind != KindComplaint && n.Kind != KindSuggestion {
		fs.Add("kind", "must be complaint or suggestion")
	}
	if !slices.Contains(Categories, n.Category) {
		fs.Add("category", "must be one of %s", strings.Join(Categories, ", "))
	}
	if n.Channel == "" {
		switch a.OrgKind {
		case "customer":
			n.Channel = "portal"
		case "vendor":
			n.Channel = "vendor"
		default:
			n.Channel = "phone"
		}
	}
	if !slices.Contains(Channels, n.Channel) {
		fs.Add("channel", "must be one of %s", strings.Join(Channels, ", "))
	}
	problem.CheckText(&fs, "description", n.Description, true, 4000)
	problem.CheckText(&fs, "contact_name", n.ContactName, false, 100)
	problem.CheckText(&fs, "contact_phone", n.ContactPhone, false, 40)
	n.attachmentTypes = checkAttachments(&fs, n.Attachments)
	return fs.Err()
}

// File files a complaint or suggestion as actor.
func (s *Service) File(ctx context.Context, a policy.Actor, n NewComplaint) (Detail, error) {
	var out Detail
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		c, err := s.FileIn(ctx, tx, a, n)
		if err != nil {
			return err
		}
		out, err = detail(ctx, tx, c, s.Now())
		return err
	})
	return out, err
}

// FileIn files inside the caller's transaction (a survey's "I want to
// complain" commits with its answer). The actor of a survey is the link's
// customer: an actor of the customer organization without a user.
func (s *Service) FileIn(ctx context.Context, tx *sqlx.Tx, a policy.Actor, n NewComplaint) (Complaint, error) {
	now := s.Now().UTC()
	if err := n.check(a); err != nil {
		return Complaint{}, err
	}
	t, err := resolve(ctx, tx, a, n)
	if err != nil {
		return Complaint{}, err
	}
	if err := policy.Allow(a, policy.ComplaintFile, policy.Own); err != nil {
		return Complaint{}, err
	}
	c := Complaint{Kind: n.Kind, Category: n.Category, Channel: n.Channel, Status: Open, AgreementID: t.AgreementID, VendorID: t.VendorID,
		ProviderID: t.ProviderID, CustomerOrgID: t.CustomerOrgID, RequestID: &t.RequestID, WorkOrderID: t.WorkOrderID, TechnicianID: t.TechnicianID,
		Description: n.Description, ContactName: n.ContactName, ContactPhone: n.ContactPhone, FiledBy: a.Label(), FiledAt: now,
		Period: now.In(calendar.Shanghai).Format("2006-01")}
	if a.UserID > 0 {
		c.FiledByID = &a.UserID
	}
	if n.SurveyID > 0 {
		c.SurveyID = &n.SurveyID
	}
	if c.Kind == KindComplaint {
		v, err := agreement.TermsAt(ctx, tx, t.AgreementID, now)
		if err != nil {
			return c, err
		}
		rules := v.Terms.ComplaintRules()
		c.CalendarID = v.Terms.General.CalendarID
		cal, err := s.Calendars(ctx, c.CalendarID)
		if err != nil {
			return c, fmt.Errorf("complaint calendar %q: %w", c.CalendarID, err)
		}
		d := ComputeDeadlines(cal, now, rules.FirstAnswerWorkingDays, rules.CloseWorkingDays)
		c.FirstAnswerDue, c.FirstAnswerWarnAt, c.CloseDue, c.CloseWarnAt = &d.FirstAnswerDue, &d.FirstAnswerWarnAt, &d.CloseDue, &d.CloseWarnAt
		c.UnansweredDays = rules.UnansweredCloseDays
	}
	c.ID, err = store.InsertID(ctx, tx, `INSERT INTO complaints (kind, category, channel, status, agreement_id, vendor_id, provider_id, customer_org_id,
		request_id, work_order_id, technician_id, survey_id, description, contact_name, contact_phone, filed_by_id, filed_by, filed_at, period,
		calendar_id, first_answer_due, first_answer_warn_at, close_due, close_warn_at, unanswered_days, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Kind, c.Category, c.Channel, c.Status, c.AgreementID, c.VendorID, c.ProviderID, c.CustomerOrgID, c.RequestID, c.WorkOrderID,
		c.TechnicianID, c.SurveyID, c.Description, c.ContactName, c.ContactPhone, c.FiledByID, c.FiledBy, c.FiledAt, c.Period,
		c.CalendarID, c.FirstAnswerDue, c.FirstAnswerWarnAt, c.CloseDue, c.CloseWarnAt, c.UnansweredDays, now)
	if err != nil {
		return c, err
	}
	if err := addEvent(ctx, tx, c.ID, "filed", now, a, c.Description); err != nil {
		return c, err
	}
	if err := storeAttachments(ctx, tx, c, a, n.Attachments, n.attachmentTypes, now); err != nil {
		return c, err
	}
	if c, err = Get(ctx, tx, c.ID); err != nil {
		return c, err
	}
	if err := audit.Record(ctx, tx, now, a, c.ProviderID, c.Kind+".filed", "complaint", c.ID, nil, c); err != nil {
		return c, err
	}
	if err := s.tell(ctx, tx, c, now, "filed", providerStaff, "notify.complaint.filed.subject", "notify.complaint.filed.body"); err != nil {
		return c, err
	}
	if err := s.acknowledge(ctx, tx, c, now); err != nil {
		return c, err
	}
	if s.Filed != nil && c.Kind == KindComplaint {
		if err := s.Filed(ctx, tx, c, now); err != nil {
			return c, err
		}
	}
	return c, nil
}

func addEvent(ctx context.Context, q store.Queryer, id int64, kind string, at time.Time, a policy.Actor, text string) error {
	var actorID *int64
	if a.UserID > 0 {
		actorID = &a.UserID
	}
	_, err := store.Exec(ctx, q, `INSERT INTO complaint_events (complaint_id, kind, at, actor_id, actor, text) VALUES (?, ?, ?, ?, ?, ?)`,
		id, kind, at.UTC(), actorID, a.Label(), text)
	return err
}

func detail(ctx context.Context, q store.Queryer, c Complaint, now time.Time) (Detail, error) {
	d := Detail{Complaint: c, Clocks: c.Clocks(now), Events: []ComplaintEvent{}}
	err := store.Select(ctx, q, &d.Events, `SELECT id, complaint_id, kind, at, actor_id, actor, text FROM complaint_events WHERE complaint_id = ? ORDER BY id`, c.ID)
	if err != nil {
		return d, err
	}
	if c.RequestID != nil {
		if err := store.Get(ctx, q, &d.RequestNumber, `SELECT number FROM service_requests WHERE id = ?`, *c.RequestID); err != nil {
			return d, err
		}
	}
	if d.Attachments, err = attachmentsOf(ctx, q, c.ID); err != nil {
		return d, err
	}
	d.Texts, err = notify.SMSMessagesAbout(ctx, q, SMSRef(c.ID))
	return d, err
}

// Get returns a complaint the actor may read, with its clocks and history.
func (s *Service) Get(ctx context.Context, a policy.Actor, id int64) (Detail, error) {
	c, err := s.load(ctx, s.DB, a, id, policy.ComplaintRead)
	if err != nil {
		return Detail{}, err
	}
	return detail(ctx, s.DB, c, s.Now())
}

// Filter narrows a list of complaints.
type Filter struct {
	Status      string
	Kind        string
	AgreementID int64
	Period      string
	Late        bool
	Limit       int
}

// List returns the complaints of the actor's organization, newest first.
func (s *Service) List(ctx context.Context, a policy.Actor, f Filter) ([]Complaint, error) {
	if err := policy.Allow(a, policy.ComplaintRead, policy.Own); err != nil {
		return nil, err
	}
	where, args := []string{"1=1"}, []any{}
	if !a.Operator {
		where = append(where, "(vendor_id = ? OR provider_id = ? OR customer_org_id = ?)")
		args = append(args, a.OrgID, a.OrgID, a.OrgID)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.AgreementID > 0 {
		where, args = append(where, "agreement_id = ?"), append(args, f.AgreementID)
	}
	if f.Period != "" {
		where, args = append(where, "period = ?"), append(args, f.Period)
	}
	if f.Late {
		now := s.Now().UTC()
		where = append(where, "kind = 'complaint' AND ((first_answered_at IS NULL AND first_answer_due < ?) OR (closed_at IS NULL AND close_due < ?) OR closed_at > close_due)")
		args = append(args, now, now)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	out := []Complaint{}
	err := store.Select(ctx, s.DB, &out, `SELECT `+columns+` FROM complaints WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT `+fmt.Sprint(f.Limit), args...)
	return out, err
}

// SMSRef is what a complaint's acknowledgement by text message is about.
func SMSRef(id int64) string { return fmt.Sprintf("complaint:%d", id) }

// acknowledge texts the customer that the complaint or suggestion was
// received, naming the request by its number and, for a complaint, the time
// of the first answer on the agreement's calendar, in the language of the
// customer's first portal user. The contact given with it is used, else the
// request's contact.
func (s *Service) acknowledge(ctx context.Context, tx *sqlx.Tx, c Complaint, now time.Time) error {
	if s.Texts == nil || c.RequestID == nil {
		return nil
	}
	var req struct {
		Number string `db:"number"`
		Phone  string `db:"contact_phone"`
	}
	if err := store.Get(ctx, tx, &req, `SELECT number, contact_phone FROM service_requests WHERE id = ?`, *c.RequestID); err != nil {
		return err
	}
	phone := c.ContactPhone
	if notify.MobileNumber(phone) == "" {
		phone = req.Phone
	}
	var locales []string
	if err := store.Select(ctx, tx, &locales, `SELECT locale FROM users WHERE org_id = ? AND role = 'customer' AND active = ? ORDER BY id LIMIT 1`,
		c.CustomerOrgID, true); err != nil {
		return err
	}
	locale := "zh-CN"
	if len(locales) > 0 && locales[0] != "" {
		locale = locales[0]
	}
	text := notify.Msg("notify.sms.suggestion", "Request", req.Number)
	if c.Kind == KindComplaint && c.FirstAnswerDue != nil {
		zone := calendar.Shanghai
		if cal, err := s.Calendars(ctx, c.CalendarID); err == nil {
			zone = cal.Location()
		}
		text = notify.Msg("notify.sms.complaint", "Request", req.Number, "Due", c.FirstAnswerDue.In(zone).Format("2006-01-02 15:04"))
	}
	_, err := s.Texts.Queue(ctx, tx, now, notify.SMS{OrgID: c.CustomerOrgID, VendorID: c.VendorID, ProviderID: c.ProviderID, Phone: phone, Kind: c.Kind + ".filed",
		Ref: SMSRef(c.ID), DedupeKey: "sms:" + SMSRef(c.ID), Locale: locale, Text: text})
	return err
}
