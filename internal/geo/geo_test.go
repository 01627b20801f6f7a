package geo

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

var (
	shanghai = Point{Lat: 31.2304, Lng: 121.4737} // People's Square
	suzhou   = Point{Lat: 31.3303, Lng: 120.6105} // the railway station
	beijing  = Point{Lat: 39.9042, Lng: 116.4074} // Tiananmen
)

// greatCircle is the haversine formula, the exact distance on the sphere
// that Distance approximates.
func greatCircle(a, b Point) float64 {
	const rad = math.Pi / 180
	dLat, dLng := (b.Lat-a.Lat)*rad, (b.Lng-a.Lng)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Distances people know: Shanghai to Beijing is about 1,067 km as the crow
// flies, to Suzhou about 84 km; a place is no distance from itself, and the
// short way across the 180th meridian is the short way.
func TestKnownDistances(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		a, b     Point
		want, by float64 // km, and the error allowed
	}{
		{"Shanghai–Beijing", shanghai, beijing, 1067, 1067 * 0.01},
		{"Beijing–Shanghai", beijing, shanghai, 1067, 1067 * 0.01},
		{"Shanghai–Suzhou", shanghai, suzhou, 84, 4},
		{"Shanghai–Shanghai", shanghai, shanghai, 0, 0},
		{"a degree along the equator", Point{0, 0}, Point{0, 1}, EarthRadiusKm * math.Pi / 180, 1e-9},
		{"a degree across the 180th meridian", Point{0, 179.5}, Point{0, -179.5}, EarthRadiusKm * math.Pi / 180, 1e-9},
	} {
		if got := Distance(c.a, c.b); math.Abs(got-c.want) > c.by {
			t.Errorf("%s: %.3f km, want %.0f ± %.3f", c.name, got, c.want, c.by)
		}
	}
}

// Over any two places in China (18–54° N, 73–135° E) up to fifteen degrees
// apart: the distance is the same both ways, zero from a place to itself,
// positive to any other, and within 0.5 % of the great circle; within
// 0.1 % between places less than five degrees apart, as a service area's
// and a day's drives are.
func TestDistanceProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		span := 15.0
		if rapid.Bool().Draw(t, "near") {
			span = 5
		}
		a := Point{Lat: rapid.Float64Range(18, 54).Draw(t, "a lat"), Lng: rapid.Float64Range(73, 135).Draw(t, "a lng")}
		b := Point{Lat: math.Max(18, math.Min(54, a.Lat+rapid.Float64Range(-span, span).Draw(t, "dlat"))), Lng: a.Lng + rapid.Float64Range(-span, span).Draw(t, "dlng")}
		ab, ba := Distance(a, b), Distance(b, a)
		if ab != ba {
			t.Fatalf("%v→%v is %.9f km, back %.9f km", a, b, ab, ba)
		}
		if d := Distance(a, a); d != 0 {
			t.Fatalf("%v is %.9f km from itself", a, d)
		}
		if a != b && ab <= 0 {
			t.Fatalf("%v→%v is %.9f km", a, b, ab)
		}
		gc, within := greatCircle(a, b), 0.005
		if span == 5 {
			within = 0.001
		}
		if math.Abs(ab-gc) > within*gc+1e-9 {
			t.Fatalf("%v→%v is %.3f km, the great circle %.3f km (%+.3f %%)", a, b, ab, gc, 100*(ab-gc)/gc)
		}
	})
}
