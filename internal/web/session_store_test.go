package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

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
