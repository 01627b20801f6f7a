package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/i18n"
	"aftersales/internal/jobs"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// env is a seeded database with a controllable clock and a job runner that
// runs the notification jobs.
type env struct {
	t      *testing.T
	ctx    context.Context
	db     *store.DB
	f      *testutil.Fixture
	now    time.Time
	svc    *notify.Service
	runner *jobs.Runner
	w      *notify.Workers
}

func newEnv(t *testing.T, db *store.DB) *env {
	e := &env{t: t, ctx: context.Background(), db: db, f: testutil.Seed(t, db), now: time.Now().UTC().Truncate(time.Second)}
	clock := func() time.Time { return e.now }
	e.svc = &notify.Service{DB: db, Now: clock, EmailEnabled: true, Secrets: testutil.SecretBox(t)}
	bundle, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	e.w = &notify.Workers{DB: db, Now: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Webhooks: notify.NewWebhookClient(true), BaseURL: "https://service.example", Bundle: bundle, Secrets: testutil.SecretBox(t)}
	e.runner = e.newRunner()
	return e
}

// newRunner is a fresh runner, as after a restart of the server.
func (e *env) newRunner() *jobs.Runner {
	r := jobs.NewRunner(e.db, func() time.Time { return e.now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.w.Register(r)
	return r
}

func (e *env) actor(r policy.Role) policy.Actor { return e.f.Users[r].Actor() }

// publish publishes ev in its own transaction.
func (e *env) publish(ev notify.Event) (notify.Published, error) {
	var out notify.Published
	err := e.db.Tx(e.ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = e.svc.Publish(e.ctx, tx, e.now, ev)
		return err
	})
	return out, err
}

// drain runs ready jobs until none is left, moving the clock past each
// backoff; it gives up after max rounds.
func (e *env) drain(r *jobs.Runner, max int) {
	e.t.Helper()
	for range max {
		ran, err := r.RunOne(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if !ran {
			var queued int
			if err := store.Get(e.ctx, e.db, &queued, `SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')`); err != nil {
				e.t.Fatal(err)
			}
			if queued == 0 {
				return
			}
			e.now = e.now.Add(2 * time.Hour) // past any backoff
		}
	}
	var last []string
	_ = store.Select(e.ctx, e.db, &last, `SELECT last_error FROM jobs WHERE state IN ('queued', 'running')`)
	e.t.Fatalf("jobs still queued after %d rounds: %q", max, last)
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := store.Get(e.ctx, e.db, &n, query, args...); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func warning(e *env, users ...int64) notify.Event {
	return notify.Event{
		Kind:      "clock.warning",
		OrgIDs:    []int64{e.f.Vendor.ID, e.f.Provider.ID},
		UserIDs:   users,
		Subject:   notify.Localized{"en": "Response deadline at 75%", "zh-CN": "响应时限已过 75%"},
		Body:      notify.Localized{"en": "Request 12 must be answered by 16:00.", "zh-CN": "报修单 12 须在 16:00 前响应。"},
		Link:      "/requests/12",
		Data:      map[string]any{"request_id": 12, "clock": "response", "share": 0.75},
		DedupeKey: "clock.warning:75:request:12:response",
	}
}

func TestPublishRecordsAndDedupes(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		disp, admin := e.f.Users[policy.Dispatcher], e.f.Users[policy.ProviderAdmin]
		if err := e.svc.SetEmailPreference(e.ctx, admin.Actor(), false); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Exec(e.ctx, e.db, `UPDATE users SET locale = 'zh-CN' WHERE id = ?`, disp.ID); err != nil {
			t.Fatal(err)
		}
		for _, kinds := range [][]string{{"clock.*"}, {"request.assigned"}} {
			if _, _, err := e.svc.CreateWebhook(e.ctx, e.actor(policy.VendorAdmin), notify.WebhookInput{URL: "https://hooks.example/in", Kinds: kinds}); err != nil {
				t.Fatal(err)
			}
		}
		// Another vendor's subscription never sees this vendor's events.
		other := e.f.OtherAdmin.Actor()
		if _, _, err := e.svc.CreateWebhook(e.ctx, other, notify.WebhookInput{URL: "https://other.example/in"}); err != nil {
			t.Fatal(err)
		}

		// A recipient outside the event's organizations is refused, and nothing is left behind.
		if _, err := e.publish(warning(e, disp.ID, e.f.Users[policy.Customer].ID)); err == nil {
			t.Fatal("published to a customer outside the event's organizations")
		}
		if n := e.count(`SELECT COUNT(*) FROM notifications`) + e.count(`SELECT COUNT(*) FROM jobs`); n != 0 {
			t.Fatalf("a failed publish left %d rows", n)
		}

		got, err := e.publish(warning(e, disp.ID, admin.ID, disp.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got.Duplicate || got.Notifications != 2 || got.Emails != 1 || got.Webhooks != 1 {
			t.Fatalf("published %+v, want 2 notifications, 1 email (admin turned email off), 1 webhook", got)
		}
		again, err := e.publish(warning(e, disp.ID, admin.ID))
		if err != nil {
			t.Fatal(err)
		}
		if !again.Duplicate || e.count(`SELECT COUNT(*) FROM notifications`) != 2 || e.count(`SELECT COUNT(*) FROM jobs`) != 2 {
			t.Fatalf("second publish with the same dedupe key: %+v, %d notifications", again, e.count(`SELECT COUNT(*) FROM notifications`))
		}
		var title string
		if err := store.Get(e.ctx, e.db, &title, `SELECT title FROM notifications WHERE user_id = ?`, disp.ID); err != nil {
			t.Fatal(err)
		}
		if title != "响应时限已过 75%" {
			t.Errorf("dispatcher (zh-CN) got title %q", title)
		}

		// Rolled back with the caller's transaction.
		ev := warning(e, disp.ID)
		ev.DedupeKey = "rolled-back"
		_ = e.db.Tx(e.ctx, func(tx *sqlx.Tx) error {
			if _, err := e.svc.Publish(e.ctx, tx, e.now, ev); err != nil {
				t.Fatal(err)
			}
			return errors.New("domain change failed")
		})
		if n := e.count(`SELECT COUNT(*) FROM notify_events WHERE dedupe_key = 'rolled-back'`); n != 0 {
			t.Fatal("a rolled-back publish left its event")
		}

		// Email off on the server: no email jobs at all.
		e.svc.EmailEnabled = false
		ev.DedupeKey = "no-email"
		if got, err := e.publish(ev); err != nil || got.Emails != 0 || got.Notifications != 1 {
			t.Fatalf("with email disabled: %+v %v", got, err)
		}
	})
}

func TestPublishRejectsBadEvents(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		for _, tc := range []struct {
			name   string
			mutate func(*notify.Event)
			want   string // what the error must say
		}{
			{"kind", func(ev *notify.Event) { ev.Kind = "Clock Warning" }, `kind "Clock Warning" is not a dotted lowercase name`},
			{"no orgs", func(ev *notify.Event) { ev.OrgIDs = nil }, "no organization may see it"},
			{"no subject", func(ev *notify.Event) { ev.Subject = nil }, "no subject"},
			{"link", func(ev *notify.Event) { ev.Link = "https://evil.example/" }, "link is not a path in the app"},
			{"protocol-relative link", func(ev *notify.Event) { ev.Link = "//evil.example/" }, "link is not a path in the app"},
			{"dedupe key", func(ev *notify.Event) { ev.DedupeKey = strings.Repeat("k", 301) }, "dedupe key longer than 300 bytes"},
			{"no user", func(ev *notify.Event) { ev.UserIDs = []int64{999999} }, "1 of 1 recipients do not exist"},
			{"user of another organization", func(ev *notify.Event) { ev.UserIDs = []int64{e.f.OtherAdmin.ID} },
				fmt.Sprintf("recipient %d is not in the event's organizations", e.f.OtherAdmin.ID)},
		} {
			ev := warning(e, e.f.Users[policy.Dispatcher].ID)
			tc.mutate(&ev)
			_, err := e.publish(ev)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
			}
		}
		// A refused event leaves nothing behind, not even the event.
		var n int
		if err := store.Get(e.ctx, e.db, &n, `SELECT (SELECT COUNT(*) FROM notify_events) + (SELECT COUNT(*) FROM notifications)`); err != nil || n != 0 {
			t.Errorf("%d rows after refused events (%v)", n, err)
		}
	})
}

