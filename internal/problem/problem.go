// Package problem is the one error type of the product. Domain code returns
// *problem.Error for anything a caller must tell apart (invalid input, not
// found, forbidden, conflict); the API turns it into RFC 9457 problem+json
// with a stable type, and the pages into a message beside the field.
package problem

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Kind is the stable category of a problem; its slug is part of the type URI.
type Kind string

const (
	Invalid            Kind = "validation"
	OutOfScope         Kind = "out-of-scope"
	PartRefused        Kind = "part-refused"
	NotFound           Kind = "not-found"
	Forbidden          Kind = "forbidden"
	Unauthorized       Kind = "unauthorized"
	Conflict           Kind = "conflict"
	PreconditionFailed Kind = "precondition-failed"
	PreconditionNeeded Kind = "precondition-required"
	TooManyRequests    Kind = "too-many-requests"
	PayloadTooLarge    Kind = "payload-too-large"
	UnsupportedMedia   Kind = "unsupported-media-type"
	MalformedRequest   Kind = "malformed-request"
	MethodNotAllowed   Kind = "method-not-allowed"
	IdempotencyReuse   Kind = "idempotency-key-reused"
	Unavailable        Kind = "unavailable"
	DeadlineExceeded   Kind = "deadline-exceeded"
	Busy               Kind = "busy"
	Internal           Kind = "internal"
)

// Kinds lists every kind with its HTTP status and a one-line meaning; the
// /problems pages and the API reference are generated from it.
var Kinds = []struct {
	Kind    Kind
	Status  int
	Meaning string
}{
	{Invalid, http.StatusUnprocessableEntity, "The request was understood but one or more fields are invalid; each is named in errors[].location."},
	{OutOfScope, http.StatusUnprocessableEntity, "The request falls outside the service agreement's scope; reason is one of model_not_covered, outside_service_area, agreement_inactive, agreement_suspended, service_item_not_covered."},
	{PartRefused, http.StatusUnprocessableEntity, "The part may not be used here; reason is one of part_not_approved, approval_expired, part_not_compatible, part_inactive, part_of_other_vendor, insufficient_stock, wrong_location, work_order_not_on_site, work_order_closed."},
	{MalformedRequest, http.StatusBadRequest, "The body is not valid JSON, a parameter has the wrong type, or text in the path, the query, a header or the body is not UTF-8 or holds a NUL; errors[].location names where."},
	{Unauthorized, http.StatusUnauthorized, "No valid session or API token was presented, or it has expired or been revoked."},
	{Forbidden, http.StatusForbidden, "The caller is authenticated but its role may not do this here."},
	{NotFound, http.StatusNotFound, "No such resource, or not one the caller may see."},
	{MethodNotAllowed, http.StatusMethodNotAllowed, "The resource exists but does not accept this method."},
	{Conflict, http.StatusConflict, "The change conflicts with the current state (a duplicate, or a transition that is not allowed)."},
	{PreconditionFailed, http.StatusPreconditionFailed, "If-Match did not match the current ETag: someone else changed the resource first."},
	{PreconditionNeeded, http.StatusPreconditionRequired, "Updates must carry If-Match with the ETag last read, so that no change is lost."},
	{IdempotencyReuse, http.StatusUnprocessableEntity, "The Idempotency-Key was already used for a different request."},
	{PayloadTooLarge, http.StatusRequestEntityTooLarge, "The request body is larger than allowed."},
	{UnsupportedMedia, http.StatusUnsupportedMediaType, "The request body must be application/json."},
	{TooManyRequests, http.StatusTooManyRequests, "Too many attempts; wait and try again."},
	{Unavailable, http.StatusServiceUnavailable, "Something the server needs for this operation is not installed (e.g. the font for printing labels); the detail names it. Everything else keeps working."},
	{DeadlineExceeded, http.StatusServiceUnavailable, "The request did not finish within its time (for instance it waited for the database behind a large import, or its body arrived too slowly); what it was writing was not saved. Retry after the seconds in Retry-After, with the same Idempotency-Key."},
	{Busy, http.StatusServiceUnavailable, "The server is doing as much of this kind of work as it takes at once (e.g. receiving uploads); try again after the seconds in Retry-After."},
	{Internal, http.StatusInternalServerError, "An unexpected failure on our side; it has been logged with the request id."},
}

// Status is the HTTP status of k.
func (k Kind) Status() int {
	for _, d := range Kinds {
		if d.Kind == k {
			return d.Status
		}
	}
	return http.StatusInternalServerError
}

// TypeURI is the stable problem type, a path on this server that documents it.
func (k Kind) TypeURI() string { return "/problems/" + string(k) }

// FieldError names one invalid field. Field is a dotted location such as
// "body.email" in the API, or simply "email" from domain code.
type FieldError struct {
	Field   string
	Message string

	// format and args made Message; Translate renders them in another language.
	format string
	args   []any
	// about is what the message is about when one field holds several
	// things (a photo's file name), shown before the message.
	about string
}

