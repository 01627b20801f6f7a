package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// sessionAPI is a client of the API signed in through the sign-in page,
// with the session cookie and no token.
func sessionAPI(t *testing.T, app *testutil.App, email string) *testutil.Client {
	c := app.Browser(t)
	app.Login(t, c, email, testutil.Password)
	return &testutil.Client{T: t, Base: app.URL + "/api/v1", HTTP: c}
}

func passwordHash(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	return scalar[string](t, db, `SELECT password_hash FROM users WHERE id = ?`, id)
}

// A password cannot be changed with an API token, with or without the
// current password, neither one's own nor, by an admin, anyone else's.
func TestPasswordChangeRefusedOverToken(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		for name, c := range map[string]struct {
			token  string
			target int64
		}{
			"own":              {f.Tokens[policy.Dispatcher], f.Users[policy.Dispatcher].ID},
			"an admin's reset": {f.Tokens[policy.ProviderAdmin], f.Users[policy.Technician].ID},
		} {
			cl := app.API(t, c.token)
			path := fmt.Sprintf("/users/%d", c.target)
			etag := cl.Do("GET", path, nil).Header.Get("ETag")
			before := passwordHash(t, db, c.target)
			res := cl.Do("PATCH", path, map[string]any{"password": "taken-over-2026", "current_password": testutil.Password, "name": "Renamed"}, "If-Match", etag)
			problemOf(t, res, http.StatusForbidden, "forbidden")
			if passwordHash(t, db, c.target) != before {
				t.Fatalf("%s: the password changed", name)
			}
			if got := cl.Do("GET", path, nil); got.Header.Get("ETag") != etag {
				t.Fatalf("%s: the user changed", name)
			}
			// The same token still changes what a token may change.
			if res := cl.Do("PATCH", path, map[string]any{"locale": "zh-CN"}, "If-Match", etag); res.Status != http.StatusOK {
				t.Fatalf("%s: locale over a token: %d %s", name, res.Status, res.Body)
			}
		}
	})
}

// Changing one's own password over a session needs the current one: a
// missing or wrong one is refused naming body.current_password and changes
// nothing; wrong ones count as failed sign-ins of the account (429 with
// Retry-After). The right one changes it, revokes the user's tokens and
// ends the user's other sessions.
func TestOwnPasswordChangeNeedsCurrentPassword(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		u := f.Users[policy.Customer]
		cl := sessionAPI(t, app, u.Email)
		other := sessionAPI(t, app, u.Email)
		path := fmt.Sprintf("/users/%d", u.ID)
		etag := cl.Do("GET", path, nil).Header.Get("ETag")
		before := passwordHash(t, db, u.ID)
		for name, body := range map[string]map[string]any{
			"missing": {"password": "a-new-password-2026"},
			"empty":   {"password": "a-new-password-2026", "current_password": ""},
			"wrong":   {"password": "a-new-password-2026", "current_password": "not the password"},
		} {
			p := problemOf(t, cl.Do("PATCH", path, body, "If-Match", etag), http.StatusUnprocessableEntity, "validation")
			if !slices.Contains(locations(p), "body.current_password") {
				t.Fatalf("%s: errors %v do not name body.current_password", name, p["errors"])
			}
			if passwordHash(t, db, u.ID) != before || cl.Do("GET", path, nil).Header.Get("ETag") != etag {
				t.Fatalf("%s: the user changed", name)
			}
		}
		if res := other.Do("GET", "/me", nil); res.Status != http.StatusOK {
			t.Fatalf("a refused change ended the other session: %d", res.Status)
		}
		// The correct change works. Through the API every session of the
		// user ends, this one too (the profile page's own form keeps its
		// session: internal/web).
		res := cl.Do("PATCH", path, map[string]any{"password": "a-new-password-2026", "current_password": testutil.Password}, "If-Match", etag)
		if res.Status != http.StatusOK {
			t.Fatalf("change: %d %s", res.Status, res.Body)
		}
		if passwordHash(t, db, u.ID) == before {
			t.Fatal("the password did not change")
		}
		for name, c := range map[string]*testutil.Client{"other": other, "this": cl} {
			if res := c.Do("GET", "/me", nil); res.Status != http.StatusUnauthorized {
				t.Fatalf("%s session after the change: %d", name, res.Status)
			}
		}
		if res := app.API(t, f.Tokens[policy.Customer]).Do("GET", "/me", nil); res.Status != http.StatusUnauthorized {
			t.Fatalf("the user's token after the change: %d", res.Status)
		}
		var live int
		if err := store.Get(t.Context(), db, &live, `SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL`, u.ID); err != nil || live != 0 {
			t.Fatalf("%d tokens left unrevoked, %v", live, err)
		}
	})
}

// Wrong current passwords slow the account down like failed sign-ins.
func TestWrongCurrentPasswordIsThrottled(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app, f := seeded(t, db)
	// The clock stands still: a slow machine must not let the waits run out
	// between the attempts.
	app.Clock.Set(time.Now().UTC())
	u := f.Users[policy.Technician]
	cl := sessionAPI(t, app, u.Email)
	path := fmt.Sprintf("/users/%d", u.ID)
	etag := cl.Do("GET", path, nil).Header.Get("ETag")
	wrong := map[string]any{"password": "a-new-password-2026", "current_password": "not the password"}
	var res *testutil.Response
	for i := 0; i < 20; i++ {
		if res = cl.Do("PATCH", path, wrong, "If-Match", etag); res.Status != http.StatusUnprocessableEntity {
			break
		}
	}
	problemOf(t, res, http.StatusTooManyRequests, "too-many-requests")
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	// The account waits at the sign-in page too.
	if _, err := app.Server.Accounts.Authenticate(t.Context(), u.Email, testutil.Password); err == nil {
		t.Fatal("sign-in not slowed down by wrong current passwords")
	}
}
