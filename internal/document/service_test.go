package document_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"aftersales/internal/document"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// officeFile is a minimal Office file with the given parts.
func officeFile(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := []string{"[Content_Types].xml"}
	for n := range parts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(parts[n]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func docx(t testing.TB, paragraphs ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, p := range paragraphs {
		b.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + p + `</w:t></w:r></w:p>`)
	}
	b.WriteString(`</w:body></w:document>`)
	return officeFile(t, map[string]string{"word/document.xml": b.String()})
}

type env struct {
	svc *document.Service
	f   *testutil.Fixture
	db  *store.DB
}

func (e env) actor(r policy.Role) policy.Actor { return e.f.Users[r].Actor() }

func newEnv(t *testing.T, db *store.DB) env {
	f := testutil.Seed(t, db)
	testutil.SeedService(t, db, f)
	return env{svc: &document.Service{DB: db, Now: time.Now, Extract: document.NewExtractor()}, f: f, db: db}
}

func (e env) create(t *testing.T, title string, vis document.Visibility, models []string, up document.Upload) document.Detail {
	t.Helper()
	d, err := e.svc.Create(context.Background(), e.actor(policy.VendorAdmin), document.Meta{Title: title, Category: document.Manual,
		Visibility: vis, Models: models, Parts: []string{"sp-100", "SP-200"}}, up)
	if err != nil {
		t.Fatalf("create %s: %v", title, err)
	}
	return d
}

func titles(ds []document.Document) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Title)
	}
	slices.Sort(out)
	return out
}

