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
	"golang.org/x/text/width"

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
// every row is good. Customers and Sites say which of those the rows name
// were found and which are (or, in a dry run, will be) created; Ignored
// lists the headers of columns the import does not use.
type ImportReport struct {
	Filename  string        `json:"filename"`
	Format    string        `json:"format"`
	Encoding  string        `json:"encoding"`
	DryRun    bool          `json:"dry_run"`
	Rows      int           `json:"rows"`
	Imported  int           `json:"imported"`
	Errors    []RowError    `json:"errors"`
	SHA256    string        `json:"sha256"`
	Ignored   []string      `json:"ignored_columns"`
	Customers []ImportParty `json:"customers"`
	Sites     []ImportParty `json:"sites"`
}

// Created counts the customers and sites the import creates.
func (r ImportReport) Created() (customers, sites int) {
	for _, c := range r.Customers {
		if c.Action == "created" {
			customers++
		}
	}
	for _, s := range r.Sites {
		if s.Action == "created" {
			sites++
		}
	}
	return customers, sites
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
		Errors: parsed.Errors, SHA256: hex.EncodeToString(sum[:]), Ignored: parsed.Ignored}
	if len(rep.Errors) > 0 {
		return rep, nil
	}
	if len(parsed.Rows) == 0 {
		fileErrors(&rep.Errors, 1).Add("file", "the file has a header but no rows")
		return rep, nil
	}
	progress := func(stage string, done int) {
		if req.Progress != nil {
			req.Progress(stage, done, len(parsed.Rows))
		}
	}
	if req.DryRun {
		checked, err := s.checkRows(ctx, s.DB, vendorID, parsed.Rows, progress)
		rep.Errors = checked.errs
		rep.Customers, rep.Sites = checked.parties.report()
		return rep, err
	}
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		checked, err := s.checkRows(ctx, tx, vendorID, parsed.Rows, progress)
		if err != nil || len(checked.errs) > 0 {
			rep.Errors = checked.errs
			return err
		}
		rep.Customers, rep.Sites = checked.parties.report()
		if err := checked.parties.create(ctx, tx, now); err != nil {
			return err
		}
		rows := checked.units()
		if err := insertUnits(ctx, tx, rows, now, func(done int) { progress("insert", done) }); err != nil {
			return err
		}
		rep.Imported = len(rows)
		customers, sites := rep.Created()
		return audit.Record(ctx, tx, now, a, vendorID, "unit.import", "unit_import", rep.SHA256[:16], nil,
			map[string]any{"filename": req.Filename, "units": len(rows), "sha256": rep.SHA256,
				"customers_created": customers, "sites_created": sites})
	})
	if err != nil {
		rep.Imported = 0
	}
	return rep, err
}

// importLookup is what rows are checked against, loaded once per import.
type importLookup struct {
	models     map[string]ProductModel
	byName     map[string]ProductModel // MatchKey of the Chinese and English names
	agreements map[string]int64        // number -> id, the vendor's
}

func loadLookup(ctx context.Context, q store.Queryer, vendorID int64) (importLookup, error) {
	l := importLookup{models: map[string]ProductModel{}, byName: map[string]ProductModel{}, agreements: map[string]int64{}}
	models, err := vendorModels(ctx, q, vendorID)
	if err != nil {
		return l, err
	}
	for _, m := range models {
		l.models[m.Code] = m
		for _, n := range []string{m.Name, m.NameEn} {
			if k := MatchKey(n); k != "" {
				if _, taken := l.byName[k]; !taken {
					l.byName[k] = m
				}
			}
		}
	}
	l.agreements, err = agreementNumbers(ctx, q, vendorID)
	return l, err
}

// model finds a model as a vendor writes it: its code ("HC-CNC-850"), its
// code followed by its name ("HC-CNC-850 数控加工中心", full-width letters
// allowed), or its name alone.
func (l importLookup) model(s string) (ProductModel, bool) {
	s = width.Fold.String(strings.TrimSpace(s))
	if m, ok := l.models[NormalizeModelCode(s)]; ok {
		return m, true
	}
	if fields := strings.Fields(s); len(fields) > 1 {
		if m, ok := l.models[NormalizeModelCode(fields[0])]; ok {
			return m, true
		}
	}
	m, ok := l.byName[MatchKey(s)]
	return m, ok
}

