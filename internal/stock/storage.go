package stock

import (
	"context"
	"strings"
	"time"

	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// The SQL of stock: locations, the ledger and on-hand, safety stock,
// consumption on visits and defective part returns.

// Locations.

// locationOrder lists the central warehouse, then stores, then vans.
const locationOrder = `CASE kind WHEN 'warehouse' THEN 0 WHEN 'store' THEN 1 ELSE 2 END, name`

const locationColumns = `id, org_id, kind, name, technician_id, allow_negative, active, version, created_at, updated_at`

func getLocation(ctx context.Context, q store.Queryer, id int64) (Location, error) {
	return store.ByID[Location](ctx, q, `SELECT `+locationColumns+` FROM stock_locations WHERE id = ?`, id, locationNotFound)
}

// worksWith reports whether the organization works with the partner (org_links).
func worksWith(ctx context.Context, q store.Queryer, orgID, partnerID int64) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM org_links WHERE org_id = ? AND partner_id = ?`, orgID, partnerID)
	return n > 0, err
}

// allLocations lists every location, by organization.
func allLocations(ctx context.Context, q store.Queryer) ([]Location, error) {
	out := []Location{}
	return out, store.Select(ctx, q, &out, `SELECT `+locationColumns+` FROM stock_locations ORDER BY org_id, `+locationOrder)
}

// orgLocations lists an organization's locations.
func orgLocations(ctx context.Context, q store.Queryer, orgID int64) ([]Location, error) {
	out := []Location{}
	return out, store.Select(ctx, q, &out, `SELECT `+locationColumns+` FROM stock_locations WHERE org_id = ? ORDER BY `+locationOrder, orgID)
}

// vans lists the vans of an organization assigned to a technician.
func vans(ctx context.Context, q store.Queryer, orgID, technicianID int64) ([]Location, error) {
	out := []Location{}
	return out, store.Select(ctx, q, &out, `SELECT `+locationColumns+` FROM stock_locations WHERE org_id = ? AND technician_id = ? ORDER BY name`, orgID, technicianID)
}

// destinations lists an organization's active locations, then the active
// warehouses and stores of the organizations it works with.
func destinations(ctx context.Context, q store.Queryer, orgID int64) ([]Location, error) {
	out := []Location{}
	err := store.Select(ctx, q, &out, `SELECT `+locationColumns+` FROM stock_locations WHERE active AND (org_id = ?
		OR (kind <> 'van' AND org_id IN (SELECT partner_id FROM org_links WHERE org_id = ?))) ORDER BY CASE WHEN org_id = ? THEN 0 ELSE 1 END, `+locationOrder, orgID, orgID, orgID)
	return out, err
}

// insertLocation adds an active location to an organization.
func insertLocation(ctx context.Context, q store.Queryer, orgID int64, in LocationInput, now time.Time) (int64, error) {
	id, err := store.InsertID(ctx, q, `INSERT INTO stock_locations (org_id, kind, name, technician_id, allow_negative, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, TRUE, ?, ?) RETURNING id`, orgID, in.Kind, in.Name, in.TechnicianID, in.AllowNegative, now, now)
	if store.IsUniqueViolation(err) {
		return 0, problem.Field("name", "your organization already has a location named %s", in.Name)
	}
	return id, err
}

// saveLocation stores the mutable fields of l if its version is still expected.
func saveLocation(ctx context.Context, q store.Queryer, l Location, expected int64, now time.Time) error {
	_, err := store.Exec(ctx, q, `UPDATE stock_locations SET name = ?, technician_id = ?, allow_negative = ?, active = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND version = ?`, l.Name, l.TechnicianID, l.AllowNegative, l.Active, now, l.ID, expected)
	if store.IsUniqueViolation(err) {
		return problem.Field("name", "your organization already has a location named %s", l.Name)
	}
	return err
}

// The ledger and on-hand.

// addOnHand adds qty (negative: takes it) to on-hand of a part at a location.
func addOnHand(ctx context.Context, q store.Queryer, locationID, partID, qty int64) error {
	_, err := store.Exec(ctx, q, `INSERT INTO stock_on_hand (location_id, part_id, qty) VALUES (?, ?, ?)
		ON CONFLICT (location_id, part_id) DO UPDATE SET qty = stock_on_hand.qty + excluded.qty`, locationID, partID, qty)
	return err
}

// takeHeld lowers on-hand of a part at a location by qty if it holds as
// many, and reports whether it did: one conditional UPDATE.
func takeHeld(ctx context.Context, q store.Queryer, locationID, partID, qty int64) (bool, error) {
	res, err := store.Exec(ctx, q, `UPDATE stock_on_hand SET qty = qty - ? WHERE location_id = ? AND part_id = ? AND qty >= ?`, qty, locationID, partID, qty)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func onHand(ctx context.Context, q store.Queryer, locationID, partID int64) (int64, error) {
	var qty int64
	err := store.Get(ctx, q, &qty, `SELECT qty FROM stock_on_hand WHERE location_id = ? AND part_id = ?`, locationID, partID)
	if err == store.ErrNotFound {
		return 0, nil
	}
	return qty, err
}

// insertMovement appends m to the ledger.
func insertMovement(ctx context.Context, q store.Queryer, m Movement) (int64, error) {
	return store.InsertID(ctx, q, `INSERT INTO stock_movements (kind, part_id, qty, from_location_id, to_location_id, defective, work_order_id,
		serial_removed, serial_installed, reason, reference, actor_id, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.Kind, m.PartID, m.Qty, m.FromLocationID, m.ToLocationID, m.Defective, m.WorkOrderID, m.SerialRemoved, m.SerialInstalled,
		m.Reason, m.Reference, m.ActorID, m.Actor, m.At)
}

