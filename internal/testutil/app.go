package testutil

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/argon2"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/audit"
	"aftersales/internal/demo"
	"aftersales/internal/jobs"
	"aftersales/internal/notify"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/web"
)

// App is the whole product served on a random loopback port.
type App struct {
	URL    string
	DB     *store.DB
	Server *web.Server
	Jobs   *jobs.Runner
	Log    *slog.Logger
	// Clock is the product's time: the real time until the test sets it.
	Clock *Clock
	// Transport reaches this app's server only, and is closed with it. A
	// test's clients use it rather than http.DefaultTransport: every
	// httptest server closes the default transport's idle connections when
	// it stops, and a parallel test's request on one of them then fails
	// ("CloseIdleConnections called") instead of being sent.
	Transport http.RoundTripper
}

// NewApp starts the product on db. The server stops when t ends.
func NewApp(t testing.TB, db *store.DB) *App {
	t.Helper()
	return NewAppWith(t, db, web.Options{})
}

// NewAppWith starts the product on db with opts (e.g. shorter deadlines).
func NewAppWith(t testing.TB, db *store.DB, opts web.Options) *App {
	t.Helper()
	return NewAppConfig(t, db, app.Config{}, opts)
}

// NewAppConfig starts the product on db with the configuration cfg and the
// server's opts.
func NewAppConfig(t testing.TB, db *store.DB, cfg app.Config, opts web.Options) *App {
	t.Helper()
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Secrets == nil {
		cfg.Secrets = SecretBox(t)
	}
	clock := &Clock{}
	a, err := app.New(db, cfg, clock.Now)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	if opts.Version == "" {
		opts.Version = "test"
	}
	srv, err := web.New(a, opts, nil)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Drain()
	})
	return &App{URL: hs.URL, DB: db, Server: srv, Jobs: a.Jobs, Log: cfg.Log, Clock: clock, Transport: hs.Client().Transport}
}

// SecretKey is the tests' key of the box that seals stored secrets.
const SecretKey = "test key of the sealed secrets, 32+ characters"

