package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/app"
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
	gaveUp := &logged{message: "out of time", seen: make(chan struct{})}
	app := testutil.NewAppConfig(t, db, app.Config{Log: slog.New(gaveUp)},
		web.Options{Edge: edge.Options{Deadlines: edge.Deadlines{Ordinary: edge.RouteDeadline{Total: time.Second}}}})
	f := testutil.Seed(t, db)
	c := app.Browser(t)
	res, err := c.PostForm(app.URL+"/login", url.Values{"email": {f.Users[policy.VendorAdmin].Email}, "password": {testutil.Password}})
	if err != nil {
		t.Fatal(err)
	}
	body(t, res)
	// The test holds SQLite's writer until the server has given the
	// handler's write up as out of time, however long a loaded machine
	// takes to carry the request to it: the write can only find its
	// deadline passed. The writer is then let go, as the answer needs it
	// too (the session is saved before the answer is written).
	held, answered, released := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(released)
		_ = db.Tx(context.Background(), func(*sqlx.Tx) error {
			close(held)
			select {
			case <-gaveUp.seen:
			case <-answered: // an answer without the write given up: wrong, told below
			}
			return nil
		})
	}()
	<-held
	req, _ := http.NewRequest("POST", app.URL+"/orgs", strings.NewReader("kind=customer&name=Late&code=late-form"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	res, err = c.Do(req)
	close(answered)
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

// logged is a log handler that closes seen once message is logged.
type logged struct {
	message string
	seen    chan struct{}
	once    sync.Once
}

func (l *logged) Enabled(context.Context, slog.Level) bool { return true }

func (l *logged) Handle(_ context.Context, r slog.Record) error {
	if r.Message == l.message {
		l.once.Do(func() { close(l.seen) })
	}
	return nil
}

func (l *logged) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logged) WithGroup(string) slog.Handler      { return l }
