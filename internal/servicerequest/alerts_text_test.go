package servicerequest_test

import (
	"strings"
	"testing"
	"time"

	"aftersales/internal/notify"
	"aftersales/internal/servicerequest"
	"aftersales/internal/sla"
)

// A clock's warning and breach read, in each recipient's language, as the
// catalogs say with the request's values filled in.
func TestClockAlertTextsInEachLanguage(t *testing.T) {
	t.Parallel()
	r := servicerequest.Request{ID: 12, Number: "SR2611-00012", Model: "FX-100", SerialNumber: "FX100-0001"}
	due := time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC) // 16:30 in Shanghai
	for _, c := range []struct {
		name  string
		clock sla.Clock
		want  map[string][2]string // locale -> subject, body
	}{
		{"breach", sla.Clock{Kind: sla.OnSite, State: sla.StateBreached, DueAt: due}, map[string][2]string{
			"en":    {"SR2611-00012: onsite deadline missed", "The onsite deadline of SR2611-00012 (FX-100 FX100-0001) passed at 2026-11-25 16:30."},
			"zh-CN": {"SR2611-00012：到场时限已超时", "SR2611-00012（FX-100 FX100-0001）的到场时限已于 2026-11-25 16:30 到期。"},
		}},
		{"warning", sla.Clock{Kind: sla.Response, State: sla.StateRunning, DueAt: due, ElapsedShare: 0.8}, map[string][2]string{
			"en":    {"SR2611-00012: response deadline at 11-25 16:30", "80% of the response time of SR2611-00012 (FX-100 FX100-0001) is used; it is due at 2026-11-25 16:30."},
			"zh-CN": {"SR2611-00012：响应时限将于 11-25 16:30 到期", "SR2611-00012（FX-100 FX100-0001）的响应时限已用去 80%，将于 2026-11-25 16:30 到期。"},
		}},
	} {
		ev, ok := servicerequest.Alert(r, c.clock)
		if !ok {
			t.Fatalf("%s: no alert", c.name)
		}
		for locale, want := range c.want {
			if got := notify.Render(ev.Subject, locale); got != want[0] {
				t.Errorf("%s subject (%s) = %q, want %q", c.name, locale, got, want[0])
			}
			if got := notify.Render(ev.Body, locale); got != want[1] {
				t.Errorf("%s body (%s) = %q, want %q", c.name, locale, got, want[1])
			}
		}
	}
}

// Every clock has a name in both languages.
func TestEveryClockHasANameInBothLanguages(t *testing.T) {
	t.Parallel()
	r := servicerequest.Request{Number: "SR1"}
	for _, k := range []sla.ClockKind{sla.Response, sla.OnSite, sla.Resolution, sla.Escalation} {
		ev, _ := servicerequest.Alert(r, sla.Clock{Kind: k, State: sla.StateBreached})
		for _, locale := range []string{"en", "zh-CN"} {
			if got := notify.Render(ev.Subject, locale); got == "" || strings.Contains(got, "notify.") {
				t.Errorf("%s in %s: %q", k, locale, got)
			}
		}
	}
}
