// Package policy is the one place that decides who may do what: a table of
// role x action x scope, default deny. Pages and API both ask Allow before
// they act; nothing else grants access.
package policy

import (
	"context"
	"slices"

	"aftersales/internal/problem"
)

// Role is what a user does in their organization (DOMAIN.md, "The people").
type Role string

const (
	VendorAdmin   Role = "vendor_admin"
	VendorAuditor Role = "vendor_auditor"
	ProviderAdmin Role = "provider_admin"
	Dispatcher    Role = "dispatcher"
	Technician    Role = "technician"
	Customer      Role = "customer"
)

// Roles lists every role, in the order the UI shows them.
var Roles = []Role{VendorAdmin, VendorAuditor, ProviderAdmin, Dispatcher, Technician, Customer}

// OrgKind is the kind of organization a role belongs to.
func (r Role) OrgKind() string {
	switch r {
	case VendorAdmin, VendorAuditor:
		return "vendor"
	case ProviderAdmin, Dispatcher, Technician:
		return "provider"
	case Customer:
		return "customer"
	}
	return ""
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// IsAdmin reports whether r administers its organization.
func (r Role) IsAdmin() bool { return r == VendorAdmin || r == ProviderAdmin }

// Actor is who acts: a user of an organization, or the operator of the
// installation at the command line.
type Actor struct {
	UserID  int64
	OrgID   int64
	OrgKind string
	Role    Role
	Email   string
	// Operator is the command line on the server itself: it may do anything.
	Operator bool
	// ByToken: the request carried an API token rather than a signed-in
	// session. A token cannot change a password (account.Service).
	ByToken bool
}

// Label names the actor in the audit trail.
func (a Actor) Label() string {
	if a.Operator {
		return "operator (cli)"
	}
	return a.Email
}

// Scope is how the resource relates to the actor.
type Scope int

const (
	// Self: the resource is the actor's own account or belongs to it.
	Self Scope = iota + 1
	// Own: the resource belongs to the actor's organization.
	Own
	// Partner: it belongs to an organization the actor's organization works
	// with (under an agreement, or a customer it registered).
	Partner
	// Unrelated: anything else. Nothing is allowed on it.
	Unrelated
)

func (s Scope) String() string {
	return [...]string{"", "self", "own", "partner", "unrelated"}[s]
}

// Action is one operation of the product.
type Action string

const (
	OrgRead      Action = "org.read"
	OrgUpdate    Action = "org.update"
	OrgRegister  Action = "org.register" // register a partner organization (provider or customer)
	UserRead     Action = "user.read"
	UserCreate   Action = "user.create"
	UserUpdate   Action = "user.update"
	TokenCreate  Action = "token.create"
	TokenRead    Action = "token.read"
	TokenRevoke  Action = "token.revoke"
	AuditRead    Action = "audit.read"
	ProfileWrite Action = "profile.write" // own name, language, password
)

// Service requests and work orders.
const (
	// RequestCreate: file a request (customers for their own products,
	// providers and vendors for products under their agreements).
	RequestCreate Action = "request.create"
	RequestRead   Action = "request.read"
	// RequestHandle: respond, pause and resume clocks, reclassify, escalate.
	RequestHandle Action = "request.handle"
	// RequestAssign: create work orders, assign technicians, book appointments.
	RequestAssign Action = "request.assign"
	// FieldWork: check in and out, record work and sign-off on an assigned work order.
	FieldWork Action = "request.fieldwork"
	// ScopeExceptionGrant: let one unit be served outside the agreement's scope.
	ScopeExceptionGrant Action = "request.scope_exception"
	// PhotoAdd: attach photos of the fault or of the work to a request
	// (its parties; a technician on a visit assigned to them).
	PhotoAdd Action = "request.photo_add"
	// RequestEscalate: send a complex fault to a senior technician of the
	// provider or to the vendor's second line.
	RequestEscalate Action = "request.escalate"
	// EscalationAnswer: answer an escalation (the senior technician named,
	// the provider's dispatchers, the vendor's second line).
	EscalationAnswer Action = "request.escalation_answer"
)

// Service records (DOMAIN 3.2.3): the vendor may query them at any time;
// the provider who did the work corrects one by sealing a new record that
// refers to it.
const (
	RecordRead    Action = "record.read"
	RecordCorrect Action = "record.correct"
)

// Working calendars.
const (
	CalendarRead Action = "calendar.read"
	// CalendarManage: create custom calendars of one's organization and
	// import holiday schedules into them.
	CalendarManage Action = "calendar.manage"
	// CalendarManageShared: import an official schedule into a calendar every
	// organization shares (the built-in "cn").
	CalendarManageShared Action = "calendar.manage_shared"
)

// Agreements (DOMAIN 1.2, 2.1.1, 2.2.1). The scope of an agreement is Own
// for both of its parties, the vendor and the provider, and Unrelated for
// everyone else; the role decides what each party's people may do.
const (
	// AgreementRead: the terms, versions and status of an agreement. The
	// provider's dispatchers and technicians read them for the clocks.
	AgreementRead Action = "agreement.read"
	// AgreementWrite: create an agreement, add a version of its terms,
	// activate it. The vendor configures agreements.
	AgreementWrite Action = "agreement.write"
	// AgreementStatus: suspend, resume or terminate (either party, §2.2.1).
	AgreementStatus Action = "agreement.status"
	// AdjustmentRead: see the adjustment requests of an agreement.
	AdjustmentRead Action = "agreement.adjustment.read"
	// AdjustmentPropose: propose a change of terms, or withdraw one's own.
	AdjustmentPropose Action = "agreement.adjustment.propose"
	// AdjustmentDecide: accept or reject the other party's proposal.
	AdjustmentDecide Action = "agreement.adjustment.decide"
)

// Notifications and webhooks.
const (
	// NotificationRead: list one's own notifications and mark them read.
	NotificationRead Action = "notification.read"
	// WebhookManage: see, create and disable the webhook subscriptions of
	// one's organization, see their deliveries and re-send them.
	WebhookManage Action = "webhook.manage"
	// SMSRead: list the text messages sent about one's organization's
	// surveys and complaints, with their delivery states.
	SMSRead Action = "sms.read"
)

// Installed base: the vendor's product models, the customers' sites and
// the installed units (DOMAIN 1.2, "The product's serial number identifies
// model, agreement, warranty"). A model and a unit are Own to their vendor;
// a site and a unit are Own to their customer; Partner is an organization
// linked to the owner (for a unit: to both its vendor and its customer, or
// the provider of its agreement).
const (
	// ModelRead: the vendor's product models; its partners read them too.
	ModelRead Action = "installedbase.model.read"
	// ModelManage: create and change product models (the vendor).
	ModelManage Action = "installedbase.model.manage"
	// SiteRead: a customer's sites, with address, division and contact.
	SiteRead Action = "installedbase.site.read"
	// SiteManage: create and change sites: the customer itself, or the
	// vendor and providers that serve it.
	SiteManage Action = "installedbase.site.manage"
	// UnitRead: installed units, their warranty and QR label.
	UnitRead Action = "installedbase.unit.read"
	// UnitManage: register, change and import units, rotate QR tokens (the vendor).
	UnitManage Action = "installedbase.unit.manage"
)

// Parts and stock (DOMAIN 3.1.4). A part is Own to its vendor and Partner
// to the providers working with it; a stock location is Own to the
// organization that keeps it (the vendor's warehouse, a provider's store or
// van); a van's technician is Self to it; a defective part return is Own to
// both its vendor and its provider.
const (
	// PartRead: the catalog, approvals and compatible models.
	PartRead Action = "parts.read"
	// PartManage: add parts, change them, set the models they fit (the vendor).
	PartManage Action = "parts.manage"
	// PartApprove: grant, renew and revoke the approval of a part (the vendor).
	PartApprove Action = "parts.approve"
	// StockRead: locations, on-hand, safety stock and the ledger.
	StockRead Action = "stock.read"
	// StockManage: create and change locations and their safety stock.
	StockManage Action = "stock.manage"
	// StockMove: receive stock and transfer it between locations.
	StockMove Action = "stock.move"
	// StockAdjust: correct on-hand after a stocktake, with a reason.
	StockAdjust Action = "stock.adjust"
	// PartConsume: fit a part on a work order (the assigned technician, or
	// the provider's dispatcher on their behalf).
	PartConsume Action = "parts.consume"
	// ReturnRead: the defective parts owed back to the vendor.
	ReturnRead Action = "parts.return.read"
	// ReturnShip: the provider ships a defective part back.
	ReturnShip Action = "parts.return.ship"
	// ReturnSettle: the vendor records receipt and the credit.
	ReturnSettle Action = "parts.return.settle"
)

// Documentation library (DOMAIN 2.1.2). A document is Own to its vendor;
// Partner to a provider with an agreement with the vendor, and to a
// customer owning a unit of a model the document is linked to.
const (
	// DocumentRead: documents of visibility "partners" (and "public").
	DocumentRead Action = "document.read"
	// DocumentReadPublic: documents of visibility "public" only.
	DocumentReadPublic Action = "document.read_public"
	// DocumentManage: upload documents and versions, change, archive (the vendor).
	DocumentManage Action = "document.manage"
)

// The staff register (DOMAIN 1.3, 2.2.2): service points, technicians and
// their certifications, trainings and assessments are Own to their provider,
// Partner to the vendors it works with (who see, never edit), and Self to a
// technician's own record. Qualification rules are Own to their vendor and
// Partner to its providers.
const (
	// StaffRead: service points, technicians, certifications, trainings,
	// assessments; the qualification matrix.
	StaffRead Action = "staff.read"
	// StaffManage: create and change service points and the staff register
	// (the provider's admin).
	StaffManage Action = "staff.manage"
	// QualificationRuleRead: which certificate and permit each product line
	// and service item needs.
	QualificationRuleRead Action = "staff.rule.read"
	// QualificationRuleManage: set those rules (the vendor).
	QualificationRuleManage Action = "staff.rule.manage"
	// QualificationExceptionGrant: let one visit of a request be booked with
	// a technician the rules refuse, with a reason (the vendor's admin).
	QualificationExceptionGrant Action = "staff.exception.grant"
)

type grant map[Role][]Scope

var (
	everyone = []Role{VendorAdmin, VendorAuditor, ProviderAdmin, Dispatcher, Technician, Customer}
	staff    = []Role{VendorAdmin, VendorAuditor, ProviderAdmin, Dispatcher}
)

func all(roles []Role, scopes ...Scope) grant {
	g := grant{}
	for _, r := range roles {
		g[r] = scopes
	}
	return g
}

// rules is the whole policy. A (role, action, scope) not listed is denied.
var rules = map[Action]grant{
	OrgRead:     merge(all(everyone, Own), all(staff, Own, Partner)),
	OrgUpdate:   {VendorAdmin: {Own}, ProviderAdmin: {Own}},
	OrgRegister: {VendorAdmin: {Own}, ProviderAdmin: {Own}},
	UserRead:    merge(all(everyone, Self), grant{VendorAdmin: {Self, Own, Partner}, VendorAuditor: {Self, Own, Partner}, ProviderAdmin: {Self, Own, Partner}, Dispatcher: {Self, Own}}),
	// Admins create users in their own organization, and in customer
	// organizations they registered (Partner: checked by the caller to be a customer).
	UserCreate:   {VendorAdmin: {Own, Partner}, ProviderAdmin: {Own, Partner}},
	UserUpdate:   {VendorAdmin: {Own, Partner}, ProviderAdmin: {Own, Partner}},
	ProfileWrite: all(everyone, Self),
	TokenCreate:  all(everyone, Self),
	TokenRead:    merge(all(everyone, Self), grant{VendorAdmin: {Self, Own}, ProviderAdmin: {Self, Own}}),
	TokenRevoke:  merge(all(everyone, Self), grant{VendorAdmin: {Self, Own}, ProviderAdmin: {Self, Own}}),
	AuditRead:    {VendorAdmin: {Own}, VendorAuditor: {Own}, ProviderAdmin: {Own}},

	RequestCreate:       {VendorAdmin: {Own}, ProviderAdmin: {Own}, Dispatcher: {Own}, Customer: {Own}},
	RequestRead:         merge(all(everyone, Own), grant{Technician: {Own, Self}}),
	RequestHandle:       {ProviderAdmin: {Own}, Dispatcher: {Own}},
	RequestAssign:       {ProviderAdmin: {Own}, Dispatcher: {Own}},
	FieldWork:           {Technician: {Self}},
	ScopeExceptionGrant: {VendorAdmin: {Own}},
	PhotoAdd:            {VendorAdmin: {Own}, ProviderAdmin: {Own}, Dispatcher: {Own}, Customer: {Own}, Technician: {Self}},
	RequestEscalate:     {ProviderAdmin: {Own}, Dispatcher: {Own}, Technician: {Self}},
	EscalationAnswer:    {VendorAdmin: {Own}, ProviderAdmin: {Own}, Dispatcher: {Own}, Technician: {Self}},
	RecordRead:          {VendorAdmin: {Own}, VendorAuditor: {Own}, ProviderAdmin: {Own}, Dispatcher: {Own}},
	RecordCorrect:       {ProviderAdmin: {Own}, Dispatcher: {Own}},

	CalendarRead:         all(everyone, Own, Partner),
	CalendarManage:       {VendorAdmin: {Own}, ProviderAdmin: {Own}},
	CalendarManageShared: {VendorAdmin: {Own}},

	AgreementRead:     all([]Role{VendorAdmin, VendorAuditor, ProviderAdmin, Dispatcher, Technician}, Own),
	AgreementWrite:    {VendorAdmin: {Own}},
	AgreementStatus:   {VendorAdmin: {Own}, ProviderAdmin: {Own}},
	AdjustmentRead:    {VendorAdmin: {Own}, VendorAuditor: {Own}, ProviderAdmin: {Own}},
	AdjustmentPropose: {VendorAdmin: {Own}, ProviderAdmin: {Own}},
	AdjustmentDecide:  {VendorAdmin: {Own}, ProviderAdmin: {Own}},

	ModelRead:   merge(all([]Role{VendorAdmin, VendorAuditor}, Own), all([]Role{ProviderAdmin, Dispatcher, Technician, Customer}, Partner)),
	ModelManage: {VendorAdmin: {Own}},
	SiteRead:    merge(grant{Customer: {Own}}, all([]Role{VendorAdmin, VendorAuditor, ProviderAdmin, Dispatcher, Technician}, Partner)),
	SiteManage:  {Customer: {Own}, VendorAdmin: {Partner}, ProviderAdmin: {Partner}, Dispatcher: {Partner}},
	UnitRead:    merge(all([]Role{VendorAdmin, VendorAuditor, Customer}, Own), all([]Role{ProviderAdmin, Dispatcher, Technician}, Partner)),
	UnitManage:  {VendorAdmin: {Own}},

	PartRead:           merge(all([]Role{VendorAdmin, VendorAuditor}, Own), all([]Role{ProviderAdmin, Dispatcher, Technician}, Partner)),
	PartManage:         {VendorAdmin: {Own}},
	PartApprove:        {VendorAdmin: {Own}},
	StockRead:          merge(all([]Role{VendorAdmin, VendorAuditor, ProviderAdmin, Dispatcher}, Own), grant{Technician: {Self}}),
	StockManage:        {VendorAdmin: {Own}, ProviderAdmin: {Own}},
	StockMove:          {VendorAdmin: {Own}, ProviderAdmin: {Own}, Dispatcher: {Own}},
	StockAdjust:        {VendorAdmin: {Own}, ProviderAdmin: {Own}},
	PartConsume:        {Technician: {Self}, Dispatcher: {Own}, ProviderAdmin: {Own}},
	ReturnRead:         {VendorAdmin: {Own}, VendorAuditor: {Own}, ProviderAdmin: {Own}, Dispatcher: {Own}},
	ReturnShip:         {ProviderAdmin: {Own}, Dispatcher: {Own}},
	ReturnSettle:       {VendorAdmin: {Own}},
	DocumentRead:       merge(all([]Role{VendorAdmin, VendorAuditor}, Own), all([]Role{ProviderAdmin, Dispatcher, Technician}, Partner)),
	DocumentReadPublic: merge(all([]Role{VendorAdmin, VendorAuditor}, Own), all([]Role{ProviderAdmin, Dispatcher, Technician, Customer}, Partner)),
	DocumentManage:     {VendorAdmin: {Own}},

	StaffRead:                   merge(all([]Role{ProviderAdmin, Dispatcher}, Own), all([]Role{VendorAdmin, VendorAuditor}, Partner), grant{Technician: {Self}}),
	StaffManage:                 {ProviderAdmin: {Own}},
	QualificationRuleRead:       merge(all([]Role{VendorAdmin, VendorAuditor}, Own), all([]Role{ProviderAdmin, Dispatcher, Technician}, Partner)),
	QualificationRuleManage:     {VendorAdmin: {Own}},
	QualificationExceptionGrant: {VendorAdmin: {Own}},

	NotificationRead: all(everyone, Self),
	WebhookManage:    {VendorAdmin: {Own}, ProviderAdmin: {Own}},
	SMSRead:          {VendorAdmin: {Own}, VendorAuditor: {Own}, ProviderAdmin: {Own}, Dispatcher: {Own}},
}

func merge(gs ...grant) grant {
	out := grant{}
	for _, g := range gs {
		for r, ss := range g {
			for _, s := range ss {
				if !slices.Contains(out[r], s) {
					out[r] = append(out[r], s)
				}
			}
		}
	}
	return out
}

// ServiceScope is the scope of a service case (a request, or a visit of
// any origin) of vendor, provider and customer: Own to the operator and to
// the parties' people, except technicians, who work only what is assigned
// to them (Self, when assigned and of the provider).
func ServiceScope(a Actor, assigned bool, vendorID, providerID, customerOrgID int64) Scope {
	switch {
	case a.Operator:
		return Own
	case a.Role == Technician:
		if assigned && a.OrgID == providerID {
			return Self
		}
		return Unrelated
	}
	return PartyScope(a, vendorID, providerID, customerOrgID)
}

// PartyScope is the scope of something that belongs to the parties named
// (an agreement's vendor and provider, say): Own to their people and to the
// operator, Unrelated to everyone else.
func PartyScope(a Actor, parties ...int64) Scope {
	if a.Operator || slices.Contains(parties, a.OrgID) {
		return Own
	}
	return Unrelated
}

// Allowed reports whether a may do action on a resource in scope.
func Allowed(a Actor, action Action, scope Scope) bool {
	if a.Operator {
		return true
	}
	if scope == Unrelated || !a.Role.Valid() {
		return false
	}
	return slices.Contains(rules[action][a.Role], scope)
}

// Allow is Allowed as an error: a forbidden problem, or nil.
func Allow(a Actor, action Action, scope Scope) error {
	if Allowed(a, action, scope) {
		return nil
	}
	// The API's English detail names the codes ("role dispatcher may not
	// stock.adjust (own)"); a page says the sentence in words, the role as
	// its subject and the scope as what the action would be for
	// (role_subject.*, may.*, scope_for.*: "A dispatcher may not book a
	// stocktake adjustment for their own organization").
	return problem.New(problem.Forbidden, "role %s may not %s (%s)", problem.Enum("role_subject.", a.Role), problem.Enum("may.", action), problem.Enum("scope_for.", scope))
}

// Check is the one authorization step on a resource the actor asked for by
// its id: if a may not read it (read in scope), it does not exist for them
// and Check returns hidden, a not-found problem naming what was asked for, so
// that its existence does not leak to another organization; else, if a may
// not do action in scope, a forbidden problem; else nil. Pass the read
// action as action to ask only whether a may see it.
func Check(a Actor, read, action Action, scope Scope, hidden error) error {
	if !Allowed(a, read, scope) {
		return hidden
	}
	return Allow(a, action, scope)
}

// Load is the preamble of every operation on a resource asked for by its
// id: load reads it (its own error, not found included, passes through),
// scope tells how it relates to a, and Check decides: hidden when a may not
// read it, forbidden when a may read it but not do action. A refused
// resource is not returned, so that nothing of it reaches the caller.
func Load[T any](a Actor, read, action Action, hidden error, load func() (T, error), scope func(T) (Scope, error)) (T, error) {
	var zero T
	v, err := load()
	if err != nil {
		return zero, err
	}
	sc, err := scope(v)
	if err != nil {
		return zero, err
	}
	if err := Check(a, read, action, sc, hidden); err != nil {
		return zero, err
	}
	return v, nil
}

// Shared is a resource that belongs to the organizations it names, such as
// an agreement's vendor and provider.
type Shared interface{ Parties() []int64 }

// ByParties is Load's scope of a shared resource: Own to its parties
// (PartyScope).
func ByParties[T Shared](a Actor) func(T) (Scope, error) {
	return func(v T) (Scope, error) { return PartyScope(a, v.Parties()...), nil }
}

// Actions lists every action known to the policy, for tests and docs.
func Actions() []Action {
	out := make([]Action, 0, len(rules))
	for a := range rules {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Granted lists the scopes in which role may do action.
func Granted(role Role, action Action) []Scope { return rules[action][role] }

type actorKey struct{}

// WithActor returns ctx carrying the authenticated actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
