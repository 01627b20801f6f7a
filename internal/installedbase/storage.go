package installedbase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"aftersales/internal/coverage"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// The SQL of the installed base: product models, sites, units, the
// listings the visibility conditions of visibility.go narrow, and what the
// imports match their rows against.

// Product models.

const modelColumns = `id, vendor_id, code, name, name_en, product_line, maintenance_interval_months, warranty_months, version, created_at, updated_at`

func insertModel(ctx context.Context, q store.Queryer, vendorID int64, in ModelInput, now time.Time) (ProductModel, error) {
	id, err := store.InsertID(ctx, q, `INSERT INTO product_models (vendor_id, code, name, name_en, product_line, maintenance_interval_months,
		warranty_months, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		vendorID, in.Code, in.Name, in.NameEn, in.ProductLine, in.MaintenanceIntervalMonths, in.WarrantyMonths, now, now)
	if store.IsUniqueViolation(err) {
		return ProductModel{}, problem.Field("code", "model %s already exists", in.Code)
	}
	if err != nil {
		return ProductModel{}, err
	}
	return getModel(ctx, q, id)
}

func getModel(ctx context.Context, q store.Queryer, id int64) (ProductModel, error) {
	return store.ByID[ProductModel](ctx, q, `SELECT `+modelColumns+` FROM product_models WHERE id = ?`, id, modelNotFound)
}

// modelByCode finds a vendor's model by its code.
func modelByCode(ctx context.Context, q store.Queryer, vendorID int64, code string) (ProductModel, error) {
	var m ProductModel
	err := store.Get(ctx, q, &m, `SELECT `+modelColumns+` FROM product_models WHERE vendor_id = ? AND code = ?`, vendorID, NormalizeModelCode(code))
	if errors.Is(err, store.ErrNotFound) {
		return m, problem.Field("model", "no model %s", NormalizeModelCode(code))
	}
	return m, err
}

func updateModel(ctx context.Context, q store.Queryer, m ProductModel, expected int64, now time.Time) (ProductModel, error) {
	res, err := store.Exec(ctx, q, `UPDATE product_models SET name = ?, name_en = ?, product_line = ?, maintenance_interval_months = ?,
		warranty_months = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		m.Name, m.NameEn, m.ProductLine, m.MaintenanceIntervalMonths, m.WarrantyMonths, now, m.ID, expected)
	if err != nil {
		return m, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return m, problem.New(problem.PreconditionFailed, "product model %d was changed by someone else", m.ID)
	}
	return getModel(ctx, q, m.ID)
}

// Sites.

const siteSelect = `SELECT s.id, s.customer_org_id, c.name AS customer_name, s.name, s.address, s.division, s.lat, s.lng,
	s.contact_name, s.contact_phone, s.version, s.created_at, s.updated_at
	FROM sites s JOIN organizations c ON c.id = s.customer_org_id`

func insertSite(ctx context.Context, q store.Queryer, s Site, now time.Time) (Site, error) {
	id, err := store.InsertID(ctx, q, `INSERT INTO sites (customer_org_id, name, address, division, lat, lng, contact_name, contact_phone,
		version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		s.CustomerOrgID, s.Name, s.Address, s.Division, s.Lat, s.Lng, s.ContactName, s.ContactPhone, now, now)
	if store.IsUniqueViolation(err) {
		return s, problem.Field("name", "the customer already has a site named %s", s.Name)
	}
	if err != nil {
		return s, err
	}
	return getSite(ctx, q, id)
}

func getSite(ctx context.Context, q store.Queryer, id int64) (Site, error) {
	return store.ByID[Site](ctx, q, siteSelect+` WHERE s.id = ?`, id, siteNotFound)
}

func updateSite(ctx context.Context, q store.Queryer, s Site, expected int64, now time.Time) (Site, error) {
	res, err := store.Exec(ctx, q, `UPDATE sites SET name = ?, address = ?, division = ?, lat = ?, lng = ?, contact_name = ?, contact_phone = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		s.Name, s.Address, s.Division, s.Lat, s.Lng, s.ContactName, s.ContactPhone, now, s.ID, expected)
	if store.IsUniqueViolation(err) {
		return s, problem.Field("name", "the customer already has a site named %s", s.Name)
	}
	if err != nil {
		return s, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s, problem.New(problem.PreconditionFailed, "site %d was changed by someone else", s.ID)
	}
	return getSite(ctx, q, s.ID)
}

// Units.

const unitSelect = `SELECT u.id, u.vendor_id, u.serial_number, u.model_id, m.code AS model_code, m.name AS model_name, u.site_id,
	s.name AS site_name, s.address, s.division, s.lat, s.lng, s.customer_org_id, c.name AS customer_name, u.install_date,
	u.warranty_end, u.agreement_id, u.qr_token, u.qr_rotated_at, u.version, u.created_at, u.updated_at
	FROM units u JOIN product_models m ON m.id = u.model_id JOIN sites s ON s.id = u.site_id
	JOIN organizations c ON c.id = s.customer_org_id`

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

