// Package parts owns the vendor's parts catalog (DOMAIN 3.1.4): each part
// is genuine (原厂) or approved (认可) by the vendor, fits the product models
// listed for it, has a unit cost in fen, may be serialized, and may have to
// be returned to the vendor once replaced. Whether a part may be fitted to a
// unit on a given day is decided here, by plain functions over values;
// stock, consumption and returns live in internal/stock.
package parts

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"aftersales/internal/problem"
)

// Kind is where a part comes from.
type Kind string

const (
	// Genuine parts are the vendor's own (原厂): usable without approval.
	Genuine Kind = "genuine"
	// Approved parts are third-party parts the vendor approved (认可):
	// usable only while an approval runs.
	Approved Kind = "approved"
)

// Part is one entry of the vendor's catalog.
type Part struct {
	ID         int64  `db:"id" json:"id"`
	VendorID   int64  `db:"vendor_id" json:"vendor_id"`
	PartNumber string `db:"part_number" json:"part_number"`
	Name       string `db:"name" json:"name"`
	NameEn     string `db:"name_en" json:"name_en"`
	Kind       Kind   `db:"kind" json:"kind" enum:"genuine,approved"`
	// ApprovedBy, ApprovedAt, ApprovedUntil record the approval of an
	// approved part; ApprovedUntil is the last China date it is valid
	// (nil: no end). RevokedAt is set when the vendor withdrew it.
	ApprovedBy      *int64     `db:"approved_by" json:"approved_by,omitempty"`
	ApprovedByLabel string     `db:"approved_by_label" json:"approved_by_label,omitempty"`
	ApprovedAt      *time.Time `db:"approved_at" json:"approved_at,omitempty"`
	ApprovedUntil   *string    `db:"approved_until" json:"approved_until,omitempty"`
	RevokedAt       *time.Time `db:"revoked_at" json:"revoked_at,omitempty"`
	UnitCostFen     int64      `db:"unit_cost_fen" json:"unit_cost_fen" doc:"Unit cost in fen (1/100 yuan)."`
	Serialized      bool       `db:"serialized" json:"serialized" doc:"Each piece has a serial number, recorded when it is fitted."`
	ReturnRequired  bool       `db:"return_required" json:"return_required" doc:"The replaced (defective) part must be returned to the vendor."`
	Active          bool       `db:"active" json:"active"`
	Version         int64      `db:"version" json:"version"`
	CreatedAt       time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt       time.Time  `db:"updated_at" json:"updated_at"`
	// ModelIDs are the product models the part fits (loaded separately).
	ModelIDs []int64 `db:"-" json:"model_ids"`
}

// DisplayName is the part's name in a language ("en" or Chinese).
func (p Part) DisplayName(lang string) string {
	if lang == "en" && p.NameEn != "" {
		return p.NameEn
	}
	return p.Name
}

// Refusal reasons: why a part may not be fitted. They are the `reason` of
// a part-refused problem and stable for API clients.
const (
	ReasonNotApproved     = "part_not_approved"
	ReasonApprovalExpired = "approval_expired"
	ReasonInactive        = "part_inactive"
	ReasonNotCompatible   = "part_not_compatible"
	ReasonOtherVendor     = "part_of_other_vendor"
)

// ApprovalState is how an approved part's approval stands on a date.
type ApprovalState string

const (
	ApprovalNone    ApprovalState = "none"    // never approved
	ApprovalValid   ApprovalState = "valid"   // approved, running on the date
	ApprovalExpired ApprovalState = "expired" // its last day has passed
	ApprovalRevoked ApprovalState = "revoked" // withdrawn by the vendor
	ApprovalGenuine ApprovalState = "genuine" // a genuine part needs none
)

// ApprovalOn tells how the part's approval stands on a China date
// (YYYY-MM-DD). An approval valid "until 2026-12-31" covers that whole day
// in Asia/Shanghai.
func (p Part) ApprovalOn(date string) ApprovalState {
	switch {
	case p.Kind == Genuine:
		return ApprovalGenuine
	case p.RevokedAt != nil:
		return ApprovalRevoked
	case p.ApprovedAt == nil:
		return ApprovalNone
	case p.ApprovedUntil != nil && *p.ApprovedUntil < date:
		return ApprovalExpired
	}
	return ApprovalValid
}

// Fits reports whether the part is listed for a product model.
func (p Part) Fits(modelID int64) bool { return slices.Contains(p.ModelIDs, modelID) }

