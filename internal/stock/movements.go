package stock

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// MoveInput is a receipt, transfer or stocktake adjustment.
type MoveInput struct {
	Kind           MovementKind // receive, transfer or adjust
	PartID         int64
	FromLocationID int64 // transfer
	ToLocationID   int64 // receive, transfer
	LocationID     int64 // adjust
	// Qty is positive for receive and transfer; for adjust it is the signed
	// correction (-2: two fewer than booked were counted).
	Qty       int64
	Reason    string // adjust: required
	Reference string // e.g. a delivery note number
}

// MoveAction is what the policy must grant to book a movement of the
// kind: a stocktake adjustment is StockAdjust, a receipt or a transfer
// StockMove.
func MoveAction(k MovementKind) policy.Action {
	if k == Adjust {
		return policy.StockAdjust
	}
	return policy.StockMove
}

// Booked are the movements Move books, in the order a form offers them.
var Booked = []MovementKind{Receive, Transfer, Adjust}

// MayBook lists the movements of Booked the actor may book at their own
// locations: what Move asks before anything else, for the pages that offer
// only what their reader may book.
func MayBook(a policy.Actor) []MovementKind {
	var kinds []MovementKind
	for _, k := range Booked {
		if policy.Allowed(a, MoveAction(k), policy.Own) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// Move books a receipt, a transfer or an adjustment.
func (s *Service) Move(ctx context.Context, a policy.Actor, in MoveInput) (Movement, error) {
	if err := policy.Allow(a, MoveAction(in.Kind), policy.Own); err != nil {
		return Movement{}, err
	}
	now := s.Now().UTC()
	var out Movement
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var fs problem.Fields
		in.Reason, in.Reference = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Reference)
		problem.CheckText(&fs, "reason", in.Reason, in.Kind == Adjust, 500)
		problem.CheckText(&fs, "reference", in.Reference, false, 100)
		m := Movement{Kind: in.Kind, PartID: in.PartID, Reason: in.Reason, Reference: in.Reference, ActorID: store.NullID(a.UserID), Actor: a.Label(), At: now}
		var from *Location
		var orgID int64
		loc := func(field string, id int64, need policy.Action, partnerOK bool) (*Location, error) {
			if id <= 0 {
				fs.Add(field, "is required")
				return nil, nil
			}
			l, err := getLocation(ctx, tx, id)
			if problem.Is(err, problem.NotFound) {
				fs.Add(field, "no such stock location")
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			sc, err := locationScope(ctx, tx, a, l)
			if err != nil {
				return nil, err
			}
			switch {
			case partnerOK && sc == policy.Partner && l.Kind != Van:
				// A transfer may deliver to a partner's warehouse or store.
			case !policy.Allowed(a, policy.StockRead, sc) && !policy.Allowed(a, need, sc):
				fs.Add(field, "no such stock location")
				return nil, nil
			default:
				if err := policy.Allow(a, need, sc); err != nil {
					return nil, err
				}
			}
			if !l.Active {
				fs.Add(field, "location %s is closed", l.Name)
			}
			return &l, nil
		}
		switch in.Kind {
		case Receive:
			to, err := loc("to_location_id", in.ToLocationID, policy.StockMove, false)
			if err != nil {
				return err
			}
			if to != nil {
				m.ToLocationID, orgID = &to.ID, to.OrgID
			}
			m.Qty = in.Qty
		case Transfer:
			f, err := loc("from_location_id", in.FromLocationID, policy.StockMove, false)
			if err != nil {
				return err
			}
			to, err := loc("to_location_id", in.ToLocationID, policy.StockMove, true)
			if err != nil {
				return err
			}
			if f != nil {
				from, m.FromLocationID, orgID = f, &f.ID, f.OrgID
			}
			if to != nil {
				m.ToLocationID = &to.ID
				if f != nil && f.ID == to.ID {
					fs.Add("to_location_id", "must differ from from_location_id")
				}
			}
			m.Qty = in.Qty
		case Adjust:
			l, err := loc("location_id", in.LocationID, policy.StockAdjust, false)
			if err != nil {
				return err
			}
			if l != nil {
				orgID = l.OrgID
				if in.Qty < 0 {
					from, m.FromLocationID = l, &l.ID
				} else {
					m.ToLocationID = &l.ID
				}
			}
			m.Qty = in.Qty
			if in.Qty < 0 {
				m.Qty = -in.Qty
			}
			if in.Qty == 0 {
				fs.Add("qty", "an adjustment changes on-hand by at least one")
			}
		default:
			return problem.Field("kind", "must be receive, transfer or adjust")
		}
		if in.Kind != Adjust && (in.Qty <= 0 || in.Qty > MaxQty) {
			fs.Add("qty", "must be from 1 to %d", MaxQty)
		} else if m.Qty > MaxQty {
			fs.Add("qty", "must be from -%d to %d", MaxQty, MaxQty)
		}
		part, err := s.visiblePart(ctx, tx, a, in.PartID, &fs)
		if err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if !part.Active && in.Kind == Receive {
			return problem.Field("part_id", "part %s is withdrawn from the catalog", part.PartNumber)
		}
		m, lv, err := post(ctx, tx, m, from)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, a, orgID, "stock."+string(in.Kind), "stock_movement", m.ID, nil, m); err != nil {
			return err
		}
		if err := s.alert(ctx, tx, lv, part, now); err != nil {
			return err
		}
		out = m
		return nil
	})
	return out, err
}

