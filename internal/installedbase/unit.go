package installedbase

import (
	"strings"
	"time"

	"aftersales/internal/problem"
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
