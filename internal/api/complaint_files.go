package api

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/complaint"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// MaxComplaintFilesBody bounds the multipart body of a complaint filed with
// its files: six files of 10 MiB and room for the text fields.
const MaxComplaintFilesBody = int64(complaint.MaxAttachments)*complaint.MaxAttachmentBytes + 1<<20

// complaintFilesForm is a complaint or suggestion with its attachments, as
// a multipart form; the fields are those of the JSON filing.
type complaintFilesForm struct {
	Kind         string          `form:"kind" required:"false" doc:"complaint (the default) or suggestion."`
	Category     string          `form:"category" required:"true" doc:"attitude, slow_response, repair_quality, parts, fees or other."`
	Channel      string          `form:"channel" required:"false" doc:"portal, survey, qr, phone or vendor; by default from the filer's role."`
	RequestID    int64           `form:"request_id" required:"false" doc:"The service request it is about (this or work_order_id)."`
	WorkOrderID  int64           `form:"work_order_id" required:"false" doc:"The visit it is about."`
	Description  string          `form:"description" required:"true"`
	ContactName  string          `form:"contact_name" required:"false"`
	ContactPhone string          `form:"contact_phone" required:"false"`
	Attachments  []huma.FormFile `form:"attachments" contentType:"application/octet-stream" required:"false" doc:"Up to 6 photos (JPEG, PNG, WebP, HEIC) or PDF files of at most 10 MB each; repeat the field. Their type is read from their content."`
}

type complaintFilesInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	RawBody        huma.MultipartFormFiles[complaintFilesForm]
}

func (h *handlers) registerComplaintFiles(a huma.API, tag string) {
	register(h, a, created(op("create-complaint-with-attachments", http.MethodPost, "/complaints/with-attachments",
		"File a complaint or suggestion with photos or PDF files (multipart form); a refused file refuses the whole filing", tag)), h.createComplaintWithFiles)
	register(h, a, withErrors(op("add-complaint-attachments", http.MethodPost, "/complaints/{id}/attachments",
		"Add photos or PDF files to a complaint or suggestion not yet closed (multipart form); a refused file refuses them all", tag), 409), h.addComplaintAttachments)
	get := op("get-complaint-attachment", http.MethodGet, "/complaints/{id}/attachments/{file}", "Download a file attached to a complaint", tag)
	types := map[string]*huma.MediaType{}
	for _, t := range complaint.AttachmentTypes {
		types[t.MIME] = &huma.MediaType{Schema: &huma.Schema{Type: "string", Format: "binary"}}
	}
	get.Responses = map[string]*huma.Response{"200": {Description: "The file, as the type read from its content when it was filed.", Content: types}}
	register(h, a, get, h.getComplaintAttachment)
}

func (h *handlers) createComplaintWithFiles(ctx context.Context, ac policy.Actor, in *complaintFilesInput) (*complaintOutput, error) {
	b := in.RawBody.Data()
	received, err := receiveAttachments(b.Attachments)
	defer func() { files.CloseAll(received) }()
	if err != nil {
		return nil, err
	}
	return h.complaintDetail(h.Complaints.File(ctx, ac, complaint.NewComplaint{Kind: b.Kind, Category: b.Category, Channel: b.Channel, RequestID: b.RequestID,
		WorkOrderID: b.WorkOrderID, Description: b.Description, ContactName: b.ContactName, ContactPhone: b.ContactPhone, Attachments: received}))
}

// receiveAttachments reads the form's files, each closed once read: more
// than MaxAttachments, or one over the size, is refused naming its field
// (attachments[i]) before anything is kept.
func receiveAttachments(in []huma.FormFile) ([]*files.Incoming, error) {
	var fs problem.Fields
	if len(in) > complaint.MaxAttachments {
		for _, f := range in {
			f.Close()
		}
		fs.Add("attachments", "at most %d files (got %d)", complaint.MaxAttachments, len(in))
		return nil, fs.Err()
	}
	var received []*files.Incoming
	for i, f := range in {
		field := fmt.Sprintf("attachments[%d]", i)
		if f.Size > complaint.MaxAttachmentBytes {
			f.Close()
			fs.Add(field, "the file is %s; at most %s is accepted", files.HumanSize(f.Size), files.HumanSize(complaint.MaxAttachmentBytes))
			continue
		}
		got, err := files.Receive(f.Filename, f, complaint.MaxAttachmentBytes)
		f.Close()
		var tl *files.TooLargeError
		if errors.As(err, &tl) {
			fs.Add(field, "the file is larger than %s", files.HumanSize(tl.Limit))
			continue
		}
		if err != nil {
			return received, err
		}
		received = append(received, got)
	}
	return received, fs.Err()
}

// complaintAddFilesForm is files added to a complaint, as a multipart form.
type complaintAddFilesForm struct {
	Attachments []huma.FormFile `form:"attachments" contentType:"application/octet-stream" required:"true" doc:"Photos (JPEG, PNG, WebP, HEIC) or PDF files of at most 10 MB each; repeat the field. A complaint holds at most 6 files in all. Their type is read from their content."`
}

type complaintAddFilesInput struct {
	CreateUnder
	RawBody huma.MultipartFormFiles[complaintAddFilesForm]
}

func (h *handlers) addComplaintAttachments(ctx context.Context, ac policy.Actor, in *complaintAddFilesInput) (*complaintOutput, error) {
	received, err := receiveAttachments(in.RawBody.Data().Attachments)
	defer func() { files.CloseAll(received) }()
	if err != nil {
		return nil, err
	}
	return h.complaintDetail(h.Complaints.AddAttachments(ctx, ac, in.ID, received))
}

type complaintFilePath struct {
	ID   int64 `path:"id" minimum:"1"`
	File int64 `path:"file" minimum:"1"`
}

func (h *handlers) getComplaintAttachment(ctx context.Context, ac policy.Actor, in *complaintFilePath) (*fileOutput, error) {
	f, data, err := h.Complaints.Attachment(ctx, ac, in.ID, in.File)
	if err != nil {
		return nil, err
	}
	return &fileOutput{ContentType: f.ContentType, ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}), ETag: `"` + f.SHA256 + `"`, Body: data}, nil
}
