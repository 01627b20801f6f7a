// Package geo measures how far apart two places on the Earth are. It is the
// one way the product does: whether a site lies within a service point's
// radius, a technician's drive on the board and in a recommendation, the
// day planner's distances and the travel a visit is charged for all read
// Distance, so that none of them can disagree with another about the same
// two places. It knows no roads: what a drive adds to the straight line is
// the caller's (staff.RoadFactor).
package geo

import "math"

// Point is a place by its WGS-84 latitude and longitude, in degrees.
type Point struct{ Lat, Lng float64 }

// EarthRadiusKm is the Earth's mean radius (IUGG), in kilometres.
const EarthRadiusKm = 6371.0088

// Distance is how far a is from b in kilometres, by the equirectangular
// approximation on a sphere of the Earth's mean radius: the degrees of
// longitude shortened by the cosine of the pair's mean latitude. Between
// places up to five degrees apart (a service area, a day's drives) it is
// within 0.1 % of the great circle, up to fifteen within 0.5 %, at a
// fifth of the haversine formula's cost: the recommendations and the day
// planner measure thousands of drives at a time. It is the same both ways
// and zero only from a place to itself; it takes the short way round,
// across the 180th meridian too.
func Distance(a, b Point) float64 {
	const rad = math.Pi / 180
	dLng := b.Lng - a.Lng
	if dLng > 180 {
		dLng -= 360
	} else if dLng < -180 {
		dLng += 360
	}
	x := dLng * rad * math.Cos((a.Lat+b.Lat)/2*rad)
	y := (b.Lat - a.Lat) * rad
	return EarthRadiusKm * math.Sqrt(x*x+y*y)
}
