package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/edge"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/web"
)

// signedIn reports whether c's session is still signed in.
func signedIn(t *testing.T, app *testutil.App, c *http.Client) bool {
	t.Helper()
	res := get(t, c, app.URL+"/profile")
	res.Body.Close()
	switch {
	case res.StatusCode == http.StatusOK:
		return true
	case res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login"):
		return false
	}
	t.Fatalf("profile: %d %s", res.StatusCode, res.Header.Get("Location"))
	return false
}

func tokenWorks(t *testing.T, app *testutil.App, token string) bool {
	t.Helper()
	res := app.API(t, token).Do("GET", "/me", nil)
	return res.Status == http.StatusOK
}

// Changing one's password on the profile page takes the current password,
// keeps this session, signs out every other session of the user (another
// browser with its own cookies) and revokes the user's API tokens.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		u := f.Users[policy.Dispatcher]
		here, there := app.Browser(t), app.Browser(t)
		app.Login(t, here, u.Email, testutil.Password)
		app.Login(t, there, u.Email, testutil.Password)
		get(t, here, app.URL+"/lang/en?next=/profile").Body.Close()
		const next = "a-new-password-2026"

		for name, form := range map[string]url.Values{
			"no current password":    {"password": {next}, "confirm": {next}},
			"wrong current password": {"current_password": {"not the password"}, "password": {next}, "confirm": {next}},
		} {
			res, html := post(t, here, app.URL+"/profile/password", form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `class="err"`) {
				t.Fatalf("%s: %d", name, res.StatusCode)
			}
			if !signedIn(t, app, there) || !tokenWorks(t, app, f.Tokens[policy.Dispatcher]) {
				t.Fatalf("%s: the refused change ended the other session or the token", name)
			}
			if _, err := app.Server.Accounts.Authenticate(t.Context(), u.Email, testutil.Password); err != nil {
				t.Fatalf("%s: the old password no longer works: %v", name, err)
			}
		}

		res, _ := post(t, here, app.URL+"/profile/password", url.Values{"current_password": {testutil.Password}, "password": {next}, "confirm": {next}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile" {
			t.Fatalf("change: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if html := body(t, get(t, here, app.URL+"/profile")); !strings.Contains(html, "other sessions were signed out") {
			t.Fatal("this session was signed out, or not told what the change did")
		}
		if signedIn(t, app, there) {
			t.Fatal("the other session is still signed in after the password change")
		}
		if tokenWorks(t, app, f.Tokens[policy.Dispatcher]) {
			t.Fatal("the user's API token still works after the password change")
		}
		if _, err := app.Server.Accounts.Authenticate(t.Context(), u.Email, testutil.Password); err == nil {
			t.Fatal("the old password still signs in")
		}
		app.Login(t, app.Browser(t), u.Email, next)
		var events int
		if err := store.Get(t.Context(), app.DB, &events, `SELECT COUNT(*) FROM audit_events WHERE action = 'user.password_change' AND entity_id = ?`,
			strconv.FormatInt(u.ID, 10)); err != nil || events != 1 {
			t.Fatalf("audit: %d password changes, %v", events, err)
		}
	})
}

// An admin setting a new password for a user of the organization signs
// that user out everywhere; the admin stays signed in.
func TestAdminPasswordResetEndsTheUsersSessions(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		tech := f.Users[policy.Technician]
		admin, techBrowser := app.Browser(t), app.Browser(t)
		app.Login(t, admin, f.Users[policy.ProviderAdmin].Email, testutil.Password)
		app.Login(t, techBrowser, tech.Email, testutil.Password)
		res, _ := post(t, admin, app.URL+"/users/"+strconv.FormatInt(tech.ID, 10), url.Values{"version": {strconv.FormatInt(tech.Version, 10)},
			"name": {tech.Name}, "locale": {"en"}, "role": {string(tech.Role)}, "active": {"on"}, "password": {"reset-by-admin-2026"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d", res.StatusCode)
		}
		if signedIn(t, app, techBrowser) {
			t.Fatal("the user is still signed in after an admin set a new password")
		}
		if tokenWorks(t, app, f.Tokens[policy.Technician]) {
			t.Fatal("the user's API token still works after the reset")
		}
		if !signedIn(t, app, admin) {
			t.Fatal("the admin was signed out")
		}
		app.Login(t, app.Browser(t), tech.Email, "reset-by-admin-2026")
	})
}

