// Package registry keeps the working calendars the product can use: the
// built-in ones ("cn" and "24x7"), what has been imported into them (a new
// year's official schedule), and custom calendars of an organization. It
// stores specs, compiles them with package calendar, and caches the compiled
// calendars, which are immutable.
package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"sync"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// AlwaysOpenID is the built-in round-the-clock calendar in Asia/Shanghai,
// for emergency clocks that run 24/7.
const AlwaysOpenID = "24x7"

var alwaysOpen = calendar.MustNew(calendar.Spec{ID: AlwaysOpenID, Name: "24/7", TimeZone: "Asia/Shanghai", AlwaysOpen: true})

// builtin returns a built-in calendar as shipped, before stored additions.
func builtin(id string) (*calendar.Calendar, bool) {
	if id == AlwaysOpenID {
		return alwaysOpen, true
	}
	return calendar.Builtin(id)
}

// IsBuiltin reports whether id names a built-in calendar.
func IsBuiltin(id string) bool {
	_, ok := builtin(id)
	return ok
}

// Row is a calendar as stored.
type Row struct {
	ID         string    `db:"id"`
	Name       string    `db:"name"`
	BaseID     string    `db:"base_id"`
	OwnerOrgID *int64    `db:"owner_org_id"`
	SpecJSON   string    `db:"spec_json"`
	Version    int64     `db:"version"`
	CreatedAt  time.Time `db:"created_at"`
	UpdatedAt  time.Time `db:"updated_at"`
}

