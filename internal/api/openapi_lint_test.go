package api_test

import (
	"context"
	"crypto/sha256"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// servedDocument is the OpenAPI document as the app serves it, raw and
// loaded by kin-openapi, a validator independent of huma, which wrote it.
// Loading it takes seconds of CPU, and every app of the test process serves
// the same document, so it is loaded once per distinct content and the
// loaded document is shared by the tests: read it, never change it (see
// ownDocument).
func servedDocument(t *testing.T, app *testutil.App) ([]byte, *openapi3.T) {
	t.Helper()
	raw := documentBytes(t, app)
	sum := sha256.Sum256(raw)
	v, _ := loadedDocuments.LoadOrStore(sum, &loadedDocument{})
	l := v.(*loadedDocument)
	l.once.Do(func() { l.doc, l.err = openapi3.NewLoader().LoadFromData(raw) })
	if l.err != nil {
		t.Fatalf("load the document: %v", l.err)
	}
	return raw, l.doc
}

// loadedDocuments holds the documents servedDocument loaded, by the
// SHA-256 of the bytes served.
var loadedDocuments sync.Map

type loadedDocument struct {
	once sync.Once
	doc  *openapi3.T
	err  error
}

// ownDocument is servedDocument loaded for the caller alone, for a use
// that changes it (oapi-codegen prunes the components of the document it is
// given).
func ownDocument(t *testing.T, app *testutil.App) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(documentBytes(t, app))
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	return doc
}

func documentBytes(t *testing.T, app *testutil.App) []byte {
	t.Helper()
	res := app.API(t, "").Do("GET", "/openapi.json", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("openapi.json: %d %s", res.Status, res.Body)
	}
	return res.Body
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	app := testutil.NewApp(t, testutil.NewDB(t, store.SQLite))
	_, doc := servedDocument(t, app)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}

	// Schema names become type names in generated clients: they must be
	// identifiers, and must not take the names generators give to an
	// operation's own types (<OperationId>Response, <OperationId>Params...).
	ident := regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	opTypes := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			base := pascal(op.OperationID)
			for _, suffix := range []string{"Response", "Params", "JSONBody", "JSONRequestBody", "MultipartBody", "MultipartRequestBody", "RequestBody"} {
				opTypes[base+suffix] = method + " " + path
			}
		}
	}
	for name := range doc.Components.Schemas {
		if !ident.MatchString(name) {
			t.Errorf("schema %q is not an identifier", name)
		}
		if op, ok := opTypes[name]; ok {
			t.Errorf("schema %q has the name generators give to a type of %s", name, op)
		}
	}

	// Every POST is safe to repeat with Idempotency-Key (the idempotency
	// middleware honours it on all of them), so every POST declares it.
	for path, item := range doc.Paths.Map() {
		if item.Post == nil {
			continue
		}
		p := item.Post.Parameters.GetByInAndName("header", "Idempotency-Key")
		if p == nil {
			t.Errorf("POST %s does not declare Idempotency-Key", path)
			continue
		}
		if s := p.Schema.Value; s == nil || s.MaxLength == nil || *s.MaxLength != 200 {
			t.Errorf("POST %s: Idempotency-Key is not declared as a string of at most 200 characters", path)
		}
	}

	// Multipart parts are encoded as OpenAPI's defaults say; an encoding
	// object spelling out a default says nothing, and ogen refuses it.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			for ct, mt := range op.RequestBody.Value.Content {
				if len(mt.Encoding) > 0 {
					t.Errorf("%s %s: %s spells out an encoding %v", method, path, ct, slices.Collect(maps.Keys(mt.Encoding)))
				}
			}
		}
	}

	var paths []string
	for p := range doc.Paths.Map() {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for i, a := range paths {
		for _, b := range paths[i+1:] {
			if ambiguous(a, b) {
				t.Errorf("paths %s and %s both match some request and neither is more specific", a, b)
			}
		}
	}
}

// ambiguous tells whether some request path matches both templates while
// neither is at least as specific as the other at every segment (the rule
// of Go's ServeMux; OpenAPI only settles a concrete segment against a
// template one, and leaves the rest to each tool).
func ambiguous(a, b string) bool {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	if len(as) != len(bs) {
		return false
	}
	aMore, bMore := false, false
	for i := range as {
		at, bt := strings.HasPrefix(as[i], "{"), strings.HasPrefix(bs[i], "{")
		switch {
		case !at && !bt && as[i] != bs[i]:
			return false // never both
		case at && !bt:
			bMore = true
		case !at && bt:
			aMore = true
		}
	}
	return aMore && bMore
}

// TestOpenAPIDocumentForms: the document is also served, without a
// token, as YAML and downgraded to OpenAPI 3.0 for tools that read only
// that, and the 3.0 form is valid too.
func TestOpenAPIDocumentForms(t *testing.T) {
	t.Parallel()
	app := testutil.NewApp(t, testutil.NewDB(t, store.SQLite))
	cl := app.API(t, "")
	for _, p := range []string{"/openapi.yaml", "/openapi-3.0.yaml"} {
		if res := cl.Do("GET", p, nil); res.Status != http.StatusOK || !strings.HasPrefix(string(res.Body), "components:") {
			t.Errorf("%s: %d %.100s", p, res.Status, res.Body)
		}
	}
	res := cl.Do("GET", "/openapi-3.0.json", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("openapi-3.0.json: %d %s", res.Status, res.Body)
	}
	doc, err := openapi3.NewLoader().LoadFromData(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Fatalf("openapi %q, want 3.0.3", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the 3.0 document is not valid: %v", err)
	}
}

func TestAmbiguousPaths(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"/units/{id}/qr-token", "/units/by-serial/{serial}", true},
		{"/units/history/{id}", "/units/{id}/qr-token", true},
		{"/units/{id}", "/units/export", false},
		{"/units/{id}/history", "/units/{id}/qr-token", false},
		{"/units/{id}", "/units/{id}/history", false},
		{"/a/{x}/{y}", "/a/b/c", false},
	} {
		if got := ambiguous(c.a, c.b); got != c.want {
			t.Errorf("ambiguous(%s, %s) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// pascal is an operation id as generators name its types: list-parts is ListParts.
func pascal(id string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == ' ' }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

func TestUnknownSchemaIsNotFound(t *testing.T) {
	t.Parallel()
	app := testutil.NewApp(t, testutil.NewDB(t, store.SQLite))
	cl := app.API(t, "")
	problemOf(t, cl.Do("GET", "/schemas/NoSuchThing.json", nil), 404, "not-found")
	problemOf(t, cl.Do("GET", "/schemas/NoSuchThing", nil), 404, "not-found")
	res := cl.Do("GET", "/schemas/OrgListOutputBody.json", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("OrgListOutputBody.json: %d %s", res.Status, res.Body)
	}
	var s struct {
		Type       string `json:"type"`
		Properties struct {
			Items struct {
				Items struct {
					Ref string `json:"$ref"`
				} `json:"items"`
			} `json:"items"`
		} `json:"properties"`
	}
	res.JSON(t, &s)
	if s.Type != "object" || s.Properties.Items.Items.Ref != "/api/v1/schemas/Organization.json" {
		t.Fatalf("OrgListOutputBody schema: %s", res.Body)
	}
}