// checkedImport is the outcome of checking every row: the problems, or the
// units to insert once the planned customers and sites exist.
type checkedImport struct {
	errs    []RowError
	parties *partyPlan
	rows    []unitRow
	sites   []*plannedSite // the site of each of rows
}

// units gives the rows to insert, with the ids of created sites.
func (c checkedImport) units() []unitRow {
	for i := range c.rows {
		c.rows[i].SiteID = c.sites[i].id
	}
	return c.rows
}

// checkRows turns file rows into units to insert, or reports every bad row.
func (s *Service) checkRows(ctx context.Context, q store.Queryer, vendorID int64, rows []ImportRow, progress func(string, int)) (checkedImport, error) {
	var out checkedImport
	l, err := loadLookup(ctx, q, vendorID)
	if err != nil {
		return out, err
	}
	if out.parties, err = loadParties(ctx, q, vendorID); err != nil {
		return out, err
	}
	today := s.today()
	out.rows = make([]unitRow, 0, len(rows))
	seen := make(map[string]int, len(rows))
	for i, r := range rows {
		bad := rowErrors{list: &out.errs, row: r}
		before := len(out.errs)
		u := unitRow{VendorID: vendorID, Serial: NormalizeSerial(r.Serial)}
		if !addSerialProblem(bad, "serial_number", u.Serial) {
			if first, dup := seen[u.Serial]; dup {
				bad.Add("serial_number", "duplicate of line %d in this file", first)
			} else {
				seen[u.Serial] = r.Line
			}
		}
		m, found := l.model(r.Model)
		if !found {
			bad.Add("model", "unknown model: neither the code nor the name of one of your product models")
		}
		var site *plannedSite
		if c := out.parties.customer(r, bad); c != nil {
			site = out.parties.site(c, r, bad)
		}
		date := checkInstallDate(bad, "install_date", r.InstallDate, today)
		warrantyEnd := ""
		if strings.TrimSpace(r.WarrantyEnd) != "" {
			if t, ok := ParseDate(r.WarrantyEnd); !ok {
				bad.Add("warranty_end", "must be a date such as 2027-03-06 or 2027/3/6")
			} else if warrantyEnd = t.Format(time.DateOnly); date != "" && warrantyEnd < date {
				bad.Add("warranty_end", "is before the install date %s", date)
			}
		}
		if r.AgreementNumber != "" {
			id, found := l.agreements[strings.TrimSpace(r.AgreementNumber)]
			if !found {
				bad.Add("agreement_number", "unknown agreement")
			}
			u.AgreementID = &id
		}
		if len(out.errs) == before {
			install, _ := time.Parse(time.DateOnly, date)
			u.ModelID, u.InstallDate = m.ID, date
			u.WarrantyEnd = warrantyEnd
			if u.WarrantyEnd == "" {
				u.WarrantyEnd = WarrantyEnd(install, m.WarrantyMonths).Format(time.DateOnly)
			}
			out.rows = append(out.rows, u)
			out.sites = append(out.sites, site)
		}
		if (i+1)%5000 == 0 {
			progress("check", i+1)
		}
	}
	if err := checkStoredSerials(ctx, q, vendorID, seen, func(serial string) {
		rowErrors{list: &out.errs, row: ImportRow{Line: seen[serial], Serial: serial}}.Add("serial_number", "is already registered")
	}); err != nil {
		return out, err
	}
	progress("check", len(rows))
	if len(out.errs) > 0 {
		sortErrors(out.errs)
		out.rows, out.sites = nil, nil
		return out, nil
	}
	for i := range out.rows {
		if out.rows[i].Token, err = NewToken(); err != nil {
			return out, err
		}
	}
	return out, nil
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
		existing, err := storedSerials(ctx, q, vendorID, part)
		if err != nil {
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
