package api

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/document"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// The documentation library: manuals, handbooks and guides of the vendor,
// versioned, linked to product models and part numbers.

// documentDetail is a document with its versions (named apart from agreement.Detail in the spec).
type documentDetail struct {
	document.Detail
}

func toDocumentDetail(d document.Detail) documentDetail { return documentDetail{d} }

type documentListInput struct {
	Q          string `query:"q" maxLength:"200" doc:"Words or Chinese text to find in titles, descriptions, model codes, part numbers and the text of the current version."`
	Model      string `query:"model" maxLength:"40" doc:"Model code."`
	Category   string `query:"category" enum:"manual,technical_handbook,operation_guide,service_bulletin,other,"`
	Visibility string `query:"visibility" enum:"partners,public,"`
	PartNumber string `query:"part_number" maxLength:"64"`
	Archived   bool   `query:"archived" doc:"Include archived documents (the vendor's people only see them)."`
	Cursor     string `query:"cursor" maxLength:"10" doc:"The next value of the previous page."`
	Limit      int    `query:"limit" minimum:"0" maximum:"100"`
}

type documentListOutput cursorPage[document.Document, string]

// documentForm is the multipart form of a new document and its first version.
type documentForm struct {
	File        huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"PDF, Word, Excel, PowerPoint or an image; at most 50 MB. Its type is read from its content."`
	Title       string        `form:"title" required:"false" doc:"Title, e.g. HC-CNC-850 操作手册."`
	Description string        `form:"description" required:"false"`
	Category    string        `form:"category" required:"false" doc:"manual, technical_handbook, operation_guide, service_bulletin or other."`
	Language    string        `form:"language" required:"false" doc:"zh-CN (default), en, ..."`
	Visibility  string        `form:"visibility" required:"false" doc:"partners (the vendor's providers and their people) or public (also customers owning a unit of a linked model)."`
	Models      []string      `form:"models" required:"false" doc:"Model codes of the vendor; repeat the field or separate with commas."`
	PartNumbers []string      `form:"part_numbers" required:"false" doc:"Part numbers; repeat the field or separate with commas."`
	ChangeNote  string        `form:"change_note" required:"false" doc:"Note on the first version (optional)."`
}

type documentCreateInput struct {
	Create
	RawBody huma.MultipartFormFiles[documentForm]
}

type versionForm struct {
	File       huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"The new version's file; at most 50 MB."`
	ChangeNote string        `form:"change_note" required:"false" doc:"What changed since the previous version (required)."`
}

type documentVersionInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the document last read (optional): refused with 412 if someone changed it since."`
	RawBody huma.MultipartFormFiles[versionForm]
}

type documentPatchInput struct {
	ChangeAt
	Body struct {
		Title       *string   `json:"title,omitempty" minLength:"1" maxLength:"200"`
		Description *string   `json:"description,omitempty" maxLength:"4000"`
		Category    *string   `json:"category,omitempty" enum:"manual,technical_handbook,operation_guide,service_bulletin,other"`
		Language    *string   `json:"language,omitempty" maxLength:"10"`
		Visibility  *string   `json:"visibility,omitempty" enum:"partners,public"`
		Models      *[]string `json:"models,omitempty" maxItems:"100" doc:"Replaces the linked model codes."`
		PartNumbers *[]string `json:"part_numbers,omitempty" maxItems:"200" doc:"Replaces the part numbers."`
	}
}

type documentStateInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the document last read (optional)."`
}

type versionPath struct {
	ID     int64 `path:"id" minimum:"1"`
	Number int   `path:"number" minimum:"1"`
}

type fileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	ETag               string `header:"ETag"`
	Body               []byte
}

// readUpload receives a form file into a temporary file, hashed as it is
// copied, stopping at the limit. The caller closes it.
func readUpload(field string, f huma.FormFile) (*files.Incoming, error) {
	if !f.IsSet {
		return nil, problem.Field(field, "choose a file")
	}
	defer f.Close()
	if f.Size > document.MaxFileBytes {
		return nil, problem.Field(field, "the file is %s; at most %s is accepted", files.HumanSize(f.Size), files.HumanSize(document.MaxFileBytes))
	}
	in, err := files.Receive(f.Filename, f, document.MaxFileBytes)
	var tl *files.TooLargeError
	if errors.As(err, &tl) {
		return nil, problem.Field(field, "the file is larger than %s", files.HumanSize(tl.Limit))
	}
	return in, err
}

// optionalIfMatch is If-Match when sent, else 0.
func optionalIfMatch(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	return ifMatch(v)
}

