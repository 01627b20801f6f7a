package edge

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/api"
	"aftersales/internal/problem"
)

// Text the product reads from a request must be UTF-8 without NUL:
// PostgreSQL's text refuses both (SQLite would store them), and no person
// writes them. refuseBadText checks, before anything reaches the handlers,
// the path, the query, the headers whose values are kept or compared
// (checkedHeaders), URL-encoded form bodies and JSON bodies (every string
// and key: encoding/json would silently turn invalid UTF-8 into U+FFFD and
// keeps \u0000). A bad one is refused naming where it was: 400
// malformed-request, except a NUL in a JSON body's field, which is valid
// JSON with an invalid value: 422 validation, as the domain's own text
// checks answer. Multipart
// bodies (uploads) are left to their handlers, which check their text fields.
func (e *Edge) refuseBadText(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := problem.MalformedRequest
		loc, why := badRequestText(mux, r)
		if loc == "" {
			var err error
			if kind, loc, why, err = badBodyText(r); err != nil {
				e.Fail(w, r, err)
				return
			}
		}
		if loc != "" {
			e.refuseText(w, r, kind, loc, why)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkedHeaders are the request headers whose values the product stores
// or compares. (Request ids are checked where they are read: see observe.)
var checkedHeaders = []string{"Idempotency-Key", "If-Match"}

// Why a text was refused; the English messages are the API's, translated
// on pages through the problem catalog.
const (
	notUTF8 = "is not valid UTF-8 text"
	hasNUL  = "contains a NUL character"
)

// textFault tells what is wrong with s, or "".
func textFault(s string) string {
	switch {
	case !utf8.ValidString(s):
		return notUTF8
	case strings.IndexByte(s, 0) >= 0:
		return hasNUL
	}
	return ""
}

// badRequestText finds the first bad text in the path, the query or the
// checked headers: its location (path.id, query.q, header.Idempotency-Key)
// and what is wrong, or "".
func badRequestText(mux *http.ServeMux, r *http.Request) (string, string) {
	if why := textFault(r.URL.Path); why != "" {
		return pathLocation(mux, r), why
	}
	// A pair with a bad escape is dropped, here as by the handlers' own parsing.
	q, _ := url.ParseQuery(r.URL.RawQuery)
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if why := textFault(k); why != "" {
			return "query", why
		}
		for _, v := range q[k] {
			if why := textFault(v); why != "" {
				return "query." + k, why
			}
		}
	}
	for _, h := range checkedHeaders {
		for _, v := range r.Header.Values(h) {
			if why := textFault(v); why != "" {
				return "header." + h, why
			}
		}
	}
	return "", ""
}

// pathLocation names the bad segment of the path by the route's wildcard
// (path.id), or the whole path when no route names it.
func pathLocation(mux *http.ServeMux, r *http.Request) string {
	_, pattern := mux.Handler(r)
	if _, p, ok := strings.Cut(pattern, " "); ok {
		pattern = p
	}
	if pattern == "" {
		return "path"
	}
	segs, pats := strings.Split(r.URL.Path, "/"), strings.Split(pattern, "/")
	for i, seg := range segs {
		if textFault(seg) == "" || i >= len(pats) {
			continue
		}
		if p := pats[i]; strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			return "path." + strings.TrimSuffix(strings.TrimSuffix(p[1:len(p)-1], "..."), "$")
		}
		break
	}
	return "path"
}

// badBodyText checks URL-encoded form bodies (a bad one is a malformed
// request) and JSON bodies (a bad string is an invalid field), leaving the
// body readable again for the handler.
func badBodyText(r *http.Request) (problem.Kind, string, string, error) {
	form, field := problem.MalformedRequest, problem.Invalid
	if r.Body == nil || r.Body == http.NoBody || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return form, "", "", nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return form, "", "", err
			}
			return form, "", "", problem.New(problem.MalformedRequest, "the form is not URL-encoded")
		}
		keys := make([]string, 0, len(r.PostForm))
		for k := range r.PostForm {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if why := textFault(k); why != "" {
				return form, "form", why, nil
			}
			for _, v := range r.PostForm[k] {
				if why := textFault(v); why != "" {
					return form, "form." + k, why, nil
				}
			}
		}
		return form, "", "", nil
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil {
			return form, "", "", err
		}
		// A body that is not UTF-8 is not JSON (RFC 8259), so malformed; a
		// NUL in a string is a bad value of a field.
		loc, why := badJSONText(body)
		if why == notUTF8 {
			return form, loc, why, nil
		}
		return field, loc, why, nil
	}
	return form, "", "", nil
}

// badJSONText finds the first string or key of a JSON document that is not
// UTF-8 or holds a NUL, and names it as the API names fields
// (body.items[2].name). A document that is not JSON is left to the decoder
// that will refuse it.
func badJSONText(body []byte) (string, string) {
	// Almost every body has neither: two scans at memory speed let it
	// through; only a suspect one is walked token by token for the field.
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u0000`)) {
		return "", ""
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	// Each open container: its key or index so far.
	type level struct {
		object bool
		key    string
		index  int
		// wantKey: in an object, the next string is a key.
		wantKey bool
	}
	var stack []level
	where := func(extra string) string {
		var b strings.Builder
		b.WriteString("body")
		for _, l := range stack {
			if l.object {
				if l.key != "" {
					b.WriteString("." + l.key)
				}
			} else {
				b.WriteString("[" + strconv.Itoa(l.index) + "]")
			}
		}
		if extra != "" {
			b.WriteString("." + extra)
		}
		return b.String()
	}
	// After a value inside a container, move to the next key or index.
	next := func() {
		if len(stack) == 0 {
			return
		}
		top := &stack[len(stack)-1]
		if top.object {
			top.wantKey = true
		} else {
			top.index++
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return "", "" // the end, or not JSON: the API's decoder answers that
		}
		raw := body[start:dec.InputOffset()]
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, level{object: true, wantKey: true})
			case '[':
				stack = append(stack, level{})
			default:
				stack = stack[:len(stack)-1]
				next()
			}
		case string:
			isKey := len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].wantKey
			why := ""
			if !utf8.Valid(raw) {
				why = notUTF8
			} else if strings.IndexByte(t, 0) >= 0 {
				why = hasNUL
			}
			if isKey {
				top := &stack[len(stack)-1]
				if why != "" {
					top.key = "" // the object holding the key is named
					return where(""), why
				}
				top.key, top.wantKey = t, false
				continue
			}
			if why != "" {
				return where(""), why
			}
			next()
		default:
			next()
		}
	}
}

// refuseText answers a bad text: problem+json naming its location for the
// API, the error page in the reader's language for pages.
func (e *Edge) refuseText(w http.ResponseWriter, r *http.Request, kind problem.Kind, loc, why string) {
	var p *problem.Error
	if why == notUTF8 {
		p = problem.New(kind, "%s is not valid UTF-8 text", loc)
	} else {
		p = problem.New(kind, "%s contains a NUL character", loc)
	}
	if !wantsJSON(r) {
		e.renderError(w, r, p)
		return
	}
	status := kind.Status()
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(&api.Problem{Type: kind.TypeURI(), Title: http.StatusText(status), Status: status,
		Detail: p.Detail, Instance: RequestID(r.Context()), Errors: []*huma.ErrorDetail{{Location: loc, Message: why}}})
}

// printableASCII tells whether a client's request id may be adopted: it is
// echoed in a header, logged and kept in the audit trail.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
