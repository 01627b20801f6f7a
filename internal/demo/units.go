package demo

import (
	"context"
	"fmt"
	"time"

	"aftersales/internal/installedbase"
	"aftersales/internal/store"
)

// The three units whose serial numbers the README lists, to try scope checks.
const (
	SerialInScope    = "DEMO-IN-SCOPE-1"
	SerialNotCovered = "DEMO-NOT-COVERED-1"
	SerialOutOfArea  = "DEMO-OUT-OF-AREA-1"
)

// loadUnits installs the vendor's products at the customers' sites.
func loadUnits(ctx context.Context, db *store.DB, now time.Time, ids map[string]int64) error {
	agreementID := func(number string) (int64, error) {
		var id int64
		err := store.Get(ctx, db, &id, `SELECT id FROM agreements WHERE number = ?`, number)
		return id, err
	}
	hx, err := agreementID("HC-HX-2026-001")
	if err != nil {
		return fmt.Errorf("demo units: %w", err)
	}
	ya, err := agreementID("HC-YA-2026-002")
	if err != nil {
		return fmt.Errorf("demo units: %w", err)
	}
	seed := installedbase.Seed{
		VendorID: ids["haichuan"],
		Models: []installedbase.Model{
			{Code: "HC-CNC-850", Name: "HC-CNC-850 立式加工中心", NameEn: "HC-CNC-850 vertical machining centre", ProductLine: "数控机床",
				MaintenanceIntervalMonths: 6, WarrantyMonths: 24},
			{Code: "HC-LASER-3015", Name: "HC-LASER-3015 光纤激光切割机", NameEn: "HC-LASER-3015 fibre laser cutter", ProductLine: "激光设备",
				MaintenanceIntervalMonths: 3, WarrantyMonths: 18},
			{Code: "HC-PRESS-200", Name: "HC-PRESS-200 数控液压机", NameEn: "HC-PRESS-200 CNC hydraulic press", ProductLine: "成形设备",
				MaintenanceIntervalMonths: 12, WarrantyMonths: 12},
			{Code: "HC-ROBOT-6A", Name: "HC-ROBOT-6A 六轴焊接机器人", NameEn: "HC-ROBOT-6A six-axis welding robot", ProductLine: "工业机器人",
				MaintenanceIntervalMonths: 6, WarrantyMonths: 12},
		},
		Sites: []installedbase.SeedSite{
			{CustomerOrgID: ids["sz-jinggong"], Name: "苏州精工 一号厂房", Address: "江苏省苏州市虎丘区科灵路 78 号", Division: "320505", Lat: 31.3146, Lng: 120.5434, ContactName: "刘经理", Phone: "13912345678"},
			{CustomerOrgID: ids["sz-jinggong"], Name: "苏州精工 北京分厂", Address: "北京市朝阳区酒仙桥路 10 号", Division: "110105", Lat: 39.9730, Lng: 116.4920, ContactName: "赵主管", Phone: "13601234567"},
			{CustomerOrgID: ids["hz-mingde"], Name: "杭州明德医院 设备科", Address: "浙江省杭州市西湖区文三路 259 号", Division: "330106", Lat: 30.2775, Lng: 120.1296, ContactName: "孙主任", Phone: "0571-88012345"},
			{CustomerOrgID: ids["dg-precision"], Name: "Dongguan Precision Plant 2", Address: "广东省东莞市松山湖高新区工业北路 6 号", Division: "441900", Lat: 22.9060, Lng: 113.8870, ContactName: "Grace Ho", Phone: "13800138000"},
		},
		Units: []installedbase.NewUnit{
			{Serial: SerialInScope, Model: "HC-CNC-850", Site: "苏州精工 一号厂房", InstallDate: "2025-06-18", WarrantyMonths: 24, AgreementID: hx},
			{Serial: SerialNotCovered, Model: "HC-ROBOT-6A", Site: "苏州精工 一号厂房", InstallDate: "2025-09-02", WarrantyMonths: 12, AgreementID: hx},
			{Serial: SerialOutOfArea, Model: "HC-CNC-850", Site: "苏州精工 北京分厂", InstallDate: "2024-11-20", WarrantyMonths: 24, AgreementID: hx},
		},
	}
	for i := 1; i <= 8; i++ {
		seed.Units = append(seed.Units,
			installedbase.NewUnit{Serial: fmt.Sprintf("HC850-2024-%06d", 120+i), Model: "HC-CNC-850", Site: "苏州精工 一号厂房", InstallDate: fmt.Sprintf("2024-%02d-15", i), WarrantyMonths: 24, AgreementID: hx},
			installedbase.NewUnit{Serial: fmt.Sprintf("HCL3015-2025-%05d", 300+i), Model: "HC-LASER-3015", Site: "杭州明德医院 设备科", InstallDate: fmt.Sprintf("2025-%02d-08", i), WarrantyMonths: 18, AgreementID: hx},
		)
	}
	for i := 1; i <= 4; i++ {
		seed.Units = append(seed.Units, installedbase.NewUnit{Serial: fmt.Sprintf("HC850-2025-%06d", 880+i), Model: "HC-CNC-850",
			Site: "Dongguan Precision Plant 2", InstallDate: fmt.Sprintf("2025-%02d-20", i+2), WarrantyMonths: 24, AgreementID: ya})
	}
	for i := 1; i <= 3; i++ {
		seed.Units = append(seed.Units, installedbase.NewUnit{Serial: fmt.Sprintf("HCP200-2023-%05d", 40+i), Model: "HC-PRESS-200",
			Site: "苏州精工 一号厂房", InstallDate: fmt.Sprintf("2023-%02d-11", i+8)})
	}
	_, err = installedbase.Load(ctx, db, now, seed)
	return err
}
