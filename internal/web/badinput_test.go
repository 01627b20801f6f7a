package web_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/testutil"
)

// pageGETRoutes lists the GET patterns routes.go registers.
func pageGETRoutes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "routes.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, _ := strconv.Unquote(lit.Value); strings.HasPrefix(s, "GET /") {
				out = append(out, strings.TrimPrefix(s, "GET "))
			}
		}
		return true
	})
	if len(out) < 50 {
		t.Fatalf("found only %d page routes in routes.go", len(out))
	}
	return out
}

// apiGETRoutes lists the GET paths of the API's own OpenAPI document.
func apiGETRoutes(t *testing.T, app *testutil.App, token string) []string {
	t.Helper()
	res := app.API(t, token).Do("GET", "/openapi.json", nil)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	res.JSON(t, &doc)
	var out []string
	for p, ops := range doc.Paths {
		if _, ok := ops["get"]; ok {
			out = append(out, "/api/v1"+p)
		}
	}
	sort.Strings(out)
	if len(out) < 40 {
		t.Fatalf("found only %d GET operations in the API document", len(out))
	}
	return out
}

var wildcard = regexp.MustCompile(`\{([^}]*)\}`)

// badTextCase is one request carrying bad text somewhere.
type badTextCase struct {
	name, method, target string
	header               http.Header
	contentType, body    string
	// page: answered as a page (text/html), else problem+json.
	page     bool
	location string
	status   int
}

// badText are the two faults PostgreSQL's text refuses: escaped for a URL,
// and raw.
var badText = []struct{ name, escaped, raw string }{
	{"invalid UTF-8", "%FF%FE", "\xff\xfe"},
	{"NUL", "a%00b", "a\x00b"},
}

// badTextCases builds, for every GET route, a request with the bad text in
// each wildcard of its path, in its query and in Idempotency-Key, and a
// few writes with it in the path, the query, the headers and the body.
func badTextCases(routes []string, api bool) []badTextCase {
	var out []badTextCase
	for _, bt := range badText {
		for _, route := range routes {
			fill := func(skip int) string {
				i := -1
				return wildcard.ReplaceAllStringFunc(route, func(w string) string {
					i++
					if i == skip {
						return bt.escaped
					}
					return "1"
				})
			}
			base := strings.ReplaceAll(fill(-1), "{$}", "")
			if strings.HasSuffix(route, "/static/") {
				out = append(out, badTextCase{name: "path " + bt.name, method: "GET", target: route + bt.escaped, page: !api, location: "path", status: 400})
			}
			for i, m := range wildcard.FindAllStringSubmatch(route, -1) {
				if m[1] == "$" {
					continue
				}
				name := strings.TrimSuffix(m[1], "...")
				out = append(out, badTextCase{name: "path " + bt.name, method: "GET", target: fill(i), page: !api, location: "path." + name, status: 400})
			}
			out = append(out, badTextCase{name: "query " + bt.name, method: "GET", target: base + "?q=" + bt.escaped + "&from=2026-01-01", page: !api, location: "query.q", status: 400})
			out = append(out, badTextCase{name: "query name " + bt.name, method: "GET", target: base + "?" + bt.escaped + "=1", page: !api, location: "query", status: 400})
			if api {
				out = append(out, badTextCase{name: "Idempotency-Key " + bt.name, method: "GET", target: base,
					header: http.Header{"Idempotency-Key": {"key-" + bt.raw}}, location: "header.Idempotency-Key", status: 400})
			}
		}
	}
	return out
}

