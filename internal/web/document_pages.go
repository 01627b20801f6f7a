package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"aftersales/internal/account"
	"aftersales/internal/document"
	"aftersales/internal/files"
	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/web/form"
)

// The documentation library pages: the list with search and filters, a
// document with its versions, the upload, edit and new-version forms, and
// the audited download.

type documentsPageData struct {
	Documents  []document.Document
	Models     []installedbase.ProductModel
	Categories []document.Category
	Next       string
	CanCreate  bool
	IsVendor   bool
	Searched   bool
}

func (s *Server) documentsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	ctx, a, q := r.Context(), u.Actor(), readQuery(r)
	f := document.Filter{Query: strings.TrimSpace(q.Get("q")), ModelCode: q.Get("model"), Category: oneOf(q, "category", document.Categories...),
		Archived: q.Get("archived") == "1" && u.OrgKind == "vendor", Limit: 30, Offset: int(q.AtLeast("offset", 0))}
	var more bool
	docs, ok := whenRead(s, w, r, q, func() (docs []document.Document, err error) {
		docs, more, err = s.Documents.List(ctx, a, f)
		return docs, err
	})
	if !ok {
		return
	}
	d := documentsPageData{Documents: docs, Categories: document.Categories, CanCreate: policy.Allowed(a, policy.DocumentManage, policy.Own) && u.OrgKind == "vendor",
		IsVendor: u.OrgKind == "vendor", Searched: f.Query != "" || f.ModelCode != "" || f.Category != ""}
	var err error
	if d.Models, err = s.InstalledBase.ListModels(ctx, a); err != nil && !problem.Is(err, problem.Forbidden) {
		s.fail(w, r, err)
		return
	}
	if more {
		nq := url.Values{"q": {f.Query}, "model": {f.ModelCode}, "category": {string(f.Category)}, "archived": {q.Get("archived")},
			"offset": {strconv.Itoa(max(f.Offset, 0) + len(docs))}}
		d.Next = nq.Encode()
	}
	v := s.newView(r, "docs.title", "documents")
	v.Form, v.Data = q.Values, d
	s.renderFiltered(w, r, "documents", v, q)
}

func (s *Server) documentPage(w http.ResponseWriter, r *http.Request, u account.User) {
	d, ok := byPathID(s, w, r, u.Actor(), s.Documents.Get)
	if !ok {
		return
	}
	v := s.newView(r, "docs.document", "documents")
	v.Title = d.Title
	v.Data = documentData{Doc: d, CanManage: policy.Allowed(u.Actor(), policy.DocumentManage, policy.Own) && u.OrgID == d.VendorID}
	s.render(w, r, http.StatusOK, "document", v)
}

// documentFormData is what the upload and edit forms show.
type documentFormData struct {
	Doc          *document.Detail // nil for a new document
	Models       []installedbase.ProductModel
	Categories   []document.Category
	Languages    []string
	Visibilities []document.Visibility
	Checked      map[string]bool // model codes ticked
	Accept       string
}

func (s *Server) renderDocumentForm(w http.ResponseWriter, r *http.Request, u account.User, status int, doc *document.Detail, form url.Values, formErr error) {
	if err := policy.Allow(u.Actor(), policy.DocumentManage, policy.Own); err != nil || u.OrgKind != "vendor" {
		s.fail(w, r, policy.Allow(u.Actor(), policy.DocumentManage, policy.Unrelated))
		return
	}
	models, ok := forUser(s, w, r, u, s.InstalledBase.ListModels)
	if !ok {
		return
	}
	d := documentFormData{Doc: doc, Models: models, Categories: document.Categories, Languages: document.Languages,
		Visibilities: document.Visibilities, Checked: map[string]bool{}, Accept: acceptDocuments}
	switch {
	case form != nil:
		for _, m := range form["models"] {
			d.Checked[m] = true
		}
	case doc != nil:
		for _, m := range doc.Models {
			d.Checked[m] = true
		}
		form = url.Values{"title": {doc.Title}, "description": {doc.Description}, "category": {string(doc.Category)}, "language": {doc.Language},
			"visibility": {string(doc.Visibility)}, "part_numbers": {strings.Join(doc.Parts, ", ")}}
	}
	title := "docs.new"
	if doc != nil {
		title = "docs.edit"
	}
	v := s.newView(r, title, "documents")
	v.Form, v.Data = form, d
	if err := formErrors(v, formErr); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "document_form", v)
}

