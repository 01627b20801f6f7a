package record

import (
	"encoding/json"
	"fmt"
	"time"

	"aftersales/internal/sla"
)

// Kind names what a record is the record of.
type Kind string

const (
	KindVisit        Kind = "visit"        // a technician's visit that closed (DOMAIN 3.1.1, 3.1.4)
	KindConsultation Kind = "consultation" // a technical question answered (DOMAIN 3.1.3)
	KindCorrection   Kind = "correction"   // a later correction of a sealed record
	// KindMaintenanceVisit is a visit a maintenance plan created (DOMAIN
	// 3.1.2): it carries a Visit, like a repair visit.
	KindMaintenanceVisit Kind = "maintenance_visit"
	// KindInspection is the vendor's inspection of the service (DOMAIN
	// 2.1.1); no record of it is sealed yet, and Seal refuses one until its
	// content type exists.
	KindInspection Kind = "inspection"
)

// Version is the content schema new records are sealed with. Version 1 is
// the untyped content of the first records: a flat object with no version
// key. Version 2 is Content: a kind, a version and one body per kind.
const Version = 2

// Content is what a record holds, as sealed: exactly one body, the one its
// kind names. A version 1 record is read into the same shape with Version 1
// and what it did not carry left empty (no clock outcomes, no part prices).
type Content struct {
	Kind         Kind          `json:"kind" enum:"visit,consultation,correction,maintenance_visit,inspection"`
	Version      int           `json:"version" minimum:"1" doc:"The content schema the record was sealed with: 1 for the first records, which carry no clock outcomes, part prices or on-site duration."`
	Visit        *Visit        `json:"visit,omitempty" doc:"A visit's or maintenance visit's record."`
	Consultation *Consultation `json:"consultation,omitempty"`
	Correction   *Correction   `json:"correction,omitempty"`
}

// Product is the unit served.
type Product struct {
	SerialNumber string `json:"serial_number"`
	Model        string `json:"model"`
}

// Place is where a visit happened: the site's division code, its name and
// address as they were at sealing, and the technician's check-in
// coordinates, when given. Records sealed before the site was named carry
// the division only.
type Place struct {
	Division string   `json:"division"`
	Site     string   `json:"site,omitempty" doc:"The site's name at sealing."`
	Address  string   `json:"address,omitempty" doc:"The site's address at sealing."`
	Lat      *float64 `json:"lat,omitempty"`
	Lng      *float64 `json:"lng,omitempty"`
}

// Person is a user the record names, by id and by name (or e-mail) as it
// was at sealing. Version 1 records name the technician by id only.
type Person struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// ClockOutcome is where one of the agreement's clocks stood when the record
// was sealed (DOMAIN 3.3): met or breached, and by how long. A clock that
// had not stopped yet is running or paused, with how long is left.
type ClockOutcome struct {
	Clock     sla.ClockKind  `json:"clock" doc:"response, onsite, resolution or escalation."`
	State     sla.ClockState `json:"state" doc:"met, breached, running or paused, at sealing."`
	DueAt     time.Time      `json:"due_at"`
	StoppedAt *time.Time     `json:"stopped_at,omitempty" doc:"When the clock stopped, on time or late."`
	// MarginSeconds is how long before the due time the clock stopped (or,
	// still running, how long was left); negative when late by that much.
	MarginSeconds int64 `json:"margin_seconds" doc:"Seconds before the due time the clock stopped, or are left; negative: late by that many."`
}

// Breached tells whether the clock missed its due time.
func (c ClockOutcome) Breached() bool { return c.State == sla.StateBreached }

// LateBySeconds is how late a breached clock was, 0 when it was not.
func (c ClockOutcome) LateBySeconds() int64 { return max(0, -c.MarginSeconds) }

