package document

import (
	"context"
	"errors"
	"strings"
	"time"

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
	d, err := store.ByID[Document](ctx, q, docSelect+` WHERE d.id = ?`, id, notFound)
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
	if err := store.SelectIn(ctx, q, &links, `SELECT dm.document_id, m.code AS value FROM document_models dm JOIN product_models m ON m.id = dm.model_id
		WHERE dm.document_id IN (?) ORDER BY m.code`, ids); err != nil {
		return err
	}
	for _, l := range links {
		ds[at[l.DocumentID]].Models = append(ds[at[l.DocumentID]].Models, l.Value)
	}
	links = links[:0]
	if err := store.SelectIn(ctx, q, &links, `SELECT document_id, part_number AS value FROM document_parts WHERE document_id IN (?) ORDER BY part_number`, ids); err != nil {
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

// makeFirstCurrent makes a new document's first version its current one.
func makeFirstCurrent(ctx context.Context, q store.Queryer, id int64) error {
	_, err := store.Exec(ctx, q, `UPDATE documents SET current_version = 1 WHERE id = ?`, id)
	return err
}

// setCurrent makes version number the document's current one.
func setCurrent(ctx context.Context, q store.Queryer, id, expected int64, now time.Time, number int) error {
	return bump(ctx, q, id, expected, now, `current_version = ?`, number)
}

// saveMeta stores a document's title, description, category, language and visibility.
func saveMeta(ctx context.Context, q store.Queryer, id, expected int64, now time.Time, m Meta) error {
	return bump(ctx, q, id, expected, now, `title = ?, description = ?, category = ?, language = ?, visibility = ?`,
		m.Title, m.Description, m.Category, m.Language, m.Visibility)
}

// setArchived archives a document at the time at, or restores it (nil).
func setArchived(ctx context.Context, q store.Queryer, id, expected int64, now time.Time, at *time.Time) error {
	return bump(ctx, q, id, expected, now, `archived_at = ?`, at)
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

// providerVendors: the vendors the provider has an agreement with that is
// not terminated.
const providerVendors = `SELECT vendor_id FROM agreements WHERE provider_id = ? AND status <> 'terminated'`

// ownedModels: the product models of which the customer owns a unit.
const ownedModels = `SELECT u.model_id FROM units u JOIN sites s ON s.id = u.site_id WHERE s.customer_org_id = ?`

// providerWorksFor reports whether the provider has an agreement with the
// vendor that is not terminated.
func providerWorksFor(ctx context.Context, q store.Queryer, providerID, vendorID int64) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM agreements WHERE provider_id = ? AND vendor_id = ? AND status <> 'terminated'`, providerID, vendorID)
	return n > 0, err
}

// customerOwnsModelOf reports whether the customer owns a unit of a model
// the document is linked to.
func customerOwnsModelOf(ctx context.Context, q store.Queryer, customerID, documentID int64) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM document_models WHERE document_id = ? AND model_id IN (`+ownedModels+`)`, documentID, customerID)
	return n > 0, err
}

// cond is the condition on documents d that r may list.
func (r readers) cond() (string, []any) {
	switch {
	case r.all:
		return `1 = 1`, nil
	case r.vendorID > 0:
		return `d.vendor_id = ?`, []any{r.vendorID}
	case r.providerID > 0:
		return `d.archived_at IS NULL AND d.vendor_id IN (` + providerVendors + `)`, []any{r.providerID}
	default:
		return `d.archived_at IS NULL AND d.visibility = 'public' AND d.id IN (SELECT document_id FROM document_models WHERE model_id IN (` +
			ownedModels + `))`, []any{r.customerID}
	}
}

// listDocuments returns the documents r may list that pass f, best match
// first when f has a query, else the latest changed first: one more than
// f.Limit when another page follows. Their links are not loaded.
func listDocuments(ctx context.Context, q store.Queryer, r readers, f Filter) ([]Document, error) {
	cond, args := r.cond()
	add := func(c string, as ...any) { cond, args = cond+` AND `+c, append(args, as...) }
	if !f.Archived {
		add(`d.archived_at IS NULL`)
	}
	if f.ModelCode != "" {
		add(`d.id IN (SELECT dm.document_id FROM document_models dm JOIN product_models m ON m.id = dm.model_id WHERE m.code = ?)`, f.ModelCode)
	}
	if f.ModelID > 0 {
		add(`d.id IN (SELECT document_id FROM document_models WHERE model_id = ?)`, f.ModelID)
	}
	if f.Category != "" {
		add(`d.category = ?`, f.Category)
	}
	if f.Visibility != "" {
		add(`d.visibility = ?`, f.Visibility)
	}
	if f.PartNumber != "" {
		add(`d.id IN (SELECT document_id FROM document_parts WHERE part_number = ?)`, f.PartNumber)
	}
	join, order := "", ""
	var joinArgs []any
	if f.Query != "" {
		var ok bool
		if join, joinArgs, ok = matchJoin(q, f.Query); !ok {
			return []Document{}, nil
		}
		order = "s.rank, "
	}
	args = append(append(joinArgs, args...), f.Limit+1, max(f.Offset, 0))
	out := []Document{}
	err := store.Select(ctx, q, &out, docSelect+join+` WHERE `+cond+` ORDER BY `+order+`d.updated_at DESC, d.id DESC LIMIT ? OFFSET ?`, args...)
	return out, err
}

// publicOfModel lists the public documents linked to a model, not archived.
func publicOfModel(ctx context.Context, q store.Queryer, modelID int64) ([]Document, error) {
	out := []Document{}
	err := store.Select(ctx, q, &out, docSelect+` WHERE d.visibility = 'public' AND d.archived_at IS NULL
		AND d.id IN (SELECT document_id FROM document_models WHERE model_id = ?) ORDER BY d.category, d.title, d.id LIMIT 50`, modelID)
	return out, err
}

// linkedToModel reports whether the document is linked to the model.
func linkedToModel(ctx context.Context, q store.Queryer, id, modelID int64) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM document_models WHERE document_id = ? AND model_id = ?`, id, modelID)
	return n > 0, err
}

// modelOfUnit is the product model of an installed unit.
func modelOfUnit(ctx context.Context, q store.Queryer, unitID int64) (int64, error) {
	var modelID int64
	err := store.Get(ctx, q, &modelID, `SELECT model_id FROM units WHERE id = ?`, unitID)
	return modelID, err
}

// The search index: an FTS5 table on SQLite, a tsvector on PostgreSQL, of
// the text search.go prepares.

// putIndex replaces a document's row in the search index.
func putIndex(ctx context.Context, q store.Queryer, id int64, title, body string) error {
	title, body = indexText(title), indexText(body)
	if len(body) > maxIndexBytes {
		body = body[:strings.LastIndexByte(body[:maxIndexBytes], ' ')+1]
	}
	if store.DialectOf(q).Postgres() {
		_, err := store.Exec(ctx, q, `INSERT INTO document_search (document_id, terms)
			VALUES (?, setweight(to_tsvector('simple', ?), 'A') || to_tsvector('simple', ?))
			ON CONFLICT (document_id) DO UPDATE SET terms = EXCLUDED.terms`, id, title, body)
		return err
	}
	if _, err := store.Exec(ctx, q, `DELETE FROM document_search WHERE rowid = ?`, id); err != nil {
		return err
	}
	_, err := store.Exec(ctx, q, `INSERT INTO document_search (rowid, title, body) VALUES (?, ?, ?)`, id, title, body)
	return err
}

// matchJoin is the join that restricts a listing of documents d to those
// matching query, as s.rank (lower is better); ok is false when the query
// has no searchable term. The index is queried once, not once per row.
func matchJoin(q store.Queryer, query string) (join string, args []any, ok bool) {
	if store.DialectOf(q).Postgres() {
		tq := tsQuery(query)
		if tq == "" {
			return "", nil, false
		}
		return ` JOIN (SELECT document_id AS doc_id, -ts_rank(terms, query) AS rank FROM document_search, to_tsquery('simple', ?) query
			WHERE terms @@ query) s ON s.doc_id = d.id`, []any{tq}, true
	}
	fq := ftsQuery(query)
	if fq == "" {
		return "", nil, false
	}
	// bm25 is lower for better matches; the title counts ten times the body.
	return ` JOIN (SELECT rowid AS doc_id, bm25(document_search, 10.0, 1.0) AS rank FROM document_search
		WHERE document_search MATCH ?) s ON s.doc_id = d.id`, []any{fq}, true
}
