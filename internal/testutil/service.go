package testutil

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// ServiceFixture is an active agreement between the fixture's Vendor and
// Provider with one installed unit at the Customer's site, in scope.
type ServiceFixture struct {
	AgreementID int64
	Serial      string
}

// SeedService adds an agreement and a unit to a Fixture.
func SeedService(t testing.TB, db *store.DB, f *Fixture) ServiceFixture {
	t.Helper()
	ctx := context.Background()
	vendor := f.Users[policy.VendorAdmin].Actor()
	svc := Services(t, db).Agreements
	d, err := svc.Create(ctx, vendor, agreement.NewAgreement{ProviderID: f.Provider.ID, Number: "FIX-1", Terms: agreement.Terms{
		Term:          agreement.Term{Start: "2025-01-01", End: "2099-12-31"},
		CoveredModels: []string{"FX-100"}, ServiceArea: []string{"32"},
		ServiceItems:         []agreement.ServiceItem{agreement.Repair, agreement.Consultation, agreement.Maintenance},
		Emergency:            agreement.EmergencyTerms{ResponseHours: 2, OnSiteHours: 8, CalendarID: "24x7"},
		General:              agreement.GeneralTerms{ResponseWorkingDays: 2, CalendarID: "cn"},
		SatisfactionPermille: 900, RetentionMonths: 36,
		Payment: agreement.PaymentTerms{SettlementPeriod: agreement.Monthly, PaymentDueDays: 30}, AdjustmentLeadDays: 30,
	}})
	if err != nil {
		t.Fatalf("seed agreement: %v", err)
	}
	if _, err := svc.ChangeStatus(ctx, vendor, d.ID, agreement.Transition{To: agreement.Active, Reason: "signed"}, d.Version); err != nil {
		t.Fatalf("activate agreement: %v", err)
	}
	sf := ServiceFixture{AgreementID: d.ID, Serial: "FX100-0001"}
	_, err = installedbase.Load(ctx, db, time.Now(), installedbase.Seed{VendorID: f.Vendor.ID,
		Models: []installedbase.Model{{Code: "FX-100", Name: "Fixture 100"}},
		Sites: []installedbase.SeedSite{{CustomerOrgID: f.Customer.ID, Name: "Plant", Address: "苏州市虎丘区 1 号", Division: "320505",
			Lat: 31.31, Lng: 120.54, ContactName: "Liu", Phone: "13812345678"}},
		Units: []installedbase.NewUnit{{Serial: sf.Serial, Model: "FX-100", Site: "Plant", InstallDate: "2025-03-01", WarrantyMonths: 24, AgreementID: d.ID}},
	})
	if err != nil {
		t.Fatalf("seed unit: %v", err)
	}
	return sf
}

// SealRecord files a consultation on serial as the fixture's dispatcher and
// answers it, which seals a service record, through the API of app; it
// returns the record's id.
func SealRecord(t testing.TB, app *App, f *Fixture, serial string) int64 {
	t.Helper()
	api := app.API(t, f.Tokens[policy.Dispatcher])
	res := api.Do("POST", "/service-requests", map[string]any{"serial_number": serial, "service_item": "consultation", "priority": "general", "description": "How do I zero the axes?"})
	var req struct{ ID int64 }
	res.JSON(t, &req)
	if res.Status != 201 {
		t.Fatalf("file a consultation: %d %s", res.Status, res.Body)
	}
	if res := api.Do("POST", fmt.Sprintf("/service-requests/%d/answer", req.ID), map[string]any{"answer": "Menu > Axes > Zero"}, "If-Match", `"1"`); res.Status != 200 {
		t.Fatalf("answer the consultation: %d %s", res.Status, res.Body)
	}
	var id int64
	if err := store.Get(context.Background(), app.DB, &id, `SELECT id FROM service_records WHERE request_id = ?`, req.ID); err != nil {
		t.Fatal(err)
	}
	return id
}
