package notify_test

import (
	"context"
	"slices"
	"testing"

	"aftersales/internal/i18n"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
)

// Each person chooses per kind of event whether email reaches them: a kind
// turned off still arrives in the app, with no email queued.
func TestEmailChoicesPerKind(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		d := e.actor(policy.Dispatcher)
		choices, err := e.svc.EmailChoices(e.ctx, d)
		if err != nil || len(choices) != len(notify.EmailKinds) || !choices["request.received"] {
			t.Fatalf("default choices: %v %v", choices, err)
		}
		on := slices.DeleteFunc(slices.Clone(notify.EmailKinds), func(k string) bool { return k == "request.received" })
		if err := e.svc.SetEmailChoices(e.ctx, d, on); err != nil {
			t.Fatal(err)
		}
		if choices, _ = e.svc.EmailChoices(e.ctx, d); choices["request.received"] || !choices["clock.warning"] {
			t.Fatalf("after turning request.received off: %v", choices)
		}
		for kind, wantEmails := range map[string]int{"request.received": 0, "clock.warning": 1} {
			out, err := e.publish(notify.Event{Kind: kind, OrgIDs: []int64{e.f.Provider.ID}, UserIDs: []int64{d.UserID},
				Subject: notify.Msg("notify.filed.subject", "Number", "SR1"), Body: notify.Msg("notify.filed.subject", "Number", "SR1")})
			if err != nil {
				t.Fatal(err)
			}
			if out.Notifications != 1 || out.Emails != wantEmails {
				t.Errorf("%s: %d notifications, %d emails; want 1 and %d", kind, out.Notifications, out.Emails, wantEmails)
			}
		}
		// Another person's choices are their own.
		if _, err := e.svc.EmailChoices(e.ctx, policy.Actor{}); err == nil {
			t.Error("an anonymous actor read choices")
		}
	})
}

// Every kind a person can be told about has a name in both languages, so
// the notification list never shows a raw key.
func TestEveryEmailKindHasAName(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range notify.EmailKinds {
		if !b.Has("notifykind." + k) {
			t.Errorf("no name for %s", k)
		}
	}
}