// writeCases are representative writes, each of which would write when
// its bad text were good.
func writeCases(f *testutil.Fixture) []badTextCase {
	org := func(name string) string {
		b, _ := json.Marshal(map[string]any{"kind": "customer", "name": name, "code": "fresh-customer"})
		return string(b)
	}
	good := org("Fresh customer")
	var out []badTextCase
	for _, bt := range badText {
		out = append(out,
			badTextCase{name: "create, Idempotency-Key " + bt.name, method: "POST", target: "/api/v1/organizations", contentType: "application/json", body: good,
				header: http.Header{"Idempotency-Key": {"k" + bt.raw}}, location: "header.Idempotency-Key", status: 400},
			badTextCase{name: "create, query " + bt.name, method: "POST", target: "/api/v1/organizations?note=" + bt.escaped, contentType: "application/json", body: good,
				location: "query.note", status: 400},
			badTextCase{name: "update, path " + bt.name, method: "PATCH", target: "/api/v1/organizations/" + bt.escaped, contentType: "application/json",
				body: `{"name":"Renamed"}`, header: http.Header{"If-Match": {`"1"`}}, location: "path.id", status: 400},
			badTextCase{name: "update, If-Match " + bt.name, method: "PATCH", target: fmt.Sprintf("/api/v1/organizations/%d", f.Customer.ID), contentType: "application/json",
				body: `{"name":"Renamed"}`, header: http.Header{"If-Match": {`"1` + bt.raw + `"`}}, location: "header.If-Match", status: 400},
			badTextCase{name: "calendar import, path " + bt.name, method: "POST", target: "/api/v1/calendars/" + bt.escaped + "/imports", contentType: "application/json",
				body: `{"filename":"2027.csv","content":"2027-01-01,holiday,元旦\n"}`, location: "path.id", status: 400},
			badTextCase{name: "token, path " + bt.name, method: "DELETE", target: "/api/v1/tokens/" + bt.escaped, location: "path.id", status: 400},
			badTextCase{name: "page form, field " + bt.name, method: "POST", target: "/orgs", contentType: "application/x-www-form-urlencoded",
				body: "kind=customer&code=fresh-customer&name=Fresh" + bt.escaped, page: true, location: "form.name", status: 400},
			badTextCase{name: "page form, path " + bt.name, method: "POST", target: "/orgs/" + bt.escaped, contentType: "application/x-www-form-urlencoded",
				body: "name=Renamed", page: true, location: "path.id", status: 400},
		)
	}
	// JSON strings: raw invalid UTF-8 (encoding/json would turn it into
	// U+FFFD) and an escaped NUL (which it keeps).
	out = append(out,
		badTextCase{name: "create, body invalid UTF-8", method: "POST", target: "/api/v1/organizations", contentType: "application/json",
			body: "{\"kind\":\"customer\",\"code\":\"fresh-customer\",\"name\":\"Fresh \xff customer\"}", location: "body.name", status: 400},
		badTextCase{name: "create, body NUL", method: "POST", target: "/api/v1/organizations", contentType: "application/json",
			body: `{"kind":"customer","code":"fresh-customer","name":"Fresh\u0000"}`, location: "body.name", status: 422},
		badTextCase{name: "create, body NUL in a key", method: "POST", target: "/api/v1/organizations", contentType: "application/json",
			body: `{"kind":"customer","code":"fresh-customer","name":"Fresh","n\u0000":1}`, location: "body", status: 422},
		badTextCase{name: "create, body NUL with an Idempotency-Key", method: "POST", target: "/api/v1/organizations", contentType: "application/json",
			header: http.Header{"Idempotency-Key": {"fresh-1"}}, body: `{"kind":"customer","code":"fresh-customer","name":"Fresh\u0000"}`, location: "body.name", status: 422},
	)
	return out
}

