package web

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"time"

	"aftersales/internal/api"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/complaint"
	"aftersales/internal/document"
	"aftersales/internal/files"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
)

// Uploads: which routes take files and how large their bodies may be, how
// many run at once, and the reading of their forms as a stream.
//
// An upload is never held whole in memory while it arrives: a form's files
// are received into temporary files (files.Receive), hashed as they are
// written, and the request's body stops being read at its route's limit.
// The one copy in memory is the row's bytes as the database driver writes
// them. See docs/RELIABILITY.md ("Uploads").

// formOverhead is room in an upload's body for its text fields and the
// multipart framing around its files.
const formOverhead = 1 << 20

// uploadRoute is a POST route that takes files, as a path.Match pattern,
// with the largest body it reads.
type uploadRoute struct {
	pattern string
	limit   int64
}

var (
	photosForm    = int64(servicerequest.MaxPhotos)*servicerequest.MaxPhotoBytes + formOverhead
	complaintForm = int64(complaint.MaxAttachments)*complaint.MaxAttachmentBytes + formOverhead
	documentForm  = int64(document.MaxFileBytes) + formOverhead
)

// uploadRoutes are the routes that take files and their body limits,
// derived from what each accepts: six photos of 10 MiB, a document of
// 50 MiB, an import of 16 MiB, a calendar of 2 MiB (the API's JSON forms
// carry their files in base64, a third larger).
var uploadRoutes = []uploadRoute{
	{"/units/import", maxUnitImportBytes + formOverhead},
	{"/api/v1/units/imports", api.MaxUnitImportBody},
	{"/calendars/*/imports", registry.MaxImportBytes + formOverhead},
	{"/api/v1/calendars/*/imports", api.MaxCalendarImportBody},
	// Photos of service requests: with the request, later, on a visit.
	{"/q/*", photosForm},
	{"/requests", photosForm},
	{"/requests/*/photos", photosForm},
	{"/work-orders/*/photos", photosForm},
	{"/api/v1/service-requests/*/photos", api.MaxPhotosBody},
	{"/documents", documentForm},
	{"/documents/*/versions", documentForm},
	{"/api/v1/documents", documentForm},
	{"/api/v1/documents/*/versions", documentForm},
	// Complaints with their photos and PDF files.
	{"/complaints", complaintForm},
	{"/complaints/*/files", complaintForm},
	{"/q/*/complaint", complaintForm},
	{"/api/v1/complaints/with-attachments", api.MaxComplaintFilesBody},
	{"/api/v1/complaints/*/attachments", api.MaxComplaintFilesBody},
	// Scans of technicians' certificates.
	{"/staff/technicians/*/certifications/*/scan", staff.MaxScanBytes + formOverhead},
	{"/api/v1/technicians/*/certifications/*/scan", api.MaxScanBody},
}

// uploadLimit is the body limit of an upload route; ok is false for any
// other request.
func uploadLimit(method, p string) (limit int64, ok bool) {
	if method != http.MethodPost {
		return 0, false
	}
	for _, u := range uploadRoutes {
		if match, _ := path.Match(u.pattern, p); match {
			return u.limit, true
		}
	}
	return 0, false
}

func isUploadRoute(method, p string) bool {
	_, ok := uploadLimit(method, p)
	return ok
}

// streamedUploads are the upload routes whose handlers read the body as a
// stream and check its text themselves; nothing before them may read the
// body whole (the idempotency middleware hashes it into a temporary file).
var streamedUploads = []string{
	"/q/*", "/requests", "/requests/*/photos", "/work-orders/*/photos",
	"/api/v1/service-requests/*/photos",
	"/documents", "/documents/*/versions", "/api/v1/documents", "/api/v1/documents/*/versions",
	"/complaints", "/complaints/*/files", "/q/*/complaint", "/api/v1/complaints/with-attachments", "/api/v1/complaints/*/attachments",
}

func isStreamedUpload(method, p string) bool {
	if method != http.MethodPost {
		return false
	}
	for _, pattern := range streamedUploads {
		if match, _ := path.Match(pattern, p); match {
			return true
		}
	}
	return false
}

// bodyLimit is the limit of r's body: its upload route's (capped by
// Options.MaxUploadBytes when set), else Options.MaxBodyBytes.
func (s *Server) bodyLimit(r *http.Request) (limit int64, upload bool) {
	limit, upload = uploadLimit(r.Method, r.URL.Path)
	if !upload {
		return s.Opts.MaxBodyBytes, false
	}
	if s.Opts.MaxUploadBytes > 0 {
		limit = min(limit, s.Opts.MaxUploadBytes)
	}
	return limit, true
}

// tooLarge is the problem of a body over its limit, naming the limit.
func tooLarge(limit int64) error {
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
func (s *Server) admitUpload(w http.ResponseWriter, r *http.Request) bool {
	if s.uploads.enter(r.Context()) {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(uploadRetryAfter))
	s.fail(w, r, problem.New(problem.Busy, "the server is receiving %d uploads already; try again in %d seconds", cap(s.uploads.slots), uploadRetryAfter))
	return false
}

// maxFormText bounds the text fields of an upload form together.
const maxFormText = 1 << 20

// readUploadForm reads r's form as a stream: its text fields into
// r.PostForm and r.Form, the files of fileField into temporary files, at
// most maxFiles of at most maxFile bytes each. A form that is not multipart
// is parsed as usual and has no files. An error naming fileField (a file
// too large, too many) comes with the fields read until then; the files
// returned are open until the caller closes them, also on error.
func readUploadForm(r *http.Request, fileField string, maxFiles int, maxFile int64) ([]*files.Incoming, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, r.ParseForm()
	}
	if r.Form == nil {
		r.Form = url.Values{}
		for k, v := range r.URL.Query() {
			r.Form[k] = v
		}
	}
	r.PostForm = url.Values{}
	if params["boundary"] == "" {
		return nil, problem.New(problem.MalformedRequest, "the multipart form has no boundary")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var out []*files.Incoming
	text := int64(maxFormText)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, formError(err)
		}
		name := part.FormName()
		if part.FileName() == "" && name != fileField {
			// A text field: bounded, so that a form cannot hold a file in one.
			b, err := io.ReadAll(io.LimitReader(part, text+1))
			if err != nil {
				return out, formError(err)
			}
			if text -= int64(len(b)); text < 0 {
				return out, problem.New(problem.PayloadTooLarge, "the form's text fields are larger than %s", files.HumanSize(maxFormText))
			}
			r.PostForm.Add(name, string(b))
			r.Form.Add(name, string(b))
			continue
		}
		if name != fileField {
			continue // a file under another name: not read, skipped by NextPart
		}
		in, err := files.Receive(part.FileName(), part, maxFile)
		var tl *files.TooLargeError
		switch {
		case errors.As(err, &tl):
			return out, problem.Field(fmt.Sprintf("%s[%d]", fileField, len(out)), "%s: the file is larger than %s", part.FileName(), files.HumanSize(tl.Limit))
		case err != nil:
			return out, formError(err)
		}
		if in.Size() == 0 && in.Name == "" {
			in.Close() // a file input left empty
			continue
		}
		if len(out) == maxFiles {
			in.Close()
			return out, problem.Field(fileField, "at most %d files at a time", maxFiles)
		}
		out = append(out, in)
	}
}

// formError tells a body over its limit (413) or a form that is cut short
// or malformed (400) from a failure of the server's own (a full disk).
func formError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
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
		return nil, formError(err)
	}
	h.Sum(sum[:0])
	r.Body = io.NopCloser(in.Reader())
	return in, nil
}
