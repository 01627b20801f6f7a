// Package servicerequest is the heart of the service flow (DOMAIN "How a
// service flows"): a fault reported through the portal, a product's QR code,
// a dispatcher or the API becomes a request inside the agreement's scope,
// with clocks computed from its event log, then work orders on site, and a
// sealed service record. It decides; storage and HTTP are at its edges.
package servicerequest

import (
	"slices"
	"time"

	"aftersales/internal/sla"
)

// Channel is how a request arrived.
type Channel string

const (
	Portal     Channel = "portal"
	QRCode     Channel = "qr"
	Dispatcher Channel = "dispatcher"
	API        Channel = "api"
)

// Channels are every channel a request can arrive by.
var Channels = []Channel{Portal, QRCode, Dispatcher, API}

// ServiceItems are the items an agreement can cover (DOMAIN 3.1).
var ServiceItems = []string{"repair", "maintenance", "consultation", "part_replacement"}

// Status is where a request stands.
type Status string

const (
	Received  Status = "received"  // filed, waiting for the provider's response
	Responded Status = "responded" // the provider acknowledged and is planning
	Scheduled Status = "scheduled" // a visit is booked
	OnSite    Status = "on_site"   // a technician checked in
	Resolved  Status = "resolved"  // the work is done and the record sealed
	Cancelled Status = "cancelled"
)

// Open reports whether the request still needs work.
func (s Status) Open() bool { return s != Resolved && s != Cancelled }

// statuses are every status a request can be in.
var statuses = []Status{Received, Responded, Scheduled, OnSite, Resolved, Cancelled}

// Request is a service request (报修单).
type Request struct {
	ID             int64      `db:"id" json:"id"`
	Number         string     `db:"number" json:"number"`
	VendorID       int64      `db:"vendor_id" json:"vendor_id"`
	ProviderID     int64      `db:"provider_id" json:"provider_id"`
	CustomerOrgID  int64      `db:"customer_org_id" json:"customer_org_id"`
	AgreementID    int64      `db:"agreement_id" json:"agreement_id"`
	UnitID         int64      `db:"unit_id" json:"unit_id"`
	SerialNumber   string     `db:"serial_number" json:"serial_number"`
	Model          string     `db:"model" json:"model"`
	SiteDivision   string     `db:"site_division" json:"site_division"`
	SiteAddress    string     `db:"site_address" json:"site_address"`
	SiteLat        *float64   `db:"site_lat" json:"site_lat,omitempty"`
	SiteLng        *float64   `db:"site_lng" json:"site_lng,omitempty"`
	Channel        Channel    `db:"channel" json:"channel"`
	ServiceItem    string     `db:"service_item" json:"service_item"`
	Priority       string     `db:"priority" json:"priority"`
	Status         Status     `db:"status" json:"status"`
	Description    string     `db:"description" json:"description"`
	ContactName    string     `db:"contact_name" json:"contact_name"`
	ContactPhone   string     `db:"contact_phone" json:"contact_phone"`
	ScopeException bool       `db:"scope_exception" json:"scope_exception"`
	CreatedByID    *int64     `db:"created_by_id" json:"-"`
	ReceivedAt     time.Time  `db:"received_at" json:"received_at"`
	NextDueAt      *time.Time `db:"next_due_at" json:"next_due_at,omitempty"`
	Breached       bool       `db:"breached" json:"breached"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
	Version        int64      `db:"version" json:"version"`

	// NextCheckAt is when the clock job must next look at the request
	// (NextCheck); it is written, never read into a Request. Like
	// NextDueAt it is nil once the request is closed (SetProjection).
	NextCheckAt *time.Time `db:"-" json:"-"`
}

// Event is one entry of a request's history. Clocks are computed from the
// events; nothing else about time is stored.
type RequestEvent struct {
	ID        int64     `db:"id" json:"-"`
	RequestID int64     `db:"request_id" json:"-"`
	Seq       int64     `db:"seq" json:"seq"`
	Kind      string    `db:"kind" json:"kind"`
	At        time.Time `db:"at" json:"at"`
	ActorID   *int64    `db:"actor_id" json:"-"`
	Actor     string    `db:"actor" json:"actor"`
	Priority  string    `db:"priority" json:"priority,omitempty"`
	Reason    string    `db:"reason" json:"reason,omitempty"`
	Note      string    `db:"note" json:"note,omitempty"`
}

// Kinds of events beyond the SLA's own (received, responded, onsite,
// paused, resumed, resolved, reclassified, reopened), which only tell the story.
const (
	EventAssigned  = "assigned"
	EventScheduled = "scheduled"
	EventEscalated = "escalated"
	EventCancelled = "cancelled"
	EventNote      = "note"
)

// SLAEvents maps a history to the events the clocks are computed from.
func SLAEvents(events []RequestEvent) []sla.Event {
	out := make([]sla.Event, 0, len(events))
	for _, e := range events {
		k := sla.EventKind(e.Kind)
		if !slices.Contains(slaKinds, k) {
			continue
		}
		out = append(out, sla.Event{Seq: e.Seq, Kind: k, At: e.At, Actor: e.Actor, Priority: sla.Priority(e.Priority),
			Reason: sla.PauseReason(e.Reason), Note: e.Note})
	}
	return out
}

var slaKinds = []sla.EventKind{sla.Received, sla.Responded, sla.CheckedIn, sla.Paused, sla.Resumed, sla.Resolved, sla.Reclassified, sla.Reopened}

// transitions lists the statuses each status may move to.
var transitions = map[Status][]Status{
	Received:  {Responded, Scheduled, OnSite, Resolved, Cancelled},
	Responded: {Scheduled, OnSite, Resolved, Cancelled},
	Scheduled: {Scheduled, OnSite, Resolved, Cancelled},
	OnSite:    {Scheduled, Resolved},
}

// CanMove reports whether a request may go from one status to another.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }
