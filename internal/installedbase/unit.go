package installedbase

import (
	"context"
	"fmt"
	"strings"
	"time"

	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// UnitInput is a new installed unit.
type UnitInput struct {
	SerialNumber string
	ModelCode    string
	SiteID       int64
	InstallDate  string
	// WarrantyEnd: empty for the install date plus the model's warranty.
	WarrantyEnd string
	AgreementID *int64
}

// checkInstallDate reads an install date that is not after today, or
// records what is wrong with it and returns "".
func checkInstallDate(a problemAdder, field, s, today string) string {
	t, ok := ParseDate(s)
	switch {
	case strings.TrimSpace(s) == "":
		a.Add(field, "is required")
	case !ok:
		a.Add(field, "must be a date such as 2025-03-07 or 2025/3/7")
	case t.Year() < 1970:
		a.Add(field, "is before 1970")
	case t.Format(time.DateOnly) > today:
		a.Add(field, "is in the future")
	default:
		return t.Format(time.DateOnly)
	}
	return ""
}

// validate checks the fields that need no database, naming every bad one.
func (in *UnitInput) validate(today string) problem.Fields {
	var fs problem.Fields
	in.SerialNumber = NormalizeSerial(in.SerialNumber)
	addSerialProblem(&fs, "serial_number", in.SerialNumber)
	in.ModelCode = NormalizeModelCode(in.ModelCode)
	if msg := CheckModelCode(in.ModelCode); msg != "" {
		fs.Add("model", "%s", msg)
	}
	if in.SiteID <= 0 {
		fs.Add("site_id", "is required")
	}
	in.InstallDate = checkInstallDate(&fs, "install_date", in.InstallDate, today)
	if strings.TrimSpace(in.WarrantyEnd) != "" {
		t, ok := ParseDate(in.WarrantyEnd)
		switch {
		case !ok:
			fs.Add("warranty_end", "must be a date such as 2027-03-06")
		case in.InstallDate != "" && t.Format(time.DateOnly) < in.InstallDate:
			fs.Add("warranty_end", "is before the install date")
		default:
			in.WarrantyEnd = t.Format(time.DateOnly)
		}
	}
	return fs
}

// UnitPatch changes a unit; nil fields stay. The serial number and the
// vendor never change: the label on the product carries them.
type UnitPatch struct {
	SiteID      *int64
	InstallDate *string
	WarrantyEnd *string
	// AgreementID: 0 removes the unit from its agreement.
	AgreementID *int64
}

// unitRow is what is stored of a unit.
type unitRow struct {
	VendorID, ModelID, SiteID int64
	Serial                    string
	InstallDate, WarrantyEnd  string
	AgreementID               *int64
	Token                     string
}

func (r unitRow) args(now time.Time) []any {
	return []any{r.VendorID, r.ModelID, r.SiteID, r.Serial, r.InstallDate, r.WarrantyEnd, r.AgreementID, r.Token, now, now}
}

const unitInsert = `INSERT INTO units (vendor_id, model_id, site_id, serial_number, install_date, warranty_end, agreement_id, qr_token,
	created_at, updated_at) VALUES `

const unitValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func insertUnit(ctx context.Context, q store.Queryer, r unitRow, now time.Time) (int64, error) {
	id, err := store.InsertID(ctx, q, unitInsert+unitValues+` RETURNING id`, r.args(now)...)
	if store.IsUniqueViolation(err) {
		return 0, problem.Field("serial_number", "%s is already registered", r.Serial)
	}
	return id, err
}

// insertUnits stores many units with multi-row INSERTs: an import of
// 100,000 units is 200 statements, not 100,000.
func insertUnits(ctx context.Context, q store.Queryer, rows []unitRow, now time.Time, progress func(done int)) error {
	const batch = 500 // 5,000 parameters: under both engines' limits
	for start := 0; start < len(rows); start += batch {
		end := min(start+batch, len(rows))
		var b strings.Builder
		b.WriteString(unitInsert)
		args := make([]any, 0, (end-start)*10)
		for i, r := range rows[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(unitValues)
			args = append(args, r.args(now)...)
		}
		if _, err := store.Exec(ctx, q, b.String(), args...); err != nil {
			if store.IsUniqueViolation(err) {
				return problem.New(problem.Conflict, "a serial number was registered while the import ran; run it again")
			}
			return fmt.Errorf("insert units %d-%d: %w", start+1, end, err)
		}
		if progress != nil {
			progress(end)
		}
	}
	return nil
}

func updateUnit(ctx context.Context, q store.Queryer, u Unit, expected int64, now time.Time) (Unit, error) {
	res, err := store.Exec(ctx, q, `UPDATE units SET site_id = ?, install_date = ?, warranty_end = ?, agreement_id = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		u.SiteID, u.InstallDate, u.WarrantyEnd, u.AgreementID, now, u.ID, expected)
	if err != nil {
		return u, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return u, problem.New(problem.PreconditionFailed, "product %d was changed by someone else", u.ID)
	}
	return Get(ctx, q, u.ID)
}

func rotateToken(ctx context.Context, q store.Queryer, id int64, token string, now time.Time) (Unit, error) {
	if _, err := store.Exec(ctx, q, `UPDATE units SET qr_token = ?, qr_rotated_at = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		token, now, now, id); err != nil {
		return Unit{}, err
	}
	return Get(ctx, q, id)
}

// UnitFilter narrows a listing of units. Pages go by id: After is the last
// id of the previous page.
type UnitFilter struct {
	ModelCode  string
	CustomerID int64
	SiteID     int64
	// Serial matches serial numbers containing it.
	Serial string
	After  int64
	Limit  int
}

// MaxPage is the largest page of a listing.
const MaxPage = 200

func (f UnitFilter) where() (string, []any) {
	var conds []string
	var args []any
	if f.ModelCode != "" {
		conds, args = append(conds, `m.code = ?`), append(args, NormalizeModelCode(f.ModelCode))
	}
	if f.CustomerID > 0 {
		conds, args = append(conds, `s.customer_org_id = ?`), append(args, f.CustomerID)
	}
	if f.SiteID > 0 {
		conds, args = append(conds, `u.site_id = ?`), append(args, f.SiteID)
	}
	if s := NormalizeSerial(f.Serial); s != "" {
		conds, args = append(conds, `u.serial_number LIKE ? ESCAPE '\'`), append(args, "%"+likeEscaper.Replace(s)+"%")
	}
	if f.After > 0 {
		conds, args = append(conds, `u.id > ?`), append(args, f.After)
	}
	return strings.Join(conds, " AND "), args
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
