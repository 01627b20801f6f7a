// Package staff owns the provider's people and places (DOMAIN 1.3, 2.2.2):
// service points (服务网点), the technicians' profiles beside their user
// accounts (service point, skills per product line, efficiency), their
// certifications (the vendor's product-line certificate, statutory permits
// 特种作业操作证 with their review, the provider's own grade 上岗证等级) with
// scans, training records and assessments; the vendor's qualification rules;
// and the rule at booking that refuses a visit to a technician who may not
// work on the unit (MayWork), with the vendor's recorded one-off exceptions.
//
// It reads users, units and service requests by SQL and imports none of the
// packages that own them; booking asks it through a port.
package staff

import (
	"context"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// Publisher records notifications inside a transaction (notify.Service).
type Publisher interface {
	Publish(ctx context.Context, tx store.Queryer, now time.Time, ev notify.Event) (notify.Published, error)
}

// Service holds the use cases of the staff register.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Notify, when set, warns of certifications about to expire.
	Notify Publisher
	// Calendars finds the working calendar a template of working hours is
	// laid over (nil: the built-in ones).
	Calendars func(ctx context.Context, id string) (*calendar.Calendar, error)
}

// providerScope is how the provider providerID relates to the actor: Own to
// its people, Partner to the vendors it works with, Unrelated otherwise.
// A technician of the provider is Own too; what they may see of others is
// narrowed by the policy (Self for their own profile).
func providerScope(ctx context.Context, q store.Queryer, a policy.Actor, providerID int64) (policy.Scope, error) {
	return org.ScopeOf(ctx, q, a, providerID)
}

// technicianScope: Self to the technician, else the provider's scope.
func technicianScope(ctx context.Context, q store.Queryer, a policy.Actor, providerID, technicianID int64) (policy.Scope, error) {
	if !a.Operator && a.UserID == technicianID {
		return policy.Self, nil
	}
	sc, err := providerScope(ctx, q, a, providerID)
	if err == nil && sc == policy.Own && a.Role == policy.Technician {
		// A technician sees only their own staff record.
		return policy.Unrelated, nil
	}
	return sc, err
}

// localDate is the calendar date in Shanghai of t, as YYYY-MM-DD.
func localDate(t time.Time) string {
	return t.In(calendar.Shanghai).Format(time.DateOnly)
}
