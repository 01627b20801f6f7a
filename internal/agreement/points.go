package agreement

import (
	"context"
	"fmt"
	"strings"

	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// The agreement's service points refer to the provider's staff register
// (table service_points): a term names a point by id and keeps its own
// radius; the name and coordinates are the register's, read with the
// terms. Older versions that name and place a point inline are read as
// written.

// resolvePoints fills the name and coordinates of each service point of t
// that refers to the register. A point no longer in the register is left
// out: the area it described is gone.
func resolvePoints(ctx context.Context, q store.Queryer, t *Terms) error {
	var ids []any
	for _, p := range t.ServicePoints {
		if p.ServicePointID != 0 {
			ids = append(ids, p.ServicePointID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID   int64   `db:"id"`
		Name string  `db:"name"`
		Lat  float64 `db:"lat"`
		Lng  float64 `db:"lng"`
	}
	if err := store.Select(ctx, q, &rows, `SELECT id, name, lat, lng FROM service_points WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...); err != nil {
		return err
	}
	byID := make(map[int64]int, len(rows))
	for i, r := range rows {
		byID[r.ID] = i
	}
	out := t.ServicePoints[:0:0]
	for _, p := range t.ServicePoints {
		if p.ServicePointID != 0 {
			i, ok := byID[p.ServicePointID]
			if !ok {
				continue
			}
			p.Name, p.Lat, p.Lng = rows[i].Name, rows[i].Lat, rows[i].Lng
		}
		out = append(out, p)
	}
	t.ServicePoints = out
	return nil
}

// checkPoints refuses service points of t that are not in the register or
// belong to another provider than providerID, naming the field under field.
func checkPoints(ctx context.Context, q store.Queryer, fs *problem.Fields, field string, providerID int64, t Terms) error {
	seen := map[int64]bool{}
	for i, p := range t.ServicePoints {
		if p.ServicePointID <= 0 {
			continue
		}
		f := fmt.Sprintf("%s.service_points[%d].service_point_id", field, i)
		if seen[p.ServicePointID] {
			fs.Add(f, "service point %d is listed twice", p.ServicePointID)
			continue
		}
		seen[p.ServicePointID] = true
		var owners []int64
		if err := store.Select(ctx, q, &owners, `SELECT provider_id FROM service_points WHERE id = ?`, p.ServicePointID); err != nil {
			return err
		}
		switch {
		case len(owners) == 0:
			fs.Add(f, "no service point %d in the staff register", p.ServicePointID)
		case owners[0] != providerID:
			fs.Add(f, "service point %d is not a point of the agreement's provider", p.ServicePointID)
		}
	}
	return nil
}
