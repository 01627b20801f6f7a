package document

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Service holds the use cases of the library: authorize, validate, store
// and audit in one transaction.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Extract reads the text of uploads for the search; nil reads none.
	Extract *Extractor
}

// vendorOf is the vendor whose library the actor manages.
func vendorOf(a policy.Actor) (int64, error) {
	if err := policy.Allow(a, policy.DocumentManage, policy.Own); err != nil {
		return 0, err
	}
	if a.OrgKind != "vendor" {
		return 0, problem.New(problem.Forbidden, "only a vendor keeps a documentation library")
	}
	return a.OrgID, nil
}

// checkUpload checks the file of a version and its change note.
func checkUpload(fs *problem.Fields, up *Upload, first bool) string {
	problem.CheckText(fs, "change_note", up.ChangeNote, !first, 1000)
	ct, err := files.Check("file", up.File, MaxFileBytes, files.Documents...)
	if p, ok := problem.As(err); ok {
		*fs = append(*fs, p.Fields...)
	}
	return ct
}

// Create adds a document to the actor's vendor with its first version.
func (s *Service) Create(ctx context.Context, a policy.Actor, m Meta, up Upload) (Detail, error) {
	vendorID, err := vendorOf(a)
	if err != nil {
		return Detail{}, err
	}
	var fs problem.Fields
	m.validate(&fs)
	ct := checkUpload(&fs, &up, true)
	models, err := modelIDs(ctx, s.DB, vendorID, m.Models, &fs)
	if err != nil {
		return Detail{}, err
	}
	if err := fs.Err(); err != nil {
		return Detail{}, err
	}
	text, status := s.Extract.Text(ctx, ct, up.File)
	now := s.Now().UTC()
	var id int64
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		f, err := files.Put(ctx, tx, files.Upload{OrgID: vendorID, UserID: a.UserID, File: up.File}, ct, now)
		if err != nil {
			return err
		}
		if id, err = insertDocument(ctx, tx, vendorID, a.UserID, m, now); err != nil {
			return err
		}
		if err := insertVersion(ctx, tx, id, 1, f.ID, up.ChangeNote, status, text, a.UserID, now); err != nil {
			return err
		}
		if err := makeFirstCurrent(ctx, tx, id); err != nil {
			return err
		}
		if err := setLinks(ctx, tx, id, vendorID, models, m.Parts); err != nil {
			return err
		}
		if err := reindex(ctx, tx, id); err != nil {
			return err
		}
		d, err := getDocument(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, vendorID, "document.create", "document", id, nil,
			map[string]any{"document": d, "file": f, "text_status": status})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.detail(ctx, s.DB, id)
}

