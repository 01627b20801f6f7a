package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftersales/internal/demo"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/settlement"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func get(t *testing.T, c *http.Client, u string, headers ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// postFiles posts a multipart form through c to u, as a page of the site
// would: the fields, then the files by name under the form's field.
func postFiles(t testing.TB, c *http.Client, u string, fields url.Values, field string, files map[string][]byte) *http.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		w, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	_ = mw.Close()
	req, err := http.NewRequest("POST", u, &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", req.URL.Scheme+"://"+req.URL.Host)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// seeded is the app on db with the fixture.
func seeded(t testing.TB, db *store.DB) (*testutil.App, *testutil.Fixture) {
	t.Helper()
	app := testutil.NewApp(t, db)
	return app, testutil.Seed(t, db)
}

// serving is the app on db with the fixture, its agreement and its unit.
func serving(t testing.TB, db *store.DB) (*testutil.App, *testutil.Fixture, testutil.ServiceFixture) {
	t.Helper()
	app, f := seeded(t, db)
	return app, f, testutil.SeedService(t, db, f)
}

// signIn is a browser of app signed in as the fixture's user email.
func signIn(t testing.TB, app *testutil.App, email string) *http.Client {
	t.Helper()
	c := app.Browser(t)
	app.Login(t, c, email, testutil.Password)
	return c
}

// signInDemo is a browser of app signed in as the demo's user email.
func signInDemo(t testing.TB, app *testutil.App, email string) *http.Client {
	t.Helper()
	c := app.Browser(t)
	app.Login(t, c, email, demo.Password)
	return c
}

// fileRepair files a general repair of the fixture's unit, as by phone to
// the fixture's dispatcher.
func fileRepair(t testing.TB, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture, description string) servicerequest.View {
	t.Helper()
	req, err := app.Server.Requests.Create(context.Background(), f.Users[policy.Dispatcher].Actor(), servicerequest.NewRequest{SerialNumber: sf.Serial,
		ServiceItem: "repair", Priority: "general", Description: description, Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// bookVisit books the fixture's technician, by its dispatcher, for the
// request in the window from start to end.
func bookVisit(t testing.TB, app *testutil.App, f *testutil.Fixture, requestID int64, start, end time.Time) workorder.WorkOrder {
	t.Helper()
	wo, err := app.Server.WorkOrders.Book(context.Background(), f.Users[policy.Dispatcher].Actor(), workorder.ForRequest(requestID),
		workorder.Assignment{TechnicianID: f.Users[policy.Technician].ID, WindowStart: start, WindowEnd: end})
	if err != nil {
		t.Fatal(err)
	}
	return wo
}

// demoStatements lists every settlement statement of the demo on db.
func demoStatements(t testing.TB, db *store.DB) []settlement.StatementHeader {
	t.Helper()
	list, err := testutil.Services(t, db).Settlements.List(context.Background(), policy.Actor{Operator: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// qrToken is the token of the QR label of the unit serial.
func qrToken(t testing.TB, db *store.DB, serial string) string {
	t.Helper()
	return testutil.SelectOne[string](t, db, `SELECT qr_token FROM units WHERE serial_number = ?`, serial)
}

func TestSignInSessionAndSignOut(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		c := app.Browser(t)

		res := get(t, c, app.URL+"/")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Fatalf("anonymous home: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		res.Body.Close()

		res, err := c.PostForm(app.URL+"/login", url.Values{"email": {f.Users[policy.Dispatcher].Email}, "password": {"wrong password!"}})
		if err != nil {
			t.Fatal(err)
		}
		// A visitor who asked for no language reads the default, Chinese.
		if html := body(t, res); res.StatusCode != http.StatusUnauthorized || !strings.Contains(html, "邮箱或密码错误") || strings.Contains(html, "Wrong email or password") {
			t.Fatalf("wrong password: %d", res.StatusCode)
		}

		res, err = c.PostForm(app.URL+"/login", url.Values{"email": {strings.ToUpper(f.Users[policy.Dispatcher].Email)}, "password": {testutil.Password}, "next": {"/orgs"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/orgs" {
			t.Fatalf("login: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		var session *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == "session" {
				session = ck
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v", session)
		}
		res = get(t, c, app.URL+"/", "Accept-Language", "en")
		if html := body(t, res); res.StatusCode != 200 || !strings.Contains(html, "Organizations") {
			t.Fatalf("home: %d", res.StatusCode)
		}
		// The session also authenticates the API from the browser.
		res = get(t, c, app.URL+"/api/v1/me")
		if html := body(t, res); res.StatusCode != 200 || !strings.Contains(html, f.Users[policy.Dispatcher].Email) {
			t.Fatalf("api with session: %d %s", res.StatusCode, html)
		}

		res, err = c.PostForm(app.URL+"/logout", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		res = get(t, c, app.URL+"/")
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("home after logout: %d", res.StatusCode)
		}
		// A forged session cookie is just no session.
		forged, _ := http.NewRequest("GET", app.URL+"/api/v1/me", nil)
		forged.AddCookie(&http.Cookie{Name: "session", Value: "forged-token"})
		res, err = app.Client().Do(forged)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 401 {
			t.Fatalf("forged session: %d", res.StatusCode)
		}
	})
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	t.Parallel()
	app, f := seededSQLite(t)
	c := signIn(t, app, f.Users[policy.VendorAdmin].Email)
	before := 0
	_ = store.Get(t.Context(), app.DB, &before, `SELECT COUNT(*) FROM organizations`)
	req, _ := http.NewRequest("POST", app.URL+"/orgs", strings.NewReader("kind=customer&name=Evil&code=evil"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", res.StatusCode)
	}
	after := 0
	_ = store.Get(t.Context(), app.DB, &after, `SELECT COUNT(*) FROM organizations`)
	if after != before {
		t.Fatal("cross-site POST created an organization")
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app := testutil.NewApp(t, db)
	c := app.Browser(t)
	for _, tc := range []struct{ accept, want string }{
		{"zh-CN,zh;q=0.9", "登录"}, {"en-US,en;q=0.8", "Sign in"}, {"fr", "登录"}, {"zh-TW", "登录"},
	} {
		if html := body(t, get(t, c, app.URL+"/login", "Accept-Language", tc.accept)); !strings.Contains(html, tc.want) {
			t.Errorf("Accept-Language %q: page lacks %q", tc.accept, tc.want)
		}
	}
	// The switcher wins over the browser, and is remembered.
	res := get(t, c, app.URL+"/lang/en?next=/login")
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("switch: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if html := body(t, get(t, c, app.URL+"/login", "Accept-Language", "zh-CN")); !strings.Contains(html, `lang="en"`) {
		t.Error("switched language not remembered")
	}
	// Off-site redirects are refused.
	res = get(t, c, app.URL+"/lang/en?next=//evil.example/")
	res.Body.Close()
	if res.Header.Get("Location") != "/" {
		t.Errorf("open redirect to %q", res.Header.Get("Location"))
	}
	res = get(t, c, app.URL+"/lang/xx")
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("unknown language: %d", res.StatusCode)
	}
}

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		app := testutil.NewApp(t, db)
		c := app.Browser(t)
		// In this order: /metrics counts the requests before it.
		for _, pw := range [][2]string{
			{"/healthz", "ok"}, {"/readyz", `"database":"ok"`}, {"/metrics", `aftersales_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`},
		} {
			path, want := pw[0], pw[1]
			res := get(t, c, app.URL+path)
			if html := body(t, res); res.StatusCode != 200 || !strings.Contains(html, want) {
				t.Errorf("%s: %d lacks %q", path, res.StatusCode, want)
			}
		}
		// SQLite's single writer reports its load; PostgreSQL has none.
		metrics := body(t, get(t, c, app.URL+"/metrics"))
		for _, name := range []string{"aftersales_db_writer_transactions_total", "aftersales_db_writer_writes_total", "aftersales_db_writer_busy_seconds_total"} {
			if has := regexp.MustCompile(`(?m)^` + name + ` [0-9]`).MatchString(metrics); has != (db.Engine == store.SQLite) {
				t.Errorf("%s: /metrics has %s: %v", db.Engine, name, has)
			}
		}
		res := get(t, c, app.URL+"/nowhere")
		res.Body.Close()
		if res.StatusCode != 404 || res.Header.Get("X-Request-Id") == "" {
			t.Errorf("unknown page: %d, request id %q", res.StatusCode, res.Header.Get("X-Request-Id"))
		}
	})
}

func TestEveryPageRendersForEveryRole(t *testing.T) {
	t.Parallel()
	app, f := seededSQLite(t)
	for _, role := range policy.Roles {
		c := signIn(t, app, f.Users[role].Email)
		for _, lang := range []string{"zh-CN", "en"} {
			for _, p := range []string{"/", "/orgs", "/profile", "/api/docs", "/problems/validation",
				"/orgs/" + itoa(f.Users[role].OrgID), "/users/" + itoa(f.Users[role].ID)} {
				res := get(t, c, app.URL+p, "Accept-Language", lang)
				html := body(t, res)
				if res.StatusCode != 200 {
					t.Errorf("%s %s %s: %d", role, lang, p, res.StatusCode)
				}
				// A message id shown instead of its text means a missing translation.
				for _, id := range []string{"nav.home", "home.title", "field.name", "orgs.title"} {
					if strings.Contains(html, ">"+id+"<") {
						t.Errorf("%s %s %s shows the message id %s", role, lang, p, id)
					}
				}
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Messages from the domain (validation, refused steps) are shown in the
// page's language.
func TestDomainMessagesInThePageLanguage(t *testing.T) {
	t.Parallel()
	app, f := seededSQLite(t)
	c := signIn(t, app, f.Users[policy.Dispatcher].Email)
	for lang, want := range map[string]string{"zh-CN": "须为 0 到 3650 之间的整数天数", "en": "must be a whole number of days from 0 to 3650"} {
		get(t, c, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
		res, err := c.PostForm(app.URL+"/profile/tokens", url.Values{"name": {"ci"}, "expires_in_days": {"9999"}})
		if err != nil {
			t.Fatal(err)
		}
		if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, want) {
			t.Errorf("%s: %d, page lacks %q", lang, res.StatusCode, want)
		}
	}
}
