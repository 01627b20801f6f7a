package staff

import (
	"context"

	"aftersales/internal/store"
)

// QualJob is a visit whose qualified technicians a day plan needs.
type QualJob struct {
	UnitID      int64
	ServiceItem string
	Day         string // the local date, YYYY-MM-DD
}

// Qualified answers, per job, which of the provider's technicians the
// vendor's rules let work on it that day (by id; a vendor without rules
// lets everyone), in one read of q. Exceptions are not counted: they are
// one-off decisions for one visit, made by hand.
func (s *Service) Qualified(ctx context.Context, q store.Queryer, providerID int64, techs []int64, jobs []QualJob) ([]map[int64]bool, error) {
	byTech, err := providerCerts(ctx, q, providerID)
	if err != nil {
		return nil, err
	}
	lines := map[int64]unitLine{}
	rules := map[int64][]Rule{}
	out := make([]map[int64]bool, len(jobs))
	for i, j := range jobs {
		u, ok := lines[j.UnitID]
		if !ok {
			var err error
			if u, err = unitLineOf(ctx, q, j.UnitID); err != nil {
				return nil, err
			}
			lines[j.UnitID] = u
		}
		rs, ok := rules[u.VendorID]
		if !ok {
			var err error
			if rs, err = rulesOf(ctx, q, u.VendorID); err != nil {
				return nil, err
			}
			rules[u.VendorID] = rs
		}
		v := Visit{VendorID: u.VendorID, ProductLine: u.ProductLine, ServiceItem: j.ServiceItem, From: j.Day, To: j.Day}
		out[i] = map[int64]bool{}
		for _, t := range techs {
			if len(rs) == 0 || Qualify(rs, byTech[t], v) == nil {
				out[i][t] = true
			}
		}
	}
	return out, nil
}