// visiblePart loads a part the actor may read, or names part_id.
func (s *Service) visiblePart(ctx context.Context, q store.Queryer, a policy.Actor, id int64, fs *problem.Fields) (parts.Part, error) {
	if id <= 0 {
		fs.Add("part_id", "is required")
		return parts.Part{}, nil
	}
	p, err := parts.Get(ctx, q, id)
	if problem.Is(err, problem.NotFound) {
		fs.Add("part_id", "no such part in the catalogs you work with")
		return p, nil
	}
	if err != nil {
		return p, err
	}
	sc, err := parts.ScopeOf(ctx, q, a, p.VendorID)
	if err != nil {
		return p, err
	}
	if !a.Operator && sc != policy.Own && sc != policy.Partner {
		fs.Add("part_id", "no such part in the catalogs you work with")
	}
	return p, nil
}

// LedgerFilter narrows a ledger listing.
type LedgerFilter struct {
	LocationID int64
	PartID     int64
	WorkOrder  int64
	BeforeID   int64
	Limit      int
}

// LedgerRow is a movement with names to show.
type LedgerRow struct {
	Movement
	PartNumber string `db:"part_number" json:"part_number"`
	PartName   string `db:"part_name" json:"part_name"`
	FromName   string `db:"from_name" json:"from_name,omitempty"`
	ToName     string `db:"to_name" json:"to_name,omitempty"`
}

// Ledger lists the movements at a location the actor may read, newest first.
func (s *Service) Ledger(ctx context.Context, a policy.Actor, f LedgerFilter) ([]LedgerRow, error) {
	if _, err := readable(ctx, s.DB, a, f.LocationID, policy.StockRead); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	return ledgerRows(ctx, s.DB, f)
}

// StockRow is on-hand and safety stock of a part at a location.
type StockRow struct {
	LocationID   int64  `db:"location_id" json:"location_id"`
	LocationName string `db:"location_name" json:"location_name"`
	PartID       int64  `db:"part_id" json:"part_id"`
	PartNumber   string `db:"part_number" json:"part_number"`
	PartName     string `db:"part_name" json:"part_name"`
	PartNameEn   string `db:"part_name_en" json:"part_name_en,omitempty"`
	PartKind     string `db:"part_kind" json:"part_kind"`
	Qty          int64  `db:"qty" json:"qty"`
	Safety       int64  `db:"safety" json:"safety"`
	Below        bool   `db:"-" json:"below_safety" doc:"On-hand is below safety stock."`
}

func markBelow(rows []StockRow) []StockRow {
	for i := range rows {
		rows[i].Below = rows[i].Qty < rows[i].Safety
	}
	return rows
}

// OnHand lists what a location holds and its safety stock, by part number.
func (s *Service) OnHand(ctx context.Context, a policy.Actor, locationID int64) ([]StockRow, error) {
	if _, err := readable(ctx, s.DB, a, locationID, policy.StockRead); err != nil {
		return nil, err
	}
	out, err := stockAt(ctx, s.DB, locationID)
	return markBelow(out), err
}

// BelowSafety lists every (location, part) of the actor's locations whose
// on-hand is below its safety stock.
func (s *Service) BelowSafety(ctx context.Context, a policy.Actor) ([]StockRow, error) {
	locs, err := s.ListLocations(ctx, a)
	if err != nil {
		return nil, err
	}
	out, err := belowSafetyAt(ctx, s.DB, locs)
	return markBelow(out), err
}

// SetSafety sets the safety stock of a part at a location (0 removes it).
func (s *Service) SetSafety(ctx context.Context, a policy.Actor, locationID, partID, qty int64) (StockRow, error) {
	now := s.Now().UTC()
	var out StockRow
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		l, err := readable(ctx, tx, a, locationID, policy.StockManage)
		if err != nil {
			return err
		}
		var fs problem.Fields
		if qty < 0 || qty > MaxQty {
			fs.Add("qty", "must be from 0 to %d", MaxQty)
		}
		if _, err := s.visiblePart(ctx, tx, a, partID, &fs); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		before, err := safetyOf(ctx, tx, locationID, partID)
		if err != nil {
			return err
		}
		if err := setSafety(ctx, tx, locationID, partID, qty); err != nil {
			return err
		}
		rows, err := stockOf(ctx, tx, locationID, partID)
		if err != nil {
			return err
		}
		out = StockRow{LocationID: locationID, LocationName: l.Name, PartID: partID}
		if len(rows) > 0 {
			out = markBelow(rows)[0]
		}
		return audit.Record(ctx, tx, now, a, l.OrgID, "stock.safety", "stock_location", fmt.Sprintf("%d/%d", locationID, partID),
			map[string]int64{"safety": before}, map[string]int64{"safety": qty})
	})
	return out, err
}