// AddVersion uploads a new version, which becomes the current one; the
// earlier versions stay. expected is the document's version the actor last
// read, 0 to take whatever is current.
func (s *Service) AddVersion(ctx context.Context, a policy.Actor, id int64, up Upload, expected int64) (Detail, error) {
	d, err := s.manage(ctx, s.DB, a, id)
	if err != nil {
		return Detail{}, err
	}
	var fs problem.Fields
	ct := checkUpload(&fs, &up, false)
	if err := fs.Err(); err != nil {
		return Detail{}, err
	}
	if d.Archived() {
		return Detail{}, problem.New(problem.Conflict, "document %d is archived; restore it before adding a version", id)
	}
	text, status := s.Extract.Text(ctx, ct, up.File)
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.manage(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if expected == 0 {
			expected = before.Version
		}
		number := before.CurrentVersion + 1
		if err := setCurrent(ctx, tx, id, expected, now, number); err != nil {
			return err
		}
		f, err := files.Put(ctx, tx, files.Upload{OrgID: before.VendorID, UserID: a.UserID, File: up.File}, ct, now)
		if err != nil {
			return err
		}
		if err := insertVersion(ctx, tx, id, number, f.ID, up.ChangeNote, status, text, a.UserID, now); err != nil {
			return err
		}
		if err := reindex(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.VendorID, "document.add_version", "document", id,
			map[string]any{"current_version": before.CurrentVersion},
			map[string]any{"current_version": number, "file": f, "change_note": up.ChangeNote, "text_status": status})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.detail(ctx, s.DB, id)
}

// Patch changes a document's description; nil fields stay. Models and
// Parts, when given, replace the lists.
type Patch struct {
	Title, Description *string
	Category           *Category
	Language           *string
	Visibility         *Visibility
	Models, Parts      *[]string
}

// Update changes a document's description if expected still matches.
func (s *Service) Update(ctx context.Context, a policy.Actor, id int64, p Patch, expected int64) (Detail, error) {
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.manage(ctx, tx, a, id)
		if err != nil {
			return err
		}
		m := Meta{Title: before.Title, Description: before.Description, Category: before.Category, Language: before.Language,
			Visibility: before.Visibility, Models: before.Models, Parts: before.Parts}
		set(&m.Title, p.Title)
		set(&m.Description, p.Description)
		set(&m.Category, p.Category)
		set(&m.Language, p.Language)
		set(&m.Visibility, p.Visibility)
		set(&m.Models, p.Models)
		set(&m.Parts, p.Parts)
		var fs problem.Fields
		m.validate(&fs)
		models, err := modelIDs(ctx, tx, before.VendorID, m.Models, &fs)
		if err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if err := saveMeta(ctx, tx, id, expected, now, m); err != nil {
			return err
		}
		if err := setLinks(ctx, tx, id, before.VendorID, models, m.Parts); err != nil {
			return err
		}
		if err := reindex(ctx, tx, id); err != nil {
			return err
		}
		after, err := getDocument(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.VendorID, "document.update", "document", id, before, after)
	})
	if err != nil {
		return Detail{}, err
	}
	return s.detail(ctx, s.DB, id)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// SetArchived withdraws a document from its readers, or restores it. The
// vendor still sees an archived document and its versions. expected 0
// takes whatever is current.
func (s *Service) SetArchived(ctx context.Context, a policy.Actor, id int64, archived bool, expected int64) (Detail, error) {
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.manage(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if before.Archived() == archived {
			return nil
		}
		if expected == 0 {
			expected = before.Version
		}
		var at *time.Time
		action := "document.restore"
		if archived {
			at, action = &now, "document.archive"
		}
		if err := setArchived(ctx, tx, id, expected, now, at); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.VendorID, action, "document", id,
			map[string]any{"archived_at": before.ArchivedAt}, map[string]any{"archived_at": at})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.detail(ctx, s.DB, id)
}

// manage loads a document the actor may change.
func (s *Service) manage(ctx context.Context, q store.Queryer, a policy.Actor, id int64) (Document, error) {
	d, err := s.read(ctx, q, a, id)
	if err != nil {
		return d, err
	}
	sc, err := scope(ctx, q, a, d)
	if err != nil {
		return d, err
	}
	return d, policy.Allow(a, policy.DocumentManage, sc)
}

// read loads a document the actor may read; any other is not found.
func (s *Service) read(ctx context.Context, q store.Queryer, a policy.Actor, id int64) (Document, error) {
	d, err := getDocument(ctx, q, id)
	if err != nil {
		return d, err
	}
	sc, err := scope(ctx, q, a, d)
	if err != nil {
		return d, err
	}
	if !mayRead(a, d, sc) {
		return Document{}, notFound(id)
	}
	return d, nil
}

func (s *Service) detail(ctx context.Context, q store.Queryer, id int64) (Detail, error) {
	d, err := getDocument(ctx, q, id)
	if err != nil {
		return Detail{}, err
	}
	vs, err := versions(ctx, q, d)
	return Detail{Document: d, Versions: vs}, err
}

// Get returns a document the actor may read, with its versions.
func (s *Service) Get(ctx context.Context, a policy.Actor, id int64) (Detail, error) {
	d, err := s.read(ctx, s.DB, a, id)
	if err != nil {
		return Detail{}, err
	}
	vs, err := versions(ctx, s.DB, d)
	return Detail{Document: d, Versions: vs}, err
}

