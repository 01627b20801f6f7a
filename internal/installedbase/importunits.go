package installedbase

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// ImportRequest is a file of units to import for a vendor.
type ImportRequest struct {
	Filename string
	Data     []byte
	// DryRun checks every row and changes nothing.
	DryRun bool
	// VendorID: whose units; taken from the actor unless the actor is the operator.
	VendorID int64
	// Progress, when set, hears how far the import got: stage is "check"
	// or "insert", done of total rows.
	Progress func(stage string, done, total int)
}

// ImportReport is the outcome of an import: every bad row with its line
// and reason, or the number of units imported. Nothing is imported unless
// every row is good.
type ImportReport struct {
	Filename string     `json:"filename"`
	Format   string     `json:"format"`
	Encoding string     `json:"encoding"`
	DryRun   bool       `json:"dry_run"`
	Rows     int        `json:"rows"`
	Imported int        `json:"imported"`
	Errors   []RowError `json:"errors"`
	SHA256   string     `json:"sha256"`
}

// OK reports whether every row is good.
func (r ImportReport) OK() bool { return len(r.Errors) == 0 }

// ImportUnits checks a file of units and, unless it is a dry run and if
// every row is good, stores them all in one transaction. A report with
// errors is not an error: the caller shows it.
func (s *Service) ImportUnits(ctx context.Context, a policy.Actor, req ImportRequest) (ImportReport, error) {
	vendorID := req.VendorID
	if !a.Operator || vendorID == 0 {
		var err error
		if vendorID, err = vendorOf(a, policy.UnitManage); err != nil {
			return ImportReport{}, err
		}
	}
	sum := sha256.Sum256(req.Data)
	parsed := ParseUnitsFile(req.Data)
	rep := ImportReport{Filename: req.Filename, Format: parsed.Format, Encoding: parsed.Encoding, DryRun: req.DryRun, Rows: len(parsed.Rows),
		Errors: parsed.Errors, SHA256: hex.EncodeToString(sum[:])}
	if len(rep.Errors) > 0 {
		return rep, nil
	}
	if len(parsed.Rows) == 0 {
		rep.Errors = append(rep.Errors, RowError{Line: 1, Field: "file", Reason: "the file has a header but no rows"})
		return rep, nil
	}
	progress := func(stage string, done int) {
		if req.Progress != nil {
			req.Progress(stage, done, len(parsed.Rows))
		}
	}
	if req.DryRun {
		_, errs, err := s.checkRows(ctx, s.DB, vendorID, parsed.Rows, progress)
		rep.Errors = errs
		return rep, err
	}
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		rows, errs, err := s.checkRows(ctx, tx, vendorID, parsed.Rows, progress)
		if err != nil || len(errs) > 0 {
			rep.Errors = errs
			return err
		}
		if err := insertUnits(ctx, tx, rows, now, func(done int) { progress("insert", done) }); err != nil {
			return err
		}
		rep.Imported = len(rows)
		return audit.Record(ctx, tx, now, a, vendorID, "unit.import", "unit_import", rep.SHA256[:16], nil,
			map[string]any{"filename": req.Filename, "units": len(rows), "sha256": rep.SHA256})
	})
	if err != nil {
		rep.Imported = 0
	}
	return rep, err
}

// importLookup is what rows are checked against, loaded once per import.
type importLookup struct {
	models     map[string]ProductModel
	customers  map[string]int64           // code -> id, the vendor's customers
	sites      map[int64]map[string]int64 // customer -> site name -> id
	agreements map[string]int64           // number -> id, the vendor's
}

func loadLookup(ctx context.Context, q store.Queryer, vendorID int64) (importLookup, error) {
	l := importLookup{models: map[string]ProductModel{}, customers: map[string]int64{}, sites: map[int64]map[string]int64{}, agreements: map[string]int64{}}
	var models []ProductModel
	if err := store.Select(ctx, q, &models, `SELECT `+modelColumns+` FROM product_models WHERE vendor_id = ?`, vendorID); err != nil {
		return l, err
	}
	for _, m := range models {
		l.models[m.Code] = m
	}
	var named []struct {
		ID       int64  `db:"id"`
		Key      string `db:"k"`
		Customer int64  `db:"customer_org_id"`
	}
	if err := store.Select(ctx, q, &named, `SELECT id, code AS k, 0 AS customer_org_id FROM organizations
		WHERE kind = 'customer' AND id IN (`+partnersOf+`)`, vendorID); err != nil {
		return l, err
	}
	for _, c := range named {
		l.customers[c.Key] = c.ID
	}
	named = nil
	if err := store.Select(ctx, q, &named, `SELECT id, name AS k, customer_org_id FROM sites WHERE customer_org_id IN (`+partnersOf+`)`, vendorID); err != nil {
		return l, err
	}
	for _, s := range named {
		if l.sites[s.Customer] == nil {
			l.sites[s.Customer] = map[string]int64{}
		}
		l.sites[s.Customer][s.Key] = s.ID
	}
	named = nil
	if err := store.Select(ctx, q, &named, `SELECT id, number AS k, 0 AS customer_org_id FROM agreements WHERE vendor_id = ?`, vendorID); err != nil {
		return l, err
	}
	for _, a := range named {
		l.agreements[a.Key] = a.ID
	}
	return l, nil
}