// Error is a problem a caller can act on.
type Error struct {
	Kind   Kind
	Detail string
	// Reason is an optional machine-readable sub-kind, e.g. "outside_service_area".
	Reason string
	Fields []FieldError
	// RetryAfter, when set, is how long the caller must wait before trying
	// again; answered as the Retry-After header.
	RetryAfter time.Duration

	format string // made Detail, with args
	args   []any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Kind))
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	return b.String()
}

// New returns a problem of kind k.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Detail: fmt.Sprintf(format, args...), format: format, args: args}
}

// Because returns a problem of kind k with a machine-readable reason
// ("agreement_changed") beside its message.
func Because(k Kind, reason, format string, args ...any) *Error {
	e := New(k, format, args...)
	e.Reason = reason
	return e
}

// Field returns a validation problem for one field.
func Field(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Detail: "validation failed", format: "validation failed", Fields: []FieldError{newFieldError(field, format, args)}}
}

// Fields collects field errors; Err returns nil when there are none.
type Fields []FieldError

// Add records a problem with field.
func (fs *Fields) Add(field, format string, args ...any) {
	*fs = append(*fs, newFieldError(field, format, args))
}

// AddAbout records fe again under field, saying what it is about (one
// photo of several: "fault.jpg: the JPEG image is damaged"); it stays
// translatable, unlike a message built with "%s: %s".
func (fs *Fields) AddAbout(field, about string, fe FieldError) {
	fe.Field, fe.about = field, about
	fe.Message = about + ": " + fmt.Sprintf(fe.format, fe.args...)
	*fs = append(*fs, fe)
}

// Msg is a message found before the field it belongs to is known (a line
// of an imported file, found wrong while the file is parsed). It is an
// error, and stays translatable when Fields.Put gives it its field later.
func Msg(format string, args ...any) FieldError { return newFieldError("", format, args) }

// Error is the message, so that a FieldError from Msg can travel as an error.
func (fe FieldError) Error() string { return fe.Message }

// Put records fe under field.
func (fs *Fields) Put(field string, fe FieldError) {
	fe.Field = field
	*fs = append(*fs, fe)
}

func newFieldError(field, format string, args []any) FieldError {
	return FieldError{Field: field, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// Err is nil when no field failed, else one validation problem listing all.
func (fs Fields) Err() error {
	if len(fs) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Detail: "validation failed", format: "validation failed", Fields: fs}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var p *Error
	ok := errors.As(err, &p)
	return p, ok
}

// Is reports whether err carries a problem of kind k.
func Is(err error, k Kind) bool {
	p, ok := As(err)
	return ok && p.Kind == k
}

// Word is a value of one of the product's enums shown inside a message (an
// agreement's status, a calendar day's kind): the message's English detail,
// as the API answers it, shows the value as it is ("terminated"); a
// translated message shows the reader's word for it, the message whose id
// is ID. That is zh-CN's, and English's too where a page words a message
// apart from its detail (a policy refusal, whose words are phrases: "A
// dispatcher", "for their own organization").
type Word struct{ ID, Value string }

func (w Word) String() string { return w.Value }

// Enum is value as a Word whose message id is prefix and the value in
// lower case: Enum("agreement_status.", "terminated") is the message
// "agreement_status.terminated".
func Enum(prefix string, value any) Word {
	v := fmt.Sprint(value)
	return Word{ID: prefix + strings.ToLower(v), Value: v}
}

// Translate returns a copy of e in another language: tr maps the English
// format of a message to that language's format, with the same verbs (in
// any order, through explicit argument indexes), or reports false to keep
// the English. In a translated message, tr also gives the words of the
// Word arguments (asked by their message id), and a problem given as an
// argument (a nested refusal) is translated in its turn. Messages built
// elsewhere and passed through "%s" stay as they are.
func (e *Error) Translate(tr func(format string) (string, bool)) *Error {
	out := *e
	if t, ok := tr(e.format); ok && e.format != "" {
		out.Detail = fmt.Sprintf(t, translateArgs(e.args, tr)...)
	}
	out.Fields = make([]FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if t, ok := tr(f.format); ok && f.format != "" {
			f.Message = fmt.Sprintf(t, translateArgs(f.args, tr)...)
			if f.about != "" {
				f.Message = f.about + ": " + f.Message
			}
		}
		out.Fields[i] = f
	}
	return &out
}

// translateArgs are a translated message's arguments: words in the
// language of tr, nested problems translated and said as their messages.
func translateArgs(args []any, tr func(string) (string, bool)) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case Word:
			if t, ok := tr(a.ID); ok {
				out[i] = t
				continue
			}
		case *Error:
			out[i] = a.Translate(tr).Says()
			continue
		case FieldError:
			out[i] = (&Error{Fields: []FieldError{a}}).Translate(tr).Fields[0].Message
			continue
		}
		out[i] = a
	}
	return out
}

// Says is what e says to a reader: its messages, each field's named ("terms.x:
// must be …"), without the kind's code.
func (e *Error) Says() string {
	if len(e.Fields) == 0 {
		return e.Detail
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Message
		if f.Field != "" {
			parts[i] = f.Field + ": " + f.Message
		}
	}
	return strings.Join(parts, "; ")
}