// ClockOutcomes reads the request's clocks as computed at the sealing
// instant at.
func ClockOutcomes(clocks []sla.Clock, at time.Time) []ClockOutcome {
	out := make([]ClockOutcome, 0, len(clocks))
	for _, c := range clocks {
		o := ClockOutcome{Clock: c.Kind, State: c.State, DueAt: c.DueAt.UTC()}
		end := at
		if c.MetAt != nil {
			t := c.MetAt.UTC()
			o.StoppedAt, end = &t, t
		}
		o.MarginSeconds = int64(c.DueAt.Sub(end) / time.Second)
		if c.State == sla.StateBreached && o.MarginSeconds >= 0 {
			// Breached at the second it fell due.
			o.MarginSeconds = -1
		}
		out = append(out, o)
	}
	return out
}

// SignOff is the customer's confirmation of the visit: a drawn signature
// (kept as its SHA-256), or a code sent to the customer and read out to
// the technician, who entered it.
type SignOff struct {
	Kind            string `json:"kind" doc:"signature or code."`
	Name            string `json:"name" doc:"Who signed, as they gave their name."`
	SignatureSHA256 string `json:"signature_sha256,omitempty"`
	// CodeSentTo names who received the confirmation code (version 1 says
	// "code sent to …" in ConfirmedBy instead).
	CodeSentTo string `json:"code_sent_to,omitempty"`
	// ConfirmedBy is the user who entered the customer's code.
	ConfirmedBy *Person `json:"confirmed_by,omitempty"`
	// ConfirmedByText is version 1's account of a code sign-off.
	ConfirmedByText string `json:"confirmed_by_text,omitempty"`
}

// PhotoDigest is a photo of the visit, kept in the record as its SHA-256.
type PhotoDigest struct {
	Stage  string `json:"stage"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// FittedPart is a part fitted on the visit, with its catalog unit price at
// sealing. A version 1 record has no price (nil).
type FittedPart struct {
	PartNumber      string `json:"part_number"`
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	Quantity        int64  `json:"quantity"`
	SerialRemoved   string `json:"serial_removed,omitempty"`
	SerialInstalled string `json:"serial_installed,omitempty"`
	UnitPriceFen    *int64 `json:"unit_price_fen,omitempty" doc:"The part's unit cost in the parts catalog at sealing, in fen (1/100 yuan)."`
}

// Visit is the record of a closed visit (DOMAIN 3.2.3: time, place,
// customer, content, result), with what the agreement measures of it.
type Visit struct {
	Request     string    `json:"request"`
	Agreement   string    `json:"agreement"`
	ServiceItem string    `json:"service_item"`
	Priority    string    `json:"priority"`
	ReceivedAt  time.Time `json:"received_at"`
	CustomerOrg int64     `json:"customer_org"`
	// Customer is the customer's name at sealing; records sealed before
	// it was written name the customer by id only.
	Customer   string    `json:"customer,omitempty" doc:"The customer's name at sealing."`
	Product    Product   `json:"product"`
	Place      Place     `json:"place"`
	WorkOrder  int64     `json:"work_order"`
	Technician Person    `json:"technician"`
	CheckedIn  time.Time `json:"checked_in"`
	CheckedOut time.Time `json:"checked_out"`
	// OnSiteSeconds is the time between check-in and check-out.
	OnSiteSeconds int64          `json:"on_site_seconds"`
	Description   string         `json:"description"`
	Diagnosis     string         `json:"diagnosis"`
	FaultCodes    string         `json:"fault_codes"`
	Actions       string         `json:"actions"`
	Result        string         `json:"result" doc:"fixed, not_fixed or needs_parts."`
	SignOff       SignOff        `json:"sign_off"`
	Photos        []PhotoDigest  `json:"photos"`
	Parts         []FittedPart   `json:"parts"`
	Clocks        []ClockOutcome `json:"clocks" doc:"Empty in version 1 records."`
	// Exception is the vendor's one-off exception to its qualification
	// rules that let this visit's technician through; absent when the rules
	// allowed them (and in every record sealed before exceptions were
	// recorded, which keep verifying: the field is optional).
	Exception *VisitException `json:"qualification_exception,omitempty"`
	// TravelMetres is the road distance from the service point to the
	// site as the technician entered it at check-out; absent, travel is
	// priced on the straight line times the road factor.
	TravelMetres *int64 `json:"travel_metres,omitempty" doc:"The road distance to the site the technician entered at check-out, in metres; absent: straight line times the schedule's road factor."`
}

// VisitException is a vendor's recorded one-off exception to its
// qualification rules for one visit: who granted it, when, why, and what
// the rules said when it was granted.
type VisitException struct {
	Reason    string    `json:"reason"`
	Refused   string    `json:"refused,omitempty" doc:"The rules' reason when it was granted: not_certified, certification_expired, review_overdue, level_too_low or permit_missing."`
	GrantedBy Person    `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}

