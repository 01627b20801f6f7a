package staff

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Point is a service point (服务网点), one of the provider's places.
type Point struct {
	ID         int64   `db:"id" json:"id"`
	ProviderID int64   `db:"provider_id" json:"provider_id"`
	Name       string  `db:"name" json:"name"`
	Address    string  `db:"address" json:"address"`
	Division   string  `db:"division" json:"division" doc:"County-level administrative division code, e.g. 320505."`
	Lat        float64 `db:"lat" json:"lat"`
	Lng        float64 `db:"lng" json:"lng"`
	RadiusKm   int     `db:"radius_km" json:"radius_km" doc:"The area its technicians cover, around the point."`
	Phone      string  `db:"phone" json:"phone"`
	// StockLocationID is the store of the stock ledger that supplies it.
	StockLocationID *int64    `db:"stock_location_id" json:"stock_location_id,omitempty"`
	Version         int64     `db:"version" json:"version"`
	CreatedAt       time.Time `db:"created_at" json:"created_at"`
	UpdatedAt       time.Time `db:"updated_at" json:"updated_at"`
}

// PointInput is a service point as written by the provider.
type PointInput struct {
	Name            string
	Address         string
	Division        string
	Lat, Lng        float64
	RadiusKm        int
	Phone           string
	StockLocationID *int64
}

const pointColumns = `id, provider_id, name, address, division, lat, lng, radius_km, phone, stock_location_id, version, created_at, updated_at`

func pointNotFound(id int64) error {
	return problem.New(problem.NotFound, "service point %d not found", id)
}

func getPoint(ctx context.Context, q store.Queryer, id int64) (Point, error) {
	return store.ByID[Point](ctx, q, `SELECT `+pointColumns+` FROM service_points WHERE id = ?`, id, pointNotFound)
}

// validate checks in, naming every bad field; the stock location must be a
// store of the provider.
func (in *PointInput) validate(ctx context.Context, q store.Queryer, providerID int64) error {
	var fs problem.Fields
	in.Name, in.Address, in.Division = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address), strings.TrimSpace(in.Division)
	problem.CheckText(&fs, "name", in.Name, true, 100)
	problem.CheckText(&fs, "address", in.Address, true, 300)
	if msg := installedbase.CheckDivision(in.Division); msg != "" {
		fs.Add("division", "%s", msg)
	}
	if math.IsNaN(in.Lat) || in.Lat < 3 || in.Lat > 54 {
		fs.Add("lat", "must be a latitude in China (3 to 54)")
	}
	if math.IsNaN(in.Lng) || in.Lng < 73 || in.Lng > 136 {
		fs.Add("lng", "must be a longitude in China (73 to 136)")
	}
	if in.RadiusKm == 0 {
		in.RadiusKm = 50
	}
	if in.RadiusKm < 1 || in.RadiusKm > 1000 {
		fs.Add("radius_km", "must be 1 to 1000 km")
	}
	if strings.TrimSpace(in.Phone) != "" {
		p, ok := installedbase.FormatPhone(in.Phone)
		if !ok {
			fs.Add("phone", "is not a phone number (e.g. 13812345678 or 0512-66881234)")
		}
		in.Phone = p
	} else {
		in.Phone = ""
	}
	if in.StockLocationID != nil {
		var kind string
		err := store.Get(ctx, q, &kind, `SELECT kind FROM stock_locations WHERE id = ? AND org_id = ?`, *in.StockLocationID, providerID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			fs.Add("stock_location_id", "no stock location %d of this provider", *in.StockLocationID)
		case err != nil:
			return err
		case kind != "store":
			fs.Add("stock_location_id", "must be a store, not a %s", problem.Enum("stock.kind_", kind))
		}
	}
	return fs.Err()
}

// CreatePoint adds a service point of the actor's provider.
func (s *Service) CreatePoint(ctx context.Context, a policy.Actor, providerID int64, in PointInput) (Point, error) {
	now := s.Now().UTC()
	var out Point
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := s.mayManage(ctx, tx, a, providerID); err != nil {
			return err
		}
		if err := in.validate(ctx, tx, providerID); err != nil {
			return err
		}
		if err := uniquePointName(ctx, tx, providerID, in.Name, 0); err != nil {
			return err
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO service_points (provider_id, name, address, division, lat, lng, radius_km, phone, stock_location_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, providerID, in.Name, in.Address, in.Division, in.Lat, in.Lng, in.RadiusKm, in.Phone, in.StockLocationID, now, now)
		if err != nil {
			return err
		}
		if out, err = getPoint(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, providerID, "staff.point.create", "service_point", id, nil, out)
	})
	return out, err
}