// checkRows turns file rows into units to insert, or reports every bad row.
func (s *Service) checkRows(ctx context.Context, q store.Queryer, vendorID int64, rows []ImportRow, progress func(string, int)) ([]unitRow, []RowError, error) {
	l, err := loadLookup(ctx, q, vendorID)
	if err != nil {
		return nil, nil, err
	}
	today := s.today()
	var errs []RowError
	bad := func(r ImportRow, field, value, format string, args ...any) {
		errs = append(errs, RowError{Line: r.Line, Field: field, Value: value, Reason: fmt.Sprintf(format, args...)})
	}
	out := make([]unitRow, 0, len(rows))
	seen := make(map[string]int, len(rows))
	for i, r := range rows {
		u := unitRow{VendorID: vendorID, Serial: NormalizeSerial(r.Serial)}
		ok := true
		if msg := CheckSerial(u.Serial); msg != "" {
			bad(r, "serial_number", r.Serial, "%s", msg)
			ok = false
		} else if first, dup := seen[u.Serial]; dup {
			bad(r, "serial_number", r.Serial, "duplicate of line %d in this file", first)
			ok = false
		} else {
			seen[u.Serial] = r.Line
		}
		m, found := l.models[NormalizeModelCode(r.Model)]
		if !found {
			bad(r, "model", r.Model, "unknown model")
			ok = false
		}
		customer, found := l.customers[strings.ToLower(strings.TrimSpace(r.CustomerCode))]
		if !found {
			bad(r, "customer_code", r.CustomerCode, "unknown customer (not one of your customers' codes)")
			ok = false
		} else if u.SiteID = l.sites[customer][strings.TrimSpace(r.SiteName)]; u.SiteID == 0 {
			bad(r, "site_name", r.SiteName, "the customer has no site of this name")
			ok = false
		}
		date, msg := checkInstallDate(r.InstallDate, today)
		if msg != "" {
			bad(r, "install_date", r.InstallDate, "%s", msg)
			ok = false
		}
		if r.AgreementNumber != "" {
			id, found := l.agreements[strings.TrimSpace(r.AgreementNumber)]
			if !found {
				bad(r, "agreement_number", r.AgreementNumber, "unknown agreement")
				ok = false
			}
			u.AgreementID = &id
		}
		if ok {
			install, _ := time.Parse(time.DateOnly, date)
			u.ModelID, u.InstallDate = m.ID, date
			u.WarrantyEnd = WarrantyEnd(install, m.WarrantyMonths).Format(time.DateOnly)
			out = append(out, u)
		}
		if (i+1)%5000 == 0 {
			progress("check", i+1)
		}
	}
	if err := checkStoredSerials(ctx, q, vendorID, seen, func(serial string) {
		errs = append(errs, RowError{Line: seen[serial], Field: "serial_number", Value: serial, Reason: "is already registered"})
	}); err != nil {
		return nil, nil, err
	}
	progress("check", len(rows))
	if len(errs) > 0 {
		sortErrors(errs)
		return nil, errs, nil
	}
	for i := range out {
		if out[i].Token, err = NewToken(); err != nil {
			return nil, nil, err
		}
	}
	return out, nil, nil
}

// checkStoredSerials calls found for each of serials the vendor already has.
func checkStoredSerials(ctx context.Context, q store.Queryer, vendorID int64, serials map[string]int, found func(string)) error {
	const batch = 500
	list := make([]string, 0, len(serials))
	for s := range serials {
		list = append(list, s)
	}
	for start := 0; start < len(list); start += batch {
		part := list[start:min(start+batch, len(list))]
		query, args, err := sqlx.In(`SELECT serial_number FROM units WHERE vendor_id = ? AND serial_number IN (?)`, vendorID, part)
		if err != nil {
			return err
		}
		var existing []string
		if err := store.Select(ctx, q, &existing, query, args...); err != nil {
			return err
		}
		for _, s := range existing {
			found(s)
		}
	}
	return nil
}

// sortErrors orders errors by line, stably: a person fixes the file top to bottom.
func sortErrors(errs []RowError) {
	slices.SortStableFunc(errs, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
}

// ImportProblem turns a report with errors into a validation problem whose
// fields are "content.line_12.serial_number", for the API.
func (r ImportReport) ImportProblem() error {
	if r.OK() {
		return nil
	}
	var fs problem.Fields
	for _, e := range r.Errors {
		fs.Add(fmt.Sprintf("content.line_%d.%s", e.Line, e.Field), "%s", e.Reason)
	}
	return fs.Err()
}
