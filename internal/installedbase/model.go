package installedbase

import (
	"strings"
	"time"

	"aftersales/internal/problem"
)

// ProductModel is a model of the vendor's products (服务产品 型号).
type ProductModel struct {
	ID          int64  `db:"id" json:"id"`
	VendorID    int64  `db:"vendor_id" json:"vendor_id"`
	Code        string `db:"code" json:"code"`
	Name        string `db:"name" json:"name"`
	NameEn      string `db:"name_en" json:"name_en"`
	ProductLine string `db:"product_line" json:"product_line"`
	// MaintenanceIntervalMonths is the vendor's maintenance cycle (DOMAIN
	// 3.1.2); nil when the model needs none.
	MaintenanceIntervalMonths *int `db:"maintenance_interval_months" json:"maintenance_interval_months,omitempty"`
	// WarrantyMonths is the warranty a new unit gets unless told otherwise.
	WarrantyMonths int       `db:"warranty_months" json:"warranty_months"`
	Version        int64     `db:"version" json:"version"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time `db:"updated_at" json:"updated_at"`
}

// DisplayName is the model's name in a language ("en" or Chinese).
func (m ProductModel) DisplayName(lang string) string {
	if lang == "en" && m.NameEn != "" {
		return m.NameEn
	}
	return m.Name
}

// IntervalMonths is the maintenance cycle in months, 0 for none.
func (m ProductModel) IntervalMonths() int {
	if m.MaintenanceIntervalMonths == nil {
		return 0
	}
	return *m.MaintenanceIntervalMonths
}

// ModelInput is a new product model.
type ModelInput struct {
	Code                      string
	Name, NameEn, ProductLine string
	MaintenanceIntervalMonths *int
	WarrantyMonths            int
}

// Validate normalizes and checks the input, naming every bad field.
func (in *ModelInput) Validate() error {
	var fs problem.Fields
	in.Code = NormalizeModelCode(in.Code)
	if msg := CheckModelCode(in.Code); msg != "" {
		fs.Add("code", "%s", msg)
	}
	checkModelFields(&fs, &in.Name, &in.NameEn, &in.ProductLine, in.MaintenanceIntervalMonths, in.WarrantyMonths)
	return fs.Err()
}

func checkModelFields(fs *problem.Fields, name, nameEn, line *string, interval *int, warranty int) {
	*name, *nameEn, *line = strings.TrimSpace(*name), strings.TrimSpace(*nameEn), strings.TrimSpace(*line)
	problem.CheckText(fs, "name", *name, true, 200)
	problem.CheckText(fs, "name_en", *nameEn, false, 200)
	problem.CheckText(fs, "product_line", *line, false, 100)
	if interval != nil && (*interval < 1 || *interval > 120) {
		fs.Add("maintenance_interval_months", "must be from 1 to 120 months, or left out for none")
	}
	if warranty < 0 || warranty > 240 {
		fs.Add("warranty_months", "must be from 0 to 240 months")
	}
}

// ModelPatch changes a model; nil fields stay. The code never changes:
// agreements name their covered models by code.
type ModelPatch struct {
	Name, NameEn, ProductLine *string
	// MaintenanceIntervalMonths: 0 clears the cycle.
	MaintenanceIntervalMonths *int
	WarrantyMonths            *int
}

// apply returns m changed by p, validated.
func (p ModelPatch) apply(m ProductModel) (ProductModel, error) {
	if p.Name != nil {
		m.Name = *p.Name
	}
	if p.NameEn != nil {
		m.NameEn = *p.NameEn
	}
	if p.ProductLine != nil {
		m.ProductLine = *p.ProductLine
	}
	if p.MaintenanceIntervalMonths != nil {
		if *p.MaintenanceIntervalMonths == 0 {
			m.MaintenanceIntervalMonths = nil
		} else {
			v := *p.MaintenanceIntervalMonths
			m.MaintenanceIntervalMonths = &v
		}
	}
	if p.WarrantyMonths != nil {
		m.WarrantyMonths = *p.WarrantyMonths
	}
	var fs problem.Fields
	checkModelFields(&fs, &m.Name, &m.NameEn, &m.ProductLine, m.MaintenanceIntervalMonths, m.WarrantyMonths)
	return m, fs.Err()
}