func TestInboxUnreadFirstPagesAndMarksRead(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		me := e.actor(policy.Dispatcher)
		var ids []int64
		for i := range 5 {
			ev := warning(e, me.UserID)
			ev.DedupeKey = fmt.Sprint("k", i)
			if _, err := e.publish(ev); err != nil {
				t.Fatal(err)
			}
		}
		page, err := e.svc.List(e.ctx, me, notify.ListInput{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range page.Items {
			ids = append(ids, n.ID)
		}
		if len(ids) != 5 || page.Unread != 5 {
			t.Fatalf("got %d items, %d unread", len(ids), page.Unread)
		}
		// Read the newest and the third: they go after the unread ones.
		for _, id := range []int64{ids[0], ids[2]} {
			if _, err := e.svc.MarkRead(e.ctx, me, id); err != nil {
				t.Fatal(err)
			}
		}
		want := []int64{ids[1], ids[3], ids[4], ids[0], ids[2]}
		var got []int64
		cursor := ""
		for range 10 {
			p, err := e.svc.List(e.ctx, me, notify.ListInput{Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range p.Items {
				got = append(got, n.ID)
			}
			if p.Unread != 3 {
				t.Fatalf("unread %d, want 3", p.Unread)
			}
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("pages gave %v, want %v", got, want)
		}
		unread, err := e.svc.List(e.ctx, me, notify.ListInput{UnreadOnly: true})
		if err != nil || len(unread.Items) != 3 {
			t.Fatalf("unread only: %d items, %v", len(unread.Items), err)
		}
		if _, err := e.svc.List(e.ctx, me, notify.ListInput{Cursor: "x1"}); err == nil {
			t.Error("a bad cursor was accepted")
		}
		// Someone else cannot touch my notifications.
		if _, err := e.svc.MarkRead(e.ctx, e.actor(policy.ProviderAdmin), ids[1]); err == nil {
			t.Error("another user marked my notification read")
		}
		n, err := e.svc.MarkAllRead(e.ctx, me)
		if err != nil || n != 3 {
			t.Fatalf("mark all read: %d, %v", n, err)
		}
		if c, _ := notify.UnreadCount(e.ctx, e.db, me.UserID); c != 0 {
			t.Fatalf("unread after mark all: %d", c)
		}
	})
}

func TestWebhookInputValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		in    notify.WebhookInput
		field string
	}{
		{"ok", notify.WebhookInput{URL: "https://hooks.example/in?x=1", Kinds: []string{"clock.*", "request.assigned"}}, ""},
		{"ok http with port", notify.WebhookInput{URL: "http://10.0.0.5:8080/hook"}, ""},
		{"ftp", notify.WebhookInput{URL: "ftp://hooks.example/"}, "url"},
		{"javascript", notify.WebhookInput{URL: "javascript:alert(1)"}, "url"},
		{"credentials", notify.WebhookInput{URL: "https://user:pw@hooks.example/"}, "url"},
		{"no host", notify.WebhookInput{URL: "https:///path"}, "url"},
		{"fragment", notify.WebhookInput{URL: "https://hooks.example/#x"}, "url"},
		{"empty", notify.WebhookInput{}, "url"},
		{"control character", notify.WebhookInput{URL: "https://hooks.example/\x00"}, "url"},
		{"bad kind", notify.WebhookInput{URL: "https://hooks.example/", Kinds: []string{"clock warning"}}, "kinds[0]"},
		{"long description", notify.WebhookInput{URL: "https://hooks.example/", Description: string(make([]rune, 201))}, "description"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !containsField(err, tc.field) {
				t.Fatalf("want an error on %s, got %v", tc.field, err)
			}
		})
	}
}

