package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"aftersales/internal/store"
)

// The fuzzing suite: every operation of the JSON API, read from the API's
// own OpenAPI document, is sent malformed values of every kind in each of
// its parameters and body fields, and malformed bodies as a whole. No
// answer may be a 5xx; every refusal is problem+json and echoes no body; a
// refused write changes no row of any table.
//
//	go test ./internal/reliability -run Fuzz -v                        (a sample of the cases)
//	AFTERSALES_PROOF=long go test ./internal/reliability -run Fuzz -v  (every case, as two people)
func TestFuzzAPI(t *testing.T) {
	onEachEngine(t, fuzzRun)
}

const vendorAdmin = "admin@haichuan.example"

// fuzzCase is one malformed request.
type fuzzCase struct {
	name    string // operation and what is malformed
	method  string
	path    string // escaped, with query
	header  map[string]string
	body    []byte
	chunked bool // sent without a length
	write   bool
}

// spec is the part of the OpenAPI document the suite reads.
type spec struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

type schema struct {
	Ref        string             `json:"$ref"`
	Type       any                `json:"type"`
	Format     string             `json:"format"`
	Enum       []any              `json:"enum"`
	Properties map[string]*schema `json:"properties"`
	Required   []string           `json:"required"`
	Items      *schema            `json:"items"`
	MinLength  *int               `json:"minLength"`
	MinItems   *int               `json:"minItems"`
	Minimum    *float64           `json:"minimum"`
	ReadOnly   bool               `json:"readOnly"`
}