// unitsBySerial lists the units with a serial number among those cond
// (with its args) selects: at most two, since two are already too many.
func unitsBySerial(ctx context.Context, q store.Queryer, cond string, args []any, serial string) ([]Unit, error) {
	var us []Unit
	err := store.Select(ctx, q, &us, unitSelect+` WHERE `+cond+` AND u.serial_number = ? ORDER BY u.id LIMIT 2`, append(args, serial)...)
	return us, err
}

// unitsBySelector lists the units whose QR token starts with selector.
func unitsBySelector(ctx context.Context, q store.Queryer, selector string) ([]Unit, error) {
	var us []Unit
	err := store.Select(ctx, q, &us, unitSelect+` WHERE substr(u.qr_token, 1, 16) = ?`, selector)
	return us, err
}

// Get loads one unit by id.
func Get(ctx context.Context, q store.Queryer, id int64) (Unit, error) {
	return store.ByID[Unit](ctx, q, unitSelect+` WHERE u.id = ?`, id, unitNotFound)
}

// Finder is BySerial as coverage.UnitFinder. It answers alike but reads
// only the columns coverage needs and scans them without reflection: every
// service request filed runs it inside the single writer's turn on SQLite,
// where the Go side of a query (conversions, reflection, allocations) cost
// more than SQLite's own work. It reads also (the agreement in force) in
// the same statement.
func Finder(ctx context.Context, q store.Queryer, serial string, also coverage.Also) (coverage.Unit, error) {
	serial, err := checkedSerial(serial)
	if err != nil {
		return coverage.Unit{}, err
	}
	query := finderStatements.Of([2]string{also.Columns, also.Joins}, finderStatement)
	rows, err := q.QueryContext(ctx, store.Rebind(q, query), append(also.Args[:len(also.Args):len(also.Args)], serial)...)
	if err != nil {
		return coverage.Unit{}, err
	}
	defer rows.Close()
	var found []coverage.Unit
	for rows.Next() {
		var u coverage.Unit
		var agreementID *int64
		dest := append([]any{&u.ID, &u.Serial, &u.Model, &u.Division, &u.Address, &u.Lat, &u.Lng,
			&u.CustomerOrgID, &u.VendorID, &agreementID}, also.Dest...)
		if err := rows.Scan(dest...); err != nil {
			return coverage.Unit{}, err
		}
		if agreementID != nil {
			u.AgreementID = *agreementID
		}
		found = append(found, u)
	}
	if err := rows.Err(); err != nil {
		return coverage.Unit{}, err
	}
	return onlyOne(serial, found)
}

// finderStatements are Finder's statements by the columns and joins it
// reads also (the callers' constants), built once.
var finderStatements store.Statements[[2]string]

// finderStatement is Finder's statement reading also the columns and
// joins of also.
func finderStatement(also [2]string) string {
	columns := ""
	if also[0] != "" {
		columns = ", " + also[0]
	}
	return `SELECT u.id, u.serial_number, m.code, s.division, s.address, s.lat, s.lng,
		s.customer_org_id, u.vendor_id, u.agreement_id` + columns + `
		FROM units u JOIN product_models m ON m.id = u.model_id JOIN sites s ON s.id = u.site_id ` + also[1] + `
		WHERE u.serial_number = ? ORDER BY u.id LIMIT 2`
}

// Listings: cond (with its args) is the actor's visibility (visibility.go).

// listModels lists the product models cond selects, by code.
func listModels(ctx context.Context, q store.Queryer, cond string, args []any) ([]ProductModel, error) {
	out := []ProductModel{}
	err := store.Select(ctx, q, &out, `SELECT `+modelColumns+` FROM product_models m WHERE `+cond+` ORDER BY code, id`, args...)
	return out, err
}

// listSites lists the sites cond selects (of one customer when customerID
// is set), by customer and name.
func listSites(ctx context.Context, q store.Queryer, cond string, args []any, customerID int64) ([]Site, error) {
	if customerID > 0 {
		cond, args = cond+` AND s.customer_org_id = ?`, append(args, customerID)
	}
	out := []Site{}
	err := store.Select(ctx, q, &out, siteSelect+` WHERE `+cond+` ORDER BY c.name, s.name, s.id LIMIT 1000`, args...)
	return out, err
}

// listUnits lists the units cond selects that pass f, by id: one more
// than f.Limit when another page follows.
func listUnits(ctx context.Context, q store.Queryer, cond string, args []any, f UnitFilter) ([]Unit, error) {
	if extra, more := f.where(); extra != "" {
		cond, args = cond+` AND `+extra, append(args, more...)
	}
	out := []Unit{}
	err := store.Select(ctx, q, &out, unitSelect+` WHERE `+cond+` ORDER BY u.id LIMIT ?`, append(args, f.Limit+1)...)
	return out, err
}

// agreementOf reports whether agreement id is the vendor's.
func agreementOf(ctx context.Context, q store.Queryer, vendorID, id int64) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM agreements WHERE id = ? AND vendor_id = ?`, id, vendorID)
	return n > 0, err
}

// countUnits counts the units cond selects.
func countUnits(ctx context.Context, q store.Queryer, cond string, args []any) (int, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM units u JOIN product_models m ON m.id = u.model_id JOIN sites s ON s.id = u.site_id
		WHERE `+cond, args...)
	return n, err
}

