// Package installedbase owns the products in the field: the vendor's
// product models, the customers' sites with their administrative division
// codes and coordinates, and the installed units with their serial numbers,
// warranty and the agreement that covers them. Each unit carries an
// unguessable token for the QR label on the product.
package installedbase

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/coverage"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Unit is an installed product with what the service flow needs to know.
type Unit struct {
	ID            int64    `db:"id" json:"id"`
	VendorID      int64    `db:"vendor_id" json:"vendor_id"`
	SerialNumber  string   `db:"serial_number" json:"serial_number"`
	ModelCode     string   `db:"model_code" json:"model"`
	ModelName     string   `db:"model_name" json:"model_name"`
	SiteID        int64    `db:"site_id" json:"site_id"`
	SiteName      string   `db:"site_name" json:"site_name"`
	Address       string   `db:"address" json:"address"`
	Division      string   `db:"division" json:"division"`
	Lat           *float64 `db:"lat" json:"lat,omitempty"`
	Lng           *float64 `db:"lng" json:"lng,omitempty"`
	CustomerOrgID int64    `db:"customer_org_id" json:"customer_org_id"`
	InstallDate   string   `db:"install_date" json:"install_date"`
	WarrantyEnd   string   `db:"warranty_end" json:"warranty_end"`
	AgreementID   *int64   `db:"agreement_id" json:"agreement_id,omitempty"`
	QRToken       string   `db:"qr_token" json:"-"`
}

// InWarranty reports whether the unit's warranty runs on the given day (YYYY-MM-DD).
func (u Unit) InWarranty(day string) bool { return day <= u.WarrantyEnd }

const unitSelect = `SELECT u.id, u.vendor_id, u.serial_number, m.code AS model_code, m.name AS model_name, u.site_id, s.name AS site_name,
	s.address, s.division, s.lat, s.lng, s.customer_org_id, u.install_date, u.warranty_end, u.agreement_id, u.qr_token
	FROM units u JOIN product_models m ON m.id = u.model_id JOIN sites s ON s.id = u.site_id`

