package coverage

import "testing"

func TestCheckScope(t *testing.T) {
	t.Parallel()
	base := Coverage{AgreementNumber: "HC-1", Status: "active", Models: []string{"HC-CNC-850"}, Areas: []string{"32", "3301", "310115"},
		ServiceItems: []string{"repair", "maintenance"}}
	for _, c := range []struct {
		name   string
		cov    func(Coverage) Coverage
		unit   Unit
		item   string
		reason Reason
	}{
		{"province prefix", nil, site("HC-CNC-850", "320505", nil, nil), "repair", ""},
		{"city prefix", nil, site("HC-CNC-850", "330106", nil, nil), "maintenance", ""},
		{"exact county", nil, site("HC-CNC-850", "310115", nil, nil), "repair", ""},
		{"other county of a covered city's province", nil, site("HC-CNC-850", "330206", nil, nil), "repair", OutsideServiceArea},
		{"neighbouring county", nil, site("HC-CNC-850", "310116", nil, nil), "repair", OutsideServiceArea},
		{"no division", nil, site("HC-CNC-850", "", nil, nil), "repair", OutsideServiceArea},
		{"within a service point's radius", func(c Coverage) Coverage {
			c.Points = []Point{{Lat: 39.9042, Lng: 116.4074, RadiusKM: 30}} // Beijing, Tiananmen
			return c
		}, site("HC-CNC-850", "110105", ptr(39.9219), ptr(116.4436)), "repair", ""}, // Chaoyang, ~4 km
		{"beyond the radius", func(c Coverage) Coverage {
			c.Points = []Point{{Lat: 39.9042, Lng: 116.4074, RadiusKM: 30}}
			return c
		}, site("HC-CNC-850", "120101", ptr(39.0842), ptr(117.2009)), "repair", OutsideServiceArea}, // Tianjin, ~110 km
		{"model", nil, site("HC-PRESS-200", "320505", nil, nil), "repair", ModelNotCovered},
		{"item", nil, site("HC-CNC-850", "320505", nil, nil), "consultation", ServiceItemNotCovered},
		{"suspended first", func(c Coverage) Coverage { c.Status = "suspended"; return c }, site("X", "", nil, nil), "x", AgreementSuspended},
		{"draft", func(c Coverage) Coverage { c.Status = "draft"; return c }, site("HC-CNC-850", "320505", nil, nil), "repair", AgreementInactive},
		{"terminated", func(c Coverage) Coverage { c.Status = "terminated"; return c }, site("HC-CNC-850", "320505", nil, nil), "repair", AgreementInactive},
	} {
		t.Run(c.name, func(t *testing.T) {
			cov := base
			if c.cov != nil {
				cov = c.cov(cov)
			}
			err := CheckScope(cov, c.unit, c.item)
			switch {
			case c.reason == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.reason != "" && (err == nil || err.Reason != c.reason):
				t.Fatalf("got %v, want %s", err, c.reason)
			case err != nil && err.Message == "":
				t.Fatal("no sentence")
			}
		})
	}
}

func ptr(f float64) *float64 { return &f }

// site is a unit of model at a site in division, with its coordinates
// when known.
func site(model, division string, lat, lng *float64) Unit {
	return Unit{Model: model, Division: division, Lat: lat, Lng: lng}
}
