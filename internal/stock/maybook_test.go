package stock_test

import (
	"slices"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/stock"
)

// The movements each role may book at its own locations: what the form
// offers and what Move allows are this one list.
func TestMayBookFollowsThePolicy(t *testing.T) {
	t.Parallel()
	all := stock.Booked
	for role, want := range map[policy.Role][]stock.MovementKind{
		policy.VendorAdmin:   all,
		policy.VendorAuditor: nil,
		policy.ProviderAdmin: all,
		policy.Dispatcher:    {stock.Receive, stock.Transfer},
		policy.Technician:    nil,
		policy.Customer:      nil,
	} {
		a := policy.Actor{UserID: 1, OrgID: 1, OrgKind: role.OrgKind(), Role: role}
		if got := stock.MayBook(a); !slices.Equal(got, want) {
			t.Errorf("%s may book %v, want %v", role, got, want)
		}
	}
}
