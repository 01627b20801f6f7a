// Package files keeps uploaded files (photos of faults and work, manuals and
// handbooks) in the database, next to the rows that refer to them. It checks
// what a file really is from its bytes, never from its name or the type the
// client claimed, and refuses what the caller does not accept.
//
// The package knows no access rule: the domain that owns a file (a service
// request, a document) decides who may store and read it.
package files

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// File is a stored file without its content.
type File struct {
	ID          int64     `db:"id" json:"id"`
	OrgID       int64     `db:"org_id" json:"-"`
	Name        string    `db:"name" json:"name"`
	ContentType string    `db:"content_type" json:"content_type"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	CreatedBy   *int64    `db:"created_by" json:"-"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

// Upload is a file to store: who stores it for which organization, and
// the file as received.
type Upload struct {
	OrgID  int64
	UserID int64 // 0 when filed anonymously (the public QR page)
	File   *Incoming
}

// MaxNameLength bounds a stored file name, in characters.
const MaxNameLength = 200

// Check tells what in is and refuses it, naming field, unless it is one of
// accept and at most maxBytes long. It returns the detected content type.
func Check(field string, in *Incoming, maxBytes int64, accept ...Type) (string, error) {
	if in == nil || in.Size() == 0 {
		return "", problem.Field(field, "the file is empty")
	}
	if in.Size() > maxBytes {
		return "", problem.Field(field, "the file is %s; at most %s is accepted", HumanSize(in.Size()), HumanSize(maxBytes))
	}
	t, err := DetectAt(in.Name, in, in.Size())
	if pe, ok := errors.AsType[*problem.Error](err); ok && len(pe.Fields) == 1 {
		// Detect's refusals name a generic "file"; name the form's field.
		pe.Fields[0].Field = field
		return "", pe
	}
	if err != nil {
		return "", err
	}
	for _, a := range accept {
		if t == a {
			return t.MIME, nil
		}
	}
	return "", problem.Field(field, "%s files are not accepted here; accepted: %s", t.Label, labels(accept))
}

// Put stores u, whose content the caller has checked with Check, and
// returns it. contentType is what Check returned. The content is read into
// memory once, for the driver, and released when the row is written.
func Put(ctx context.Context, q store.Queryer, u Upload, contentType string, now time.Time) (File, error) {
	f := File{
		OrgID:       u.OrgID,
		Name:        cleanName(u.File.Name),
		ContentType: contentType,
		Size:        u.File.Size(),
		SHA256:      u.File.SHA256(),
		CreatedAt:   now.UTC(),
	}
	data, err := u.File.Bytes()
	if err != nil {
		return File{}, err
	}
	if u.UserID != 0 {
		f.CreatedBy = &u.UserID
	}
	id, err := store.InsertID(ctx, q, `INSERT INTO files (org_id, name, content_type, size, sha256, data, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		f.OrgID, f.Name, f.ContentType, f.Size, f.SHA256, data, f.CreatedBy, f.CreatedAt)
	if err != nil {
		return File{}, err
	}
	f.ID = id
	return f, nil
}

const columns = `id, org_id, name, content_type, size, sha256, created_by, created_at`

// Get returns a file's description; an unknown id is store.ErrNotFound.
func Get(ctx context.Context, q store.Queryer, id int64) (File, error) {
	var f File
	err := store.Get(ctx, q, &f, `SELECT `+columns+` FROM files WHERE id = ?`, id)
	return f, err
}

// List returns the files with the given ids, in id order.
func List(ctx context.Context, q store.Queryer, ids []int64) ([]File, error) {
	out := []File{}
	if len(ids) == 0 {
		return out, nil
	}
	err := store.SelectIn(ctx, q, &out, `SELECT `+columns+` FROM files WHERE id IN (?) ORDER BY id`, ids)
	return out, err
}

// Content returns a file's bytes; an unknown id is store.ErrNotFound.
func Content(ctx context.Context, q store.Queryer, id int64) ([]byte, error) {
	var data []byte
	err := store.Get(ctx, q, &data, `SELECT data FROM files WHERE id = ?`, id)
	return data, err
}

// cleanName keeps the last path element of a client's file name, without
// control characters, cut to MaxNameLength characters.
func cleanName(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' || name[i] == '\\' {
			name = name[i+1:]
			break
		}
	}
	out := make([]rune, 0, len(name))
	for _, r := range name {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f {
			continue
		}
		if len(out) == MaxNameLength {
			break
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return "file"
	}
	return string(out)
}
