package staff

import "aftersales/internal/problem"

// Reasons a booking is refused by the qualification rules.
const (
	NotCertified         = "not_certified"
	CertificationExpired = "certification_expired"
	ReviewOverdue        = "review_overdue"
	LevelTooLow          = "level_too_low"
	PermitMissing        = "permit_missing"
)

// Refusal is why a technician may not do a visit.
type Refusal struct {
	Reason string `json:"reason" enum:"not_certified,certification_expired,review_overdue,level_too_low,permit_missing"`
	Detail string `json:"detail"`

	err *problem.Error
}

// refusal is a refusal for reason, told by p: a validation problem naming
// technician_id (built at the call so that its message is translated like
// every problem's, and shown under the technician on a form).
func refusal(reason string, p *problem.Error) *Refusal {
	p.Reason = reason
	return &Refusal{Reason: reason, Detail: p.Fields[0].Message, err: p}
}

// Visit is what the rules look at: the unit's vendor and product line, the
// service item, and the local dates the visit's window spans (YYYY-MM-DD).
type Visit struct {
	VendorID    int64
	ProductLine string
	ServiceItem string
	From, To    string
}

// Qualify decides whether a technician holding certs may do visit under
// the vendor's rules; nil when they may. A vendor without a rule for the
// product line (or the service item) requires nothing for it. The rules
// are checked in order: the product-line certificate (held, valid on
// every day of the visit, at the level), then each permit the service item
// needs (held, valid, its review not overdue).
//
// It is a plain function: no storage, no clock; dates compare as text.
func Qualify(rules []Rule, certs []Certification, v Visit) *Refusal {
	for _, r := range rules {
		if r.VendorID != v.VendorID || r.Kind != CertificateRule || r.ProductLine != v.ProductLine {
			continue
		}
		if ref := certificateRefusal(r, certs, v); ref != nil {
			return ref
		}
	}
	for _, r := range rules {
		if r.VendorID != v.VendorID || r.Kind != PermitRule || r.ServiceItem != v.ServiceItem || (r.ProductLine != "" && r.ProductLine != v.ProductLine) {
			continue
		}
		if ref := permitRefusal(r, certs, v); ref != nil {
			return ref
		}
	}
	return nil
}

func validOn(c Certification, v Visit) bool { return c.IssuedOn <= v.From && v.To <= c.ExpiresOn }

func certificateRefusal(r Rule, certs []Certification, v Visit) *Refusal {
	var held, expired *Certification
	best := 0
	for i, c := range certs {
		if c.Kind != VendorCert || c.VendorID == nil || *c.VendorID != v.VendorID || c.ProductLine != v.ProductLine {
			continue
		}
		held = &certs[i]
		switch {
		case validOn(c, v):
			best = max(best, c.Level)
		case c.ExpiresOn < v.To:
			expired = &certs[i]
		}
	}
	switch {
	case held == nil:
		return refusal(NotCertified, problem.Field("technician_id", "holds no vendor certificate for product line %s", v.ProductLine))
	case best == 0 && expired != nil:
		return refusal(CertificationExpired, problem.Field("technician_id", "certificate %s for product line %s expired on %s", expired.Number, v.ProductLine, expired.ExpiresOn))
	case best == 0:
		return refusal(NotCertified, problem.Field("technician_id", "certificate %s for product line %s is valid only from %s", held.Number, v.ProductLine, held.IssuedOn))
	case best < r.MinLevel:
		return refusal(LevelTooLow, problem.Field("technician_id", "certificate level %d for product line %s; the vendor requires level %d", best, v.ProductLine, r.MinLevel))
	}
	return nil
}

func permitRefusal(r Rule, certs []Certification, v Visit) *Refusal {
	var expired, overdue *Certification
	for i, c := range certs {
		if c.Kind != Permit || c.PermitType != r.PermitType {
			continue
		}
		switch {
		case !validOn(c, v):
			if c.ExpiresOn < v.To {
				expired = &certs[i]
			}
		case c.ReviewDueOn < v.To:
			overdue = &certs[i]
		default:
			return nil
		}
	}
	switch {
	case overdue != nil:
		return refusal(ReviewOverdue, problem.Field("technician_id", "%s permit %s was due for review on %s", problem.Enum("staff.permit_", r.PermitType), overdue.Number, overdue.ReviewDueOn))
	case expired != nil:
		return refusal(CertificationExpired, problem.Field("technician_id", "%s permit %s expired on %s", problem.Enum("staff.permit_", r.PermitType), expired.Number, expired.ExpiresOn))
	}
	return refusal(PermitMissing, problem.Field("technician_id", "%s needs a %s permit", problem.Enum("item.", v.ServiceItem), problem.Enum("staff.permit_", r.PermitType)))
}

// Problem is the refusal as booking answers it, for a caller that shows it
// in the reader's language.
func (r *Refusal) Problem() *problem.Error { return r.err }
