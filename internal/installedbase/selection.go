package installedbase

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// Selection names units for a print run of labels: chosen one by one (IDs),
// or every unit matching Filter when IDs is empty.
type Selection struct {
	IDs    []int64
	Filter UnitFilter
}

// ParseIDs reads ids written "12,15,17" or given one by one; it names the
// field when one is not a positive whole number.
func ParseIDs(field string, values ...string) ([]int64, error) {
	var out []int64
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil || id <= 0 {
				return nil, problem.Field(field, "%q is not a product id", part)
			}
			out = append(out, id)
		}
	}
	return out, nil
}

// SelectUnits returns the units of a selection that the actor may see, by
// id, or a validation problem when more than limit are selected or match.
// A chosen id the actor may not see is reported as not among its products.
func (s *Service) SelectUnits(ctx context.Context, a policy.Actor, sel Selection, limit int) ([]Unit, error) {
	cond, args, err := visibleUnits(a)
	if err != nil {
		return nil, err
	}
	if len(sel.IDs) > 0 {
		ids := slices.Clone(sel.IDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) > limit {
			return nil, problem.Field("ids", "%d products chosen; at most %d in one print run", len(ids), limit)
		}
		out, err := unitsByID(ctx, s.DB, cond, args, ids)
		if err != nil {
			return nil, err
		}
		if len(out) < len(ids) {
			found := make(map[int64]bool, len(out))
			for _, u := range out {
				found[u.ID] = true
			}
			var fs problem.Fields
			for _, id := range ids {
				if !found[id] {
					fs.Add("ids", "no product %d among yours", id)
				}
			}
			return nil, fs.Err()
		}
		return out, nil
	}
	cond, args, err = s.filtered(a, sel.Filter)
	if err != nil {
		return nil, err
	}
	n, err := countUnits(ctx, s.DB, cond, args)
	if err != nil {
		return nil, err
	}
	switch {
	case n == 0:
		return nil, problem.Field("filter", "no product matches the filter")
	case n > limit:
		return nil, problem.Field("filter", "%d products match the filter; at most %d in one print run: narrow the filter or choose products", n, limit)
	}
	return allUnits(ctx, s.DB, cond, args, n)
}