// A password cannot be changed over an API token, not even on the page.
func TestPasswordPageRefusesAPIToken(t *testing.T) {
	t.Parallel()
	app, f := seededSQLite(t)
	req, _ := http.NewRequest("POST", app.URL+"/profile/password", strings.NewReader(url.Values{"current_password": {testutil.Password},
		"password": {"by-token-2026!"}, "confirm": {"by-token-2026!"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+f.Tokens[policy.Customer])
	res, err := app.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("password change with a token on the page: %d", res.StatusCode)
	}
	app.Login(t, app.Browser(t), f.Users[policy.Customer].Email, testutil.Password)
}

// Sign-in failures slow down the account that failed, with a wait that is
// answered 429 with Retry-After; many failures from one address against
// other accounts never lock out another account at that address.
func TestLoginThrottlingIsPerAccount(t *testing.T) {
	t.Parallel()
	app, f := seededSQLite(t)
	app.Server.Accounts.SignIns = account.NewBackoff(5, time.Minute, 15*time.Minute, 24*time.Hour)
	// The clock stands still: on a loaded machine forty sign-ins may take
	// longer than the minute of the wait.
	app.Clock.Set(time.Now().UTC())
	c := app.Browser(t)
	fail := func(email string) *http.Response {
		res, _ := post(t, c, app.URL+"/login", url.Values{"email": {email}, "password": {"not the password"}})
		return res
	}
	// Forty failures from this address, more than any address lock allowed.
	victims := []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Technician, policy.Customer}
	for _, r := range victims {
		for range 5 {
			if res := fail(f.Users[r].Email); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("free failure on %s: %d", r, res.StatusCode)
			}
		}
	}
	for i := range 15 {
		if res := fail("nobody" + strconv.Itoa(i) + "@one.example"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("unknown account: %d", res.StatusCode)
		}
	}
	res := fail(f.Users[policy.Technician].Email)
	if wait, _ := strconv.Atoi(res.Header.Get("Retry-After")); res.StatusCode != http.StatusTooManyRequests || wait < 1 || wait > 60 {
		t.Fatalf("sixth failure: %d, Retry-After %q; want 429 and what is left of a minute", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// Even the right password waits.
	res, _ = post(t, c, app.URL+"/login", url.Values{"email": {f.Users[policy.Technician].Email}, "password": {testutil.Password}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password during the wait: %d", res.StatusCode)
	}
	// Another account, from the same address and the same client, signs in.
	app.Login(t, c, f.Users[policy.Dispatcher].Email, testutil.Password)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Behind a trusted proxy the client's address comes from X-Forwarded-For
// (the request log and the audit trail record it); from any other peer the header is ignored.
func TestClientAddressThroughTrustedProxies(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := testutil.Seed(t, db)
		logs := &lockedBuffer{}
		serve := func(trusted []netip.Prefix) *testutil.App {
			return testutil.NewAppConfig(t, db, app.Config{Log: slog.New(slog.NewTextHandler(logs, nil))},
				web.Options{Edge: edge.Options{TrustedProxies: trusted}})
		}
		recorded := func(app *testutil.App, name string, xff string) string {
			t.Helper()
			res := app.API(t, f.Tokens[policy.Dispatcher]).Do("POST", "/tokens", map[string]any{"name": name}, "X-Forwarded-For", xff)
			if res.Status != http.StatusCreated {
				t.Fatalf("create token: %d %s", res.Status, res.Body)
			}
			addr := testutil.SelectOne[*string](t, db, `SELECT client_address FROM audit_events WHERE action = 'token.create' AND after_json LIKE ?`,
				`%"name":"`+name+`"%`)
			if addr == nil {
				return ""
			}
			return *addr
		}
		// The test's own connections come from loopback.
		untrusted := serve(nil)
		if got := recorded(untrusted, "spoofed", "203.0.113.9"); got != "127.0.0.1" {
			t.Fatalf("X-Forwarded-For from an untrusted peer was used: %q", got)
		}
		proxied := serve([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")})
		if got := recorded(proxied, "proxied", "198.51.100.1, 203.0.113.9, 10.1.2.3"); got != "203.0.113.9" {
			t.Fatalf("through trusted proxies: %q, want 203.0.113.9", got)
		}
		if !strings.Contains(logs.String(), "client=203.0.113.9") {
			t.Fatal("the request log does not name the client behind the proxy")
		}
		// The audit page shows where the change came from.
		c := proxied.Browser(t)
		proxied.Login(t, c, f.Users[policy.ProviderAdmin].Email, testutil.Password)
		if html := body(t, get(t, c, proxied.URL+"/audit", "Accept-Language", "en")); !strings.Contains(html, "from 203.0.113.9") {
			t.Fatal("the audit page does not show the client's address")
		}
	})
}

// A session's token, the cookie that signs a browser in, is not in the
// sessions table: only its SHA-256 is, and the session still works.
func TestSessionTokensRestHashed(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		c := signIn(t, app, f.Users[policy.Dispatcher].Email)
		base, _ := url.Parse(app.URL)
		var token string
		for _, ck := range c.Jar.Cookies(base) {
			if ck.Name == "session" {
				token = ck.Value
			}
		}
		if len(token) < 32 {
			t.Fatalf("session cookie %q", token)
		}
		var stored []string
		if err := store.Select(t.Context(), app.DB, &stored, `SELECT token FROM sessions`); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		hashed := false
		for _, s := range stored {
			if strings.Contains(s, token) {
				t.Fatalf("the sessions table holds the cookie's token %q", token)
			}
			hashed = hashed || s == hex.EncodeToString(sum[:])
		}
		if !hashed {
			t.Fatalf("no session stored under the token's hash: %q", stored)
		}
		if !signedIn(t, app, c) {
			t.Fatal("the session does not sign in")
		}
	})
}
