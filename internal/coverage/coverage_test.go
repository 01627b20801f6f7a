package coverage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/coverage"
	"aftersales/internal/installedbase"
	"aftersales/internal/sla"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A unit resolves to the scope and clock terms of its agreement's version
// in force; a unit with no agreement, or looked at before any version was
// in force, is covered by none.
func TestUnitBySerial(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		sf := testutil.SeedService(t, db, f)
		if _, err := installedbase.Load(ctx, db, time.Now(), installedbase.Seed{VendorID: f.Vendor.ID,
			Models: []installedbase.Model{{Code: "FX-200", Name: "Fixture 200"}},
			Sites: []installedbase.SeedSite{{CustomerOrgID: f.Customer.ID, Name: "Annex", Address: "苏州市虎丘区 3 号", Division: "320505",
				Lat: 31.32, Lng: 120.55, ContactName: "Liu", Phone: "13812345678"}},
			Units: []installedbase.NewUnit{{Serial: "FX100-0002", Model: "FX-200", Site: "Annex", InstallDate: "2025-03-01", WarrantyMonths: 24}},
		}); err != nil {
			t.Fatal(err)
		}
		r := coverage.Resolver{Units: installedbase.Finder}
		now := time.Now()

		got, err := r.UnitBySerial(ctx, db, sf.Serial, now)
		if err != nil {
			t.Fatal(err)
		}
		c := got.Coverage
		if got.AgreementID != sf.AgreementID || got.ProviderID != f.Provider.ID || got.VendorID != f.Vendor.ID || got.CustomerOrgID != f.Customer.ID ||
			got.Model != "FX-100" || got.Division != "320505" {
			t.Errorf("target %+v", got)
		}
		if c.AgreementNumber != "FIX-1" || c.Status != "active" || !slices.Equal(c.Models, []string{"FX-100"}) || !slices.Equal(c.Areas, []string{"32"}) ||
			!slices.Equal(c.ServiceItems, []string{"repair", "consultation", "maintenance"}) {
			t.Errorf("coverage %+v", c)
		}
		wantEmergency := []sla.Target{
			{Kind: sla.Response, Within: 2 * time.Hour, CalendarID: "24x7"},
			{Kind: sla.OnSite, Within: 8 * time.Hour, CalendarID: "24x7"},
		}
		if !slices.Equal(got.Terms.Emergency, wantEmergency) || !slices.Equal(got.Terms.General, []sla.Target{{Kind: sla.Response, WorkingDays: 2, CalendarID: "cn"}}) {
			t.Errorf("clock terms %+v", got.Terms)
		}

		bare, err := r.UnitBySerial(ctx, db, "FX100-0002", now)
		if err != nil {
			t.Fatal(err)
		}
		if bare.AgreementID != 0 || bare.Coverage.Status != "none" || bare.Coverage.AgreementNumber != "-" || len(bare.Terms.General) != 0 {
			t.Errorf("a unit without an agreement: %+v", bare)
		}
		early, err := r.UnitBySerial(ctx, db, sf.Serial, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if early.Coverage.Status != "none" || early.Coverage.AgreementNumber != "FIX-1" || early.ProviderID != f.Provider.ID {
			t.Errorf("before any version was in force: %+v", early.Coverage)
		}
		if _, err := r.UnitBySerial(ctx, db, "NO-SUCH-UNIT", now); err == nil {
			t.Error("an unknown serial number resolved")
		}

		terms, err := r.Agreement(ctx, db, sf.AgreementID, now)
		if err != nil {
			t.Fatal(err)
		}
		if terms.Number != "FIX-1" || terms.RetentionMonths != 36 || !slices.Equal(terms.Terms.Emergency, wantEmergency) {
			t.Errorf("agreement terms %+v", terms)
		}
	})
}

// SLATerms: the clocks an agreement's response terms start.
func TestSLATerms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name             string
		terms            agreement.Terms
		emergency, gen   []sla.ClockKind
		escalationWithin time.Duration
	}{
		{"nothing agreed", agreement.Terms{}, nil, nil, 4 * time.Hour},
		{"response only", agreement.Terms{Emergency: agreement.EmergencyTerms{ResponseHours: 2}, General: agreement.GeneralTerms{ResponseWorkingDays: 1}},
			[]sla.ClockKind{sla.Response}, []sla.ClockKind{sla.Response}, 4 * time.Hour},
		{"with resolution targets", agreement.Terms{Emergency: agreement.EmergencyTerms{ResponseHours: 2, OnSiteHours: 8},
			General: agreement.GeneralTerms{ResponseWorkingDays: 2}, Resolution: &agreement.ResolutionTargets{EmergencyHours: 24, GeneralWorkingDays: 5}},
			[]sla.ClockKind{sla.Response, sla.OnSite, sla.Resolution}, []sla.ClockKind{sla.Response, sla.Resolution}, 4 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := coverage.SLATerms(tc.terms)
			kinds := func(ts []sla.Target) []sla.ClockKind {
				var out []sla.ClockKind
				for _, t := range ts {
					out = append(out, t.Kind)
				}
				return out
			}
			if !slices.Equal(kinds(got.Emergency), tc.emergency) || !slices.Equal(kinds(got.General), tc.gen) {
				t.Errorf("emergency %v, general %v", kinds(got.Emergency), kinds(got.General))
			}
			if got.EscalationWithin != tc.escalationWithin || len(got.PauseReasons) == 0 {
				t.Errorf("escalation within %v, pause reasons %v", got.EscalationWithin, got.PauseReasons)
			}
		})
	}
}
