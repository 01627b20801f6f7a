package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/edge"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/web"
)

// A form posted while SQLite's writer stays busy past the route's deadline
// gets the error page with 503 and Retry-After, not a 500, and saves nothing.
func TestFormPastItsDeadlineIs503(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app := testutil.NewAppWith(t, db, web.Options{Edge: edge.Options{Deadlines: edge.Deadlines{Ordinary: edge.RouteDeadline{Total: time.Second}}}})
	f := testutil.Seed(t, db)
	c := app.Browser(t)
	res, err := c.PostForm(app.URL+"/login", url.Values{"email": {f.Users[policy.VendorAdmin].Email}, "password": {testutil.Password}})
	if err != nil {
		t.Fatal(err)
	}
	body(t, res)
	// The database stays locked for a while after the request is sent
	// (five times the deadline, for a loaded machine to carry the request
	// to the handler); the handler's write waits for it and finds its
	// deadline passed.
	held, sent, released := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(released)
		_ = db.Tx(context.Background(), func(*sqlx.Tx) error {
			close(held)
			<-sent
			time.Sleep(5 * time.Second)
			return nil
		})
	}()
	<-held
	req, _ := http.NewRequest("POST", app.URL+"/orgs", strings.NewReader("kind=customer&name=Late&code=late-form"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	close(sent)
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	html := body(t, res)
	<-released
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q: %.300s", res.StatusCode, res.Header.Get("Retry-After"), html)
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(html, "did not finish in time") {
		t.Fatalf("not the error page (%s): %.300s", res.Header.Get("Content-Type"), html)
	}
	var n int
	if err := store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM organizations WHERE code = 'late-form'`); err != nil || n != 0 {
		t.Fatalf("%d organizations saved (%v)", n, err)
	}
}
