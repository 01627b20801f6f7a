// Package document owns the vendor's documentation library (DOMAIN 2.1.2:
// the vendor provides manuals, technical handbooks and operation guides):
// documents with their versions, each version a stored file (package
// files), linked to product models and to part numbers, searchable by
// title, description and the text extracted from the files.
//
// Who reads what: the vendor's own people read all of its documents; the
// providers that have an agreement with the vendor (their admins,
// dispatchers and technicians) read the documents of visibility
// "partners" and "public"; a customer reads the "public" documents linked
// to a model it owns a unit of. Anyone else is told "not found". Every
// download is audited (document.download).
//
// Search prepares the text in Go (see search.go), so that Chinese, which
// has no spaces, is found by any substring on both engines: SQLite FTS5
// and PostgreSQL tsvector index the same character bigrams.
//
// The package knows nothing of HTTP; it does not read the parts catalog:
// part numbers are kept as text per document and vendor, to be joined to
// the catalog by (vendor_id, part_number).
package document

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"aftersales/internal/files"
	"aftersales/internal/problem"
)

// Category is the kind of document.
type Category string

const (
	Manual            Category = "manual"
	TechnicalHandbook Category = "technical_handbook"
	OperationGuide    Category = "operation_guide"
	ServiceBulletin   Category = "service_bulletin"
	Other             Category = "other"
)

// Categories lists the categories in display order.
var Categories = []Category{Manual, TechnicalHandbook, OperationGuide, ServiceBulletin, Other}

// Visibility is who besides the vendor reads a document.
type Visibility string

const (
	// Partners: the providers under an agreement with the vendor, and their people.
	Partners Visibility = "partners"
	// Public: also the customers who own a unit of a linked model, and the
	// public QR page of such a unit.
	Public Visibility = "public"
)

// Visibilities lists the visibilities in display order.
var Visibilities = []Visibility{Partners, Public}

// Languages are the languages offered on the upload form; any code of the
// form "xx" or "xx-YY" is accepted.
var Languages = []string{"zh-CN", "en", "de", "ja", "ko", "fr"}

// MaxFileBytes bounds one uploaded version.
const MaxFileBytes = 50 << 20

// Limits of the links of one document.
const (
	MaxModels = 100
	MaxParts  = 200
)

// Document is a document of the library with its current version.
type Document struct {
	ID             int64      `db:"id" json:"id"`
	VendorID       int64      `db:"vendor_id" json:"vendor_id"`
	VendorName     string     `db:"vendor_name" json:"vendor_name"`
	Title          string     `db:"title" json:"title"`
	Description    string     `db:"description" json:"description"`
	Category       Category   `db:"category" json:"category"`
	Language       string     `db:"language" json:"language"`
	Visibility     Visibility `db:"visibility" json:"visibility"`
	CurrentVersion int        `db:"current_version" json:"current_version"`
	ArchivedAt     *time.Time `db:"archived_at" json:"archived_at,omitempty"`
	Version        int64      `db:"version" json:"version"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
	// Of the current version.
	FileName    string `db:"file_name" json:"file_name"`
	ContentType string `db:"content_type" json:"content_type"`
	Size        int64  `db:"size" json:"size"`
	// Models are the codes of the linked product models; Parts the part numbers.
	Models []string `db:"-" json:"models"`
	Parts  []string `db:"-" json:"part_numbers"`
}

// Archived reports whether the document is withdrawn from its readers.
func (d Document) Archived() bool { return d.ArchivedAt != nil }

// DocumentVersion is one uploaded file of a document.
type DocumentVersion struct {
	ID          int64      `db:"id" json:"-"`
	DocumentID  int64      `db:"document_id" json:"-"`
	Number      int        `db:"number" json:"number"`
	FileID      int64      `db:"file_id" json:"-"`
	FileName    string     `db:"file_name" json:"file_name"`
	ContentType string     `db:"content_type" json:"content_type"`
	Size        int64      `db:"size" json:"size"`
	SHA256      string     `db:"sha256" json:"sha256"`
	ChangeNote  string     `db:"change_note" json:"change_note"`
	TextStatus  TextStatus `db:"text_status" json:"text_status"`
	CreatedBy   string     `db:"created_by_name" json:"created_by"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	Current     bool       `db:"-" json:"current"`
}

// Detail is a document with all its versions, newest first.
type Detail struct {
	Document
	Versions []DocumentVersion `json:"versions"`
}

// Meta is what describes a document; the same for a new document and a change.
type Meta struct {
	Title       string
	Description string
	Category    Category
	Language    string
	Visibility  Visibility
	// Models are product model codes of the vendor.
	Models []string
	// Parts are part numbers, as the vendor writes them.
	Parts []string
}

var (
	languagePattern   = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)
	partNumberPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._/\-]{0,63}$`)
)

// validate normalizes m and names every bad field.
func (m *Meta) validate(fs *problem.Fields) {
	m.Title, m.Description = strings.TrimSpace(m.Title), strings.TrimSpace(m.Description)
	problem.CheckText(fs, "title", m.Title, true, 200)
	problem.CheckText(fs, "description", m.Description, false, 4000)
	if !slices.Contains(Categories, m.Category) {
		fs.Add("category", "must be one of manual, technical_handbook, operation_guide, service_bulletin, other")
	}
	m.Language = strings.TrimSpace(m.Language)
	if m.Language == "" {
		m.Language = "zh-CN"
	}
	if !languagePattern.MatchString(m.Language) {
		fs.Add("language", "must be a language code such as zh-CN or en")
	}
	if !slices.Contains(Visibilities, m.Visibility) {
		fs.Add("visibility", "must be partners or public")
	}
	m.Models = normalizeList(m.Models, strings.ToUpper)
	if len(m.Models) > MaxModels {
		fs.Add("models", "at most %d models", MaxModels)
	}
	m.Parts = normalizeList(m.Parts, strings.ToUpper)
	switch {
	case len(m.Parts) > MaxParts:
		fs.Add("part_numbers", "at most %d part numbers", MaxParts)
	default:
		for _, p := range m.Parts {
			if !partNumberPattern.MatchString(p) {
				fs.Add("part_numbers", "%q is not a part number: use letters, digits and . _ / - (at most 64)", p)
				break
			}
		}
	}
}

// SplitList reads a list typed into one field: separated by commas,
// semicolons, spaces or new lines (full-width commas too).
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == '，' || r == '；' || r == '、' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
}

// normalizeList trims, normalizes, drops empties and duplicates, keeping order.
func normalizeList(xs []string, norm func(string) string) []string {
	out := []string{}
	for _, x := range xs {
		for _, y := range SplitList(x) {
			y = norm(strings.TrimSpace(y))
			if y != "" && !slices.Contains(out, y) {
				out = append(out, y)
			}
		}
	}
	return out
}

// Upload is one file for a version.
type Upload struct {
	// File is the version's file as received; the caller closes it.
	File *files.Incoming
	// ChangeNote says what changed since the previous version.
	ChangeNote string
}

// Filter narrows a listing of documents. Pages go by offset of the ranked
// result: After is how many were shown before.
type Filter struct {
	Query      string
	ModelCode  string
	ModelID    int64
	Category   Category
	Visibility Visibility
	PartNumber string
	// Archived: include archived documents (the vendor's people only).
	Archived bool
	Offset   int
	Limit    int
}

// MaxPage is the largest page of a listing.
const MaxPage = 100
