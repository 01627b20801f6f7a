// Package stock owns where parts are kept and how they move (DOMAIN 3.1.4):
// locations in three levels (the vendor's central warehouse, a provider's
// service point store, a technician's van), an append-only ledger of every
// movement, the on-hand figures derived from it, safety stock with alerts,
// consumption on a work order, and the defective parts owed back to the
// vendor (旧件返还). It asks internal/parts whether a part may be fitted and
// reads visits from internal/workorder; neither imports it.
package stock

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
	"aftersales/internal/audit"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// LocationKind is the level of a location.
type LocationKind string

const (
	Warehouse LocationKind = "warehouse" // the vendor's central warehouse
	Store     LocationKind = "store"     // a provider's service point store
	Van       LocationKind = "van"       // a technician's van, owned by the provider
)

// Location is a place where stock is kept.
type Location struct {
	ID           int64        `db:"id" json:"id"`
	OrgID        int64        `db:"org_id" json:"org_id"`
	Kind         LocationKind `db:"kind" json:"kind" enum:"warehouse,store,van"`
	Name         string       `db:"name" json:"name"`
	TechnicianID *int64       `db:"technician_id" json:"technician_id,omitempty" doc:"The technician a van is assigned to."`
	// AllowNegative lets on-hand go below zero (stock used before its
	// receipt is booked); off by default.
	AllowNegative bool      `db:"allow_negative" json:"allow_negative"`
	Active        bool      `db:"active" json:"active"`
	Version       int64     `db:"version" json:"version"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
	UpdatedAt     time.Time `db:"updated_at" json:"updated_at"`
}

// Publisher records notifications inside a transaction (notify.Service).
type Publisher interface {
	Publish(ctx context.Context, tx store.Queryer, now time.Time, ev notify.Event) (notify.Published, error)
}

// Service holds the use cases on stock.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Notify, when set, alerts a location's people when on-hand falls
	// below safety stock.
	Notify Publisher
}

func locationNotFound(id int64) error {
	return problem.New(problem.NotFound, "stock location %d not found", id)
}

// locationScope: Own to the organization keeping it; Self to the
// technician a van is assigned to (technicians see only their van);
// Partner to organizations working with its owner (transfer destinations).
func locationScope(ctx context.Context, q store.Queryer, a policy.Actor, l Location) (policy.Scope, error) {
	switch {
	case a.Operator:
		return policy.Own, nil
	case a.OrgID == l.OrgID && a.Role == policy.Technician:
		if l.TechnicianID != nil && *l.TechnicianID == a.UserID {
			return policy.Self, nil
		}
		return policy.Unrelated, nil
	case a.OrgID == l.OrgID:
		return policy.Own, nil
	}
	partner, err := worksWith(ctx, q, a.OrgID, l.OrgID)
	if err != nil || !partner {
		return policy.Unrelated, err
	}
	return policy.Partner, nil
}

// readable loads a location the actor may read stock of (else not found)
// and do action on (else forbidden).
func readable(ctx context.Context, q store.Queryer, a policy.Actor, id int64, action policy.Action) (Location, error) {
	return policy.Load(a, policy.StockRead, action, locationNotFound(id),
		func() (Location, error) { return getLocation(ctx, q, id) },
		func(l Location) (policy.Scope, error) { return locationScope(ctx, q, a, l) })
}

// GetLocation returns a location the actor may read.
func (s *Service) GetLocation(ctx context.Context, a policy.Actor, id int64) (Location, error) {
	return readable(ctx, s.DB, a, id, policy.StockRead)
}

// ListLocations returns the locations the actor may read: its
// organization's, or a technician's own van(s).
func (s *Service) ListLocations(ctx context.Context, a policy.Actor) ([]Location, error) {
	switch {
	case a.Operator:
		return allLocations(ctx, s.DB)
	case policy.Allowed(a, policy.StockRead, policy.Own):
		return orgLocations(ctx, s.DB, a.OrgID)
	case policy.Allowed(a, policy.StockRead, policy.Self):
		return vans(ctx, s.DB, a.OrgID, a.UserID)
	}
	return nil, policy.Allow(a, policy.StockRead, policy.Own)
}

// Destinations lists where the actor may transfer stock to: its own
// active locations and the warehouses and stores of the organizations it
// works with (a vendor supplying its providers, a provider returning
// surplus to the vendor).
func (s *Service) Destinations(ctx context.Context, a policy.Actor) ([]Location, error) {
	if err := policy.Allow(a, policy.StockMove, policy.Own); err != nil {
		return nil, err
	}
	return destinations(ctx, s.DB, a.OrgID)
}

// LocationInput is a new location.
type LocationInput struct {
	Kind          LocationKind
	Name          string
	TechnicianID  *int64
	AllowNegative bool
}

func checkTechnician(ctx context.Context, q store.Queryer, fs *problem.Fields, orgID int64, id *int64) error {
	if id == nil {
		fs.Add("technician_id", "a van is assigned to a technician")
		return nil
	}
	u, err := account.GetUser(ctx, q, *id)
	switch {
	case problem.Is(err, problem.NotFound):
		fs.Add("technician_id", "no such user")
	case err != nil:
		return err
	case u.OrgID != orgID || u.Role != policy.Technician || !u.Active:
		fs.Add("technician_id", "must be an active technician of the van's provider")
	}
	return nil
}

// CreateLocation adds a location to the actor's organization: a vendor
// keeps warehouses; a provider keeps stores and vans.
func (s *Service) CreateLocation(ctx context.Context, a policy.Actor, in LocationInput) (Location, error) {
	if err := policy.Allow(a, policy.StockManage, policy.Own); err != nil {
		return Location{}, err
	}
	now := s.Now().UTC()
	var out Location
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var fs problem.Fields
		in.Name = strings.TrimSpace(in.Name)
		problem.CheckText(&fs, "name", in.Name, true, 100)
		switch {
		case !slices.Contains([]LocationKind{Warehouse, Store, Van}, in.Kind):
			fs.Add("kind", "must be warehouse, store or van")
		case in.Kind == Warehouse && a.OrgKind != "vendor":
			fs.Add("kind", "a central warehouse belongs to a vendor; a provider keeps stores and vans")
		case in.Kind != Warehouse && a.OrgKind != "provider":
			fs.Add("kind", "stores and vans belong to a provider; a vendor keeps a warehouse")
		case in.Kind == Van:
			if err := checkTechnician(ctx, tx, &fs, a.OrgID, in.TechnicianID); err != nil {
				return err
			}
		case in.TechnicianID != nil:
			fs.Add("technician_id", "only a van is assigned to a technician")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		id, err := insertLocation(ctx, tx, a.OrgID, in, now)
		if err != nil {
			return err
		}
		if out, err = getLocation(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, a.OrgID, "stock.location.create", "stock_location", id, nil, out)
	})
	return out, err
}

// LocationPatch changes a location; nil fields stay.
type LocationPatch struct {
	Name          *string
	TechnicianID  *int64
	AllowNegative *bool
	Active        *bool
}

// UpdateLocation changes a location if expectedVersion still matches.
func (s *Service) UpdateLocation(ctx context.Context, a policy.Actor, id int64, p LocationPatch, expectedVersion int64) (Location, error) {
	now := s.Now().UTC()
	var out Location
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := readable(ctx, tx, a, id, policy.StockManage)
		if err != nil {
			return err
		}
		if before.Version != expectedVersion {
			return problem.New(problem.PreconditionFailed, "stock location %d was changed by someone else", id)
		}
		next := before
		var fs problem.Fields
		if p.Name != nil {
			next.Name = strings.TrimSpace(*p.Name)
			problem.CheckText(&fs, "name", next.Name, true, 100)
		}
		if p.TechnicianID != nil {
			if next.Kind != Van {
				fs.Add("technician_id", "only a van is assigned to a technician")
			} else if err := checkTechnician(ctx, tx, &fs, next.OrgID, p.TechnicianID); err != nil {
				return err
			}
			next.TechnicianID = p.TechnicianID
		}
		if p.AllowNegative != nil {
			next.AllowNegative = *p.AllowNegative
		}
		if p.Active != nil {
			next.Active = *p.Active
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if err := saveLocation(ctx, tx, next, expectedVersion, now); err != nil {
			return err
		}
		if out, err = getLocation(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.OrgID, "stock.location.update", "stock_location", id, before, out)
	})
	return out, err
}