// unitsByID lists the units among ids that cond selects, by id.
func unitsByID(ctx context.Context, q store.Queryer, cond string, args []any, ids []int64) ([]Unit, error) {
	var out []Unit
	return out, store.SelectIn(ctx, q, &out, unitSelect+` WHERE `+cond+` AND u.id IN (?) ORDER BY u.id`, append(args, ids)...)
}

// allUnits lists every unit cond selects, by id; n is how many are expected.
func allUnits(ctx context.Context, q store.Queryer, cond string, args []any, n int) ([]Unit, error) {
	out := make([]Unit, 0, n)
	err := store.Select(ctx, q, &out, unitSelect+` WHERE `+cond+` ORDER BY u.id`, args...)
	return out, err
}

// exportRows is a batch of the export's rows that cond selects, by id, after the id after.
func exportRows(ctx context.Context, q store.Queryer, cond string, args []any, after int64, batch int) ([]ExportRow, error) {
	var rows []ExportRow
	err := store.Select(ctx, q, &rows, `SELECT u.id, u.serial_number, m.code AS model_code, c.code AS customer_code, s.name AS site_name,
		u.install_date, COALESCE(ag.number, '') AS agreement_number
		FROM units u JOIN product_models m ON m.id = u.model_id JOIN sites s ON s.id = u.site_id
		JOIN organizations c ON c.id = s.customer_org_id LEFT JOIN agreements ag ON ag.id = u.agreement_id
		WHERE `+cond+` AND u.id > ? ORDER BY u.id LIMIT ?`, append(slices.Clone(args), after, batch)...)
	return rows, err
}

// servesUnit reports whether the organization is the provider of the
// unit's agreement, or works with both its vendor and its customer.
func servesUnit(ctx context.Context, q store.Queryer, orgID int64, u Unit) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM organizations o WHERE o.id = ? AND (
		o.id IN (SELECT provider_id FROM agreements WHERE id = ?)
		OR (o.id IN (SELECT org_id FROM org_links WHERE partner_id = ?) AND o.id IN (SELECT org_id FROM org_links WHERE partner_id = ?)))`,
		orgID, u.AgreementID, u.VendorID, u.CustomerOrgID)
	return n > 0, err
}

// What the imports match their rows against.

// vendorModels lists a vendor's product models, oldest first.
func vendorModels(ctx context.Context, q store.Queryer, vendorID int64) ([]ProductModel, error) {
	var models []ProductModel
	err := store.Select(ctx, q, &models, `SELECT `+modelColumns+` FROM product_models WHERE vendor_id = ? ORDER BY id`, vendorID)
	return models, err
}

// agreementNumbers is the id of each of a vendor's agreements by its number.
func agreementNumbers(ctx context.Context, q store.Queryer, vendorID int64) (map[string]int64, error) {
	var named []struct {
		ID  int64  `db:"id"`
		Key string `db:"k"`
	}
	if err := store.Select(ctx, q, &named, `SELECT id, number AS k FROM agreements WHERE vendor_id = ?`, vendorID); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(named))
	for _, a := range named {
		out[a.Key] = a.ID
	}
	return out, nil
}

// storedSerials lists which of serials the vendor's units already have.
func storedSerials(ctx context.Context, q store.Queryer, vendorID int64, serials []string) ([]string, error) {
	var existing []string
	return existing, store.SelectIn(ctx, q, &existing, `SELECT serial_number FROM units WHERE vendor_id = ? AND serial_number IN (?)`, vendorID, serials)
}

// storedCustomer is a customer the vendor works with, as an import matches it.
type storedCustomer struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	Code string `db:"code"`
}

// customersOf lists the customers the vendor works with, oldest first.
func customersOf(ctx context.Context, q store.Queryer, vendorID int64) ([]storedCustomer, error) {
	var out []storedCustomer
	err := store.Select(ctx, q, &out, `SELECT id, name, code FROM organizations
		WHERE kind = 'customer' AND id IN (`+partnersOf+`) ORDER BY id`, vendorID)
	return out, err
}

// storedSite is a site of a customer, as an import matches it.
type storedSite struct {
	ID       int64  `db:"id"`
	Customer int64  `db:"customer_org_id"`
	Name     string `db:"name"`
	Address  string `db:"address"`
	Division string `db:"division"`
}

// sitesOfCustomersOf lists the sites of the organizations the vendor works with, oldest first.
func sitesOfCustomersOf(ctx context.Context, q store.Queryer, vendorID int64) ([]storedSite, error) {
	var out []storedSite
	err := store.Select(ctx, q, &out, `SELECT id, customer_org_id, name, address, division FROM sites
		WHERE customer_org_id IN (`+partnersOf+`) ORDER BY id`, vendorID)
	return out, err
}

// codeTaken reports whether an organization has the code.
func codeTaken(ctx context.Context, q store.Queryer, code string) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM organizations WHERE code = ?`, code)
	return n > 0, err
}