// Info describes a calendar for listings.
type Info struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	TimeZone     string `json:"time_zone"`
	AlwaysOpen   bool   `json:"always_open"`
	BaseID       string `json:"base_id,omitempty"`
	Builtin      bool   `json:"builtin"`
	OwnerOrgID   *int64 `json:"owner_org_id,omitempty"`
	CoveredYears []int  `json:"covered_years"`
	Version      int64  `json:"version"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// Registry loads and caches calendars.
type Registry struct {
	DB *store.DB
	// TTL bounds how long another instance's change can go unseen.
	TTL time.Duration

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	cal     *calendar.Calendar
	version int64
	loaded  time.Time
}

// New returns a registry on db.
func New(db *store.DB) *Registry {
	return &Registry{DB: db, TTL: 5 * time.Second, cache: map[string]cached{}}
}

// ErrUnknown is wrapped by lookups of an id that is neither built in nor stored.
var ErrUnknown = errors.New("unknown calendar")

// Get returns the compiled calendar id, built in or stored.
func (r *Registry) Get(ctx context.Context, id string) (*calendar.Calendar, error) {
	r.mu.Lock()
	c, ok := r.cache[id]
	r.mu.Unlock()
	if ok && time.Since(c.loaded) < r.TTL {
		return c.cal, nil
	}
	row, err := getRow(ctx, r.DB, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		b, ok := builtin(id)
		if !ok {
			return nil, fmt.Errorf("%w %q", ErrUnknown, id)
		}
		r.put(id, b, 0)
		return b, nil
	case err != nil:
		return nil, err
	}
	if ok && c.version == row.Version {
		r.put(id, c.cal, row.Version)
		return c.cal, nil
	}
	cal, err := r.compile(ctx, row)
	if err != nil {
		return nil, err
	}
	r.put(id, cal, row.Version)
	return cal, nil
}

func (r *Registry) put(id string, cal *calendar.Calendar, version int64) {
	r.mu.Lock()
	r.cache[id] = cached{cal: cal, version: version, loaded: time.Now()}
	r.mu.Unlock()
}

// forget drops id from the cache after a local change.
func (r *Registry) forget(id string) {
	r.mu.Lock()
	delete(r.cache, id)
	r.mu.Unlock()
}

// compile builds a stored calendar: a built-in one with additions, a
// calendar derived from a base, or one made from scratch.
func (r *Registry) compile(ctx context.Context, row Row) (*calendar.Calendar, error) {
	var spec calendar.Spec
	if err := json.Unmarshal([]byte(row.SpecJSON), &spec); err != nil {
		return nil, fmt.Errorf("calendar %s: stored spec: %w", row.ID, err)
	}
	base := row.BaseID
	if IsBuiltin(row.ID) {
		base = row.ID
	}
	if base != "" {
		var b *calendar.Calendar
		var err error
		if base == row.ID {
			b, _ = builtin(base)
		} else if b, err = r.Get(ctx, base); err != nil {
			return nil, fmt.Errorf("calendar %s: base: %w", row.ID, err)
		}
		spec = Merge(b.Spec(), spec)
	}
	spec.ID, spec.Name = row.ID, row.Name
	return calendar.New(spec)
}

// Merge lays additions over base: exceptions on the same date replace the
// base's, covered years are united, and a time zone or weekly hours in the
// additions replace the base's.
func Merge(base, add calendar.Spec) calendar.Spec {
	out := base
	if add.TimeZone != "" {
		out.TimeZone = add.TimeZone
	}
	if !weekEmpty(add.Week) {
		out.Week = add.Week
		out.AlwaysOpen = false
	}
	if add.AlwaysOpen {
		out.AlwaysOpen, out.Week = true, calendar.Week{}
	}
	byDate := map[calendar.Date]calendar.Exception{}
	for _, e := range base.Exceptions {
		byDate[e.Date] = e
	}
	for _, e := range add.Exceptions {
		byDate[e.Date] = e
	}
	out.Exceptions = make([]calendar.Exception, 0, len(byDate))
	for _, e := range byDate {
		out.Exceptions = append(out.Exceptions, e)
	}
	sort.Slice(out.Exceptions, func(i, j int) bool { return out.Exceptions[i].Date.Before(out.Exceptions[j].Date) })
	years := slices.Clone(base.CoveredYears)
	for _, y := range add.CoveredYears {
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	out.CoveredYears = years
	return out
}

func weekEmpty(w calendar.Week) bool {
	for _, d := range w {
		if len(d) > 0 {
			return false
		}
	}
	return true
}

const rowColumns = `id, name, base_id, owner_org_id, spec_json, version, created_at, updated_at`

func getRow(ctx context.Context, q store.Queryer, id string) (Row, error) {
	var row Row
	err := store.Get(ctx, q, &row, `SELECT `+rowColumns+` FROM calendars WHERE id = ?`, id)
	return row, err
}

// List describes the built-in calendars and the stored ones owned by orgIDs
// (or by nobody), by id.
func (r *Registry) List(ctx context.Context, orgIDs []int64) ([]Info, error) {
	var rows []Row
	if err := store.Select(ctx, r.DB, &rows, `SELECT `+rowColumns+` FROM calendars ORDER BY id`); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []Info
	for _, row := range rows {
		if row.OwnerOrgID != nil && !slices.Contains(orgIDs, *row.OwnerOrgID) {
			continue
		}
		cal, err := r.Get(ctx, row.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, infoOf(cal, row))
		seen[row.ID] = true
	}
	for _, id := range []string{calendar.CNID, AlwaysOpenID} {
		if !seen[id] {
			b, _ := builtin(id)
			out = append(out, infoOf(b, Row{ID: id}))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Describe returns the Info of one calendar.
func (r *Registry) Describe(ctx context.Context, id string) (Info, *calendar.Calendar, error) {
	cal, err := r.Get(ctx, id)
	if err != nil {
		return Info{}, nil, err
	}
	row, err := getRow(ctx, r.DB, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Info{}, nil, err
	}
	if errors.Is(err, store.ErrNotFound) {
		row = Row{ID: id}
	}
	return infoOf(cal, row), cal, nil
}

func infoOf(cal *calendar.Calendar, row Row) Info {
	spec := cal.Spec()
	return Info{ID: cal.ID(), Name: cal.Name(), TimeZone: spec.TimeZone, AlwaysOpen: cal.AlwaysOpen(), BaseID: row.BaseID,
		Builtin: IsBuiltin(cal.ID()), OwnerOrgID: row.OwnerOrgID, CoveredYears: cal.CoveredYears(), Version: row.Version}
}

// Exists reports whether id names a usable calendar (for validating terms).
func (r *Registry) Exists(ctx context.Context, id string) (bool, error) {
	_, err := r.Get(ctx, id)
	if errors.Is(err, ErrUnknown) {
		return false, nil
	}
	return err == nil, err
}

// notFound is the problem for an unknown calendar id.
func notFound(id string) error { return problem.New(problem.NotFound, "no calendar %q", id) }
