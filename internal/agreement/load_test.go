package agreement_test

import (
	"context"
	"fmt"
	"testing"

	"aftersales/internal/agreement"
	"aftersales/internal/app"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// An agreement asked for by its id: to another organization it does not
// exist, to a party who may read it but not change it the change is
// forbidden, and a refused change leaves the agreement and its trail as
// they were.
func TestLoadHidesAndRefuses(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := testutil.NewWorld(t, db, app.Config{})
		svc, id := w.App.Agreements, w.SF.AgreementID
		before, err := svc.Get(ctx, w.F.Users[policy.VendorAdmin].Actor(), id)
		if err != nil {
			t.Fatal(err)
		}
		audited := func() int {
			return testutil.Count(t, db, `SELECT COUNT(*) FROM audit_events WHERE entity = 'agreement' AND entity_id = ?`, fmt.Sprint(id))
		}
		trail := audited()
		suspend := agreement.Transition{To: agreement.Suspended, Reason: "unpaid"}
		version := agreement.NewVersion{Terms: before.Current.Terms, EffectiveFrom: "2027-01-01"}
		for _, c := range []struct {
			name   string
			who    policy.Actor
			change func(policy.Actor) error
			want   problem.Kind
		}{
			{"another vendor reads it", w.F.OtherAdmin.Actor(), func(a policy.Actor) error { _, err := svc.Get(ctx, a, id); return err }, problem.NotFound},
			{"a customer reads it", w.F.Users[policy.Customer].Actor(), func(a policy.Actor) error { _, err := svc.Get(ctx, a, id); return err }, problem.NotFound},
			{"another vendor suspends it", w.F.OtherAdmin.Actor(), func(a policy.Actor) error {
				_, err := svc.ChangeStatus(ctx, a, id, suspend, before.Version)
				return err
			}, problem.NotFound},
			{"another vendor adds a version", w.F.OtherAdmin.Actor(), func(a policy.Actor) error {
				_, err := svc.AddVersion(ctx, a, id, version, before.Version)
				return err
			}, problem.NotFound},
			{"the provider adds a version", w.F.Users[policy.ProviderAdmin].Actor(), func(a policy.Actor) error {
				_, err := svc.AddVersion(ctx, a, id, version, before.Version)
				return err
			}, problem.Forbidden},
			{"its technician suspends it", w.F.Users[policy.Technician].Actor(), func(a policy.Actor) error {
				_, err := svc.ChangeStatus(ctx, a, id, suspend, before.Version)
				return err
			}, problem.Forbidden},
		} {
			if err := c.change(c.who); !problem.Is(err, c.want) {
				t.Errorf("%s: %v, want %s", c.name, err, c.want)
			}
		}
		after, err := svc.Get(ctx, w.F.Users[policy.VendorAdmin].Actor(), id)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != before.Version || after.Status != before.Status {
			t.Errorf("refused changes changed the agreement: version %d → %d, status %s → %s", before.Version, after.Version, before.Status, after.Status)
		}
		if n := audited(); n != trail {
			t.Errorf("refused changes were audited: %d events, before %d", n, trail)
		}
	})
}