// NormalizeSerial trims and upper-cases a serial number as printed on labels.
func NormalizeSerial(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

var (
	serialPattern     = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._/-]{0,63}$`)
	scientificPattern = regexp.MustCompile(`^\d(\.\d+)?E\+\d+$`)
)

// CheckSerial names what is wrong with a serial number, or "".
func CheckSerial(s string) string {
	switch {
	case s == "":
		return "is required"
	case scientificPattern.MatchString(s):
		return "looks like a number mangled by a spreadsheet (" + s + "); format the column as text and type it again"
	case !serialPattern.MatchString(s):
		return "must be 1-64 letters, digits or . _ / -"
	}
	return ""
}

// BySerial finds a unit by its serial number.
func BySerial(ctx context.Context, q store.Queryer, serial string) (Unit, error) {
	serial = NormalizeSerial(serial)
	if msg := CheckSerial(serial); msg != "" {
		return Unit{}, problem.Field("serial_number", "%s", msg)
	}
	var u Unit
	err := store.Get(ctx, q, &u, unitSelect+` WHERE u.serial_number = ?`, serial)
	if errors.Is(err, store.ErrNotFound) {
		return u, problem.Field("serial_number", "no product with serial number %s", serial)
	}
	return u, err
}

// ByToken finds a unit by the token of its QR label.
func ByToken(ctx context.Context, q store.Queryer, token string) (Unit, error) {
	if len(token) != 52 || strings.Trim(token, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return Unit{}, problem.New(problem.NotFound, "unknown QR code")
	}
	var u Unit
	err := store.Get(ctx, q, &u, unitSelect+` WHERE u.qr_token = ?`, token)
	if errors.Is(err, store.ErrNotFound) {
		return u, problem.New(problem.NotFound, "unknown QR code")
	}
	return u, err
}

// Finder adapts BySerial to coverage.UnitFinder.
func Finder(ctx context.Context, q store.Queryer, serial string) (coverage.Unit, error) {
	u, err := BySerial(ctx, q, serial)
	if err != nil {
		return coverage.Unit{}, err
	}
	return u.Coverage(), nil
}

// Coverage is the unit as coverage sees it.
func (u Unit) Coverage() coverage.Unit {
	c := coverage.Unit{ID: u.ID, Serial: u.SerialNumber, Model: u.ModelCode, Division: u.Division, Address: u.Address,
		Lat: u.Lat, Lng: u.Lng, CustomerOrgID: u.CustomerOrgID, VendorID: u.VendorID}
	if u.AgreementID != nil {
		c.AgreementID = *u.AgreementID
	}
	return c
}

// NewToken returns a fresh QR token: 32 random bytes, base32, lower case.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// ListForOrg returns the units an organization may see: a vendor's own, a
// provider's under its agreements, a customer's at its sites.
func ListForOrg(ctx context.Context, q store.Queryer, orgID int64, kind string, limit int) ([]Unit, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	cond := `u.vendor_id = ?`
	switch kind {
	case "provider":
		cond = `u.agreement_id IN (SELECT id FROM agreements WHERE provider_id = ?)`
	case "customer":
		cond = `s.customer_org_id = ?`
	}
	var out []Unit
	err := store.Select(ctx, q, &out, unitSelect+` WHERE `+cond+` ORDER BY u.serial_number LIMIT ?`, orgID, limit)
	return out, err
}

// Seed describes units to create, for the demo and tests.
type Seed struct {
	VendorID int64
	Models   []Model
	Sites    []Site
	Units    []NewUnit
}

// Model is a product model.
type Model struct{ Code, Name string }

// Site is a customer's site.
type Site struct {
	CustomerOrgID      int64
	Name, Address      string
	Division           string
	Lat, Lng           float64
	ContactName, Phone string
}

// NewUnit is a unit to install, by model code and site name.
type NewUnit struct {
	Serial, Model, Site string
	InstallDate         string
	WarrantyMonths      int
	AgreementID         int64
}

// Load stores a seed in one transaction and returns the units' ids by serial.
func Load(ctx context.Context, db *store.DB, now time.Time, sd Seed) (map[string]int64, error) {
	ids := map[string]int64{}
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		models, sites := map[string]int64{}, map[string]int64{}
		for _, m := range sd.Models {
			id, err := store.InsertID(ctx, tx, `INSERT INTO product_models (vendor_id, code, name, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
				sd.VendorID, m.Code, m.Name, now)
			if err != nil {
				return err
			}
			models[m.Code] = id
		}
		for _, s := range sd.Sites {
			id, err := store.InsertID(ctx, tx, `INSERT INTO sites (customer_org_id, name, address, division, lat, lng, contact_name, contact_phone, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, s.CustomerOrgID, s.Name, s.Address, s.Division, s.Lat, s.Lng, s.ContactName, s.Phone, now)
			if err != nil {
				return err
			}
			sites[s.Name] = id
		}
		for _, u := range sd.Units {
			serial := NormalizeSerial(u.Serial)
			if msg := CheckSerial(serial); msg != "" {
				return problem.Field("serial_number", "%s: %s", u.Serial, msg)
			}
			install, err := time.Parse("2006-01-02", u.InstallDate)
			if err != nil {
				return problem.Field("install_date", "%s: not a date", u.Serial)
			}
			if models[u.Model] == 0 || sites[u.Site] == 0 {
				return problem.Field("model", "%s: unknown model %q or site %q", u.Serial, u.Model, u.Site)
			}
			token, err := NewToken()
			if err != nil {
				return err
			}
			var agreement *int64
			if u.AgreementID != 0 {
				agreement = &u.AgreementID
			}
			id, err := store.InsertID(ctx, tx, `INSERT INTO units (vendor_id, model_id, site_id, serial_number, install_date, warranty_end, agreement_id, qr_token, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, sd.VendorID, models[u.Model], sites[u.Site], serial, u.InstallDate,
				install.AddDate(0, u.WarrantyMonths, -1).Format("2006-01-02"), agreement, token, now)
			if store.IsUniqueViolation(err) {
				return problem.Field("serial_number", "%s is already registered", serial)
			}
			if err != nil {
				return err
			}
			ids[serial] = id
		}
		return nil
	})
	return ids, err
}
