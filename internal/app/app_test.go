package app_test

import (
	"reflect"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// TestNewWiresEveryService builds the product on both engines and finds
// every service built, and every port of every service (its pointer,
// function and interface fields) filled: a capability added to App but not
// wired, or a port left out of the root, fails here.
func TestNewWiresEveryService(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		a, err := app.New(db, app.Config{Secrets: testutil.SecretBox(t)}, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		v := reflect.ValueOf(a).Elem()
		for i := range v.NumField() {
			name, f := v.Type().Field(i).Name, v.Field(i)
			if nillable(f) && f.IsNil() {
				t.Errorf("App.%s is not built", name)
				continue
			}
			if f.Kind() != reflect.Pointer || f.Elem().Kind() != reflect.Struct {
				continue
			}
			s := f.Elem()
			for j := range s.NumField() {
				port := s.Type().Field(j)
				if port.IsExported() && nillable(s.Field(j)) && s.Field(j).IsNil() && !optional[name+"."+port.Name] {
					t.Errorf("App.%s.%s is not wired", name, port.Name)
				}
			}
		}
		if a.DB != db || a.Requests.DB != db || a.Stock.Notify != a.Notify || a.Requests.Parts != a.Stock {
			t.Errorf("the services do not share the database and the ports: %+v", a.Requests)
		}
		if a.WorkOrders.DB != db || a.WorkOrders.Requests != a.Requests || a.WorkOrders.Parts != a.Stock || a.WorkOrders.Notify != a.Notify {
			t.Errorf("visits do not share the database, the requests and the ports: %+v", a.WorkOrders)
		}
	})
}

// optional are the fields of services that are nil on purpose.
var optional = map[string]bool{
	// No SMTP server configured: no mailer.
	"Delivery.Mailer": true,
}

func nillable(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Interface, reflect.Map, reflect.Slice, reflect.Chan:
		return true
	}
	return false
}

// TestNewTakesTheClock: every service reads the time from the clock the
// root was given.
func TestNewTakesTheClock(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
		a, err := app.New(db, app.Config{}, func() time.Time { return at })
		if err != nil {
			t.Fatal(err)
		}
		for name, now := range map[string]func() time.Time{"App": a.Now, "Jobs": a.Jobs.Now, "Delivery": a.Delivery.Now,
			"Orgs": a.Orgs.Now, "Accounts": a.Accounts.Now, "Calendars": a.Calendars.Now, "Agreements": a.Agreements.Now,
			"Notify": a.Notify.Now, "InstalledBase": a.InstalledBase.Now, "Parts": a.Parts.Now, "Stock": a.Stock.Now,
			"Documents": a.Documents.Now, "Requests": a.Requests.Now, "WorkOrders": a.WorkOrders.Now} {
			if got := now(); !got.Equal(at) {
				t.Errorf("%s reads %s, not the root's clock", name, got)
			}
		}
	})
}
