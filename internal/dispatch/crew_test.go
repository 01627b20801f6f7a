package dispatch_test

import (
	"context"
	"testing"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
	"aftersales/internal/testutil"
)

// suzhouCrew opens the provider's service point in Suzhou and places there
// the fixture's technician and a second one, 赵工; it returns the point and
// the two technicians, the fixture's first.
func suzhouCrew(t *testing.T, a *app.App, f *testutil.Fixture) (staff.Point, []int64) {
	t.Helper()
	ctx := context.Background()
	admin := f.Users[policy.ProviderAdmin].Actor()
	point, err := a.Staff.CreatePoint(ctx, admin, f.Provider.ID, staff.PointInput{Name: "苏州网点", Address: "苏州市虎丘区 2 号", Division: "320505", Lat: 31.30, Lng: 120.60})
	if err != nil {
		t.Fatal(err)
	}
	second, err := a.Accounts.CreateUser(ctx, admin, account.NewUser{OrgID: f.Provider.ID, Email: "zhao@p.example", Name: "赵工", Role: policy.Technician,
		Password: testutil.Password, Locale: "zh-CN"})
	if err != nil {
		t.Fatal(err)
	}
	techs := []int64{f.Users[policy.Technician].ID, second.ID}
	for _, id := range techs {
		if _, err := a.Staff.UpdateTechnician(ctx, admin, id, staff.TechnicianInput{ServicePointID: &point.ID}, 1); err != nil {
			t.Fatal(err)
		}
	}
	return point, techs
}

// fileRequest files, as the fixture's dispatcher, a general request of
// item for the fixture's unit and returns its id.
func fileRequest(t *testing.T, a *app.App, f *testutil.Fixture, sf testutil.ServiceFixture, item string) int64 {
	t.Helper()
	v, err := a.Requests.Create(context.Background(), f.Users[policy.Dispatcher].Actor(), servicerequest.NewRequest{SerialNumber: sf.Serial,
		ServiceItem: item, Priority: "general", Description: "主轴异响", Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	return v.ID
}