// Invalid UTF-8 and NUL in a path, a query, a header the product reads or
// a body are refused as bad input naming where they were, on both engines
// alike: never a 5xx, and nothing is written.
func TestBadTextIsRefusedBeforeSQL(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		token := f.Tokens[policy.VendorAdmin]
		browser := signIn(t, app, f.Users[policy.VendorAdmin].Email)
		cookies := browser.Jar.Cookies(mustURL(t, app.URL))

		counts := func() map[string]int {
			out := map[string]int{}
			for _, table := range []string{"audit_events", "idempotency_keys", "organizations", "calendar_imports", "api_tokens"} {
				out[table] = countRows(t, app.DB, table)
			}
			return out
		}
		before := counts()

		cases := append(badTextCases(pageGETRoutes(t), false), badTextCases(apiGETRoutes(t, app, token), true)...)
		cases = append(cases, writeCases(f)...)
		for _, c := range cases {
			req := httptest.NewRequestWithContext(t.Context(), c.method, c.target, strings.NewReader(c.body))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			for k, v := range c.header {
				req.Header[k] = v
			}
			if c.page {
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
			} else {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			// In process, so that a header may carry a NUL (net/http's
			// client and server refuse one on the wire).
			rec := httptest.NewRecorder()
			app.Server.ServeHTTP(rec, req)
			what := fmt.Sprintf("%s %s (%s)", c.method, c.target, c.name)
			if rec.Code >= 500 || rec.Code != c.status {
				t.Errorf("%s: %d, want %d: %.300s", what, rec.Code, c.status, rec.Body.String())
				continue
			}
			if c.page {
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(rec.Body.String(), c.location) {
					t.Errorf("%s: a page naming %s expected, got %s: %.300s", what, c.location, ct, rec.Body.String())
				}
				continue
			}
			var p struct {
				Type   string `json:"type"`
				Errors []struct {
					Location string `json:"location"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || len(p.Errors) != 1 || p.Errors[0].Location != c.location ||
				rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: want a problem at %s, got %s %s", what, c.location, rec.Header().Get("Content-Type"), rec.Body.String())
				continue
			}
			if want := map[int]string{400: "/problems/malformed-request", 422: "/problems/validation"}[c.status]; p.Type != want {
				t.Errorf("%s: type %s, want %s", what, p.Type, want)
			}
		}
		if after := counts(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("bad input wrote: before %v, after %v", before, after)
		}
		// The same writes with good text do write: the cases above were
		// refused for their text alone.
		res := app.API(t, token).Do("POST", "/api/v1/organizations"[len("/api/v1"):], map[string]any{"kind": "customer", "name": "Fresh customer", "code": "fresh-customer"})
		if res.Status != http.StatusCreated {
			t.Fatalf("good create: %d %s", res.Status, res.Body)
		}
	})
}

// Over the wire, bad text reaches the product in the path, the query and
// a header (as bytes above 0x7f), and is answered the same; the page is in
// the reader's language.
func TestBadTextOverHTTP(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		c := app.API(t, f.Tokens[policy.Dispatcher])
		for _, tc := range []struct{ path, location string }{
			{"/calendars/%FF", "path.id"},
			{"/audit-events?q=%00", "query.q"},
			{"/parts?q=%C3%28", "query.q"},
			{"/documents/%00", "path.id"},
		} {
			res := c.Do("GET", tc.path, nil)
			if res.Status != 400 || !strings.Contains(string(res.Body), `"location":"`+tc.location+`"`) {
				t.Errorf("GET %s: %d %s", tc.path, res.Status, res.Body)
			}
		}
		res := c.Do("POST", "/calendars", map[string]any{"id": "regional", "name": "Regional", "base_id": "cn"}, "Idempotency-Key", "k\xff")
		if res.Status != 400 || !strings.Contains(string(res.Body), "header.Idempotency-Key") {
			t.Errorf("Idempotency-Key: %d %s", res.Status, res.Body)
		}
		// A request id that cannot be echoed and stored as it came is
		// replaced, and the write it names succeeds on both engines.
		admin := app.API(t, f.Tokens[policy.VendorAdmin])
		res = admin.Do("POST", "/calendars", map[string]any{"id": "regional", "name": "Regional", "base_id": "cn"}, "X-Request-Id", "r\xff")
		if res.Status != http.StatusCreated || res.Header.Get("X-Request-Id") == "r\xff" || res.Header.Get("X-Request-Id") == "" {
			t.Errorf("bad request id: %d %q %s", res.Status, res.Header.Get("X-Request-Id"), res.Body)
		}
		page := get(t, app.Browser(t), app.URL+"/login?next=%FF", "Accept-Language", "zh-CN,zh;q=0.9")
		if b := body(t, page); page.StatusCode != 400 || !strings.Contains(b, "query.next 不是有效的 UTF-8 文本") {
			t.Errorf("page: %d %.400s", page.StatusCode, b)
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
