package stock

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// MovementKind is what a ledger row records.
type MovementKind string

const (
	Receive  MovementKind = "receive"  // stock arrives from outside (a purchase, a delivery)
	Transfer MovementKind = "transfer" // between two locations
	Consume  MovementKind = "consume"  // fitted on a work order
	Return   MovementKind = "return"   // a defective part shipped back to the vendor
	Adjust   MovementKind = "adjust"   // a stocktake correction, with a reason
)

// Movement is one row of the append-only ledger: Qty leaves From and/or
// arrives at To. Defective rows carry a replaced part back to the vendor:
// they never count as serviceable stock.
type Movement struct {
	ID              int64        `db:"id" json:"id"`
	Kind            MovementKind `db:"kind" json:"kind" enum:"receive,transfer,consume,return,adjust"`
	PartID          int64        `db:"part_id" json:"part_id"`
	Qty             int64        `db:"qty" json:"qty"`
	FromLocationID  *int64       `db:"from_location_id" json:"from_location_id,omitempty"`
	ToLocationID    *int64       `db:"to_location_id" json:"to_location_id,omitempty"`
	Defective       bool         `db:"defective" json:"defective"`
	WorkOrderID     *int64       `db:"work_order_id" json:"work_order_id,omitempty"`
	SerialRemoved   string       `db:"serial_removed" json:"serial_removed,omitempty"`
	SerialInstalled string       `db:"serial_installed" json:"serial_installed,omitempty"`
	Reason          string       `db:"reason" json:"reason,omitempty"`
	Reference       string       `db:"reference" json:"reference,omitempty"`
	ActorID         *int64       `db:"actor_id" json:"-"`
	Actor           string       `db:"actor" json:"actor"`
	At              time.Time    `db:"at" json:"at"`
}

const movementColumns = `id, kind, part_id, qty, from_location_id, to_location_id, defective, work_order_id, serial_removed, serial_installed,
	reason, reference, actor_id, actor, at`

// MaxQty bounds one movement's quantity.
const MaxQty = 1_000_000

// ReasonInsufficientStock is the refusal when a location holds too little.
const ReasonInsufficientStock = "insufficient_stock"

// level is a location's on-hand of a part after a movement took from it.
type level struct {
	LocationID, PartID int64
	Before, After      int64
	MovementID         int64
}

// post appends m to the ledger and applies it to on-hand, in tx. Taking
// from a location is one conditional UPDATE (qty >= wanted), so two
// transactions taking the last unit cannot both succeed: on PostgreSQL the
// second waits for the first's row lock and then finds too little; on
// SQLite write transactions are serialized. Only a location that allows
// negative stock may go below zero.
func post(ctx context.Context, tx *sqlx.Tx, m Movement, from *Location) (Movement, *level, error) {
	if m.Qty <= 0 || m.Qty > MaxQty {
		return m, nil, problem.Field("qty", "must be from 1 to %d", MaxQty)
	}
	var lv *level
	if m.FromLocationID != nil && !m.Defective {
		after, err := take(ctx, tx, *from, m.PartID, m.Qty)
		if err != nil {
			return m, nil, err
		}
		lv = &level{LocationID: from.ID, PartID: m.PartID, Before: after + m.Qty, After: after}
	}
	if m.ToLocationID != nil && !m.Defective {
		if err := addOnHand(ctx, tx, *m.ToLocationID, m.PartID, m.Qty); err != nil {
			return m, nil, err
		}
	}
	m.At = m.At.UTC().Truncate(time.Microsecond)
	id, err := insertMovement(ctx, tx, m)
	if err != nil {
		return m, nil, fmt.Errorf("ledger: %w", err)
	}
	m.ID = id
	if lv != nil {
		lv.MovementID = id
	}
	return m, lv, nil
}

// take lowers on-hand at l by qty and returns what is left.
func take(ctx context.Context, tx *sqlx.Tx, l Location, partID, qty int64) (int64, error) {
	took, err := takeHeld(ctx, tx, l.ID, partID, qty)
	if err != nil {
		return 0, err
	}
	if !took {
		if !l.AllowNegative {
			have, err := onHand(ctx, tx, l.ID, partID)
			if err != nil {
				return 0, err
			}
			e := problem.New(problem.PartRefused, "%s holds %d of this part; %d needed", l.Name, have, qty)
			e.Reason = ReasonInsufficientStock
			return 0, e
		}
		if err := addOnHand(ctx, tx, l.ID, partID, -qty); err != nil {
			return 0, err
		}
	}
	return onHand(ctx, tx, l.ID, partID)
}

// Level is on-hand of a part at a location.
type Level struct {
	LocationID int64 `db:"location_id" json:"location_id"`
	PartID     int64 `db:"part_id" json:"part_id"`
	Qty        int64 `db:"qty" json:"qty"`
}

// Difference is a (location, part) whose live on-hand differs from the ledger.
type Difference struct {
	LocationID int64 `json:"location_id"`
	PartID     int64 `json:"part_id"`
	Live       int64 `json:"live"`
	Ledger     int64 `json:"ledger"`
}

// Drift compares the live on-hand figures with the ledger and lists every
// difference (none when they agree).
func Drift(ctx context.Context, q store.Queryer) ([]Difference, error) {
	live, err := liveLevels(ctx, q)
	if err != nil {
		return nil, err
	}
	ledger, err := ledgerLevels(ctx, q)
	if err != nil {
		return nil, err
	}
	type key struct{ l, p int64 }
	m := map[key]*Difference{}
	get := func(l, p int64) *Difference {
		k := key{l, p}
		if m[k] == nil {
			m[k] = &Difference{LocationID: l, PartID: p}
		}
		return m[k]
	}
	for _, x := range live {
		get(x.LocationID, x.PartID).Live = x.Qty
	}
	for _, x := range ledger {
		get(x.LocationID, x.PartID).Ledger = x.Qty
	}
	out := []Difference{}
	for _, d := range m {
		if d.Live != d.Ledger {
			out = append(out, *d)
		}
	}
	return out, nil
}

// Rebuild recomputes every on-hand figure from the ledger and returns what
// it corrected. It holds the on-hand table against movements meanwhile.
func Rebuild(ctx context.Context, db *store.DB) ([]Difference, error) {
	var diffs []Difference
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := db.Dialect().LockTable(ctx, tx, "stock_on_hand"); err != nil {
			return err
		}
		var err error
		if diffs, err = Drift(ctx, tx); err != nil {
			return err
		}
		if len(diffs) == 0 {
			return nil
		}
		return rebuildOnHand(ctx, tx)
	})
	return diffs, err
}
