package installedbase

import (
	"strings"
	"time"

	"aftersales/internal/problem"
)

// Site is where a customer's products stand. Coordinates are WGS-84
// degrees stored as REAL/DOUBLE PRECISION rounded to 6 decimals (about
// 0.1 m): the service area's radius check works in kilometres, and both
// engines store them exactly enough.
type Site struct {
	ID            int64     `db:"id" json:"id"`
	CustomerOrgID int64     `db:"customer_org_id" json:"customer_id"`
	CustomerName  string    `db:"customer_name" json:"customer_name"`
	Name          string    `db:"name" json:"name"`
	Address       string    `db:"address" json:"address"`
	Division      string    `db:"division" json:"division"`
	Lat           *float64  `db:"lat" json:"lat,omitempty"`
	Lng           *float64  `db:"lng" json:"lng,omitempty"`
	ContactName   string    `db:"contact_name" json:"contact_name"`
	ContactPhone  string    `db:"contact_phone" json:"contact_phone"`
	Version       int64     `db:"version" json:"version"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
	UpdatedAt     time.Time `db:"updated_at" json:"updated_at"`
}

// SiteInput is a new site of a customer.
type SiteInput struct {
	CustomerOrgID             int64
	Name, Address, Division   string
	Lat, Lng                  *float64
	ContactName, ContactPhone string
}

// Validate normalizes and checks a site, naming every bad field.
func (s *Site) validate() error {
	var fs problem.Fields
	s.Name, s.Address = strings.TrimSpace(s.Name), strings.TrimSpace(s.Address)
	s.Division, s.ContactName = strings.TrimSpace(s.Division), strings.TrimSpace(s.ContactName)
	problem.CheckText(&fs, "name", s.Name, true, 100)
	problem.CheckText(&fs, "address", s.Address, true, 300)
	addDivisionProblem(&fs, "division", s.Division)
	switch {
	case (s.Lat == nil) != (s.Lng == nil):
		if s.Lat == nil {
			fs.Add("lat", "give latitude and longitude together")
		} else {
			fs.Add("lng", "give latitude and longitude together")
		}
	case s.Lat != nil:
		if field, msg := CheckCoordinates(*s.Lat, *s.Lng); msg != "" {
			fs.Add(field, "%s", msg)
		} else {
			lat, lng := roundMicro(*s.Lat), roundMicro(*s.Lng)
			s.Lat, s.Lng = &lat, &lng
		}
	}
	problem.CheckText(&fs, "contact_name", s.ContactName, false, 100)
	if strings.TrimSpace(s.ContactPhone) != "" {
		if p, ok := FormatPhone(s.ContactPhone); ok {
			s.ContactPhone = p
		} else {
			fs.Add("contact_phone", "must be a mobile number (11 digits starting 13-19) or a landline with its area code, such as 0571-88012345")
		}
	} else {
		s.ContactPhone = ""
	}
	return fs.Err()
}

// SitePatch changes a site; nil fields stay. Latitude and longitude change together.
type SitePatch struct {
	Name, Address, Division   *string
	Lat, Lng                  *float64
	ContactName, ContactPhone *string
}

func (p SitePatch) apply(s Site) (Site, error) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.Name, p.Name)
	set(&s.Address, p.Address)
	set(&s.Division, p.Division)
	set(&s.ContactName, p.ContactName)
	set(&s.ContactPhone, p.ContactPhone)
	if p.Lat != nil || p.Lng != nil {
		s.Lat, s.Lng = p.Lat, p.Lng
	}
	return s, s.validate()
}