// ledgerSums is on-hand per (location, part) as the ledger says it.
const ledgerSums = `SELECT location_id, part_id, SUM(delta) AS qty FROM (
	SELECT to_location_id AS location_id, part_id, qty AS delta FROM stock_movements WHERE to_location_id IS NOT NULL AND NOT defective
	UNION ALL
	SELECT from_location_id AS location_id, part_id, -qty AS delta FROM stock_movements WHERE from_location_id IS NOT NULL AND NOT defective
) m GROUP BY location_id, part_id`

// liveLevels is every on-hand figure as stored.
func liveLevels(ctx context.Context, q store.Queryer) ([]Level, error) {
	var out []Level
	return out, store.Select(ctx, q, &out, `SELECT location_id, part_id, qty FROM stock_on_hand`)
}

// ledgerLevels is every on-hand figure as the ledger sums it.
func ledgerLevels(ctx context.Context, q store.Queryer) ([]Level, error) {
	var out []Level
	return out, store.Select(ctx, q, &out, ledgerSums)
}

// rebuildOnHand replaces every on-hand figure by the ledger's sums.
func rebuildOnHand(ctx context.Context, q store.Queryer) error {
	if _, err := store.Exec(ctx, q, `DELETE FROM stock_on_hand`); err != nil {
		return err
	}
	_, err := store.Exec(ctx, q, `INSERT INTO stock_on_hand (location_id, part_id, qty) `+ledgerSums)
	return err
}

// Safety stock.

// safetyOf is the safety stock of a part at a location (0: none).
func safetyOf(ctx context.Context, q store.Queryer, locationID, partID int64) (int64, error) {
	var qty int64
	err := store.Get(ctx, q, &qty, `SELECT COALESCE(MAX(qty), 0) FROM safety_stock WHERE location_id = ? AND part_id = ?`, locationID, partID)
	return qty, err
}

// setSafety sets the safety stock of a part at a location; 0 removes it.
func setSafety(ctx context.Context, q store.Queryer, locationID, partID, qty int64) error {
	var err error
	if qty == 0 {
		_, err = store.Exec(ctx, q, `DELETE FROM safety_stock WHERE location_id = ? AND part_id = ?`, locationID, partID)
	} else {
		_, err = store.Exec(ctx, q, `INSERT INTO safety_stock (location_id, part_id, qty) VALUES (?, ?, ?)
			ON CONFLICT (location_id, part_id) DO UPDATE SET qty = excluded.qty`, locationID, partID, qty)
	}
	return err
}

// alertRecipients are the users told when a location falls below safety
// stock: its organization's admins and dispatchers, and a van's technician.
func alertRecipients(ctx context.Context, q store.Queryer, l Location) ([]int64, error) {
	var ids []int64
	err := store.Select(ctx, q, &ids, `SELECT id FROM users WHERE org_id = ? AND active AND role IN (?, ?, ?)
		UNION SELECT technician_id FROM stock_locations WHERE id = ? AND technician_id IS NOT NULL`,
		l.OrgID, policy.VendorAdmin, policy.ProviderAdmin, policy.Dispatcher, l.ID)
	return ids, err
}

// ledgerRows lists the movements at f's location that pass f, newest first.
func ledgerRows(ctx context.Context, q store.Queryer, f LedgerFilter) ([]LedgerRow, error) {
	query := `SELECT m.id, m.kind, m.part_id, m.qty, m.from_location_id, m.to_location_id, m.defective, m.work_order_id, m.serial_removed,
		m.serial_installed, m.reason, m.reference, m.actor_id, m.actor, m.at, p.part_number, p.name AS part_name,
		COALESCE(lf.name, '') AS from_name, COALESCE(lt.name, '') AS to_name
		FROM stock_movements m JOIN parts p ON p.id = m.part_id
		LEFT JOIN stock_locations lf ON lf.id = m.from_location_id LEFT JOIN stock_locations lt ON lt.id = m.to_location_id
		WHERE (m.from_location_id = ? OR m.to_location_id = ?)`
	args := []any{f.LocationID, f.LocationID}
	if f.PartID > 0 {
		query, args = query+` AND m.part_id = ?`, append(args, f.PartID)
	}
	if f.BeforeID > 0 {
		query, args = query+` AND m.id < ?`, append(args, f.BeforeID)
	}
	out := []LedgerRow{}
	err := store.Select(ctx, q, &out, query+` ORDER BY m.id DESC LIMIT ?`, append(args, f.Limit)...)
	return out, err
}

