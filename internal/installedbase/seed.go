package installedbase

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Seed describes models, sites and units to create without an actor, for
// the demo and tests.
type Seed struct {
	VendorID int64
	Models   []Model
	Sites    []SeedSite
	Units    []NewUnit
}

// SeedSite is a customer's site of a seed.
type SeedSite struct {
	CustomerOrgID      int64
	Name, Address      string
	Division           string
	Lat, Lng           float64
	ContactName, Phone string
}

// Model is a product model of a seed; WarrantyMonths 0 means 12.
type Model struct {
	Code, Name, NameEn, ProductLine string
	MaintenanceIntervalMonths       int
	WarrantyMonths                  int
}

// NewUnit is a unit to install, by model code and site name. WarrantyMonths
// 0 takes the model's.
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
		models, sites := map[string]ProductModel{}, map[string]int64{}
		for _, m := range sd.Models {
			in := ModelInput{Code: m.Code, Name: m.Name, NameEn: m.NameEn, ProductLine: m.ProductLine, WarrantyMonths: m.WarrantyMonths}
			if in.WarrantyMonths == 0 {
				in.WarrantyMonths = 12
			}
			if m.MaintenanceIntervalMonths > 0 {
				in.MaintenanceIntervalMonths = &m.MaintenanceIntervalMonths
			}
			if err := in.Validate(); err != nil {
				return err
			}
			pm, err := insertModel(ctx, tx, sd.VendorID, in, now)
			if err != nil {
				return err
			}
			models[pm.Code] = pm
		}
		for _, ss := range sd.Sites {
			s := Site{CustomerOrgID: ss.CustomerOrgID, Name: ss.Name, Address: ss.Address, Division: ss.Division,
				Lat: &ss.Lat, Lng: &ss.Lng, ContactName: ss.ContactName, ContactPhone: ss.Phone}
			if err := s.validate(); err != nil {
				return err
			}
			out, err := insertSite(ctx, tx, s, now)
			if err != nil {
				return err
			}
			sites[s.Name] = out.ID
		}
		for _, u := range sd.Units {
			serial := NormalizeSerial(u.Serial)
			if msg := CheckSerial(serial); msg != "" {
				return problem.Field("serial_number", "%s: %s", u.Serial, msg)
			}
			install, err := time.Parse(time.DateOnly, u.InstallDate)
			if err != nil {
				return problem.Field("install_date", "%s: not a date", u.Serial)
			}
			m, ok := models[NormalizeModelCode(u.Model)]
			if !ok || sites[u.Site] == 0 {
				return problem.Field("model", "%s: unknown model %q or site %q", u.Serial, u.Model, u.Site)
			}
			months := u.WarrantyMonths
			if months == 0 {
				months = m.WarrantyMonths
			}
			row := unitRow{VendorID: sd.VendorID, ModelID: m.ID, SiteID: sites[u.Site], Serial: serial, InstallDate: u.InstallDate,
				WarrantyEnd: WarrantyEnd(install, months).Format(time.DateOnly)}
			if u.AgreementID != 0 {
				row.AgreementID = &u.AgreementID
			}
			if row.Token, err = NewToken(); err != nil {
				return err
			}
			id, err := insertUnit(ctx, tx, row, now)
			if err != nil {
				return err
			}
			ids[serial] = id
		}
		return nil
	})
	return ids, err
}
