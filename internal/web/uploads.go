package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"

	"aftersales/internal/api"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/complaint"
	"aftersales/internal/document"
	"aftersales/internal/edge"
	"aftersales/internal/files"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
)

// Uploads: which routes take files and how large their bodies may be (the
// edge enforces them, and how many run at once), and the reading of their
// forms as a stream.
//
// An upload is never held whole in memory while it arrives: a form's files
// are received into temporary files (files.Receive), hashed as they are
// written, and the request's body stops being read at its route's limit.
// The one copy in memory is the row's bytes as the database driver writes
// them. See docs/RELIABILITY.md ("Uploads").

// formOverhead is room in an upload's body for its text fields and the
// multipart framing around its files.
const formOverhead = 1 << 20

var (
	photosForm    = int64(servicerequest.MaxPhotos)*servicerequest.MaxPhotoBytes + formOverhead
	complaintForm = int64(complaint.MaxAttachments)*complaint.MaxAttachmentBytes + formOverhead
	documentForm  = int64(document.MaxFileBytes) + formOverhead
)

// uploadRoutes are the routes that take files and their body limits,
// derived from what each accepts: six photos of 10 MiB, a document of
// 50 MiB, an import of 16 MiB, a calendar of 2 MiB (the API's JSON forms
// carry their files in base64, a third larger).
var uploadRoutes = []edge.UploadRoute{
	{Pattern: "/units/import", Limit: maxUnitImportBytes + formOverhead},
	{Pattern: "/api/v1/units/imports", Limit: api.MaxUnitImportBody},
	{Pattern: "/calendars/*/imports", Limit: registry.MaxImportBytes + formOverhead},
	{Pattern: "/api/v1/calendars/*/imports", Limit: api.MaxCalendarImportBody},
	// Photos of service requests: with the request, later, on a visit.
	{Pattern: "/q/*", Limit: photosForm},
	{Pattern: "/requests", Limit: photosForm},
	{Pattern: "/requests/*/photos", Limit: photosForm},
	{Pattern: "/work-orders/*/photos", Limit: photosForm},
	{Pattern: "/api/v1/service-requests/*/photos", Limit: api.MaxPhotosBody},
	{Pattern: "/documents", Limit: documentForm},
	{Pattern: "/documents/*/versions", Limit: documentForm},
	{Pattern: "/api/v1/documents", Limit: documentForm},
	{Pattern: "/api/v1/documents/*/versions", Limit: documentForm},
	// Complaints with their photos and PDF files.
	{Pattern: "/complaints", Limit: complaintForm},
	{Pattern: "/complaints/*/files", Limit: complaintForm},
	{Pattern: "/q/*/complaint", Limit: complaintForm},
	{Pattern: "/api/v1/complaints/with-attachments", Limit: api.MaxComplaintFilesBody},
	{Pattern: "/api/v1/complaints/*/attachments", Limit: api.MaxComplaintFilesBody},
	// Scans of technicians' certificates.
	{Pattern: "/staff/technicians/*/certifications/*/scan", Limit: staff.MaxScanBytes + formOverhead},
	{Pattern: "/api/v1/technicians/*/certifications/*/scan", Limit: api.MaxScanBody},
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

// importRoutes are the routes of imports, which have a deadline of their own
// (uploadRoutes hold them too).
var importRoutes = []string{
	"/units/import",
	"/units/import/confirm",
	"/api/v1/units/imports",
	"/calendars/*/imports",
	"/api/v1/calendars/*/imports",
}

// routeTable is what the edge is told of the routes.
var routeTable = edge.Routes{Uploads: uploadRoutes, Streamed: streamedUploads, Imports: importRoutes}

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
		return nil, readForm(r)
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
			return out, edge.FormError(err)
		}
		name := part.FormName()
		if part.FileName() == "" && name != fileField {
			// A text field: bounded, so that a form cannot hold a file in one.
			b, err := io.ReadAll(io.LimitReader(part, text+1))
			if err != nil {
				return out, edge.FormError(err)
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
			return out, edge.FormError(err)
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