const stockRows = `SELECT x.location_id, l.name AS location_name, x.part_id, p.part_number, p.name AS part_name, p.name_en AS part_name_en, p.kind AS part_kind,
	COALESCE(h.qty, 0) AS qty, COALESCE(ss.qty, 0) AS safety
	FROM (SELECT location_id, part_id FROM stock_on_hand UNION SELECT location_id, part_id FROM safety_stock) x
	JOIN stock_locations l ON l.id = x.location_id JOIN parts p ON p.id = x.part_id
	LEFT JOIN stock_on_hand h ON h.location_id = x.location_id AND h.part_id = x.part_id
	LEFT JOIN safety_stock ss ON ss.location_id = x.location_id AND ss.part_id = x.part_id`

// stockAt lists what a location holds or keeps a safety stock of, by part number.
func stockAt(ctx context.Context, q store.Queryer, locationID int64) ([]StockRow, error) {
	out := []StockRow{}
	err := store.Select(ctx, q, &out, stockRows+` WHERE x.location_id = ? ORDER BY p.part_number`, locationID)
	return out, err
}

// stockOf is the row of a part at a location: none when it holds none and
// keeps no safety stock of it.
func stockOf(ctx context.Context, q store.Queryer, locationID, partID int64) ([]StockRow, error) {
	var out []StockRow
	err := store.Select(ctx, q, &out, stockRows+` WHERE x.location_id = ? AND x.part_id = ?`, locationID, partID)
	return out, err
}

// belowSafetyAt lists the parts below their safety stock at the locations.
func belowSafetyAt(ctx context.Context, q store.Queryer, locs []Location) ([]StockRow, error) {
	out := []StockRow{}
	if len(locs) == 0 {
		return out, nil
	}
	ids := make([]any, len(locs))
	marks := make([]string, len(locs))
	for i, l := range locs {
		ids[i], marks[i] = l.ID, "?"
	}
	err := store.Select(ctx, q, &out, stockRows+` WHERE x.location_id IN (`+strings.Join(marks, ",")+`) AND COALESCE(h.qty, 0) < COALESCE(ss.qty, 0)
		ORDER BY l.name, p.part_number`, ids...)
	return out, err
}

// Consumption on visits.