// CheckUse decides whether the part may be fitted to a unit of modelID of
// vendorID on a China date; it returns nil or a part-refused problem with
// the reason. The order of the checks is the order a technician fixes them.
func (p Part) CheckUse(vendorID, modelID int64, date string) error {
	refuse := func(reason, format string, args ...any) error {
		e := problem.New(problem.PartRefused, format, args...)
		e.Reason = reason
		return e
	}
	switch {
	case p.VendorID != vendorID:
		return refuse(ReasonOtherVendor, "part %s is not in the catalog of the unit's vendor", p.PartNumber)
	case !p.Active:
		return refuse(ReasonInactive, "part %s is withdrawn from the catalog", p.PartNumber)
	}
	switch p.ApprovalOn(date) {
	case ApprovalNone:
		return refuse(ReasonNotApproved, "part %s is neither genuine nor approved by the vendor", p.PartNumber)
	case ApprovalRevoked:
		return refuse(ReasonNotApproved, "the vendor revoked its approval of part %s", p.PartNumber)
	case ApprovalExpired:
		return refuse(ReasonApprovalExpired, "the approval of part %s ended on %s", p.PartNumber, *p.ApprovedUntil)
	}
	if !p.Fits(modelID) {
		return refuse(ReasonNotCompatible, "part %s is not listed as compatible with the unit's model", p.PartNumber)
	}
	return nil
}

var partNumberPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._/-]{0,39}$`)

// NormalizePartNumber trims and upper-cases a part number.
func NormalizePartNumber(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// MaxUnitCostFen bounds a unit cost (10 million yuan), so sums stay far
// from overflow.
const MaxUnitCostFen = 1_000_000_000

// Input is a new part.
type Input struct {
	PartNumber     string
	Name, NameEn   string
	Kind           Kind
	UnitCostFen    int64
	Serialized     bool
	ReturnRequired bool
	ModelIDs       []int64
}

// Validate normalizes and checks the input, naming every bad field.
func (in *Input) Validate() error {
	var fs problem.Fields
	in.PartNumber = NormalizePartNumber(in.PartNumber)
	if !partNumberPattern.MatchString(in.PartNumber) {
		fs.Add("part_number", "must be 1-40 letters, digits or . _ / -, starting with a letter or digit")
	}
	in.Name, in.NameEn = strings.TrimSpace(in.Name), strings.TrimSpace(in.NameEn)
	problem.CheckText(&fs, "name", in.Name, true, 200)
	problem.CheckText(&fs, "name_en", in.NameEn, false, 200)
	if in.Kind != Genuine && in.Kind != Approved {
		fs.Add("kind", "must be genuine or approved")
	}
	if in.UnitCostFen < 0 || in.UnitCostFen > MaxUnitCostFen {
		fs.Add("unit_cost_fen", "must be from 0 to %d fen", MaxUnitCostFen)
	}
	if len(in.ModelIDs) > 500 {
		fs.Add("model_ids", "at most 500 models")
	}
	return fs.Err()
}

// Patch changes a part; nil fields stay. The part number and kind never
// change: a different part is a new catalog entry.
type Patch struct {
	Name, NameEn   *string
	UnitCostFen    *int64
	Serialized     *bool
	ReturnRequired *bool
	Active         *bool
}

func (p Patch) apply(part Part) (Part, error) {
	var fs problem.Fields
	if p.Name != nil {
		part.Name = strings.TrimSpace(*p.Name)
		problem.CheckText(&fs, "name", part.Name, true, 200)
	}
	if p.NameEn != nil {
		part.NameEn = strings.TrimSpace(*p.NameEn)
		problem.CheckText(&fs, "name_en", part.NameEn, false, 200)
	}
	if p.UnitCostFen != nil {
		if *p.UnitCostFen < 0 || *p.UnitCostFen > MaxUnitCostFen {
			fs.Add("unit_cost_fen", "must be from 0 to %d fen", MaxUnitCostFen)
		}
		part.UnitCostFen = *p.UnitCostFen
	}
	if p.Serialized != nil {
		part.Serialized = *p.Serialized
	}
	if p.ReturnRequired != nil {
		part.ReturnRequired = *p.ReturnRequired
	}
	if p.Active != nil {
		part.Active = *p.Active
	}
	return part, fs.Err()
}

// Approval grants or renews the approval of an approved part.
type Approval struct {
	// Until is the last China date the approval is valid; "" for no end.
	Until string
}

// CheckUntil validates an approval's end date against today (China).
func (a *Approval) CheckUntil(today string) error {
	a.Until = strings.TrimSpace(a.Until)
	if a.Until == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, strings.ReplaceAll(a.Until, "/", "-"))
	if err != nil {
		return problem.Field("until", "must be a date like 2027-06-30")
	}
	a.Until = d.Format(time.DateOnly)
	if a.Until < today {
		return problem.Field("until", "must not be in the past (today is %s)", today)
	}
	return nil
}