// acceptDocuments is the file picker's hint of the accepted types.
const acceptDocuments = ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.jpg,.jpeg,.png,.webp,.gif,application/pdf,image/*"

func (s *Server) documentNewPage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.renderDocumentForm(w, r, u, http.StatusOK, nil, url.Values{"language": {"zh-CN"}, "visibility": {"partners"}, "category": {"manual"}}, nil)
}

// formUpload reads an upload form as a stream, its file received into a
// temporary file that the caller closes (up.File.Close); a missing or
// oversized file is an error naming the field "file".
func (s *Server) formUpload(r *http.Request) (document.Upload, error) {
	received, err := readUploadForm(r, "file", 1, document.MaxFileBytes)
	up := document.Upload{ChangeNote: form.Of(r).String("change_note")}
	if len(received) > 0 {
		up.File = received[0]
	}
	if p, ok := problem.As(err); ok && p.Kind == problem.Invalid {
		return up, problem.Field("file", "%s", p.Fields[0].Message)
	}
	if err != nil {
		return up, err
	}
	if up.File == nil {
		return up, problem.Field("file", "%s", s.msg(r, "docs.choose_file"))
	}
	return up, nil
}

// documentData is what a document's page and its new version's form show.
type documentData struct {
	Doc       document.Detail
	CanManage bool
	Accept    string // the file input's accept list
}

func metaFromForm(f *form.Form) document.Meta {
	return document.Meta{Title: f.String("title"), Description: f.String("description"), Category: document.Category(f.String("category")),
		Language: f.String("language"), Visibility: document.Visibility(f.String("visibility")), Models: f.Strings("models"),
		Parts: document.SplitList(f.String("part_numbers"))}
}

func (s *Server) documentCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	up, upErr := s.formUpload(r)
	defer up.File.Close()
	if upErr != nil && !problem.Is(upErr, problem.Invalid) {
		s.fail(w, r, upErr)
		return
	}
	if upErr != nil {
		up.File = nil // checked as an empty file, so that every other mistake shows too
	}
	d, err := s.Documents.Create(r.Context(), u.Actor(), metaFromForm(form.Of(r)), up)
	if p, ok := problem.As(err); ok && p.Kind == problem.Invalid && upErr != nil {
		fp, _ := problem.As(upErr)
		for i := range p.Fields {
			if p.Fields[i].Field == "file" {
				p.Fields[i] = fp.Fields[0]
			}
		}
	}
	if s.refused(w, r, err, func(err error) { s.renderDocumentForm(w, r, u, http.StatusUnprocessableEntity, nil, r.PostForm, err) }) {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "docs.created", "Title", d.Title), fmt.Sprintf("/documents/%d", d.ID))
}

func (s *Server) documentEditPage(w http.ResponseWriter, r *http.Request, u account.User) {
	d, ok := s.loadDocument(w, r, u)
	if ok {
		s.renderDocumentForm(w, r, u, http.StatusOK, &d, nil, nil)
	}
}

func (s *Server) loadDocument(w http.ResponseWriter, r *http.Request, u account.User) (document.Detail, bool) {
	id, err := pathID(r)
	if err == nil {
		var d document.Detail
		if d, err = s.Documents.Get(r.Context(), u.Actor(), id); err == nil {
			return d, true
		}
	}
	s.fail(w, r, err)
	return document.Detail{}, false
}

func (s *Server) documentUpdate(w http.ResponseWriter, r *http.Request, u account.User) {
	d, ok := s.loadDocument(w, r, u)
	if !ok {
		return
	}
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	m := metaFromForm(f)
	models := f.Strings("models")
	version := f.Int64("version")
	err := f.Err()
	if err == nil {
		_, err = s.Documents.Update(r.Context(), u.Actor(), d.ID, document.Patch{Title: &m.Title, Description: &m.Description, Category: &m.Category,
			Language: &m.Language, Visibility: &m.Visibility, Models: &models, Parts: &m.Parts}, version)
	}
	s.afterPost(w, r, err, "docs.saved", fmt.Sprintf("/documents/%d", d.ID), func(e error) {
		s.renderDocumentForm(w, r, u, http.StatusUnprocessableEntity, &d, r.PostForm, e)
	})
}

func (s *Server) renderVersionForm(w http.ResponseWriter, r *http.Request, u account.User, status int, d document.Detail, form url.Values, formErr error) {
	if !policy.Allowed(u.Actor(), policy.DocumentManage, policy.Own) || u.OrgID != d.VendorID {
		s.fail(w, r, policy.Allow(u.Actor(), policy.DocumentManage, policy.Partner))
		return
	}
	v := s.newView(r, "docs.new_version", "documents")
	v.Form, v.Data = form, documentData{Doc: d, Accept: acceptDocuments}
	if err := formErrors(v, formErr); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "document_version", v)
}

func (s *Server) documentVersionPage(w http.ResponseWriter, r *http.Request, u account.User) {
	if d, ok := s.loadDocument(w, r, u); ok {
		s.renderVersionForm(w, r, u, http.StatusOK, d, nil, nil)
	}
}

func (s *Server) documentVersionCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	d, ok := s.loadDocument(w, r, u)
	if !ok {
		return
	}
	up, err := s.formUpload(r)
	defer up.File.Close()
	if err == nil {
		f := form.Of(r)
		version := f.Int64("version")
		if err = f.Err(); err == nil {
			_, err = s.Documents.AddVersion(r.Context(), u.Actor(), d.ID, up, version)
		}
	}
	s.afterPost(w, r, err, "docs.version_added", fmt.Sprintf("/documents/%d", d.ID), func(e error) {
		s.renderVersionForm(w, r, u, http.StatusUnprocessableEntity, d, r.PostForm, e)
	})
}

func (s *Server) documentArchive(archived bool) func(http.ResponseWriter, *http.Request, account.User) {
	return func(w http.ResponseWriter, r *http.Request, u account.User) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := readForm(r); err != nil {
			s.fail(w, r, err)
			return
		}
		f := form.Of(r)
		version := f.Int64("version")
		if err = f.Err(); err == nil {
			_, err = s.Documents.SetArchived(r.Context(), u.Actor(), id, archived, version)
		}
		msg := "docs.restored"
		if archived {
			msg = "docs.archived_done"
		}
		s.afterPost(w, r, err, msg, fmt.Sprintf("/documents/%d", id), func(e error) { s.fail(w, r, e) })
	}
}

// documentDownload serves a version's file to a reader, audited.
func (s *Server) documentDownload(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	var number int64
	if err == nil {
		number, err = pathIDNamed(r, "number")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, data, err := s.Documents.Download(r.Context(), u.Actor(), id, int(number))
	s.serveFile(w, r, f, data, err)
}

// qrDocument serves the current version of a public document of the
// product's model to whoever holds its QR label, audited.
func (s *Server) qrDocument(w http.ResponseWriter, r *http.Request) {
	unit, ok := s.qrUnit(w, r)
	if !ok {
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, data, err := s.Documents.PublicDownload(r.Context(), unit.ModelID, unit.SerialNumber, id)
	s.serveFile(w, r, f, data, err)
}

// Size is a byte count as people read it, for the templates.
func humanSize(n int64) string { return files.HumanSize(n) }

// fileKind is a short label of a content type: PDF, Word, Excel, image.
func fileKind(contentType string) string {
	for _, t := range files.Documents {
		if t.MIME == contentType {
			l := t.Label
			if i := strings.Index(l, " ("); i > 0 {
				l = l[:i]
			}
			return l
		}
	}
	return contentType
}