func TestVersionsAndAccessPerRole(t *testing.T) {
	inEnv(t, func(t *testing.T, ctx context.Context, e env) {
		pdf := document.SimplePDF("Service manual FX-100", []string{"Replace the coolant pump every 2000 hours."})
		partner := e.create(t, "Partner handbook", document.Partners, []string{"fx-100"}, document.Upload{File: files.FromBytes("handbook.pdf", pdf)})
		public := e.create(t, "Public guide", document.Public, []string{"FX-100"}, document.Upload{File: files.FromBytes("guide.docx", docx(t, "Daily checks"))})
		unlinked := e.create(t, "Public bulletin without model", document.Public, nil, document.Upload{File: files.FromBytes("b.pdf", pdf)})
		if partner.CurrentVersion != 1 || len(partner.Versions) != 1 || !partner.Versions[0].Current || partner.Models[0] != "FX-100" ||
			!slices.Equal(partner.Parts, []string{"SP-100", "SP-200"}) {
			t.Fatalf("created %+v", partner)
		}

		all := []string{"Partner handbook", "Public bulletin without model", "Public guide"}
		want := map[policy.Role][]string{
			policy.VendorAdmin: all, policy.VendorAuditor: all, policy.ProviderAdmin: all, policy.Dispatcher: all, policy.Technician: all,
			policy.Customer: {"Public guide"},
		}
		for role, w := range want {
			got, _, err := e.svc.List(ctx, e.actor(role), document.Filter{})
			if err != nil || !slices.Equal(titles(got), w) {
				t.Errorf("%s sees %v, %v; want %v", role, titles(got), err, w)
			}
		}
		other := e.f.OtherAdmin.Actor()
		if got, _, err := e.svc.List(ctx, other, document.Filter{}); err != nil || len(got) != 0 {
			t.Errorf("another vendor sees %v, %v", titles(got), err)
		}
		for _, id := range []int64{partner.ID, public.ID, unlinked.ID} {
			if _, err := e.svc.Get(ctx, other, id); !problem.Is(err, problem.NotFound) {
				t.Errorf("another vendor reads %d: %v", id, err)
			}
		}
		if _, _, err := e.svc.Download(ctx, e.actor(policy.Customer), partner.ID, 1); !problem.Is(err, problem.NotFound) {
			t.Errorf("customer downloads a partner document: %v", err)
		}
		if _, err := e.svc.Create(ctx, e.actor(policy.ProviderAdmin), document.Meta{Title: "x", Category: document.Manual, Visibility: document.Public},
			document.Upload{File: files.FromBytes("a.pdf", pdf)}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("provider uploads: %v", err)
		}

		// A new version keeps the old one.
		pdf2 := document.SimplePDF("Service manual FX-100 rev B", []string{"Replace the coolant pump every 1500 hours."})
		if _, err := e.svc.AddVersion(ctx, e.actor(policy.VendorAdmin), partner.ID, document.Upload{File: files.FromBytes("handbook-b.pdf", pdf2)}, 0); !problem.Is(err, problem.Invalid) {
			t.Errorf("a version without a change note: %v", err)
		}
		d, err := e.svc.AddVersion(ctx, e.actor(policy.VendorAdmin), partner.ID, document.Upload{File: files.FromBytes("handbook-b.pdf", pdf2), ChangeNote: "new interval"}, partner.Version)
		if err != nil {
			t.Fatal(err)
		}
		if d.CurrentVersion != 2 || len(d.Versions) != 2 || !d.Versions[0].Current || d.Versions[1].Current || d.Versions[0].ChangeNote != "new interval" ||
			d.FileName != "handbook-b.pdf" {
			t.Fatalf("after a new version: %+v", d)
		}
		if _, err := e.svc.AddVersion(ctx, e.actor(policy.VendorAdmin), partner.ID, document.Upload{File: files.FromBytes("c.pdf", pdf2), ChangeNote: "stale"}, partner.Version); !problem.Is(err, problem.PreconditionFailed) {
			t.Errorf("a version on a stale read: %v", err)
		}
		for n, data := range map[int][]byte{1: pdf, 2: pdf2} {
			f, got, err := e.svc.Download(ctx, e.actor(policy.Technician), partner.ID, n)
			if err != nil || !bytes.Equal(got, data) || f.ContentType != "application/pdf" {
				t.Errorf("technician downloads version %d: %v", n, err)
			}
		}
		var audited int
		if err := store.Get(ctx, e.db, &audited, `SELECT COUNT(*) FROM audit_events WHERE action = 'document.download' AND entity_id = ? AND org_id = ?`,
			fmt.Sprint(partner.ID), e.f.Vendor.ID); err != nil || audited != 2 {
			t.Errorf("downloads audited: %d, %v", audited, err)
		}

		// Metadata changes need the current version; archiving hides the document from all but the vendor.
		title := "Partner handbook, rev B"
		if _, err := e.svc.Update(ctx, e.actor(policy.VendorAdmin), partner.ID, document.Patch{Title: &title}, partner.Version); !problem.Is(err, problem.PreconditionFailed) {
			t.Errorf("update on a stale version: %v", err)
		}
		vis := document.Public
		if d, err = e.svc.Update(ctx, e.actor(policy.VendorAdmin), partner.ID, document.Patch{Title: &title, Visibility: &vis}, d.Version); err != nil || d.Title != title {
			t.Fatalf("update: %+v %v", d, err)
		}
		if got, _, _ := e.svc.List(ctx, e.actor(policy.Customer), document.Filter{}); len(got) != 2 {
			t.Errorf("customer after the handbook became public: %v", titles(got))
		}
		if _, err := e.svc.SetArchived(ctx, e.actor(policy.VendorAdmin), partner.ID, true, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(ctx, e.actor(policy.Technician), partner.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("technician reads an archived document: %v", err)
		}
		if got, _, _ := e.svc.List(ctx, e.actor(policy.VendorAdmin), document.Filter{Archived: true}); len(got) != 3 {
			t.Errorf("vendor with archived: %v", titles(got))
		}
		if got, _, _ := e.svc.List(ctx, e.actor(policy.VendorAdmin), document.Filter{}); len(got) != 2 {
			t.Errorf("vendor without archived: %v", titles(got))
		}
	})
}

func TestBadFilesAreRefusedAndNothingStored(t *testing.T) {
	inEnv(t, func(t *testing.T, ctx context.Context, e env) {
		cases := map[string]struct {
			name string
			data []byte
			want string
		}{
			"fake pdf":   {"manual.pdf", []byte("This is not a PDF, only text named like one."), "not a known file type"},
			"cut pdf":    {"manual.pdf", document.SimplePDF("x", nil)[:40], "incomplete"},
			"empty":      {"manual.pdf", nil, "empty"},
			"too large":  {"big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, document.MaxFileBytes)...), "at most 50.0 MB"},
			"wrong type": {"photo.heic", append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...), "HEIC files are not accepted"},
			"plain zip":  {"guide.docx", officeFile(t, map[string]string{"readme.txt": "hi"}), "not an Office document"},
		}
		for name, c := range cases {
			_, err := e.svc.Create(ctx, e.actor(policy.VendorAdmin), document.Meta{Title: "Bad " + name, Category: document.Manual, Visibility: document.Public},
				document.Upload{File: files.FromBytes(c.name, c.data)})
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.Invalid || len(p.Fields) != 1 || p.Fields[0].Field != "file" || !strings.Contains(p.Fields[0].Message, c.want) {
				t.Errorf("%s: %v; want the field file saying %q", name, err, c.want)
			}
		}
		_, err := e.svc.Create(ctx, e.actor(policy.VendorAdmin), document.Meta{Category: "leaflet", Visibility: "everyone", Language: "chinese",
			Models: []string{"NOPE-1"}, Parts: []string{"bad part!"}}, document.Upload{File: files.FromBytes("a.pdf", []byte("no"))})
		p, _ := problem.As(err)
		var fields []string
		for _, f := range p.Fields {
			fields = append(fields, f.Field)
		}
		slices.Sort(fields)
		if want := []string{"category", "file", "language", "models", "part_numbers", "title", "visibility"}; !slices.Equal(fields, want) {
			t.Errorf("fields %v, want %v (%v)", fields, want, err)
		}
		var n int
		_ = store.Get(ctx, e.db, &n, `SELECT (SELECT COUNT(*) FROM documents) + (SELECT COUNT(*) FROM files)`)
		if n != 0 {
			t.Errorf("%d rows stored by refused uploads", n)
		}
	})
}

func TestSearchInChineseAndEnglish(t *testing.T) {
	inEnv(t, func(t *testing.T, ctx context.Context, e env) {
		e.create(t, "液压系统维护手册", document.Partners, []string{"FX-100"},
			document.Upload{File: files.FromBytes("hydraulics.docx", docx(t, "主轴润滑每日检查。", "Spindle lubrication: check daily."))})
		e.create(t, "Coolant pump replacement", document.Partners, nil,
			document.Upload{File: files.FromBytes("pump.pdf", document.SimplePDF("Coolant pump", []string{"Torque the impeller bolts to 12 Nm."}))})
		e.create(t, "电气柜接线图", document.Partners, nil, document.Upload{File: files.FromBytes("wiring.xlsx",
			officeFile(t, map[string]string{"xl/workbook.xml": "<workbook/>", "xl/sharedStrings.xml": `<sst><si><t>伺服驱动器 X200</t></si></sst>`}))})
		tech := e.actor(policy.Technician)
		cases := map[string][]string{
			"液压":          {"液压系统维护手册"},
			"压系统":         {"液压系统维护手册"},
			"润滑":          {"液压系统维护手册"},
			"轴":           {"液压系统维护手册"},
			"册":           {"液压系统维护手册"},
			"spindle":     {"液压系统维护手册"},
			"LUBRIC":      {"液压系统维护手册"},
			"coolant":     {"Coolant pump replacement"},
			"伺服驱动":        {"电气柜接线图"},
			"x200":        {"电气柜接线图"},
			"sp-100":      {"Coolant pump replacement", "液压系统维护手册", "电气柜接线图"},
			"液压 spindle":  {"液压系统维护手册"},
			"液压 coolant":  {},
			"系统液压":        {},
			"!!! ()":      {},
			`"unbalanced`: {},
		}
		if document.NewExtractor().PDFToText != "" {
			cases["impeller"] = []string{"Coolant pump replacement"}
		}
		for q, want := range cases {
			got, _, err := e.svc.List(ctx, tech, document.Filter{Query: q})
			if err != nil || !slices.Equal(titles(got), want) {
				t.Errorf("search %q: %v, %v; want %v", q, titles(got), err, want)
			}
		}
		got, _, err := e.svc.List(ctx, e.actor(policy.Customer), document.Filter{Query: "液压"})
		if err != nil || len(got) != 0 {
			t.Errorf("customer finds partner documents: %v %v", titles(got), err)
		}
	})
}

func TestExtractionFailsSoft(t *testing.T) {
	inEnv(t, func(t *testing.T, _ context.Context, e env) {
		e.svc.Extract = &document.Extractor{PDFToText: "/nonexistent/pdftotext"}
		d := e.create(t, "Schaltplan ohne Text", document.Partners, nil, document.Upload{File: files.FromBytes("a.pdf", document.SimplePDF("Geheim", nil))})
		if d.Versions[0].TextStatus != document.TextFailed {
			t.Errorf("text status %s", d.Versions[0].TextStatus)
		}
		got, _, err := e.svc.List(context.Background(), e.actor(policy.Dispatcher), document.Filter{Query: "schaltplan"})
		if err != nil || len(got) != 1 {
			t.Errorf("found by title: %v %v", titles(got), err)
		}
		e.svc.Extract = &document.Extractor{}
		d = e.create(t, "Second", document.Partners, nil, document.Upload{File: files.FromBytes("a.pdf", document.SimplePDF("x", nil))})
		if d.Versions[0].TextStatus != document.TextUnavailable {
			t.Errorf("without pdftotext: %s", d.Versions[0].TextStatus)
		}
	})
}

// The model and part number filters take the first item of what was typed,
// in any case; a filter holding no item filters nothing.
func TestFiltersTakeTheFirstItemTyped(t *testing.T) {
	inEnv(t, func(t *testing.T, ctx context.Context, e env) {
		pdf := func(name string) document.Upload {
			return document.Upload{File: files.FromBytes(name+".pdf", document.SimplePDF(name, []string{"text"}))}
		}
		e.create(t, "Hydraulics", document.Partners, []string{"FX-100"}, pdf("hydraulics"))
		e.create(t, "Pump", document.Partners, nil, pdf("pump"))
		both := []string{"Hydraulics", "Pump"}
		for _, c := range []struct {
			f    document.Filter
			want []string
		}{
			{document.Filter{ModelCode: "fx-100"}, []string{"Hydraulics"}},
			{document.Filter{ModelCode: "fx-100, ZZ-1"}, []string{"Hydraulics"}},
			{document.Filter{ModelCode: "ZZ-1, fx-100"}, []string{}},
			{document.Filter{ModelCode: " , "}, both},
			{document.Filter{PartNumber: "sp-200"}, both},
			{document.Filter{PartNumber: "SP-999"}, []string{}},
			{document.Filter{PartNumber: " "}, both},
		} {
			got, _, err := e.svc.List(ctx, e.actor(policy.Technician), c.f)
			if err != nil || !slices.Equal(titles(got), c.want) {
				t.Errorf("%+v: %v, %v; want %v", c.f, titles(got), err, c.want)
			}
		}
	})
}

// inEnv runs test in parallel on each engine, in a fresh env.
func inEnv(t *testing.T, test func(t *testing.T, ctx context.Context, e env)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) { test(t, context.Background(), newEnv(t, db)) })
}