// PartsCostFen is the parts' cost at their prices at sealing; known is
// false when a part has no price (a version 1 record).
func (v Visit) PartsCostFen() (total int64, known bool) {
	for _, p := range v.Parts {
		if p.UnitPriceFen == nil {
			return 0, false
		}
		total += *p.UnitPriceFen * p.Quantity
	}
	return total, true
}

// Consultation is the record of a question answered without a visit.
type Consultation struct {
	Request     string         `json:"request"`
	Agreement   string         `json:"agreement"`
	ServiceItem string         `json:"service_item"`
	ReceivedAt  time.Time      `json:"received_at"`
	CustomerOrg int64          `json:"customer_org"`
	Customer    string         `json:"customer,omitempty" doc:"The customer's name at sealing."`
	Product     Product        `json:"product"`
	Question    string         `json:"question"`
	Answer      string         `json:"answer"`
	AnsweredBy  Person         `json:"answered_by"`
	AnsweredAt  time.Time      `json:"answered_at"`
	Clocks      []ClockOutcome `json:"clocks" doc:"Empty in version 1 records."`
}

// Corrected names the record a correction corrects.
type Corrected struct {
	ID   int64  `json:"id"`
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Correction is the record of a correction: why, and only what changed,
// by the names the visit's content uses (diagnosis, fault_codes, actions,
// result).
type Correction struct {
	Corrects    Corrected         `json:"corrects"`
	Request     string            `json:"request"`
	Agreement   string            `json:"agreement"`
	Product     Product           `json:"product"`
	Reason      string            `json:"reason"`
	Changes     map[string]string `json:"changes"`
	CorrectedBy Person            `json:"corrected_by"`
	CorrectedAt time.Time         `json:"corrected_at"`
}

// check tells whether the content is one a record may be sealed with.
func (c Content) check() error {
	var bodies int
	for _, b := range []bool{c.Visit != nil, c.Consultation != nil, c.Correction != nil} {
		if b {
			bodies++
		}
	}
	ok := false
	switch c.Kind {
	case KindVisit, KindMaintenanceVisit:
		ok = c.Visit != nil
	case KindConsultation:
		ok = c.Consultation != nil
	case KindCorrection:
		ok = c.Correction != nil
	}
	if !ok || bodies != 1 {
		return fmt.Errorf("seal: a %q record needs its body and no other", c.Kind)
	}
	return nil
}

// DecodeContent reads a record's content as the version it was sealed
// with: version 2 as is, version 1 (no version key) by its old keys.
func DecodeContent(raw []byte) (Content, error) {
	var head struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return Content{}, fmt.Errorf("record content: %w", err)
	}
	if head.Version == 0 {
		return decodeV1(raw)
	}
	if head.Version > Version {
		return Content{}, fmt.Errorf("record content: version %d is newer than this program reads (%d)", head.Version, Version)
	}
	var c Content
	if err := json.Unmarshal(raw, &c); err != nil {
		return Content{}, fmt.Errorf("record content: %w", err)
	}
	return c, nil
}

