package parts

import (
	"context"
	"errors"
	"time"

	"aftersales/internal/problem"
	"aftersales/internal/store"
)

const columns = `id, vendor_id, part_number, name, name_en, kind, approved_by, approved_by_label, approved_at, approved_until, revoked_at,
	unit_cost_fen, serialized, return_required, active, version, created_at, updated_at`

// Get loads one part with its compatible models.
func Get(ctx context.Context, q store.Queryer, id int64) (Part, error) {
	p, err := store.ByID[Part](ctx, q, `SELECT `+columns+` FROM parts WHERE id = ?`, id, notFound)
	if err != nil {
		return p, err
	}
	p.ModelIDs, err = modelIDs(ctx, q, id)
	return p, err
}

func notFound(id int64) error { return problem.New(problem.NotFound, "part %d not found", id) }

// ByNumber loads a vendor's part by its number.
func ByNumber(ctx context.Context, q store.Queryer, vendorID int64, number string) (Part, error) {
	var id int64
	err := store.Get(ctx, q, &id, `SELECT id FROM parts WHERE vendor_id = ? AND part_number = ?`, vendorID, NormalizePartNumber(number))
	if errors.Is(err, store.ErrNotFound) {
		return Part{}, problem.New(problem.NotFound, "no part %s", number)
	}
	if err != nil {
		return Part{}, err
	}
	return Get(ctx, q, id)
}

func modelIDs(ctx context.Context, q store.Queryer, partID int64) ([]int64, error) {
	ids := []int64{}
	err := store.Select(ctx, q, &ids, `SELECT model_id FROM part_models WHERE part_id = ? ORDER BY model_id`, partID)
	return ids, err
}

// underAgreement lists the vendors a provider with an agreement (signed, not a draft) with a vendor.
const underAgreement = `SELECT vendor_id FROM agreements WHERE provider_id = ? AND status <> 'draft'`

// underAgreementWith reports whether the provider has an agreement (not a
// draft) with the vendor.
func underAgreementWith(ctx context.Context, q store.Queryer, providerID, vendorID int64) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM (`+underAgreement+`) x WHERE vendor_id = ?`, providerID, vendorID)
	return n > 0, err
}

// catalogs is which vendors' catalogs a listing reads: every vendor's
// (all), one vendor's (vendorID), or those of the vendors under agreement
// with a provider (providerID).
type catalogs struct {
	all                  bool
	vendorID, providerID int64
}

// listFiltered returns the parts of the catalogs c that pass f.
func listFiltered(ctx context.Context, q store.Queryer, c catalogs, f Filter) ([]Part, error) {
	var cond string
	var args []any
	switch {
	case c.all:
		cond = `1 = 1`
	case c.vendorID > 0:
		cond, args = `p.vendor_id = ?`, []any{c.vendorID}
	default:
		cond, args = `p.vendor_id IN (`+underAgreement+`)`, []any{c.providerID}
	}
	if f.VendorID > 0 {
		cond, args = cond+` AND p.vendor_id = ?`, append(args, f.VendorID)
	}
	if f.ModelID > 0 {
		cond, args = cond+` AND p.id IN (SELECT part_id FROM part_models WHERE model_id = ?)`, append(args, f.ModelID)
	}
	if f.Query != "" {
		like := "%" + f.Query + "%"
		cond, args = cond+` AND (p.part_number LIKE ? OR p.name LIKE ? OR p.name_en LIKE ?)`, append(args, NormalizePartNumber(f.Query)+"%", like, like)
	}
	if f.ActiveOnly {
		cond += ` AND p.active`
	}
	return list(ctx, q, cond, args...)
}

// list loads parts matching cond with their models.
func list(ctx context.Context, q store.Queryer, cond string, args ...any) ([]Part, error) {
	out := []Part{}
	if err := store.Select(ctx, q, &out, `SELECT `+columns+` FROM parts p WHERE `+cond+` ORDER BY part_number, id LIMIT 2000`, args...); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	var links []struct {
		PartID  int64 `db:"part_id"`
		ModelID int64 `db:"model_id"`
	}
	if err := store.Select(ctx, q, &links, `SELECT pm.part_id, pm.model_id FROM part_models pm JOIN parts p ON p.id = pm.part_id
		WHERE `+cond+` ORDER BY pm.model_id`, args...); err != nil {
		return nil, err
	}
	idx := map[int64]int{}
	for i := range out {
		idx[out[i].ID] = i
		out[i].ModelIDs = []int64{}
	}
	for _, l := range links {
		if i, ok := idx[l.PartID]; ok {
			out[i].ModelIDs = append(out[i].ModelIDs, l.ModelID)
		}
	}
	return out, nil
}

func insert(ctx context.Context, q store.Queryer, vendorID int64, in Input, now time.Time) (int64, error) {
	id, err := store.InsertID(ctx, q, `INSERT INTO parts (vendor_id, part_number, name, name_en, kind, unit_cost_fen, serialized, return_required,
		active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?) RETURNING id`,
		vendorID, in.PartNumber, in.Name, in.NameEn, in.Kind, in.UnitCostFen, in.Serialized, in.ReturnRequired, now, now)
	if store.IsUniqueViolation(err) {
		return 0, problem.Field("part_number", "part %s is already in the catalog", in.PartNumber)
	}
	return id, err
}

// save writes the mutable fields of p if its version is still expected.
func save(ctx context.Context, q store.Queryer, p Part, expected int64, now time.Time) error {
	res, err := store.Exec(ctx, q, `UPDATE parts SET name = ?, name_en = ?, approved_by = ?, approved_by_label = ?, approved_at = ?, approved_until = ?,
		revoked_at = ?, unit_cost_fen = ?, serialized = ?, return_required = ?, active = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, p.Name, p.NameEn, p.ApprovedBy, p.ApprovedByLabel, p.ApprovedAt, p.ApprovedUntil, p.RevokedAt,
		p.UnitCostFen, p.Serialized, p.ReturnRequired, p.Active, now, p.ID, expected)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.PreconditionFailed, "part %d was changed by someone else", p.ID)
	}
	return nil
}

// setModels replaces the models a part fits; every model must be the vendor's.
func setModels(ctx context.Context, q store.Queryer, p Part, modelIDs []int64) error {
	ids := normalizeIDs(modelIDs)
	for _, m := range ids {
		var vendorID int64
		err := store.Get(ctx, q, &vendorID, `SELECT vendor_id FROM product_models WHERE id = ?`, m)
		if errors.Is(err, store.ErrNotFound) || (err == nil && vendorID != p.VendorID) {
			return problem.Field("model_ids", "model %d is not a product model of the part's vendor", m)
		}
		if err != nil {
			return err
		}
	}
	if _, err := store.Exec(ctx, q, `DELETE FROM part_models WHERE part_id = ?`, p.ID); err != nil {
		return err
	}
	for _, m := range ids {
		if _, err := store.Exec(ctx, q, `INSERT INTO part_models (part_id, model_id) VALUES (?, ?)`, p.ID, m); err != nil {
			return err
		}
	}
	return nil
}
