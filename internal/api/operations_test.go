package api_test

import (
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Servers built in one process share the operations huma registered, and
// each answers them with its own services: an organization registered
// through one server is listed by it alone, each server reading the path
// and body of its own requests.
func TestServersShareOperationsNotHandlers(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		other := testutil.NewDB(t, db.Engine)
		one, two := testutil.NewApp(t, db), testutil.NewApp(t, other)
		fOne, fTwo := testutil.Seed(t, db), testutil.Seed(t, other)
		vendorOne, vendorTwo := one.API(t, fOne.Tokens[policy.VendorAdmin]), two.API(t, fTwo.Tokens[policy.VendorAdmin])
		res := vendorOne.Do("POST", "/organizations", map[string]any{"kind": "customer", "name": "Only on one", "code": "only-on-one"})
		if res.Status != 201 {
			t.Fatalf("register on one: %d %s", res.Status, res.Body)
		}
		if res := vendorTwo.Do("POST", "/organizations", map[string]any{"kind": "customer", "name": "Only on two", "code": "only-on-two"}); res.Status != 201 {
			t.Fatalf("register on two: %d %s", res.Status, res.Body)
		}
		for _, c := range []struct {
			name      string
			list      string
			has, hasn string
		}{
			{"one", string(vendorOne.Do("GET", "/organizations", nil).Body), "only-on-one", "only-on-two"},
			{"two", string(vendorTwo.Do("GET", "/organizations", nil).Body), "only-on-two", "only-on-one"},
		} {
			if !strings.Contains(c.list, c.has) || strings.Contains(c.list, c.hasn) {
				t.Errorf("server %s lists: %.400s", c.name, c.list)
			}
		}
		if res := one.API(t, fTwo.Tokens[policy.VendorAdmin]).Do("GET", "/organizations", nil); res.Status != 401 {
			t.Errorf("server one took server two's token: %d", res.Status)
		}
	})
}
