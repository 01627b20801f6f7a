package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/problem"
)

// Problem is the RFC 9457 body of every error the API answers.
type Problem struct {
	Type     string              `json:"type" doc:"Stable URI of the problem type; documented at that path on this server."`
	Title    string              `json:"title" doc:"Short summary of the problem type."`
	Status   int                 `json:"status" doc:"HTTP status code."`
	Detail   string              `json:"detail,omitempty" doc:"Explanation of this occurrence."`
	Instance string              `json:"instance,omitempty" doc:"The request id of this occurrence, for the logs."`
	Reason   string              `json:"reason,omitempty" doc:"Machine-readable sub-kind, where the type has several."`
	Errors   []*huma.ErrorDetail `json:"errors,omitempty" doc:"Every invalid field, each with its location (e.g. body.email)."`
}

func (p *Problem) Error() string  { return p.Detail }
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma answer application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

func kindOfStatus(status int) problem.Kind {
	switch status {
	case http.StatusBadRequest:
		return problem.MalformedRequest
	case http.StatusUnprocessableEntity:
		return problem.Invalid
	}
	for _, k := range problem.Kinds {
		if k.Status == status {
			return k.Kind
		}
	}
	return problem.Internal
}

var requiredProperty = regexp.MustCompile(`^expected required property (\S+) to be present$`)

// newHumaError replaces huma.NewError: every error gets our stable type, a
// missing field is located at the field itself, and echoed values are cut
// short (huma would echo a whole malformed body back).
func newHumaError(status int, msg string, errs ...error) huma.StatusError {
	p := &Problem{Status: status, Title: http.StatusText(status), Detail: msg}
	kind := kindOfStatus(status)
	for _, err := range errs {
		if err == nil {
			continue
		}
		var d *huma.ErrorDetail
		var dd huma.ErrorDetailer
		if errors.As(err, &dd) {
			d = dd.ErrorDetail()
		} else {
			d = &huma.ErrorDetail{Message: err.Error()}
		}
		if m := requiredProperty.FindStringSubmatch(d.Message); m != nil {
			if d.Location == "" {
				d.Location = "body"
			}
			d.Location += "." + m[1]
			d.Value = nil // huma would echo the whole enclosing object
		}
		d.Value = echoable(d.Value)
		p.Errors = append(p.Errors, d)
	}
	if status == http.StatusUnprocessableEntity && len(p.Errors) == 0 && strings.Contains(msg, "unmarshal") {
		kind = problem.MalformedRequest
	}
	p.Type = kind.TypeURI()
	return p
}

// maxEchoed is the longest text value a problem repeats back.
const maxEchoed = 64

// echoable is what a problem may repeat of a refused value: a number, a
// boolean, or a short valid text. Anything else (an array or object,
// which may hold a whole upload, a long or binary text) is left out: a
// client knows what it sent, and a refused body must never come back.
func echoable(v any) any {
	switch v := v.(type) {
	case bool, float64, int, int64, json.Number:
		return v
	case string:
		if len(v) <= maxEchoed && utf8.ValidString(v) && !strings.ContainsRune(v, 0) {
			return v
		}
	}
	return nil
}

// fromError turns any error from the domain into an API error. Problems
// keep their kind; anything else is an internal error, logged, never echoed.
func fromError(log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	if p, ok := problem.As(err); ok {
		out := &Problem{Type: p.Kind.TypeURI(), Status: p.Kind.Status(), Title: http.StatusText(p.Kind.Status()), Detail: p.Detail, Reason: p.Reason}
		for _, f := range p.Fields {
			loc := f.Field
			if !strings.Contains(loc, ".") || !strings.HasPrefix(loc, "body") && !strings.HasPrefix(loc, "query") && !strings.HasPrefix(loc, "path") {
				loc = "body." + loc
			}
			out.Errors = append(out.Errors, &huma.ErrorDetail{Location: loc, Message: f.Message})
		}
		return out
	}
	var se huma.StatusError
	if errors.As(err, &se) {
		return err
	}
	log.Error("internal error", "err", err)
	return &Problem{Type: problem.Internal.TypeURI(), Status: 500, Title: "Internal Server Error",
		Detail: "an unexpected error occurred; it has been logged"}
}

// WriteProblem writes a problem+json response outside huma (middleware, fallbacks).
func WriteProblem(w http.ResponseWriter, kind problem.Kind, detail string) {
	status := kind.Status()
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"type":%q,"title":%q,"status":%d,"detail":%q}`, kind.TypeURI(), http.StatusText(status), status, detail)
}
