package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/problem"
	"aftersales/internal/store"
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
		if p.RetryAfter > 0 {
			return huma.ErrorWithHeaders(out, http.Header{"Retry-After": {RetryAfterSeconds(p.RetryAfter)}})
		}
		return out
	}
	var se huma.StatusError
	if errors.As(err, &se) {
		return err
	}
	if store.IsBusy(err) {
		log.Warn("out of time", "err", err)
		return huma.ErrorWithHeaders(&Problem{Type: problem.DeadlineExceeded.TypeURI(), Status: http.StatusServiceUnavailable,
			Title: http.StatusText(http.StatusServiceUnavailable), Detail: DeadlineDetail}, RetryAfterHeader())
	}
	log.Error("internal error", "err", err)
	return &Problem{Type: problem.Internal.TypeURI(), Status: 500, Title: "Internal Server Error",
		Detail: "an unexpected error occurred; it has been logged"}
}

// RetryAfterSeconds is d as the whole seconds of a Retry-After header,
// rounded up so that a client waiting that long is not refused again.
func RetryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}

// RetryAfter is how long a client is asked to wait before it repeats a
// request that ran out of time: long enough for a burst of writes (or a
// large import) ahead of it to pass.
const RetryAfter = 5 * time.Second

// DeadlineDetail is the detail of a request that ran out of time.
const DeadlineDetail = "the request did not finish in time and was not saved; try again in a moment"

// RetryAfterHeader is the header of an answer that asks to repeat later.
func RetryAfterHeader() http.Header {
	return http.Header{"Retry-After": {RetryAfterSeconds(RetryAfter)}}
}

// WriteProblem writes a problem+json response outside huma (middleware,
// fallbacks); a request out of time is told when to try again.
func WriteProblem(w http.ResponseWriter, kind problem.Kind, detail string) {
	status := kind.Status()
	if kind == problem.DeadlineExceeded {
		w.Header().Set("Retry-After", RetryAfterHeader().Get("Retry-After"))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"type":%q,"title":%q,"status":%d,"detail":%q}`, kind.TypeURI(), http.StatusText(status), status, detail)
}