type operation struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Name     string  `json:"name"`
		In       string  `json:"in"`
		Required bool    `json:"required"`
		Schema   *schema `json:"schema"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
}

func (s *spec) resolve(sc *schema) *schema {
	for sc != nil && sc.Ref != "" {
		sc = s.Components.Schemas[strings.TrimPrefix(sc.Ref, "#/components/schemas/")]
	}
	return sc
}

func typeOf(sc *schema) string {
	switch v := sc.Type.(type) {
	case string:
		return v
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && s != "null" {
				return s
			}
		}
	}
	if sc.Properties != nil {
		return "object"
	}
	return ""
}

// valid is a value the schema accepts, as far as the document says.
func (s *spec) valid(sc *schema, depth int) any {
	sc = s.resolve(sc)
	if sc == nil || depth > 6 {
		return nil
	}
	for _, e := range sc.Enum {
		if e != "" && e != nil {
			return e
		}
	}
	switch typeOf(sc) {
	case "string":
		switch sc.Format {
		case "date-time":
			return "2027-01-04T09:00:00+08:00"
		case "date":
			return "2027-01-04"
		case "email":
			return "proof@example.com"
		case "uri":
			return "https://example.com/x"
		}
		n := 1
		if sc.MinLength != nil && *sc.MinLength > 1 {
			n = *sc.MinLength
		}
		return strings.Repeat("x", n)
	case "integer", "number":
		if sc.Minimum != nil && *sc.Minimum > 1 {
			return *sc.Minimum
		}
		return 1
	case "boolean":
		return false
	case "array":
		if sc.MinItems != nil && *sc.MinItems > 0 {
			return []any{s.valid(sc.Items, depth+1)}
		}
		return []any{}
	case "object":
		out := map[string]any{}
		for _, name := range sc.Required {
			if p := sc.Properties[name]; p != nil && name != "$schema" {
				out[name] = s.valid(p, depth+1)
			}
		}
		return out
	}
	return nil
}

// badValues are the malformed JSON values put in place of one field.
var badValues = []struct{ name, json string }{
	{"invalid UTF-8", "\"a\xff\xfeb\""},
	{"NUL", `"a\u0000b"`},
	{"lone surrogate", `"\ud800"`},
	{"huge number", `1e400`},
	{"huge integer", `123456789012345678901234567890`},
	{"negative huge", `-9223372036854775809`},
	{"fraction", `1.5`},
	{"long string", `"` + strings.Repeat("长", 70000) + `"`},
	{"object", `{"a":1}`},
	{"array", `[1,"x",null]`},
	{"null", `null`},
	{"boolean", `true`},
	{"number", `7`},
	{"string", `"7"`},
}

// badParams are malformed values of a path, query or header parameter (escaped for a URL).
var badParams = []struct{ name, value string }{
	{"invalid UTF-8", "%FF%FE"},
	{"NUL", "a%00b"},
	{"huge number", "99999999999999999999999"},
	{"negative", "-1"},
	{"exponent", "1e400"},
	{"not a number", "abc"},
	{"long", strings.Repeat("x", 5000)},
	{"control", "%01%1B"},
}

// badBodies replace the whole body.
func badBodies(limit int) []struct {
	name    string
	body    []byte
	chunked bool
} {
	deepArray := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	deepObject := strings.Repeat(`{"a":`, 50000) + "1" + strings.Repeat("}", 50000)
	big := append([]byte(`{"description":"`), bytes.Repeat([]byte("x"), limit+1)...)
	big = append(big, `"}`...)
	return []struct {
		name    string
		body    []byte
		chunked bool
	}{
		{"deeply nested arrays", []byte(deepArray), false},
		{"deeply nested objects", []byte(deepObject), false},
		{"oversized", big, false},
		{"oversized without a length", big, true},
		{"not JSON", []byte(`{"a":`), false},
		{"invalid UTF-8", []byte("\xff\xfe{}"), false},
		{"empty", []byte{}, false},
		{"array", []byte(`[]`), false},
		{"null", []byte(`null`), false},
		{"trailing data", []byte(`{} {}`), false},
		{"duplicate keys", []byte(`{"a":1,"a":2}`), false},
	}
}

const marker = "\x01proof-field\x01"

// bodyWith is the valid body with the field at path replaced by raw JSON.
func bodyWith(valid any, path []string, raw string) []byte {
	var put func(v any, path []string) any
	put = func(v any, path []string) any {
		m, ok := v.(map[string]any)
		if !ok {
			return marker
		}
		out := map[string]any{}
		for k, x := range m {
			out[k] = x
		}
		if len(path) == 1 {
			out[path[0]] = marker
		} else {
			out[path[0]] = put(m[path[0]], path[1:])
		}
		return out
	}
	b, _ := json.Marshal(put(valid, path))
	quoted, _ := json.Marshal(marker)
	return bytes.Replace(b, quoted, []byte(raw), 1)
}

// fields lists the body's fields, top level and one level down.
func (s *spec) fields(sc *schema, prefix []string, depth int) [][]string {
	sc = s.resolve(sc)
	if sc == nil || typeOf(sc) != "object" || depth > 1 {
		return nil
	}
	names := make([]string, 0, len(sc.Properties))
	for n := range sc.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	var out [][]string
	for _, n := range names {
		if n == "$schema" || s.resolve(sc.Properties[n]) == nil || s.resolve(sc.Properties[n]).ReadOnly {
			continue
		}
		p := append(append([]string{}, prefix...), n)
		out = append(out, p)
		out = append(out, s.fields(sc.Properties[n], p, depth+1)...)
	}
	return out
}

// cases builds every malformed request of the document.
func (s *spec) cases(prefix string, bodyLimit int) []fuzzCase {
	var out []fuzzCase
	paths := make([]string, 0, len(s.Paths))
	for p := range s.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		methods := make([]string, 0, len(s.Paths[p]))
		for m := range s.Paths[p] {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, m := range methods {
			var op operation
			if err := json.Unmarshal(s.Paths[p][m], &op); err != nil || op.OperationID == "" {
				continue
			}
			out = append(out, s.operationCases(prefix, p, strings.ToUpper(m), op, bodyLimit)...)
		}
	}
	return out
}

func (s *spec) operationCases(prefix, path, method string, op operation, bodyLimit int) []fuzzCase {
	write := method != http.MethodGet && method != http.MethodHead
	pathValues := map[string]string{}
	query := url.Values{}
	header := map[string]string{}
	for _, p := range op.Parameters {
		v := fmt.Sprint(s.valid(p.Schema, 0))
		switch p.In {
		case "path":
			pathValues[p.Name] = v
		case "query":
			if p.Required {
				query.Set(p.Name, v)
			}
		case "header":
			if p.Name == "If-Match" {
				header[p.Name] = `"1"`
			}
		}
	}
	build := func(pv map[string]string, q string) string {
		u := path
		for k, v := range pv {
			u = strings.ReplaceAll(u, "{"+k+"}", v)
		}
		if q != "" {
			u += "?" + q
		}
		return prefix + u
	}
	var jsonSchema *schema
	if op.RequestBody != nil {
		if c, ok := op.RequestBody.Content["application/json"]; ok {
			jsonSchema = c.Schema
		}
	}
	validBody := []byte(nil)
	var valid any
	if jsonSchema != nil {
		valid = s.valid(jsonSchema, 0)
		validBody, _ = json.Marshal(valid)
	}
	mk := func(what string, u string, h map[string]string, body []byte, chunked bool) fuzzCase {
		hh := map[string]string{}
		for k, v := range header {
			hh[k] = v
		}
		for k, v := range h {
			hh[k] = v
		}
		return fuzzCase{name: op.OperationID + ": " + what, method: method, path: u, header: hh, body: body, chunked: chunked, write: write}
	}
	var out []fuzzCase
	for _, p := range op.Parameters {
		for _, bad := range badParams {
			switch p.In {
			case "path":
				pv := map[string]string{}
				for k, v := range pathValues {
					pv[k] = v
				}
				pv[p.Name] = bad.value
				out = append(out, mk(fmt.Sprintf("path %s %s", p.Name, bad.name), build(pv, query.Encode()), nil, validBody, false))
			case "query":
				q := query.Encode()
				if q != "" {
					q += "&"
				}
				out = append(out, mk(fmt.Sprintf("query %s %s", p.Name, bad.name), build(pathValues, q+url.QueryEscape(p.Name)+"="+bad.value), nil, validBody, false))
			case "header":
				v, err := url.PathUnescape(bad.value)
				if err != nil || strings.ContainsAny(v, "\x00\x01\x1b") {
					continue // a client cannot send control characters in a header; net/http refuses them first
				}
				out = append(out, mk(fmt.Sprintf("header %s %s", p.Name, bad.name), build(pathValues, query.Encode()), map[string]string{p.Name: v}, validBody, false))
			}
		}
	}
	u := build(pathValues, query.Encode())
	if jsonSchema != nil {
		for _, f := range s.fields(jsonSchema, nil, 0) {
			for _, bad := range badValues {
				out = append(out, mk(fmt.Sprintf("body.%s %s", strings.Join(f, "."), bad.name), u, nil, bodyWith(valid, f, bad.json), false))
			}
		}
	}
	if write {
		for _, bad := range badBodies(bodyLimit) {
			out = append(out, mk("body "+bad.name, u, nil, bad.body, bad.chunked))
		}
	}
	return out
}

// sample is the short form's share of the cases: every text that is not
// UTF-8 or holds a NUL in a parameter (what a database refuses, if it
// gets that far), and, for each operation and each place (path, query,
// header, body field, whole body), one other case, chosen with the seed.
func sample(all []fuzzCase, rng *rand.Rand) []fuzzCase {
	var out []fuzzCase
	groups := map[string][]fuzzCase{}
	var order []string
	for _, c := range all {
		op, what, _ := strings.Cut(c.name, ": ")
		place, _, _ := strings.Cut(what, " ")
		if strings.HasPrefix(place, "body.") {
			place = "body field"
		}
		if place != "body" && place != "body field" && (strings.HasSuffix(what, " invalid UTF-8") || strings.HasSuffix(what, " NUL")) {
			out = append(out, c)
			continue
		}
		g := op + " " + place
		if groups[g] == nil {
			order = append(order, g)
		}
		groups[g] = append(groups[g], c)
	}
	for _, g := range order {
		out = append(out, groups[g][rng.IntN(len(groups[g]))])
	}
	return out
}

// fuzzFindings are what the suite found, by kind.
type fuzzFindings struct {
	serverErrors, notProblem, echoed, halfSaved []string
	statuses                                    map[int]int
	busy                                        int // answers 503 with Retry-After, sent again
}

func fuzzRun(t *testing.T, engine store.Engine) {
	rng := rand.New(rand.NewPCG(uint64(seed(t)), 2))
	in := newInstall(t, engine)
	// Path ids are 1, so the operations on tokens name token 1: a spare
	// of the vendor admin's, made first. A valid revocation (a DELETE
	// ignores the body it does not declare) then revokes the spare and
	// leaves the suite's own tokens working.
	in.run("token", "create", "--email", vendorAdmin, "--name", "spare")
	for _, e := range []string{vendorAdmin, dispatcher} {
		in.tokens[e] = strings.TrimSpace(in.run("token", "create", "--email", e, "--name", "proof"))
	}
	db := in.open()
	srv := in.server("fuzz")
	srv.start()
	people := []*client{newClient(in.tokens[vendorAdmin]), newClient(in.tokens[dispatcher])}
	doc := people[0].must(t, http.MethodGet, srv.URL()+"/api/v1/openapi.json", nil, nil, http.StatusOK)
	var sp spec
	if err := json.Unmarshal(doc.Body, &sp); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	all := sp.cases(srv.URL()+"/api/v1", 1<<20)
	cases := all
	if !long {
		cases = sample(all, rng)
	}
	f := fuzzFindings{statuses: map[int]int{}}
	sent := 0
	for i, c := range cases {
		who := people[i%2:][:1]
		if long {
			who = people
		}
		for _, p := range who {
			sent++
			fuzzOne(t, db, srv, p, c, &f)
		}
	}
	// A case that signed one of the people out would leave every later
	// case of theirs answered 401, proving nothing.
	for i, p := range people {
		if a, err := p.do(context.Background(), http.MethodGet, srv.URL()+"/api/v1/service-requests", nil, nil); err != nil || a.Status != http.StatusOK {
			t.Errorf("after the cases, the token of %s no longer works (%v %s): the cases sent after it was lost proved nothing",
				[]string{vendorAdmin, dispatcher}[i], err, a)
		}
	}
	ops := map[string]bool{}
	for _, c := range all {
		ops[strings.SplitN(c.name, ":", 2)[0]] = true
	}
	t.Logf("figures fuzz %s: %d operations, %d malformed cases in the document, %d of them sent, %d requests; answers by status %v; "+
		"5xx %d, answers 503 with Retry-After sent again %d, refusals not problem+json %d, refusals echoing the body %d, "+
		"refused writes that changed a table %d",
		engine, len(ops), len(all), len(cases), sent, f.statuses, len(f.serverErrors), f.busy, len(f.notProblem), len(f.echoed), len(f.halfSaved))
	report := func(what string, items []string) {
		if len(items) == 0 {
			return
		}
		// The same case as two people is one line.
		seen := map[string]int{}
		var lines []string
		for _, it := range items {
			if seen[it]++; seen[it] == 1 {
				lines = append(lines, it)
			}
		}
		sort.Strings(lines)
		for i, l := range lines {
			if seen[l] > 1 {
				lines[i] = fmt.Sprintf("%s (x%d)", l, seen[l])
			}
		}
		t.Errorf("%s: %d, in %d cases:\n  %s", what, len(items), len(lines), strings.Join(lines[:min(100, len(lines))], "\n  "))
	}
	report("answers 5xx", f.serverErrors)
	report("refusals that are not problem+json", f.notProblem)
	report("refusals echoing the body back", f.echoed)
	report("refused writes that changed a table", f.halfSaved)
}

// ignoredTables change without any request: the job queue's own bookkeeping
// (periodic jobs are scheduled every minute) and the search index that the
// clock watch fills in the background. A refused write that enqueued a job
// would show in its domain tables too. The answers kept for replay are
// left out as well: a refused request sent with an Idempotency-Key keeps its
// refusal with the key by design (a repeat is answered the same), and on
// SQLite a write's answer is stored just after its response, so it can land
// while the next case runs.
var ignoredTables = []string{"jobs", "request_search", "document_search", "idempotency_keys"}

func fuzzOne(t *testing.T, db *store.DB, srv *server, p *client, c fuzzCase, f *fuzzFindings) {
	t.Helper()
	var before map[string]string
	if c.write {
		before = tableSums(t, db)
	}
	a, err := send(p, c)
	// 503 with Retry-After (busy, or out of its deadline) saved nothing
	// and asks to be sent again: sent again, counted apart.
	for try := 0; err == nil && retryLater(a) && try < 10; try++ {
		f.busy++
		time.Sleep(time.Second)
		a, err = send(p, c)
	}
	if errors.Is(err, errUnsendable) {
		return
	}
	if err != nil {
		f.serverErrors = append(f.serverErrors, fmt.Sprintf("%s: no answer (%v)", c.name, err))
		return
	}
	f.statuses[a.Status]++
	switch {
	case a.Status >= 500:
		var p struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(a.Body, &p)
		f.serverErrors = append(f.serverErrors, fmt.Sprintf("%s: %d %s", c.name, a.Status, p.Type))
	case a.Status >= 400:
		if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			f.notProblem = append(f.notProblem, fmt.Sprintf("%s: %d %q", c.name, a.Status, ct))
		}
		if len(a.Body) > 16<<10 {
			f.echoed = append(f.echoed, fmt.Sprintf("%s: %d, %d bytes answered to %d sent", c.name, a.Status, len(a.Body), len(c.body)))
		}
		if c.write {
			if d := diffSums(before, tableSums(t, db), ignoredTables...); len(d) > 0 {
				// Once more, to tell it from something the server did by itself meanwhile.
				before = tableSums(t, db)
				if a2, err := send(p, c); err == nil && a2.Status >= 400 && a2.Status < 500 {
					if d := diffSums(before, tableSums(t, db), ignoredTables...); len(d) > 0 {
						f.halfSaved = append(f.halfSaved, fmt.Sprintf("%s: %d, %s", c.name, a.Status, strings.Join(d, ", ")))
					}
				}
			}
		}
	}
}

// errUnsendable is a case the HTTP client itself refuses to send.
var errUnsendable = errors.New("the client cannot send this request")

func send(p *client, c fuzzCase) (answer, error) {
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
		if c.chunked {
			body = io.MultiReader(body) // hides the length: sent chunked
		}
	}
	req, err := http.NewRequestWithContext(context.Background(), c.method, c.path, body)
	if err != nil {
		return answer{}, fmt.Errorf("%w: %v", errUnsendable, err)
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	return p.exchange(req)
}