// UpdatePoint changes a service point; expectedVersion guards lost updates.
func (s *Service) UpdatePoint(ctx context.Context, a policy.Actor, id int64, in PointInput, expectedVersion int64) (Point, error) {
	now := s.Now().UTC()
	var out Point
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.readablePoint(ctx, tx, a, id, policy.StaffManage)
		if err != nil {
			return err
		}
		if before.Version != expectedVersion {
			return problem.New(problem.PreconditionFailed, "service point %d was changed by someone else", id)
		}
		if err := in.validate(ctx, tx, before.ProviderID); err != nil {
			return err
		}
		if err := uniquePointName(ctx, tx, before.ProviderID, in.Name, id); err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `UPDATE service_points SET name = ?, address = ?, division = ?, lat = ?, lng = ?, radius_km = ?, phone = ?,
			stock_location_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			in.Name, in.Address, in.Division, in.Lat, in.Lng, in.RadiusKm, in.Phone, in.StockLocationID, now, id, expectedVersion); err != nil {
			return err
		}
		if out, err = getPoint(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.ProviderID, "staff.point.update", "service_point", id, before, out)
	})
	return out, err
}

func uniquePointName(ctx context.Context, q store.Queryer, providerID int64, name string, except int64) error {
	var n int
	if err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM service_points WHERE provider_id = ? AND name = ? AND id <> ?`, providerID, name, except); err != nil {
		return err
	}
	if n > 0 {
		return problem.Field("name", "the provider already has a service point named %q", name)
	}
	return nil
}

// readablePoint loads a point the actor may read (else not found) and do
// action on (else forbidden).
func (s *Service) readablePoint(ctx context.Context, q store.Queryer, a policy.Actor, id int64, action policy.Action) (Point, error) {
	return policy.Load(a, policy.StaffRead, action, pointNotFound(id),
		func() (Point, error) { return getPoint(ctx, q, id) },
		func(p Point) (policy.Scope, error) {
			sc, err := providerScope(ctx, q, a, p.ProviderID)
			if a.Role == policy.Technician && sc == policy.Own {
				// A technician sees the service points of their provider.
				sc = policy.Self
			}
			return sc, err
		})
}

// GetPoint returns a service point the actor may see.
func (s *Service) GetPoint(ctx context.Context, a policy.Actor, id int64) (Point, error) {
	return s.readablePoint(ctx, s.DB, a, id, policy.StaffRead)
}

// ListPoints lists the service points of a provider the actor may see.
func (s *Service) ListPoints(ctx context.Context, a policy.Actor, providerID int64) ([]Point, error) {
	if err := s.mayRead(ctx, s.DB, a, providerID); err != nil {
		return nil, err
	}
	out := []Point{}
	return out, store.Select(ctx, s.DB, &out, `SELECT `+pointColumns+` FROM service_points WHERE provider_id = ? ORDER BY name, id`, providerID)
}

// mayRead: the actor may read the staff register of providerID. A
// provider the actor has nothing to do with is not found; one it works
// with but may not read the staff of is forbidden (organizations are no
// secret between partners).
func (s *Service) mayRead(ctx context.Context, q store.Queryer, a policy.Actor, providerID int64) error {
	return orgAllows(ctx, q, a, providerID, policy.StaffRead, providerNotFound(providerID))
}

// mayManage: the actor may change the staff register of providerID.
func (s *Service) mayManage(ctx context.Context, q store.Queryer, a policy.Actor, providerID int64) error {
	return orgAllows(ctx, q, a, providerID, policy.StaffManage, providerNotFound(providerID))
}

func providerNotFound(id int64) error {
	return problem.New(problem.NotFound, "provider %d not found", id)
}

func vendorNotFound(id int64) error { return problem.New(problem.NotFound, "vendor %d not found", id) }

func orgAllows(ctx context.Context, q store.Queryer, a policy.Actor, orgID int64, action policy.Action, hidden error) error {
	sc, err := providerScope(ctx, q, a, orgID)
	if err != nil {
		return err
	}
	if sc == policy.Unrelated {
		return hidden
	}
	if a.Role == policy.Technician && sc == policy.Own && action == policy.StaffRead {
		// A technician reads the register as far as it concerns them.
		sc = policy.Self
	}
	return policy.Allow(a, action, sc)
}

// PointChoice is a service point as the agreement form offers it.
type PointChoice struct {
	ID         int64  `db:"id"`
	ProviderID int64  `db:"provider_id"`
	Provider   string `db:"provider"`
	Name       string `db:"name"`
	Address    string `db:"address"`
}

// PointChoices lists the service points of the providers, by provider and
// name, for the form of an agreement with one of them (the caller has
// checked who may write it). An agreement's service point refers to one.
func PointChoices(ctx context.Context, q store.Queryer, providerIDs []int64) ([]PointChoice, error) {
	out := []PointChoice{}
	if len(providerIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(providerIDs))
	for i, id := range providerIDs {
		args[i] = id
	}
	err := store.Select(ctx, q, &out, `SELECT sp.id, sp.provider_id, o.name AS provider, sp.name, sp.address FROM service_points sp
		JOIN organizations o ON o.id = sp.provider_id WHERE sp.provider_id IN (?`+strings.Repeat(", ?", len(args)-1)+`) ORDER BY o.name, sp.name, sp.id`, args...)
	return out, err
}
