package edge

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"math"
	"net/http"
	"path"
	"strconv"
	"time"

	"aftersales/internal/files"
	"aftersales/internal/problem"
)

// Uploads: how large the body of each route may be, and how many uploads
// are received at once. An upload is never held whole in memory while it
// arrives: its handler receives its files into temporary files as a
// stream, and the body stops being read at its route's limit. See
// docs/RELIABILITY.md ("Uploads").

// uploadLimit is the body limit of an upload route; ok is false for any
// other request.
func (rt Routes) uploadLimit(method, p string) (limit int64, ok bool) {
	if method != http.MethodPost {
		return 0, false
	}
	for _, u := range rt.Uploads {
		if match, _ := path.Match(u.Pattern, p); match {
			return u.Limit, true
		}
	}
	return 0, false
}

// isStreamedUpload tells whether a request is an upload whose handler
// reads the body as a stream (Routes.Streamed).
func (e *Edge) isStreamedUpload(method, p string) bool {
	if method != http.MethodPost {
		return false
	}
	for _, pattern := range e.routes.Streamed {
		if match, _ := path.Match(pattern, p); match {
			return true
		}
	}
	return false
}

// bodyLimit is the limit of r's body: its upload route's (capped by
// Options.MaxUploadBytes when set), else Options.MaxBodyBytes.
func (e *Edge) bodyLimit(r *http.Request) (limit int64, upload bool) {
	limit, upload = e.routes.uploadLimit(r.Method, r.URL.Path)
	if !upload {
		return e.opts.MaxBodyBytes, false
	}
	if e.opts.MaxUploadBytes > 0 {
		limit = min(limit, e.opts.MaxUploadBytes)
	}
	return limit, true
}

// TooLarge is the problem of a body over its limit, naming the limit.
func TooLarge(limit int64) error {
	return problem.New(problem.PayloadTooLarge, "the body is larger than %s, the limit of this address", files.HumanSize(limit))
}

// uploadGate bounds the uploads that run at once in this process, so that
// their memory and the database's writer are shared by a known number. A
// request that finds every place taken waits up to uploadWait for one
// (an upload usually takes a second or two), then is answered 503 with
// Retry-After: a bounded wait, never an unbounded queue.
type uploadGate struct {
	slots chan struct{}
	wait  time.Duration
}

// Defaults of the gate: Options.MaxConcurrentUploads and the wait.
const (
	defaultConcurrentUploads = 4
	uploadWait               = 2 * time.Second
	uploadRetryAfter         = 5 // seconds
)

func newUploadGate(n int, wait time.Duration) *uploadGate {
	if n <= 0 {
		n = defaultConcurrentUploads
	}
	return &uploadGate{slots: make(chan struct{}, n), wait: wait}
}

// enter takes a place, waiting at most the gate's wait; false when none
// came free (or ctx ended).
func (g *uploadGate) enter(ctx context.Context) bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (g *uploadGate) leave() { <-g.slots }

// admitUpload takes a place in the gate for an upload; when none came free
// it answers 503 with Retry-After and returns false.
func (e *Edge) admitUpload(w http.ResponseWriter, r *http.Request) bool {
	if e.uploads.enter(r.Context()) {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(uploadRetryAfter))
	e.Fail(w, r, problem.New(problem.Busy, "the server is receiving %d uploads already; try again in %d seconds", cap(e.uploads.slots), uploadRetryAfter))
	return false
}

// FormError tells a body over its limit (413) or a form that is cut short
// or malformed (400) from a failure of the server's own (a full disk).
func FormError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return TooLarge(mbe.Limit)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return err
	}
	return problem.New(problem.MalformedRequest, "the multipart form is cut short or malformed")
}

// spoolBody copies r's body into a temporary file, hashing the method, the
// URI and the body into sum as the idempotency key's fingerprint, and puts
// the file in the body's place; the caller closes it.
func spoolBody(r *http.Request, sum *[sha256.Size]byte) (io.Closer, error) {
	h := sha256.New()
	io.WriteString(h, r.Method+" "+r.URL.RequestURI()+"\n")
	in, err := files.Receive("", io.TeeReader(r.Body, h), math.MaxInt64-1)
	if err != nil {
		return nil, FormError(err)
	}
	h.Sum(sum[:0])
	r.Body = io.NopCloser(in.Reader())
	return in, nil
}
