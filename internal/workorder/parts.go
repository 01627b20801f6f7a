package workorder

import (
	"context"

	"aftersales/internal/parts"
	"aftersales/internal/store"
)

// PartsLedger tells which parts a work order used. The stock ledger
// implements it; this package only asks, when it seals the record.
type PartsLedger interface {
	UsedParts(ctx context.Context, q store.Queryer, workOrderID int64) ([]parts.UsedPart, error)
}
