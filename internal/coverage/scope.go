package coverage

import (
	"slices"
	"strings"

	"aftersales/internal/geo"
	"aftersales/internal/problem"
)

// Reason is why a request is outside the agreement's scope (DOMAIN 1.2).
type Reason string

const (
	ModelNotCovered       Reason = "model_not_covered"
	OutsideServiceArea    Reason = "outside_service_area"
	AgreementInactive     Reason = "agreement_inactive"
	AgreementSuspended    Reason = "agreement_suspended"
	ServiceItemNotCovered Reason = "service_item_not_covered"
)

// Coverage is what an agreement version in force says about scope.
type Coverage struct {
	AgreementNumber string
	// Status of the agreement: only "active" accepts requests.
	Status string
	Models []string
	// Areas are administrative division codes; each covers every code it
	// prefixes (province "32" covers "320505").
	Areas []string
	// Points are service points with a radius: a site within one is inside
	// the area whatever its division.
	Points       []Point
	ServiceItems []string
}

// Point is a service point and the radius it serves.
type Point struct {
	Lat, Lng float64
	RadiusKM float64
}

// Unit is an installed product as coverage and intake see it: where it
// stands, whose it is and which agreement covers it.
type Unit struct {
	ID     int64
	Serial string
	Model  string
	// Division is the site's 6-digit division code.
	Division string
	Address  string
	// Lat and Lng are the site's coordinates, when known.
	Lat, Lng      *float64
	CustomerOrgID int64
	VendorID      int64
	AgreementID   int64
}

// ScopeError is a refusal with its reason and a sentence for people that
// says what to do next.
type ScopeError struct {
	Reason  Reason
	Message string

	problem *problem.Error // the message's format, for translation
}

func (e *ScopeError) Error() string { return string(e.Reason) + ": " + e.Message }

// Problem is the refusal as an out-of-scope problem with its reason, whose
// detail pages render in the reader's language.
func (e *ScopeError) Problem() *problem.Error {
	if e.problem == nil {
		return &problem.Error{Kind: problem.OutOfScope, Reason: string(e.Reason), Detail: e.Message}
	}
	p := *e.problem
	p.Reason = string(e.Reason)
	return &p
}

func refusal(reason Reason, p *problem.Error) *ScopeError {
	return &ScopeError{Reason: reason, Message: p.Detail, problem: p}
}

// CheckScope decides whether a request for item on unit falls inside the
// agreement. The order of the checks is the order a person would explain it:
// first whether the agreement runs at all, then what it covers.
func CheckScope(c Coverage, u Unit, item string) *ScopeError {
	switch {
	case c.Status == "active":
	case c.Status == "suspended":
		return refusal(AgreementSuspended, problem.New(problem.OutOfScope,
			"service under agreement %s is suspended; the vendor can grant an exception for this product", c.AgreementNumber))
	case c.AgreementNumber == "" || c.AgreementNumber == "-":
		return refusal(AgreementInactive, problem.New(problem.OutOfScope,
			"the product is under no service agreement: the vendor assigns it to an agreement on the product's page"))
	case c.Status == "draft":
		return refusal(AgreementInactive, problem.New(problem.OutOfScope,
			"agreement %s is still a draft: the vendor activates it first", c.AgreementNumber))
	case c.Status == "expired" || c.Status == "terminated":
		return refusal(AgreementInactive, problem.New(problem.OutOfScope,
			"agreement %s has ended: the vendor renews it or assigns the product to an agreement in force", c.AgreementNumber))
	default:
		return refusal(AgreementInactive, problem.New(problem.OutOfScope,
			"agreement %s is not in force: the vendor assigns the product to an agreement in force", c.AgreementNumber))
	}
	if !slices.Contains(c.Models, u.Model) {
		return refusal(ModelNotCovered, problem.New(problem.OutOfScope,
			"model %s is not covered by agreement %s; the vendor can grant an exception for this product", u.Model, c.AgreementNumber))
	}
	if !InArea(c.Areas, u.Division) && !nearPoint(c.Points, u) {
		return refusal(OutsideServiceArea, problem.New(problem.OutOfScope,
			"the product's site (division %s) is outside the service area of agreement %s; the vendor can grant an exception for this product", u.Division, c.AgreementNumber))
	}
	if !slices.Contains(c.ServiceItems, item) {
		return refusal(ServiceItemNotCovered, problem.New(problem.OutOfScope,
			"agreement %s does not cover the service item %s; file the request as another service item, or ask the vendor for an exception", c.AgreementNumber, item))
	}
	return nil
}

// InArea reports whether division lies under one of the area codes.
func InArea(areas []string, division string) bool {
	if division == "" {
		return false
	}
	for _, a := range areas {
		if a != "" && strings.HasPrefix(division, a) {
			return true
		}
	}
	return false
}

// nearPoint reports whether the unit's site lies within a service point's radius.
func nearPoint(points []Point, u Unit) bool {
	if u.Lat == nil || u.Lng == nil {
		return false
	}
	for _, p := range points {
		if geo.Distance(geo.Point{Lat: p.Lat, Lng: p.Lng}, geo.Point{Lat: *u.Lat, Lng: *u.Lng}) <= p.RadiusKM {
			return true
		}
	}
	return false
}