// v1Visit is the first records' flat content of a visit.
type v1Visit struct {
	Kind        string    `json:"kind"`
	Request     string    `json:"request"`
	Agreement   string    `json:"agreement"`
	ServiceItem string    `json:"service_item"`
	Priority    string    `json:"priority"`
	ReceivedAt  time.Time `json:"received_at"`
	CustomerOrg int64     `json:"customer_org"`
	Product     Product   `json:"product"`
	Place       Place     `json:"place"`
	WorkOrder   int64     `json:"work_order"`
	Technician  int64     `json:"technician"`
	CheckedIn   time.Time `json:"checked_in"`
	CheckedOut  time.Time `json:"checked_out"`
	Description string    `json:"description"`
	Diagnosis   string    `json:"diagnosis"`
	FaultCodes  string    `json:"fault_codes"`
	Actions     string    `json:"actions"`
	Result      string    `json:"result"`
	SignOff     struct {
		Kind            string `json:"kind"`
		Name            string `json:"name"`
		SignatureSHA256 string `json:"signature_sha256"`
		ConfirmedBy     string `json:"confirmed_by"`
	} `json:"sign_off"`
	Photos []PhotoDigest `json:"photos"`
	Parts  []FittedPart  `json:"parts"`
	// A consultation's
	Question   string    `json:"question"`
	Answer     string    `json:"answer"`
	AnsweredBy string    `json:"answered_by"`
	AnsweredAt time.Time `json:"answered_at"`
	// A correction's
	Corrects    Corrected         `json:"corrects"`
	Reason      string            `json:"reason"`
	Changes     map[string]string `json:"changes"`
	CorrectedBy string            `json:"corrected_by"`
	CorrectedAt time.Time         `json:"corrected_at"`
}

// decodeV1 maps a version 1 record's keys onto Content. Version 1 told
// its kinds apart by a correction's "kind" and a consultation's answer.
func decodeV1(raw []byte) (Content, error) {
	var o v1Visit
	if err := json.Unmarshal(raw, &o); err != nil {
		return Content{}, fmt.Errorf("record content (version 1): %w", err)
	}
	c := Content{Version: 1}
	switch {
	case o.Kind == string(KindCorrection):
		c.Kind = KindCorrection
		c.Correction = &Correction{Corrects: o.Corrects, Request: o.Request, Agreement: o.Agreement, Product: o.Product,
			Reason: o.Reason, Changes: o.Changes, CorrectedBy: Person{Name: o.CorrectedBy}, CorrectedAt: o.CorrectedAt}
	case o.Answer != "":
		c.Kind = KindConsultation
		c.Consultation = &Consultation{Request: o.Request, Agreement: o.Agreement, ServiceItem: o.ServiceItem, ReceivedAt: o.ReceivedAt,
			CustomerOrg: o.CustomerOrg, Product: o.Product, Question: o.Question, Answer: o.Answer,
			AnsweredBy: Person{Name: o.AnsweredBy}, AnsweredAt: o.AnsweredAt}
	default:
		c.Kind = KindVisit
		v := &Visit{Request: o.Request, Agreement: o.Agreement, ServiceItem: o.ServiceItem, Priority: o.Priority,
			ReceivedAt: o.ReceivedAt, CustomerOrg: o.CustomerOrg, Product: o.Product, Place: o.Place, WorkOrder: o.WorkOrder,
			Technician: Person{ID: o.Technician}, CheckedIn: o.CheckedIn, CheckedOut: o.CheckedOut,
			Description: o.Description, Diagnosis: o.Diagnosis, FaultCodes: o.FaultCodes, Actions: o.Actions, Result: o.Result,
			SignOff: SignOff{Kind: o.SignOff.Kind, Name: o.SignOff.Name, SignatureSHA256: o.SignOff.SignatureSHA256,
				ConfirmedByText: o.SignOff.ConfirmedBy},
			Photos: o.Photos, Parts: o.Parts}
		if !v.CheckedIn.IsZero() && !v.CheckedOut.IsZero() {
			// Derived from the two sealed times, not recomputed elsewhere.
			v.OnSiteSeconds = int64(v.CheckedOut.Sub(v.CheckedIn) / time.Second)
		}
		c.Visit = v
	}
	return c, nil
}
