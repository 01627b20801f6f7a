package staff

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Kinds of qualification rule.
const (
	// CertificateRule: a product line needs the vendor's certificate at a
	// minimum level.
	CertificateRule = "certificate"
	// PermitRule: a service item (on one product line, or any) needs a
	// statutory permit.
	PermitRule = "permit"
)

// ServiceItems are the service items a permit rule may name.
var ServiceItems = []string{"repair", "maintenance", "consultation", "part_replacement"}

// Rule is one of the vendor's qualification rules.
type Rule struct {
	ID          int64     `db:"id" json:"id"`
	VendorID    int64     `db:"vendor_id" json:"vendor_id"`
	Kind        string    `db:"kind" json:"kind" enum:"certificate,permit"`
	ProductLine string    `db:"product_line" json:"product_line" doc:"For a permit rule, empty means every product line."`
	MinLevel    int       `db:"min_level" json:"min_level,omitempty"`
	ServiceItem string    `db:"service_item" json:"service_item,omitempty"`
	PermitType  string    `db:"permit_type" json:"permit_type,omitempty"`
	Version     int64     `db:"version" json:"version"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time `db:"updated_at" json:"updated_at"`
}

// RuleInput is a rule as the vendor writes it.
type RuleInput struct {
	Kind        string
	ProductLine string
	MinLevel    int
	ServiceItem string
	PermitType  string
}

const ruleColumns = `id, vendor_id, kind, product_line, min_level, service_item, permit_type, version, created_at, updated_at`

func ruleNotFound(id int64) error {
	return problem.New(problem.NotFound, "qualification rule %d not found", id)
}

func rulesOf(ctx context.Context, q store.Queryer, vendorID int64) ([]Rule, error) {
	out := []Rule{}
	return out, store.Select(ctx, q, &out, `SELECT `+ruleColumns+` FROM qualification_rules WHERE vendor_id = ? ORDER BY kind, product_line, service_item, permit_type`, vendorID)
}

// ProductLines are the product lines of a vendor's models, from the
// installed base.
func ProductLines(ctx context.Context, q store.Queryer, vendorID int64) ([]string, error) {
	out := []string{}
	return out, store.Select(ctx, q, &out, `SELECT DISTINCT product_line FROM product_models WHERE vendor_id = ? AND product_line <> '' ORDER BY product_line`, vendorID)
}

func (in *RuleInput) validate(ctx context.Context, q store.Queryer, vendorID int64) error {
	var fs problem.Fields
	in.ProductLine = strings.TrimSpace(in.ProductLine)
	lines, err := ProductLines(ctx, q, vendorID)
	if err != nil {
		return err
	}
	checkLine := func(required bool) {
		switch {
		case in.ProductLine == "" && required:
			fs.Add("product_line", "is required")
		case in.ProductLine != "" && !slices.Contains(lines, in.ProductLine):
			fs.Add("product_line", "%q is not a product line of the vendor's models (%s)", in.ProductLine, strings.Join(lines, ", "))
		}
	}
	switch in.Kind {
	case CertificateRule:
		checkLine(true)
		if in.MinLevel < MinLevel || in.MinLevel > MaxLevel {
			fs.Add("min_level", "must be %d to %d", MinLevel, MaxLevel)
		}
		if in.ServiceItem != "" || in.PermitType != "" {
			fs.Add("kind", "a certificate rule names a product line and a level only")
		}
	case PermitRule:
		checkLine(false)
		if !slices.Contains(ServiceItems, in.ServiceItem) {
			fs.Add("service_item", "must be one of %s", strings.Join(ServiceItems, ", "))
		}
		if !slices.Contains(PermitTypes, in.PermitType) {
			fs.Add("permit_type", "must be one of %s", strings.Join(PermitTypes, ", "))
		}
		if in.MinLevel != 0 {
			fs.Add("min_level", "a permit has no level")
		}
	default:
		fs.Add("kind", "must be certificate or permit")
	}
	return fs.Err()
}

// Rules lists a vendor's qualification rules.
func (s *Service) Rules(ctx context.Context, a policy.Actor, vendorID int64) ([]Rule, error) {
	if err := orgAllows(ctx, s.DB, a, vendorID, policy.QualificationRuleRead, vendorNotFound(vendorID)); err != nil {
		return nil, err
	}
	return rulesOf(ctx, s.DB, vendorID)
}

// CreateRule adds a qualification rule of the actor's vendor.
func (s *Service) CreateRule(ctx context.Context, a policy.Actor, vendorID int64, in RuleInput) (Rule, error) {
	now := s.Now().UTC()
	var out Rule
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := orgAllows(ctx, tx, a, vendorID, policy.QualificationRuleManage, vendorNotFound(vendorID)); err != nil {
			return err
		}
		if err := in.validate(ctx, tx, vendorID); err != nil {
			return err
		}
		if err := duplicateRule(ctx, tx, vendorID, in, 0); err != nil {
			return err
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO qualification_rules (vendor_id, kind, product_line, min_level, service_item, permit_type, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, vendorID, in.Kind, in.ProductLine, in.MinLevel, in.ServiceItem, in.PermitType, now, now)
		if err != nil {
			return err
		}
		if out, err = getRule(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, vendorID, "staff.rule.create", "qualification_rule", id, nil, out)
	})
	return out, err
}

func getRule(ctx context.Context, q store.Queryer, id int64) (Rule, error) {
	return store.ByID[Rule](ctx, q, `SELECT `+ruleColumns+` FROM qualification_rules WHERE id = ?`, id, ruleNotFound)
}

// readableRule loads a rule the actor may read and do action on.
func readableRule(ctx context.Context, q store.Queryer, a policy.Actor, id int64, action policy.Action) (Rule, error) {
	return policy.Load(a, policy.QualificationRuleRead, action, ruleNotFound(id),
		func() (Rule, error) { return getRule(ctx, q, id) },
		func(r Rule) (policy.Scope, error) { return org.ScopeOf(ctx, q, a, r.VendorID) })
}

// GetRule returns one rule.
func (s *Service) GetRule(ctx context.Context, a policy.Actor, id int64) (Rule, error) {
	return readableRule(ctx, s.DB, a, id, policy.QualificationRuleRead)
}

// UpdateRule changes a rule's minimum level (certificate) or permit type.
func (s *Service) UpdateRule(ctx context.Context, a policy.Actor, id int64, in RuleInput, expectedVersion int64) (Rule, error) {
	now := s.Now().UTC()
	var out Rule
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := readableRule(ctx, tx, a, id, policy.QualificationRuleManage)
		if err != nil {
			return err
		}
		if before.Version != expectedVersion {
			return problem.New(problem.PreconditionFailed, "qualification rule %d was changed by someone else", id)
		}
		if in.Kind != before.Kind {
			return problem.Field("kind", "stays %s", problem.Enum("staff.rule_kind_", before.Kind))
		}
		if err := in.validate(ctx, tx, before.VendorID); err != nil {
			return err
		}
		if err := duplicateRule(ctx, tx, before.VendorID, in, id); err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `UPDATE qualification_rules SET product_line = ?, min_level = ?, service_item = ?, permit_type = ?, version = version + 1,
			updated_at = ? WHERE id = ? AND version = ?`, in.ProductLine, in.MinLevel, in.ServiceItem, in.PermitType, now, id, expectedVersion); err != nil {
			return err
		}
		if out, err = getRule(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.VendorID, "staff.rule.update", "qualification_rule", id, before, out)
	})
	return out, err
}

// DeleteRule removes a rule: the product line or service item needs no
// qualification from then on.
func (s *Service) DeleteRule(ctx context.Context, a policy.Actor, id int64) error {
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := readableRule(ctx, tx, a, id, policy.QualificationRuleManage)
		if err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `DELETE FROM qualification_rules WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.VendorID, "staff.rule.delete", "qualification_rule", id, before, nil)
	})
}

func duplicateRule(ctx context.Context, q store.Queryer, vendorID int64, in RuleInput, except int64) error {
	var n int
	if err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM qualification_rules WHERE vendor_id = ? AND kind = ? AND product_line = ? AND service_item = ?
		AND permit_type = ? AND id <> ?`, vendorID, in.Kind, in.ProductLine, in.ServiceItem, in.PermitType, except); err != nil {
		return err
	}
	if n > 0 {
		return problem.New(problem.Conflict, "the vendor already has this rule; change it instead")
	}
	return nil
}
