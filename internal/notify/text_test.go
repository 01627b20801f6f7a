package notify_test

import (
	"strings"
	"testing"
	"time"

	"aftersales/internal/notify"
)

// A message id the catalogs lack, or outside notify., is refused before
// anything is stored, naming the id; so is a missing subject.
func TestPublishRefusesTextsNotInTheCatalogs(t *testing.T) {
	t.Parallel()
	svc := &notify.Service{}
	for _, c := range []struct {
		name          string
		subject, body notify.Text
		want          string
	}{
		{"unknown subject", notify.Msg("notify.no_such.subject"), nil, `subject: message "notify.no_such.subject" is not in the catalogs`},
		{"not a notification text", notify.Msg("nav.home"), nil, `subject: message "nav.home" is not in the catalogs`},
		{"unknown body", notify.Msg("notify.escalation_answered.subject", "Number", "SR1"), notify.Msg("notify.no_such.body"), `body: message "notify.no_such.body"`},
		{"unknown argument text", notify.Msg("notify.clock_breached.subject", "Number", "SR1", "Clock", notify.Msg("notify.clock.nope")), nil, `Clock: message "notify.clock.nope"`},
		{"no subject", nil, nil, "no subject"},
	} {
		_, err := svc.Publish(t.Context(), nil, time.Now(), notify.Event{Kind: "request.assigned", OrgIDs: []int64{1}, Subject: c.subject, Body: c.body})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
}

// A message renders in each language, its text arguments in the same one.
func TestMessageRendersInTheRecipientsLanguage(t *testing.T) {
	t.Parallel()
	m := notify.Msg("notify.clock_breached.subject", "Number", "SR2611-00012", "Clock", notify.Msg("notify.clock.resolution"))
	for locale, want := range map[string]string{"en": "SR2611-00012: resolution deadline missed", "zh-CN": "SR2611-00012：解决时限已超时"} {
		if got := notify.Render(m, locale); got != want {
			t.Errorf("%s: %q, want %q", locale, got, want)
		}
	}
	given := notify.Localized{"zh-CN": "更换编码器"}
	if got := notify.Render(given, "en"); got != "更换编码器" {
		t.Errorf("a text given in one language: %q", got)
	}
}