// SecretBox is the box of SecretKey.
func SecretBox(t testing.TB) *notify.SecretBox {
	t.Helper()
	box, err := notify.NewSecretBox(SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// Password is the password of every fixture user.
const Password = "correct-horse-battery"

// Fixture is a small installation: a vendor with one provider and one
// customer linked to both, a second unrelated vendor/provider pair, and one
// user (with an API token) per role in the first group.
type Fixture struct {
	Vendor, Provider, Customer org.Organization
	OtherVendor, OtherProvider org.Organization
	Users                      map[policy.Role]account.User
	Tokens                     map[policy.Role]string
	OtherAdmin                 account.User // vendor admin of OtherVendor
	OtherToken                 string
}

// Seed creates the fixture through the domain services.
func Seed(t testing.TB, db *store.DB) *Fixture {
	t.Helper()
	ctx := context.Background()
	op := policy.Actor{Operator: true}
	services := Services(t, db)
	orgs, accts := services.Orgs, services.Accounts
	mk := func(kind org.Kind, name, code string) org.Organization {
		o, err := orgs.Register(ctx, op, org.Input{Kind: kind, Name: name, Code: code})
		if err != nil {
			t.Fatalf("seed org %s: %v", code, err)
		}
		return o
	}
	f := &Fixture{Users: map[policy.Role]account.User{}, Tokens: map[policy.Role]string{}}
	f.Vendor = mk(org.Vendor, "Vendor One", "vendor-one")
	f.Provider = mk(org.Provider, "Provider One", "provider-one")
	f.Customer = mk(org.Customer, "Customer One", "customer-one")
	f.OtherVendor = mk(org.Vendor, "Vendor Two", "vendor-two")
	f.OtherProvider = mk(org.Provider, "Provider Two", "provider-two")
	now := time.Now().UTC()
	for _, l := range [][2]int64{{f.Vendor.ID, f.Provider.ID}, {f.Vendor.ID, f.Customer.ID}, {f.Provider.ID, f.Customer.ID}, {f.OtherVendor.ID, f.OtherProvider.ID}} {
		if err := org.Link(ctx, db, l[0], l[1], now); err != nil {
			t.Fatal(err)
		}
	}
	orgOf := map[string]int64{"vendor": f.Vendor.ID, "provider": f.Provider.ID, "customer": f.Customer.ID}
	kindOf := map[int64]org.Kind{}
	for _, o := range []org.Organization{f.Vendor, f.Provider, f.Customer, f.OtherVendor, f.OtherProvider} {
		kindOf[o.ID] = o.Kind
	}
	user := func(orgID int64, role policy.Role, email string) (account.User, string) {
		u, err := createUser(ctx, db, op, kindOf[orgID], account.NewUser{OrgID: orgID, Email: email, Name: string(role), Role: role, Password: Password, Locale: "en"})
		if err != nil {
			t.Fatalf("seed user %s: %v", email, err)
		}
		_, secret, err := accts.CreateToken(ctx, op, u.ID, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		return u, secret
	}
	for _, r := range policy.Roles {
		f.Users[r], f.Tokens[r] = user(orgOf[r.OrgKind()], r, string(r)+"@one.example")
	}
	f.OtherAdmin, f.OtherToken = user(f.OtherVendor.ID, policy.VendorAdmin, "admin@two.example")
	return f
}

// passwordHash is the hash of Password that fixture users are stored with,
// computed once per test process.
var passwordHash = sync.OnceValues(func() (string, error) { return cheapHash(Password) })

// demoPasswordHash is the hash of demo.Password that the demo's users are
// stored with in the test templates (DemoDB, DemoPostgres).
var demoPasswordHash = sync.OnceValues(func() (string, error) { return cheapHash(demo.Password) })

// cheapHash is an argon2id hash of password in the product's format, with
// the smallest cost parameters argon2id allows (64 KiB, one pass) written
// into it, as account.CheckPassword reads them from the hash: with the
// product's parameters (about 21 ms and 19 MiB a hash) checking the
// password at each sign-in was a fifth of the CPU of the page tests.
// Signing in still checks a real hash, through the product's code;
// passwords the product hashes itself (a new user, a changed password, a
// demo loaded outside the templates) get its parameters.
func cheapHash(password string) (string, error) {
	const memoryKiB, passes, threads = 64, 1, 1
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, passes, memoryKiB, threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// createUser is what account.Service.CreateUser does for the operator
// (validate, store, audit in one transaction), with the password hashed once.
func createUser(ctx context.Context, db *store.DB, op policy.Actor, kind org.Kind, n account.NewUser) (account.User, error) {
	if err := n.Validate(string(kind)); err != nil {
		return account.User{}, err
	}
	hash, err := passwordHash()
	if err != nil {
		return account.User{}, err
	}
	now := time.Now().UTC()
	var u account.User
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		id, err := account.InsertUser(ctx, tx, n, hash, now)
		if err != nil {
			return err
		}
		if u, err = account.GetUser(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, op, n.OrgID, "user.create", "user", id, nil, u)
	})
	return u, err
}

// Client calls the API with a bearer token.
type Client struct {
	T     testing.TB
	Base  string
	Token string
	HTTP  *http.Client
}

// API returns a client of the app's API acting with token.
func (a *App) API(t testing.TB, token string) *Client {
	return &Client{T: t, Base: a.URL + "/api/v1", Token: token, HTTP: a.Client()}
}

// Response is a decoded API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends method path with a JSON body (nil for none) and extra headers.
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.T.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		c.T.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Browser is an HTTP client with a cookie jar, for the pages.
func (a *App) Browser(t testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := a.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// Client is a plain HTTP client of the app's server: no cookies, and it
// follows redirects.
func (a *App) Client() *http.Client {
	return &http.Client{Transport: a.Transport, Timeout: 30 * time.Second}
}

// Login signs c in to the app's pages; it fails the test unless redirected.
func (a *App) Login(t testing.TB, c *http.Client, email, password string) {
	t.Helper()
	res, err := c.PostForm(a.URL+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d", email, res.StatusCode)
	}
}

// Publish publishes e at the real time, in a transaction of its own, as a
// domain service would.
func (a *App) Publish(t testing.TB, e notify.Event) {
	t.Helper()
	ctx := context.Background()
	err := a.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := a.Server.Notify.Publish(ctx, tx, time.Now(), e)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// SeedAll seeds db with the Fixture, then its agreement and unit
// (SeedService), and builds the services on the real clock (Services).
func SeedAll(t testing.TB, db *store.DB) (*Fixture, ServiceFixture, *app.App) {
	t.Helper()
	f := Seed(t, db)
	sf := SeedService(t, db, f)
	return f, sf, Services(t, db)
}

// Services builds the product's services on db, on the real clock, for a
// test that needs them without a server.
func Services(t testing.TB, db *store.DB) *app.App {
	t.Helper()
	a, err := app.New(db, app.Config{Secrets: SecretBox(t)}, time.Now)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	return a
}