func containsField(err error, field string) bool {
	return err != nil && strings.Contains(err.Error(), "; "+field+":")
}

func TestPrivateAddressesRefusedUnlessAllowed(t *testing.T) {
	t.Parallel()
	srv := newReceiver(t, "secret", func(int) int { return 200 })
	for _, allow := range []bool{false, true} {
		res, err := notify.NewWebhookClient(allow).Post(srv.URL, "application/json", nil)
		if err == nil {
			res.Body.Close()
		}
		switch {
		case !allow && !errors.Is(err, notify.ErrAddressNotAllowed):
			t.Errorf("loopback without --webhook-allow-private: %v", err)
		case allow && err != nil:
			t.Errorf("loopback with --webhook-allow-private: %v", err)
		}
	}
	// Link-local (cloud metadata) is refused even when private addresses are allowed.
	if _, err := notify.NewWebhookClient(true).Get("http://169.254.169.254/latest/meta-data/"); !errors.Is(err, notify.ErrAddressNotAllowed) {
		t.Errorf("link-local: %v", err)
	}
}

// Staff addressed by role are the organization's active users with the
// role, read with the recipients named; a user both named and addressed
// is told once.
func TestPublishToStaffByRole(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e *env) {
		e.svc.EmailEnabled = false
		disp, admin := e.f.Users[policy.Dispatcher], e.f.Users[policy.ProviderAdmin]
		ev := warning(e, disp.ID)
		ev.Staff = notify.Staff{OrgID: e.f.Provider.ID, Roles: []policy.Role{policy.Dispatcher, policy.ProviderAdmin}}
		got, err := e.publish(ev)
		if err != nil {
			t.Fatal(err)
		}
		var dispatchers, admins int
		if err := store.Get(e.ctx, e.db, &dispatchers, `SELECT COUNT(*) FROM users WHERE org_id = ? AND role = ? AND active = ?`,
			e.f.Provider.ID, string(policy.Dispatcher), true); err != nil {
			t.Fatal(err)
		}
		if err := store.Get(e.ctx, e.db, &admins, `SELECT COUNT(*) FROM users WHERE org_id = ? AND role = ? AND active = ?`,
			e.f.Provider.ID, string(policy.ProviderAdmin), true); err != nil {
			t.Fatal(err)
		}
		want := dispatchers + admins
		if got.Notifications != want || e.count(`SELECT COUNT(*) FROM notifications WHERE user_id = ?`, disp.ID) != 1 ||
			e.count(`SELECT COUNT(*) FROM notifications WHERE user_id = ?`, admin.ID) != 1 {
			t.Fatalf("published %+v, want %d notifications, the dispatcher and the admin told once each", got, want)
		}

		// An inactive member of the staff is not told.
		if _, err := store.Exec(e.ctx, e.db, `UPDATE users SET active = ? WHERE id = ?`, false, admin.ID); err != nil {
			t.Fatal(err)
		}
		ev.DedupeKey = "staff-again"
		ev.UserIDs = nil
		if got, err := e.publish(ev); err != nil || got.Notifications != want-1 ||
			e.count(`SELECT COUNT(*) FROM notifications WHERE user_id = ?`, admin.ID) != 1 {
			t.Fatalf("with the admin inactive: %+v %v", got, err)
		}
	})
}

// inEnv runs test in parallel on each engine, in a fresh env.
func inEnv(t *testing.T, test func(t *testing.T, ctx context.Context, e *env)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) { test(t, context.Background(), newEnv(t, db)) })
}
