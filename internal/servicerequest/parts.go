package servicerequest

import (
	"context"

	"aftersales/internal/store"
)

// UsedPart is a part fitted on a work order, as the sealed service record
// shows it (DOMAIN 3.2.3: the record covers the parts).
type UsedPart struct {
	PartNumber      string `json:"part_number"`
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	Quantity        int64  `json:"quantity"`
	SerialRemoved   string `json:"serial_removed,omitempty"`
	SerialInstalled string `json:"serial_installed,omitempty"`
	// UnitPriceFen is the part's catalog unit cost when it is read, for the
	// sealed record; the pages and API that list parts fitted do not show it.
	UnitPriceFen int64 `json:"-"`
}

// PartsLedger tells which parts a work order used. The stock ledger
// implements it; this package only asks, when it seals the record.
type PartsLedger interface {
	UsedParts(ctx context.Context, q store.Queryer, workOrderID int64) ([]UsedPart, error)
}

// usedParts asks the ledger, when there is one, for a visit's parts.
func (s *Service) usedParts(ctx context.Context, q store.Queryer, workOrderID int64) ([]UsedPart, error) {
	if s.Parts == nil {
		return []UsedPart{}, nil
	}
	used, err := s.Parts.UsedParts(ctx, q, workOrderID)
	if used == nil {
		used = []UsedPart{}
	}
	return used, err
}