// lockOnSite takes the row lock of a visit still on site, and reports
// whether it is: a check-out running meanwhile either waits for the
// transaction or has closed the visit.
func lockOnSite(ctx context.Context, q store.Queryer, workOrderID int64) (bool, error) {
	res, err := store.Exec(ctx, q, `UPDATE work_orders SET updated_at = updated_at WHERE id = ? AND status = 'on_site'`, workOrderID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// modelOfUnit is the product model of an installed unit.
func modelOfUnit(ctx context.Context, q store.Queryer, unitID int64) (int64, error) {
	var modelID int64
	err := store.Get(ctx, q, &modelID, `SELECT model_id FROM units WHERE id = ?`, unitID)
	return modelID, err
}

// consumed lists the parts fitted on a visit, in the order fitted.
func consumed(ctx context.Context, q store.Queryer, workOrderID int64) ([]parts.UsedPart, error) {
	var rows []struct {
		PartNumber      string `db:"part_number"`
		Name            string `db:"name"`
		Kind            string `db:"kind"`
		Qty             int64  `db:"qty"`
		SerialRemoved   string `db:"serial_removed"`
		SerialInstalled string `db:"serial_installed"`
		UnitCostFen     int64  `db:"unit_cost_fen"`
	}
	if err := store.Select(ctx, q, &rows, `SELECT p.part_number, p.name, p.kind, m.qty, m.serial_removed, m.serial_installed, p.unit_cost_fen
		FROM stock_movements m JOIN parts p ON p.id = m.part_id WHERE m.work_order_id = ? AND m.kind = 'consume' ORDER BY m.id`, workOrderID); err != nil {
		return nil, err
	}
	out := make([]parts.UsedPart, 0, len(rows))
	for _, x := range rows {
		out = append(out, parts.UsedPart{PartNumber: x.PartNumber, Name: x.Name, Kind: x.Kind, Quantity: x.Qty,
			SerialRemoved: x.SerialRemoved, SerialInstalled: x.SerialInstalled, UnitPriceFen: x.UnitCostFen})
	}
	return out, nil
}

// sources lists the provider's active stores and the technician's vans, vans first.
func sources(ctx context.Context, q store.Queryer, providerID, technicianID int64) ([]Location, error) {
	out := []Location{}
	err := store.Select(ctx, q, &out, `SELECT `+locationColumns+` FROM stock_locations WHERE org_id = ? AND active
		AND (kind = 'store' OR (kind = 'van' AND technician_id = ?)) ORDER BY kind = 'van' DESC, name`, providerID, technicianID)
	return out, err
}

// Defective part returns.

const returnSelect = `SELECT r.id, r.movement_id, r.part_id, r.vendor_id, r.provider_id, r.work_order_id, r.location_id, r.qty, r.serial_removed,
	r.status, r.due_date, r.carrier, r.tracking_number, r.shipped_at, r.received_at, r.credited_at, r.credit_fen, r.version, r.created_at,
	r.updated_at, p.part_number, p.name AS part_name, COALESCE(sr.number, '') AS request_number, o.name AS provider_name
	FROM part_returns r JOIN parts p ON p.id = r.part_id JOIN work_orders w ON w.id = r.work_order_id
	LEFT JOIN service_requests sr ON sr.id = w.request_id JOIN organizations o ON o.id = r.provider_id`

// insertReturn opens the return of the defective part that movement m replaced.
func insertReturn(ctx context.Context, q store.Queryer, m Movement, vendorID, providerID, locationID int64, due string, now time.Time) (int64, error) {
	return store.InsertID(ctx, q, `INSERT INTO part_returns (movement_id, part_id, vendor_id, provider_id, work_order_id, location_id, qty,
		serial_removed, status, due_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'awaiting_shipment', ?, ?, ?) RETURNING id`,
		m.ID, m.PartID, vendorID, providerID, *m.WorkOrderID, locationID, m.Qty, m.SerialRemoved, due, now, now)
}

func getReturn(ctx context.Context, q store.Queryer, id int64, today string) (ReturnRecord, error) {
	r, err := store.ByID[ReturnRecord](ctx, q, returnSelect+` WHERE r.id = ?`, id, returnNotFound)
	r.Overdue = IsOverdue(r.Status, r.DueDate, today)
	return r, err
}

// listReturns lists the returns of an organization, as vendor or as
// provider (orgID 0: everyone's) that pass f, overdue first, then by due date.
func listReturns(ctx context.Context, q store.Queryer, orgID int64, f ReturnFilter, today string) ([]ReturnRecord, error) {
	query, args := returnSelect+` WHERE (r.vendor_id = ? OR r.provider_id = ?)`, []any{orgID, orgID}
	if orgID == 0 {
		query, args = returnSelect+` WHERE 1 = 1`, nil
	}
	if f.Status != "" {
		query, args = query+` AND r.status = ?`, append(args, f.Status)
	}
	if f.OverdueOnly {
		query, args = query+` AND r.status = 'awaiting_shipment' AND r.due_date < ?`, append(args, today)
	}
	out := []ReturnRecord{}
	err := store.Select(ctx, q, &out, query+` ORDER BY CASE WHEN r.status = 'awaiting_shipment' AND r.due_date < ? THEN 0 ELSE 1 END,
		r.due_date, r.id LIMIT ?`, append(args, today, f.Limit)...)
	return out, err
}

// unitCostOf is a part's unit cost in fen.
func unitCostOf(ctx context.Context, q store.Queryer, partID int64) (int64, error) {
	var fen int64
	err := store.Get(ctx, q, &fen, `SELECT unit_cost_fen FROM parts WHERE id = ?`, partID)
	return fen, err
}

// markShipped records a return shipped by the carrier under the tracking number.
func markShipped(ctx context.Context, q store.Queryer, id, expected int64, carrier, tracking string, now time.Time) error {
	_, err := store.Exec(ctx, q, `UPDATE part_returns SET status = 'shipped', carrier = ?, tracking_number = ?, shipped_at = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND version = ?`, carrier, tracking, now, now, id, expected)
	return err
}

// markReceived records a return received by the vendor.
func markReceived(ctx context.Context, q store.Queryer, id, expected int64, now time.Time) error {
	_, err := store.Exec(ctx, q, `UPDATE part_returns SET status = 'received', received_at = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, now, now, id, expected)
	return err
}

// markCredited records the vendor's credit for a return.
func markCredited(ctx context.Context, q store.Queryer, id, expected, creditFen int64, now time.Time) error {
	_, err := store.Exec(ctx, q, `UPDATE part_returns SET status = 'credited', credit_fen = ?, credited_at = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND version = ?`, creditFen, now, now, id, expected)
	return err
}