func (h *handlers) registerDocuments(a huma.API) {
	const tag = "Documents"
	register(h, a, op("list-documents", http.MethodGet, "/documents", "List or search the documents you can read", tag), h.listDocuments)

	register(h, a, op("get-document", http.MethodGet, "/documents/{id}", "Get a document with its versions", tag), h.getDocument)

	// 503: uploads at once over the server's bound.
	register(h, a, withErrors(created(op("create-document", http.MethodPost, "/documents", "Upload a document with its first version (multipart form)", tag)), 503), h.createDocument)

	register(h, a, withErrors(created(op("create-document-version", http.MethodPost, "/documents/{id}/versions", "Upload a new version; it becomes the current one and the earlier ones stay", tag)), 409, 412, 503), h.createDocumentVersion)

	registerChange(h, a, op("update-document", http.MethodPatch, "/documents/{id}", "Change a document's title, description, category, language, visibility, models or part numbers", tag), h.updateDocument)

	for _, s := range []struct {
		id, path, summary string
		archived          bool
	}{
		{"archive-document", "/documents/{id}/archive", "Archive a document: its readers no longer see it; the vendor still does", true},
		{"restore-document", "/documents/{id}/restore", "Restore an archived document to its readers", false},
	} {
		register(h, a, withErrors(op(s.id, http.MethodPost, s.path, s.summary, tag), 412), h.setDocumentArchived(s.archived))
	}

	download := op("download-document-version", http.MethodGet, "/documents/{id}/versions/{number}/file", "Download the file of a version (recorded in the audit trail)", tag)
	fileTypes := map[string]*huma.MediaType{}
	for _, ft := range files.Documents {
		fileTypes[ft.MIME] = &huma.MediaType{Schema: &huma.Schema{Type: "string", Format: "binary"}}
	}
	download.Responses = map[string]*huma.Response{"200": {Description: "The file, as the type read from its content when it was uploaded.",
		Content: fileTypes}}
	register(h, a, download, h.downloadDocumentVersion)
}

// setDocumentArchived archives a document, or restores it when archived is false.
func (h *handlers) setDocumentArchived(archived bool) func(context.Context, policy.Actor, *documentStateInput) (*tagged[documentDetail], error) {
	return func(ctx context.Context, ac policy.Actor, in *documentStateInput) (*tagged[documentDetail], error) {
		v, err := optionalIfMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		return versionedAs(toDocumentDetail)(h.Documents.SetArchived(ctx, ac, in.ID, archived, v))
	}
}

func (h *handlers) listDocuments(ctx context.Context, ac policy.Actor, in *documentListInput) (*documentListOutput, error) {
	offset, err := pageCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	f := document.Filter{Query: in.Q, ModelCode: in.Model, Category: document.Category(in.Category), Visibility: document.Visibility(in.Visibility),
		PartNumber: in.PartNumber, Archived: in.Archived, Limit: in.Limit, Offset: int(offset)}
	items, more, err := h.Documents.List(ctx, ac, f)
	if err != nil {
		return nil, err
	}
	out := &documentListOutput{}
	out.Body.Items = items
	if more {
		out.Body.Next = strconv.Itoa(f.Offset + len(items))
	}
	return out, nil
}

func (h *handlers) getDocument(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[documentDetail], error) {
	return versionedAs(toDocumentDetail)(h.Documents.Get(ctx, ac, in.ID))
}

func (h *handlers) createDocument(ctx context.Context, ac policy.Actor, in *documentCreateInput) (*tagged[documentDetail], error) {
	b := in.RawBody.Data()
	file, err := readUpload("file", b.File)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return versionedAs(toDocumentDetail)(h.Documents.Create(ctx, ac, document.Meta{Title: b.Title, Description: b.Description, Category: document.Category(b.Category),
		Language: b.Language, Visibility: document.Visibility(b.Visibility), Models: b.Models, Parts: b.PartNumbers},
		document.Upload{File: file, ChangeNote: b.ChangeNote}))
}

func (h *handlers) createDocumentVersion(ctx context.Context, ac policy.Actor, in *documentVersionInput) (*tagged[documentDetail], error) {
	v, err := optionalIfMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	b := in.RawBody.Data()
	file, err := readUpload("file", b.File)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return versionedAs(toDocumentDetail)(h.Documents.AddVersion(ctx, ac, in.ID, document.Upload{File: file, ChangeNote: b.ChangeNote}, v))
}

func (h *handlers) updateDocument(ctx context.Context, ac policy.Actor, in *documentPatchInput, v int64) (*tagged[documentDetail], error) {
	b := in.Body
	p := document.Patch{Title: b.Title, Description: b.Description, Language: b.Language, Models: b.Models, Parts: b.PartNumbers}
	if b.Category != nil {
		c := document.Category(*b.Category)
		p.Category = &c
	}
	if b.Visibility != nil {
		vis := document.Visibility(*b.Visibility)
		p.Visibility = &vis
	}
	return versionedAs(toDocumentDetail)(h.Documents.Update(ctx, ac, in.ID, p, v))
}

func (h *handlers) downloadDocumentVersion(ctx context.Context, ac policy.Actor, in *versionPath) (*fileOutput, error) {
	f, data, err := h.Documents.Download(ctx, ac, in.ID, in.Number)
	if err != nil {
		return nil, err
	}
	return &fileOutput{ContentType: f.ContentType, ETag: fmt.Sprintf(`"%s"`, f.SHA256), Body: data,
		ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})}, nil
}
