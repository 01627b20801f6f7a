package document

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/problem"
	"aftersales/internal/store"
)

const docSelect = `SELECT d.id, d.vendor_id, o.name AS vendor_name, d.title, d.description, d.category, d.language, d.visibility,
	d.current_version, d.archived_at, d.version, d.created_at, d.updated_at,
	COALESCE(f.name, '') AS file_name, COALESCE(f.content_type, '') AS content_type, COALESCE(f.size, 0) AS size
	FROM documents d JOIN organizations o ON o.id = d.vendor_id
	LEFT JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
	LEFT JOIN files f ON f.id = v.file_id`

func getDocument(ctx context.Context, q store.Queryer, id int64) (Document, error) {
	var d Document
	err := store.Get(ctx, q, &d, docSelect+` WHERE d.id = ?`, id)
	if errors.Is(err, store.ErrNotFound) {
		return d, notFound(id)
	}
	if err != nil {
		return d, err
	}
	ds := []Document{d}
	if err := fillLinks(ctx, q, ds); err != nil {
		return d, err
	}
	return ds[0], nil
}

// fillLinks loads the model codes and part numbers of ds.
func fillLinks(ctx context.Context, q store.Queryer, ds []Document) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]int64, len(ds))
	at := map[int64]int{}
	for i, d := range ds {
		ids[i], at[d.ID] = d.ID, i
		ds[i].Models, ds[i].Parts = []string{}, []string{}
	}
	var links []struct {
		DocumentID int64  `db:"document_id"`
		Value      string `db:"value"`
	}
	query, args, err := sqlx.In(`SELECT dm.document_id, m.code AS value FROM document_models dm JOIN product_models m ON m.id = dm.model_id
		WHERE dm.document_id IN (?) ORDER BY m.code`, ids)
	if err != nil {
		return err
	}
	if err := store.Select(ctx, q, &links, query, args...); err != nil {
		return err
	}
	for _, l := range links {
		ds[at[l.DocumentID]].Models = append(ds[at[l.DocumentID]].Models, l.Value)
	}
	links = links[:0]
	query, args, err = sqlx.In(`SELECT document_id, part_number AS value FROM document_parts WHERE document_id IN (?) ORDER BY part_number`, ids)
	if err != nil {
		return err
	}
	if err := store.Select(ctx, q, &links, query, args...); err != nil {
		return err
	}
	for _, l := range links {
		ds[at[l.DocumentID]].Parts = append(ds[at[l.DocumentID]].Parts, l.Value)
	}
	return nil
}

const versionSelect = `SELECT v.id, v.document_id, v.number, v.file_id, f.name AS file_name, f.content_type, f.size, f.sha256,
	v.change_note, v.text_status, COALESCE(u.name, '') AS created_by_name, v.created_at
	FROM document_versions v JOIN files f ON f.id = v.file_id LEFT JOIN users u ON u.id = v.created_by`

func versions(ctx context.Context, q store.Queryer, d Document) ([]DocumentVersion, error) {
	out := []DocumentVersion{}
	if err := store.Select(ctx, q, &out, versionSelect+` WHERE v.document_id = ? ORDER BY v.number DESC`, d.ID); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Current = out[i].Number == d.CurrentVersion
	}
	return out, nil
}

func getVersion(ctx context.Context, q store.Queryer, d Document, number int) (DocumentVersion, error) {
	var v DocumentVersion
	err := store.Get(ctx, q, &v, versionSelect+` WHERE v.document_id = ? AND v.number = ?`, d.ID, number)
	if errors.Is(err, store.ErrNotFound) {
		return v, problem.New(problem.NotFound, "document %d has no version %d", d.ID, number)
	}
	v.Current = v.Number == d.CurrentVersion
	return v, err
}

// modelIDs resolves the vendor's model codes, naming the unknown ones.
func modelIDs(ctx context.Context, q store.Queryer, vendorID int64, codes []string, fs *problem.Fields) ([]int64, error) {
	ids := make([]int64, 0, len(codes))
	var unknown []string
	for _, c := range codes {
		var id int64
		err := store.Get(ctx, q, &id, `SELECT id FROM product_models WHERE vendor_id = ? AND code = ?`, vendorID, c)
		switch {
		case errors.Is(err, store.ErrNotFound):
			unknown = append(unknown, c)
		case err != nil:
			return nil, err
		default:
			ids = append(ids, id)
		}
	}
	if len(unknown) > 0 {
		fs.Add("models", "no model %s among your product models", strings.Join(unknown, ", "))
	}
	return ids, nil
}

func insertDocument(ctx context.Context, q store.Queryer, vendorID, userID int64, m Meta, now time.Time) (int64, error) {
	return store.InsertID(ctx, q, `INSERT INTO documents (vendor_id, title, description, category, language, visibility, current_version,
		version, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 1, ?, ?, ?) RETURNING id`,
		vendorID, m.Title, m.Description, m.Category, m.Language, m.Visibility, store.NullID(userID), now, now)
}

// setLinks replaces the models and part numbers of a document.
func setLinks(ctx context.Context, q store.Queryer, id, vendorID int64, modelIDs []int64, parts []string) error {
	if _, err := store.Exec(ctx, q, `DELETE FROM document_models WHERE document_id = ?`, id); err != nil {
		return err
	}
	if _, err := store.Exec(ctx, q, `DELETE FROM document_parts WHERE document_id = ?`, id); err != nil {
		return err
	}
	for _, m := range modelIDs {
		if _, err := store.Exec(ctx, q, `INSERT INTO document_models (document_id, model_id) VALUES (?, ?)`, id, m); err != nil {
			return err
		}
	}
	for _, p := range parts {
		if _, err := store.Exec(ctx, q, `INSERT INTO document_parts (document_id, vendor_id, part_number) VALUES (?, ?, ?)`, id, vendorID, p); err != nil {
			return err
		}
	}
	return nil
}

func insertVersion(ctx context.Context, q store.Queryer, docID int64, number int, fileID int64, note string, st TextStatus, text string,
	userID int64, now time.Time) error {
	_, err := store.Exec(ctx, q, `INSERT INTO document_versions (document_id, number, file_id, change_note, text_status, text, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, docID, number, fileID, note, st, text, store.NullID(userID), now)
	if store.IsUniqueViolation(err) {
		return problem.New(problem.Conflict, "someone else added version %d at the same time; reload the document", number)
	}
	return err
}

// bump sets fields of a document and its version, if the version still is expected.
func bump(ctx context.Context, q store.Queryer, id, expected int64, now time.Time, set string, args ...any) error {
	args = append(args, now, id, expected)
	res, err := store.Exec(ctx, q, `UPDATE documents SET `+set+`, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.PreconditionFailed, "document %d was changed by someone else; reload it", id)
	}
	return nil
}

// reindex writes the search row of a document from its stored fields and
// the text of its current version.
func reindex(ctx context.Context, q store.Queryer, id int64) error {
	d, err := getDocument(ctx, q, id)
	if err != nil {
		return err
	}
	var text string
	if err := store.Get(ctx, q, &text, `SELECT text FROM document_versions WHERE document_id = ? AND number = ?`, id, d.CurrentVersion); err != nil &&
		!errors.Is(err, store.ErrNotFound) {
		return err
	}
	body := strings.Join([]string{d.Description, strings.Join(d.Models, " "), strings.Join(d.Parts, " "), d.FileName, text}, "\n")
	return putIndex(ctx, q, id, d.Title, body)
}
