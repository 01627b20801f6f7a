package parts

// UsedPart is a part fitted on a visit, as the technician's page, a unit's
// history and the sealed service record show it (DOMAIN 3.2.3: the record
// covers the parts). The stock ledger reads them from its consumptions.
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
