package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Service holds the use cases on calendars.
type Service struct {
	Reg *Registry
	Now func() time.Time
}

// Import is an uploaded holiday schedule and what was understood from it.
type Import struct {
	ID         int64      `db:"id" json:"id"`
	CalendarID string     `db:"calendar_id" json:"calendar_id"`
	OrgID      *int64     `db:"org_id" json:"-"`
	Actor      string     `db:"actor" json:"actor"`
	Filename   string     `db:"filename" json:"filename"`
	Format     string     `db:"format" json:"format"`
	State      string     `db:"state" json:"state" enum:"pending,applied,discarded"`
	ResultJSON string     `db:"result_json" json:"-"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	DecidedAt  *time.Time `db:"decided_at" json:"decided_at,omitempty"`
	Preview    Preview    `db:"-" json:"preview"`
}

// Preview is what an import would change, for review before applying.
type Preview struct {
	Exceptions []calendar.Exception     `json:"exceptions"`
	Warnings   []calendar.ImportWarning `json:"warnings"`
	Years      []calendar.YearSummary   `json:"years"`
	// Changes counts dates whose entry differs from the calendar's today.
	Changes int `json:"changes"`
	// AlreadyCovered lists years the calendar already has official data for.
	AlreadyCovered []int `json:"already_covered,omitempty"`
}

// manageScope authorizes a change to calendar id and returns its owner.
func (s *Service) authorizeManage(ctx context.Context, q store.Queryer, actor policy.Actor, id string) (*int64, error) {
	row, err := getRow(ctx, q, id)
	switch {
	case errors.Is(err, store.ErrNotFound) && IsBuiltin(id):
		return nil, policy.Allow(actor, policy.CalendarManageShared, policy.Own)
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(id)
	case err != nil:
		return nil, err
	}
	if row.OwnerOrgID == nil {
		return nil, policy.Allow(actor, policy.CalendarManageShared, policy.Own)
	}
	scope, err := org.ScopeOf(ctx, q, actor, *row.OwnerOrgID)
	if err != nil {
		return nil, err
	}
	return row.OwnerOrgID, policy.Check(actor, policy.CalendarRead, policy.CalendarManage, scope, notFound(id))
}

// Visible returns the calendar if the actor may read it.
func (s *Service) Visible(ctx context.Context, actor policy.Actor, id string) (Info, *calendar.Calendar, error) {
	info, cal, err := s.Reg.Describe(ctx, id)
	if errors.Is(err, ErrUnknown) {
		return Info{}, nil, notFound(id)
	}
	if err != nil {
		return Info{}, nil, err
	}
	if info.OwnerOrgID != nil {
		scope, err := org.ScopeOf(ctx, s.Reg.DB, actor, *info.OwnerOrgID)
		if err != nil {
			return Info{}, nil, err
		}
		if err := policy.Check(actor, policy.CalendarRead, policy.CalendarRead, scope, notFound(id)); err != nil {
			return Info{}, nil, err
		}
	}
	return info, cal, nil
}

// List returns the calendars the actor may use.
func (s *Service) List(ctx context.Context, actor policy.Actor) ([]Info, error) {
	orgs, err := org.ListVisible(ctx, s.Reg.DB, actor.OrgID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(orgs))
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	return s.Reg.List(ctx, ids)
}

// MaxImportBytes bounds an uploaded schedule.
const MaxImportBytes = 2 << 20

// PreviewImport parses an uploaded schedule for calendar id and keeps it
// pending for review. A file with errors is refused, every error named.
func (s *Service) PreviewImport(ctx context.Context, actor policy.Actor, id, filename string, data []byte) (Import, error) {
	if _, err := s.authorizeManage(ctx, s.Reg.DB, actor, id); err != nil {
		return Import{}, err
	}
	var fs problem.Fields
	filename = filepath.Base(strings.TrimSpace(filename))
	problem.CheckText(&fs, "filename", filename, false, 200)
	if len(data) == 0 {
		fs.Add("content", "the file is empty")
	} else if len(data) > MaxImportBytes {
		fs.Add("content", "the file is larger than %d bytes", MaxImportBytes)
	}
	if err := fs.Err(); err != nil {
		return Import{}, err
	}
	cal, err := s.Reg.Get(ctx, id)
	if err != nil {
		return Import{}, err
	}
	format, res, err := parse(filename, data, cal.Location())
	if err != nil {
		return Import{}, err
	}
	if len(res.Exceptions) == 0 {
		return Import{}, problem.Field("content", "no holidays or make-up workdays were found in the file")
	}
	p := Preview{Exceptions: res.Exceptions, Warnings: res.Warnings, Years: res.Years}
	for _, e := range res.Exceptions {
		if cur, ok := cal.Exception(e.Date); !ok || cur.Kind != e.Kind {
			p.Changes++
		}
	}
	for _, y := range res.Years {
		if cal.Covers(y.Year) {
			p.AlreadyCovered = append(p.AlreadyCovered, y.Year)
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return Import{}, err
	}
	now := s.Now().UTC()
	imp := Import{CalendarID: id, Actor: actor.Label(), Filename: filename, Format: format, State: "pending",
		ResultJSON: string(b), CreatedAt: now, Preview: p}
	if actor.OrgID != 0 {
		imp.OrgID = &actor.OrgID
	}
	err = s.Reg.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		imp.ID, err = store.InsertID(ctx, tx, `INSERT INTO calendar_imports (calendar_id, org_id, actor, filename, format, state, result_json, created_at)
			VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`, id, imp.OrgID, imp.Actor, filename, format, imp.ResultJSON, now)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, actor.OrgID, "calendar.import_preview", "calendar_import", imp.ID, nil,
			map[string]any{"calendar": id, "filename": filename, "years": p.Years, "changes": p.Changes})
	})
	return imp, err
}

// parse picks the importer by content (iCalendar starts with BEGIN:VCALENDAR)
// or file extension, and turns line errors into field problems.
func parse(filename string, data []byte, loc *time.Location) (string, calendar.ImportResult, error) {
	format := "csv"
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if strings.EqualFold(filepath.Ext(filename), ".ics") || bytes.HasPrefix(bytes.ToUpper(trimmed[:min(len(trimmed), 15)]), []byte("BEGIN:VCALENDAR")) {
		format = "ics"
	}
	var res calendar.ImportResult
	var err error
	if format == "ics" {
		res, err = calendar.ParseICS(data, loc)
	} else {
		res, err = calendar.ParseCSV(data)
	}
	var ie *calendar.ImportErrors
	if errors.As(err, &ie) {
		var fs problem.Fields
		for i, le := range ie.Errors {
			if i == 50 {
				fs.Add("content", "and %d more errors", len(ie.Errors)-50)
				break
			}
			fs.Put(fmt.Sprintf("content.line[%d].%s", le.Line, le.Field), le.Msg)
		}
		return format, res, fs.Err()
	}
	if err != nil {
		return format, res, problem.Field("content", "%v", err)
	}
	return format, res, nil
}

const importColumns = `id, calendar_id, org_id, actor, filename, format, state, result_json, created_at, decided_at`

func (s *Service) getImport(ctx context.Context, q store.Queryer, calendarID string, id int64) (Import, error) {
	var imp Import
	err := store.Get(ctx, q, &imp, `SELECT `+importColumns+` FROM calendar_imports WHERE id = ? AND calendar_id = ?`, id, calendarID)
	if errors.Is(err, store.ErrNotFound) {
		return imp, problem.New(problem.NotFound, "no import %d of calendar %q", id, calendarID)
	}
	if err != nil {
		return imp, err
	}
	return imp, json.Unmarshal([]byte(imp.ResultJSON), &imp.Preview)
}

// GetImport returns one import of a calendar the actor may read.
func (s *Service) GetImport(ctx context.Context, actor policy.Actor, calendarID string, id int64) (Import, error) {
	if _, _, err := s.Visible(ctx, actor, calendarID); err != nil {
		return Import{}, err
	}
	return s.getImport(ctx, s.Reg.DB, calendarID, id)
}

// ListImports returns a calendar's imports, newest first.
func (s *Service) ListImports(ctx context.Context, actor policy.Actor, calendarID string) ([]Import, error) {
	if _, _, err := s.Visible(ctx, actor, calendarID); err != nil {
		return nil, err
	}
	var out []Import
	err := store.Select(ctx, s.Reg.DB, &out, `SELECT `+importColumns+` FROM calendar_imports WHERE calendar_id = ? ORDER BY id DESC LIMIT 100`, calendarID)
	for i := range out {
		_ = json.Unmarshal([]byte(out[i].ResultJSON), &out[i].Preview)
	}
	return out, err
}

// DecideImport applies a pending import to its calendar, or discards it.
func (s *Service) DecideImport(ctx context.Context, actor policy.Actor, calendarID string, id int64, apply bool) (Import, error) {
	now := s.Now().UTC()
	var out Import
	err := s.Reg.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		owner, err := s.authorizeManage(ctx, tx, actor, calendarID)
		if err != nil {
			return err
		}
		imp, err := s.getImport(ctx, tx, calendarID, id)
		if err != nil {
			return err
		}
		if imp.State != "pending" {
			return problem.New(problem.Conflict, "import %d is already %s", id, problem.Enum("calendars.state_", imp.State))
		}
		state, action := "discarded", "calendar.import_discard"
		if apply {
			state, action = "applied", "calendar.import_apply"
			if err := s.addToCalendar(ctx, tx, calendarID, owner, imp.Preview, now); err != nil {
				return err
			}
		}
		res, err := store.Exec(ctx, tx, `UPDATE calendar_imports SET state = ?, decided_at = ? WHERE id = ? AND state = 'pending'`, state, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return problem.New(problem.Conflict, "import %d was decided by someone else", id)
		}
		out = imp
		out.State, out.DecidedAt = state, &now
		return audit.Record(ctx, tx, now, actor, actor.OrgID, action, "calendar_import", id,
			map[string]any{"state": "pending"}, map[string]any{"state": state, "calendar": calendarID, "years": imp.Preview.Years})
	})
	if err == nil && apply {
		s.Reg.forget(calendarID)
	}
	return out, err
}

// addToCalendar stores the imported exceptions as additions to the calendar
// and marks their years as covered by official data.
func (s *Service) addToCalendar(ctx context.Context, tx *sqlx.Tx, id string, owner *int64, p Preview, now time.Time) error {
	row, err := getRow(ctx, tx, id)
	exists := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var add calendar.Spec
	if exists {
		if err := json.Unmarshal([]byte(row.SpecJSON), &add); err != nil {
			return err
		}
	}
	years := []int{}
	for _, y := range p.Years {
		if y.Holidays > 0 {
			years = append(years, y.Year)
		}
	}
	add = Merge(add, calendar.Spec{Exceptions: p.Exceptions, CoveredYears: years})
	// The merged calendar must still be valid before it is stored.
	if _, err := s.compileCandidate(ctx, id, row, exists, add); err != nil {
		return err
	}
	b, err := json.Marshal(add)
	if err != nil {
		return err
	}
	if exists {
		_, err = store.Exec(ctx, tx, `UPDATE calendars SET spec_json = ?, version = version + 1, updated_at = ? WHERE id = ?`, string(b), now, id)
		return err
	}
	b0, _ := builtin(id)
	_, err = store.Exec(ctx, tx, `INSERT INTO calendars (id, name, base_id, owner_org_id, spec_json, version, created_at, updated_at)
		VALUES (?, ?, '', ?, ?, 1, ?, ?)`, id, b0.Name(), owner, string(b), now, now)
	return err
}

func (s *Service) compileCandidate(ctx context.Context, id string, row Row, exists bool, add calendar.Spec) (*calendar.Calendar, error) {
	if !exists {
		row = Row{ID: id}
		if b, ok := builtin(id); ok {
			row.Name = b.Name()
		}
	}
	b, err := json.Marshal(add)
	if err != nil {
		return nil, err
	}
	row.SpecJSON = string(b)
	cal, err := s.Reg.compile(ctx, row)
	return cal, calendar.AsProblem(err)
}

// CustomInput describes a new custom calendar.
type CustomInput struct {
	ID       string
	Name     string
	BaseID   string // "" for a calendar from scratch
	TimeZone string
	Week     calendar.Week
	// AlwaysOpen makes it 24/7 (with the base's holidays, if any).
	AlwaysOpen bool
	Exceptions []calendar.Exception
}

// CreateCustom stores a calendar of the actor's organization.
func (s *Service) CreateCustom(ctx context.Context, actor policy.Actor, in CustomInput) (Info, error) {
	if err := policy.Allow(actor, policy.CalendarManage, policy.Own); err != nil {
		return Info{}, err
	}
	var fs problem.Fields
	in.ID, in.Name = strings.TrimSpace(in.ID), strings.TrimSpace(in.Name)
	if !idPattern.MatchString(in.ID) {
		fs.Add("id", "must be 2-40 lowercase letters, digits or hyphens")
	} else if IsBuiltin(in.ID) {
		fs.Add("id", "%q is a built-in calendar", in.ID)
	}
	problem.CheckText(&fs, "name", in.Name, true, 100)
	if in.BaseID != "" {
		if ok, err := s.Reg.Exists(ctx, in.BaseID); err != nil {
			return Info{}, err
		} else if !ok {
			fs.Add("base_id", "no calendar %q", in.BaseID)
		}
	} else if in.TimeZone == "" {
		fs.Add("time_zone", "is required for a calendar made from scratch")
	}
	if err := fs.Err(); err != nil {
		return Info{}, err
	}
	add := calendar.Spec{TimeZone: in.TimeZone, Week: in.Week, AlwaysOpen: in.AlwaysOpen, Exceptions: in.Exceptions}
	now := s.Now().UTC()
	row := Row{ID: in.ID, Name: in.Name, BaseID: in.BaseID, OwnerOrgID: &actor.OrgID, CreatedAt: now, UpdatedAt: now, Version: 1}
	if actor.Operator {
		row.OwnerOrgID = nil
	}
	cal, err := s.compileCandidate(ctx, in.ID, row, true, add)
	if err != nil {
		return Info{}, err
	}
	b, _ := json.Marshal(add)
	err = s.Reg.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := store.Exec(ctx, tx, `INSERT INTO calendars (id, name, base_id, owner_org_id, spec_json, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?)`, in.ID, in.Name, in.BaseID, row.OwnerOrgID, string(b), now, now)
		if store.IsUniqueViolation(err) {
			return problem.Field("id", "a calendar %q exists", in.ID)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, actor.OrgID, "calendar.create", "calendar", in.ID, nil, map[string]any{"id": in.ID, "spec": add})
	})
	if err != nil {
		return Info{}, err
	}
	s.Reg.forget(in.ID)
	return infoOf(cal, row), nil
}

// MissingYears lists the years (current, or next within 90 days) for which
// the national calendar has no official schedule yet.
func (s *Service) MissingYears(ctx context.Context, now time.Time) []int {
	cal, err := s.Reg.Get(ctx, calendar.CNID)
	if err != nil {
		return nil
	}
	return cal.MissingYears(now, 90*24*time.Hour)
}

// Warnings lists the calendars in use that lack official data for the
// current year, or for the next one within 90 days, for /readyz and admins.
func (s *Service) Warnings(ctx context.Context, now time.Time) []string {
	cal, err := s.Reg.Get(ctx, calendar.CNID)
	if err != nil {
		return []string{"calendar cn: " + err.Error()}
	}
	var out []string
	for _, y := range cal.MissingYears(now, 90*24*time.Hour) {
		out = append(out, fmt.Sprintf("calendar cn has no official holiday schedule for %d: deadlines in %d count weekends only until the State Council notice is imported", y, y))
	}
	return out
}