// Download returns a version's file and content for a reader, and records
// the download in the audit trail of the document's vendor.
func (s *Service) Download(ctx context.Context, a policy.Actor, id int64, number int) (files.File, []byte, error) {
	d, err := s.read(ctx, s.DB, a, id)
	if err != nil {
		return files.File{}, nil, err
	}
	return s.download(ctx, a, d, number)
}

func (s *Service) download(ctx context.Context, a policy.Actor, d Document, number int) (files.File, []byte, error) {
	v, err := getVersion(ctx, s.DB, d, number)
	if err != nil {
		return files.File{}, nil, err
	}
	f, err := files.Get(ctx, s.DB, v.FileID)
	if err != nil {
		return f, nil, err
	}
	data, err := files.Content(ctx, s.DB, v.FileID)
	if err != nil {
		return f, nil, err
	}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		return audit.Record(ctx, tx, now, a, d.VendorID, "document.download", "document", d.ID, nil,
			map[string]any{"version": number, "file": f.Name, "by_org": a.OrgID})
	})
	return f, data, err
}

// List returns a page of the documents the actor may read, best match
// first when searching, else the latest changed first; more tells whether
// another page follows.
func (s *Service) List(ctx context.Context, a policy.Actor, f Filter) (out []Document, more bool, err error) {
	r, err := visible(a)
	if err != nil {
		return nil, false, err
	}
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = 50
	}
	f.ModelCode, f.PartNumber = firstUpper(f.ModelCode), firstUpper(f.PartNumber)
	if out, err = listDocuments(ctx, s.DB, r, f); err != nil {
		return nil, false, err
	}
	if len(out) > f.Limit {
		out, more = out[:f.Limit], true
	}
	return out, more, fillLinks(ctx, s.DB, out)
}

// firstUpper is the first item of a list typed into a filter, in capitals;
// "" when it holds none.
func firstUpper(s string) string {
	if items := normalizeList([]string{s}, upper); len(items) > 0 {
		return items[0]
	}
	return ""
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// ForModel lists the current documents linked to a product model that the
// actor may read: what a technician needs on the job.
func (s *Service) ForModel(ctx context.Context, a policy.Actor, modelID int64) ([]Document, error) {
	out, _, err := s.List(ctx, a, Filter{ModelID: modelID, Limit: MaxPage})
	if problem.Is(err, problem.Forbidden) {
		return []Document{}, nil
	}
	return out, err
}

// PublicForModel lists the public documents of a model for the public QR
// page of one of its units, which anyone holding the product may open.
func (s *Service) PublicForModel(ctx context.Context, modelID int64) ([]Document, error) {
	return publicOfModel(ctx, s.DB, modelID)
}

// PublicDownload is the current version of a public document linked to the
// model, for the QR page; the download is audited as by the QR label.
func (s *Service) PublicDownload(ctx context.Context, modelID int64, serial string, id int64) (files.File, []byte, error) {
	d, err := getDocument(ctx, s.DB, id)
	if err != nil {
		return files.File{}, nil, err
	}
	linked, err := linkedToModel(ctx, s.DB, id, modelID)
	if err != nil {
		return files.File{}, nil, err
	}
	if !linked || d.Visibility != Public || d.Archived() {
		return files.File{}, nil, notFound(id)
	}
	return s.download(ctx, policy.Actor{Email: "QR label " + serial}, d, d.CurrentVersion)
}

// ForUnit lists the current documents for the model of an installed unit
// that the actor may read: the documents on a technician's work order.
func (s *Service) ForUnit(ctx context.Context, a policy.Actor, unitID int64) ([]Document, error) {
	modelID, err := modelOfUnit(ctx, s.DB, unitID)
	if err != nil {
		return nil, err
	}
	return s.ForModel(ctx, a, modelID)
}
