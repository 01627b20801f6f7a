// Package installedbase owns the products in the field: the vendor's
// product models, the customers' sites with their administrative division
// codes and coordinates, and the installed units with their serial numbers,
// warranty and the agreement that covers them. Each unit carries an
// unguessable token for the QR label on the product.
//
// It decides who sees which of these through policy and org links, and it
// imports units from the spreadsheets customers and vendors keep. It knows
// nothing of service requests: they look units up through BySerial, ByToken
// and Finder.
package installedbase

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"aftersales/internal/coverage"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Unit is an installed product with what the service flow needs to know.
type Unit struct {
	ID            int64      `db:"id" json:"id"`
	VendorID      int64      `db:"vendor_id" json:"vendor_id"`
	SerialNumber  string     `db:"serial_number" json:"serial_number"`
	ModelID       int64      `db:"model_id" json:"model_id"`
	ModelCode     string     `db:"model_code" json:"model"`
	ModelName     string     `db:"model_name" json:"model_name"`
	SiteID        int64      `db:"site_id" json:"site_id"`
	SiteName      string     `db:"site_name" json:"site_name"`
	Address       string     `db:"address" json:"address"`
	Division      string     `db:"division" json:"division"`
	Lat           *float64   `db:"lat" json:"lat,omitempty"`
	Lng           *float64   `db:"lng" json:"lng,omitempty"`
	CustomerOrgID int64      `db:"customer_org_id" json:"customer_id"`
	CustomerName  string     `db:"customer_name" json:"customer_name"`
	InstallDate   string     `db:"install_date" json:"install_date"`
	WarrantyEnd   string     `db:"warranty_end" json:"warranty_end"`
	AgreementID   *int64     `db:"agreement_id" json:"agreement_id,omitempty"`
	QRToken       string     `db:"qr_token" json:"-"`
	QRRotatedAt   *time.Time `db:"qr_rotated_at" json:"qr_rotated_at,omitempty"`
	Version       int64      `db:"version" json:"version"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt     time.Time  `db:"updated_at" json:"updated_at"`
}

// InWarranty reports whether the unit's warranty runs on the given day (YYYY-MM-DD).
func (u Unit) InWarranty(day string) bool { return day <= u.WarrantyEnd }

// Coordinates are the site's latitude and longitude as text, or "".
func (u Unit) Coordinates() string {
	if u.Lat == nil || u.Lng == nil {
		return ""
	}
	return fmt.Sprintf("%.6f, %.6f", *u.Lat, *u.Lng)
}

// QRPath is the path the unit's QR label opens.
func (u Unit) QRPath() string { return "/q/" + u.QRToken }

const unitSelect = `SELECT u.id, u.vendor_id, u.serial_number, u.model_id, m.code AS model_code, m.name AS model_name, u.site_id,
	s.name AS site_name, s.address, s.division, s.lat, s.lng, s.customer_org_id, c.name AS customer_name, u.install_date,
	u.warranty_end, u.agreement_id, u.qr_token, u.qr_rotated_at, u.version, u.created_at, u.updated_at
	FROM units u JOIN product_models m ON m.id = u.model_id JOIN sites s ON s.id = u.site_id
	JOIN organizations c ON c.id = s.customer_org_id`

// BySerial finds a unit by its serial number alone, as a customer on the
// phone gives it. Serial numbers are unique per vendor; when two vendors
// use the same one, the caller must go by the QR label or the unit's id.
func BySerial(ctx context.Context, q store.Queryer, serial string) (Unit, error) {
	serial, err := checkedSerial(serial)
	if err != nil {
		return Unit{}, err
	}
	var us []Unit
	if err := store.Select(ctx, q, &us, unitSelect+` WHERE u.serial_number = ? ORDER BY u.id LIMIT 2`, serial); err != nil {
		return Unit{}, err
	}
	return onlyOne(serial, us)
}

// checkedSerial is a serial number as a person gave it, normalized, or a
// problem naming the field serial_number.
func checkedSerial(serial string) (string, error) {
	serial = NormalizeSerial(serial)
	if msg := CheckSerial(serial); msg != "" {
		return "", problem.Field("serial_number", "%s", msg)
	}
	return serial, nil
}

// onlyOne answers a lookup by serial number alone from the (at most two)
// units found: the one unit, or why there is none.
func onlyOne[T any](serial string, found []T) (T, error) {
	var none T
	switch len(found) {
	case 0:
		return none, problem.Field("serial_number", "no product with serial number %s", serial)
	case 1:
		return found[0], nil
	}
	return none, problem.Field("serial_number", "serial number %s is used by products of more than one vendor; "+
		"scan the product's QR label or choose the product from the list", serial)
}

// tokenLength is the length of a QR token: 32 bytes in unpadded base32.
const tokenLength = 52

// selectorLength is the part of a token the database looks up by; the rest
// is compared in constant time so that response times say nothing about it.
const selectorLength = 16

// ByToken finds a unit by the token of its QR label.
func ByToken(ctx context.Context, q store.Queryer, token string) (Unit, error) {
	unknown := problem.New(problem.NotFound, "unknown QR code")
	if len(token) != tokenLength || strings.Trim(token, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return Unit{}, unknown
	}
	var us []Unit
	if err := store.Select(ctx, q, &us, unitSelect+` WHERE substr(u.qr_token, 1, 16) = ?`, token[:selectorLength]); err != nil {
		return Unit{}, err
	}
	for _, u := range us {
		if subtle.ConstantTimeCompare([]byte(u.QRToken), []byte(token)) == 1 {
			return u, nil
		}
	}
	return Unit{}, unknown
}

// Finder is BySerial as coverage.UnitFinder. It answers alike but reads
// only the columns coverage needs and scans them without reflection: every
// service request filed runs it inside the single writer's turn on SQLite,
// where the Go side of a query (conversions, reflection, allocations) cost
// more than SQLite's own work. It reads also (the agreement in force) in
// the same statement.
func Finder(ctx context.Context, q store.Queryer, serial string, also coverage.Also) (coverage.Unit, error) {
	serial, err := checkedSerial(serial)
	if err != nil {
		return coverage.Unit{}, err
	}
	columns := ""
	if also.Columns != "" {
		columns = ", " + also.Columns
	}
	rows, err := q.QueryContext(ctx, q.Rebind(`SELECT u.id, u.serial_number, m.code, s.division, s.address, s.lat, s.lng,
		s.customer_org_id, u.vendor_id, u.agreement_id`+columns+`
		FROM units u JOIN product_models m ON m.id = u.model_id JOIN sites s ON s.id = u.site_id `+also.Joins+`
		WHERE u.serial_number = ? ORDER BY u.id LIMIT 2`), append(also.Args[:len(also.Args):len(also.Args)], serial)...)
	if err != nil {
		return coverage.Unit{}, err
	}
	defer rows.Close()
	var found []coverage.Unit
	for rows.Next() {
		var u coverage.Unit
		var agreementID *int64
		dest := append([]any{&u.ID, &u.Serial, &u.Model, &u.Division, &u.Address, &u.Lat, &u.Lng,
			&u.CustomerOrgID, &u.VendorID, &agreementID}, also.Dest...)
		if err := rows.Scan(dest...); err != nil {
			return coverage.Unit{}, err
		}
		if agreementID != nil {
			u.AgreementID = *agreementID
		}
		found = append(found, u)
	}
	if err := rows.Err(); err != nil {
		return coverage.Unit{}, err
	}
	return onlyOne(serial, found)
}

// NewToken returns a fresh QR token: 32 random bytes, base32, lower case.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// Get loads one unit by id.
func Get(ctx context.Context, q store.Queryer, id int64) (Unit, error) {
	var u Unit
	err := store.Get(ctx, q, &u, unitSelect+` WHERE u.id = ?`, id)
	if errors.Is(err, store.ErrNotFound) {
		return u, problem.New(problem.NotFound, "product %d not found", id)
	}
	return u, err
}
