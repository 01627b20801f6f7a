package api

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/yaml"

	"aftersales/internal/problem"
)

// idempotencyKeyDoc describes the header every POST honours.
const idempotencyKeyDoc = "Repeat the request safely: a repeat with the same key and body answers the first result; " +
	"with another body it is refused (422)."

// finishDocument makes the generated document say what the server does
// where the Go types cannot tell huma: the idempotency middleware honours
// Idempotency-Key on every POST (and answers 409 to a repeat that comes
// while the first request runs).
func finishDocument(oapi *huma.OpenAPI) {
	for _, item := range oapi.Paths {
		if item.Post != nil {
			declareIdempotencyKey(item.Post)
		}
	}
}

func declareIdempotencyKey(op *huma.Operation) {
	ensureConflict(op)
	for _, p := range op.Parameters {
		if p.In == "header" && strings.EqualFold(p.Name, "Idempotency-Key") {
			if p.Description == "" {
				p.Description = idempotencyKeyDoc
			}
			return
		}
	}
	maxLen := 200
	op.Parameters = append(op.Parameters, &huma.Param{Name: "Idempotency-Key", In: "header", Description: idempotencyKeyDoc,
		Schema: &huma.Schema{Type: huma.TypeString, MaxLength: &maxLen}})
}

// ensureConflict documents the 409 a repeat gets while the first request
// with its key is still running.
func ensureConflict(op *huma.Operation) {
	if _, ok := op.Responses["409"]; ok {
		return
	}
	if like := op.Responses["422"]; like != nil {
		op.Responses["409"] = &huma.Response{Description: http.StatusText(http.StatusConflict), Content: like.Content}
	}
}

// A servedDocument is the API's document in one format, written once, on its
// first request.
type servedDocument struct {
	path, contentType string
	bytes             func() ([]byte, error)
}

// documents are the document as JSON and YAML, in OpenAPI 3.1 and
// downgraded to 3.0.
func documents(oapi *huma.OpenAPI) []servedDocument {
	var docs []servedDocument
	for _, f := range []struct {
		path, contentType string
		write             func(*huma.OpenAPI) ([]byte, error)
	}{
		{"/openapi.json", "application/openapi+json", func(o *huma.OpenAPI) ([]byte, error) { return json.Marshal(o) }},
		{"/openapi.yaml", "application/openapi+yaml", (*huma.OpenAPI).YAML},
		{"/openapi-3.0.json", "application/openapi+json", downgrade},
		{"/openapi-3.0.yaml", "application/openapi+yaml", func(o *huma.OpenAPI) ([]byte, error) {
			b, err := downgrade(o)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			err = yaml.Convert(&buf, bytes.NewReader(b))
			return buf.Bytes(), err
		}},
	} {
		docs = append(docs, servedDocument{f.path, f.contentType,
			sync.OnceValues(func() ([]byte, error) { return f.write(withoutDefaultEncodings(oapi)) })})
	}
	return docs
}

// serveDocuments serves docs.
func serveDocuments(mux *http.ServeMux, docs []servedDocument) {
	for _, d := range docs {
		mux.HandleFunc("GET "+Prefix+d.path, func(w http.ResponseWriter, r *http.Request) {
			b, err := d.bytes()
			if err != nil {
				WriteProblem(w, problem.Internal, "the document cannot be written")
				return
			}
			w.Header().Set("Content-Type", d.contentType)
			_, _ = w.Write(b)
		})
	}
}

// withoutDefaultEncodings is the document without the encoding huma spells
// out for each part of a multipart form: OpenAPI's defaults say the same
// (text/plain for text, application/octet-stream for binary), and some
// generators refuse any encoding object. The operations themselves keep
// theirs: huma reads it when it parses a form. What is changed is copied.
func withoutDefaultEncodings(o *huma.OpenAPI) *huma.OpenAPI {
	out := *o
	out.Paths = make(map[string]*huma.PathItem, len(o.Paths))
	for path, item := range o.Paths {
		it := *item
		for _, op := range []**huma.Operation{&it.Get, &it.Put, &it.Post, &it.Patch, &it.Delete} {
			if *op == nil || (*op).RequestBody == nil {
				continue
			}
			rb := *(*op).RequestBody
			rb.Content = maps.Clone(rb.Content)
			for ct, mt := range rb.Content {
				if mt != nil && len(mt.Encoding) > 0 {
					m := *mt
					m.Encoding = nonDefaultEncodings(mt)
					rb.Content[ct] = &m
				}
			}
			c := **op
			c.RequestBody = &rb
			*op = &c
		}
		out.Paths[path] = &it
	}
	return &out
}

func nonDefaultEncodings(mt *huma.MediaType) map[string]*huma.Encoding {
	var out map[string]*huma.Encoding
	for name, enc := range mt.Encoding {
		prop := mt.Schema.Properties[name]
		if prop != nil && prop.Items != nil {
			prop = prop.Items
		}
		want := "text/plain"
		if prop != nil && (prop.Format == "binary" || prop.ContentEncoding == "binary") {
			want = "application/octet-stream"
		}
		if prop != nil && enc != nil && len(enc.Headers) == 0 && enc.ContentType == want {
			continue
		}
		if out == nil {
			out = map[string]*huma.Encoding{}
		}
		out[name] = enc
	}
	return out
}

// downgrade is the document in OpenAPI 3.0, as huma writes it, less the
// keywords huma leaves that 3.0 does not have: a binary string says what
// it is with format: binary there.
func downgrade(o *huma.OpenAPI) ([]byte, error) {
	b, err := o.Downgrade()
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	dropKeys(doc, "contentMediaType", "contentEncoding")
	return json.Marshal(doc)
}

func dropKeys(v any, keys ...string) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range keys {
			if _, isSchema := x["type"]; isSchema {
				delete(x, k)
			}
		}
		for _, e := range x {
			dropKeys(e, keys...)
		}
	case []any:
		for _, e := range x {
			dropKeys(e, keys...)
		}
	}
}

var schemaRef = regexp.MustCompile(`"#/components/schemas/([^"]+)"`)

// serveSchemas answers GET /schemas/{name}[.json] with one schema of the
// document, its references pointing at their own /schemas/ address; an
// unknown name is not found.
func serveSchemas(mux *http.ServeMux, oapi *huma.OpenAPI) {
	mux.HandleFunc("GET "+Prefix+"/schemas/{schema}", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(r.PathValue("schema"), ".json")
		s, ok := oapi.Components.Schemas.Map()[name]
		if !ok {
			WriteProblem(w, problem.NotFound, "no schema is named "+name)
			return
		}
		b, err := json.Marshal(s)
		if err != nil {
			WriteProblem(w, problem.Internal, "the schema cannot be written")
			return
		}
		b = schemaRef.ReplaceAll(b, []byte(`"`+Prefix+`/schemas/$1.json"`))
		w.Header().Set("Content-Type", "application/schema+json")
		_, _ = w.Write(bytes.TrimSpace(b))
	})
}
