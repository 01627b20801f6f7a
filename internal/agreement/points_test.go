package agreement_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// An agreement's service point names a point of the provider's staff
// register and keeps its own radius: its name and coordinates are the
// register's whenever the terms are read (a point moved in the register
// moves the agreement's area); a point of another provider, or none, is
// refused naming the field and nothing is saved; a version that placed a
// point inline is read as written.
func TestAgreementServicePointsReferToTheRegister(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, sf, a := testutil.SeedAll(t, db)
		vendor, admin := f.Users[policy.VendorAdmin].Actor(), f.Users[policy.ProviderAdmin].Actor()
		mine, err := a.Staff.CreatePoint(ctx, admin, f.Provider.ID, staff.PointInput{Name: "苏州网点", Address: "苏州市虎丘区 2 号", Division: "320505", Lat: 31.30, Lng: 120.60})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := a.Staff.CreatePoint(ctx, policy.Actor{Operator: true}, f.OtherProvider.ID, staff.PointInput{Name: "杭州网点", Address: "杭州市西湖区 1 号", Division: "330106", Lat: 30.27, Lng: 120.15})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		today := calendar.LocalDate(now)
		v, err := agreement.TermsAt(ctx, db, sf.AgreementID, now)
		if err != nil {
			t.Fatal(err)
		}
		versions := func() int {
			vs, err := agreement.Versions(ctx, db, sf.AgreementID)
			if err != nil {
				t.Fatal(err)
			}
			return len(vs)
		}
		before := versions()

		// Inline, as older versions hold it: read as written.
		inline := v.Terms.Clone()
		inline.ServicePoints = []agreement.ServicePoint{{Name: "旧网点", Lat: 31.0, Lng: 121.0, RadiusKM: 30}}
		if _, err := a.Agreements.AddVersion(ctx, vendor, sf.AgreementID, agreement.NewVersion{Terms: inline, EffectiveFrom: today, Note: "inline point"}, 0); err != nil {
			t.Fatal(err)
		}
		got, err := agreement.TermsAt(ctx, db, sf.AgreementID, now)
		if err != nil || len(got.Terms.ServicePoints) != 1 || got.Terms.ServicePoints[0] != inline.ServicePoints[0] {
			t.Fatalf("inline point read as %+v, %v", got.Terms.ServicePoints, err)
		}

		// Refused: another provider's point, no such point, the same twice.
		for _, c := range []struct {
			points []agreement.ServicePoint
			field  string
		}{
			{[]agreement.ServicePoint{{ServicePointID: theirs.ID, RadiusKM: 80}}, "terms.service_points[0].service_point_id"},
			{[]agreement.ServicePoint{{ServicePointID: 999999, RadiusKM: 80}}, "terms.service_points[0].service_point_id"},
			{[]agreement.ServicePoint{{ServicePointID: mine.ID, RadiusKM: 80}, {ServicePointID: mine.ID, RadiusKM: 20}}, "terms.service_points[1].service_point_id"},
			{[]agreement.ServicePoint{{ServicePointID: mine.ID}}, "terms.service_points[0].radius_km"},
		} {
			bad := v.Terms.Clone()
			bad.ServicePoints = c.points
			_, err := a.Agreements.AddVersion(ctx, vendor, sf.AgreementID, agreement.NewVersion{Terms: bad, EffectiveFrom: today}, 0)
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.Invalid || len(p.Fields) == 0 || p.Fields[0].Field != c.field {
				t.Errorf("points %+v: %v, want invalid naming %s", c.points, err, c.field)
			}
		}
		if n := versions(); n != before+1 {
			t.Fatalf("refused versions were saved: %d versions, want %d", n, before+1)
		}

		// By reference: the register's name and coordinates, the term's radius.
		ref := v.Terms.Clone()
		ref.ServicePoints = []agreement.ServicePoint{{ServicePointID: mine.ID, RadiusKM: 80}}
		if _, err := a.Agreements.AddVersion(ctx, vendor, sf.AgreementID, agreement.NewVersion{Terms: ref, EffectiveFrom: today, Note: "register point"}, 0); err != nil {
			t.Fatal(err)
		}
		want := agreement.ServicePoint{ServicePointID: mine.ID, Name: "苏州网点", Lat: 31.30, Lng: 120.60, RadiusKM: 80}
		if got, err := agreement.TermsAt(ctx, db, sf.AgreementID, now); err != nil || len(got.Terms.ServicePoints) != 1 || got.Terms.ServicePoints[0] != want {
			t.Fatalf("referred point read as %+v, %v; want %+v", got.Terms.ServicePoints, err, want)
		}
		// The point moves in the register: the agreement reads it there.
		if _, err := a.Staff.UpdatePoint(ctx, admin, mine.ID, staff.PointInput{Name: "苏州新区网点", Address: "苏州市虎丘区 9 号", Division: "320505", Lat: 31.35, Lng: 120.50}, mine.Version); err != nil {
			t.Fatal(err)
		}
		_, inForce, err := agreement.GetInForce(ctx, db, sf.AgreementID, now)
		want.Name, want.Lat, want.Lng = "苏州新区网点", 31.35, 120.50
		if err != nil || len(inForce.Terms.ServicePoints) != 1 || inForce.Terms.ServicePoints[0] != want {
			t.Fatalf("after the move the agreement reads %+v, %v; want %+v", inForce.Terms.ServicePoints, err, want)
		}
		// The older version still reads its inline point.
		vs, err := agreement.Versions(ctx, db, sf.AgreementID)
		if err != nil {
			t.Fatal(err)
		}
		if old := vs[len(vs)-2].Terms.ServicePoints; len(old) != 1 || old[0] != inline.ServicePoints[0] {
			t.Fatalf("the older version reads %+v", old)
		}
	})
}
