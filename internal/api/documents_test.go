package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"

	"aftersales/internal/document"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// formBody is a multipart body for the upload operations.
type formBody struct {
	ContentType string
	Data        []byte
}

// uploadForm builds a multipart form with fields and one file.
func uploadForm(fields map[string]string, fileName string, data []byte) formBody {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	return formBody{ContentType: mw.FormDataContentType(), Data: buf.Bytes()}
}

func samplePDF(title string) []byte {
	return document.SimplePDF(title, []string{"Check the coolant level before each shift."})
}

// postForm sends a multipart body.
func postForm(c *testutil.Client, path string, fb formBody, headers ...string) *testutil.Response {
	return c.Do("POST", path, fb.Data, append([]string{"Content-Type", fb.ContentType}, headers...)...)
}

// withDocuments fills %DOC% with a fresh partner document and %PUBDOC% with
// a fresh public one, both of the Vendor and linked to the fixture's model.
func withDocuments(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	for _, p := range []struct{ key, visibility string }{{"%DOC%", "partners"}, {"%PUBDOC%", "public"}} {
		if !strings.Contains(path, p.key) {
			continue
		}
		res := postForm(app.API(t, f.Tokens[policy.VendorAdmin]), "/documents", uploadForm(map[string]string{
			"title": "Walk " + p.visibility, "category": "manual", "visibility": p.visibility, "models": "FX-100"}, "walk.pdf", samplePDF("walk")))
		path = strings.ReplaceAll(path, p.key, fmt.Sprint(createdID(t, res, "upload a document")))
	}
	return path
}

// documentWalk are the library's operations of the authorization walk.
func documentWalk() map[string]walkCase {
	vendorAdmin := []policy.Role{policy.VendorAdmin}
	partnerReaders := []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher, policy.Technician}
	return map[string]walkCase{
		"list-documents": {method: "GET", path: "/documents?q=walk", allowed: all},
		// A public document linked to a model the customer owns a unit of: everyone.
		"get-document": {method: "GET", path: "/documents/%PUBDOC%", allowed: all},
		// A partner document: not the customer.
		"download-document-version": {method: "GET", path: "/documents/%DOC%/versions/1/file", allowed: partnerReaders},
		"create-document": {method: "POST", path: "/documents", body: func(_ *testutil.Fixture, r policy.Role) any {
			return uploadForm(map[string]string{"title": "Walk " + string(r), "category": "manual", "visibility": "partners"}, "m.pdf", samplePDF("m"))
		}, allowed: vendorAdmin},
		"create-document-version": {method: "POST", path: "/documents/%DOC%/versions", body: func(*testutil.Fixture, policy.Role) any {
			return uploadForm(map[string]string{"change_note": "walk"}, "m2.pdf", samplePDF("m2"))
		}, allowed: vendorAdmin},
		"update-document": {method: "PATCH", path: "/documents/%DOC%", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"title": "Walked"}
		}, allowed: vendorAdmin},
		"archive-document": {method: "POST", path: "/documents/%DOC%/archive", allowed: vendorAdmin},
		"restore-document": {method: "POST", path: "/documents/%DOC%/restore", allowed: vendorAdmin},
	}
}

func TestDocumentUploadVersionsAndDownload(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		vendor := app.API(t, f.Tokens[policy.VendorAdmin])

		// A file that claims to be a PDF and is not: the field is named, nothing stored.
		res := postForm(vendor, "/documents", uploadForm(map[string]string{"title": "Fake", "category": "manual", "visibility": "public"},
			"manual.pdf", []byte("I am text, not a PDF")))
		msgs := fieldMessages(t, res)
		if res.Status != 422 || !strings.Contains(msgs["body.file"], "not a known file type") {
			t.Fatalf("fake pdf: %d %s", res.Status, res.Body)
		}
		res = postForm(vendor, "/documents", uploadForm(map[string]string{"title": "No file", "category": "manual", "visibility": "public"}, "", nil))
		if res.Status != 422 {
			t.Fatalf("no file: %d %s", res.Status, res.Body)
		}
		var n int
		_ = store.Get(t.Context(), db, &n, `SELECT (SELECT COUNT(*) FROM documents) + (SELECT COUNT(*) FROM files)`)
		if n != 0 {
			t.Fatalf("%d rows stored by refused uploads", n)
		}

		res = postForm(vendor, "/documents", uploadForm(map[string]string{"title": "数控加工中心 操作手册", "category": "operation_guide",
			"visibility": "public", "models": "fx-100", "part_numbers": "SP-1, SP-2", "language": "zh-CN"}, "手册.pdf", samplePDF("Operation guide")))
		if res.Status != 201 {
			t.Fatalf("upload: %d %s", res.Status, res.Body)
		}
		var d struct {
			ID             int64
			CurrentVersion int      `json:"current_version"`
			Models         []string `json:"models"`
			Parts          []string `json:"part_numbers"`
			Versions       []struct {
				Number  int
				Current bool
			}
		}
		res.JSON(t, &d)
		if d.CurrentVersion != 1 || len(d.Models) != 1 || len(d.Parts) != 2 || len(d.Versions) != 1 {
			t.Fatalf("created %s", res.Body)
		}
		etag := res.Header.Get("ETag")

		res = postForm(vendor, fmt.Sprintf("/documents/%d/versions", d.ID), uploadForm(map[string]string{"change_note": "第二版：更新保养周期"},
			"手册-v2.pdf", samplePDF("Operation guide v2")), "If-Match", etag)
		if res.Status != 201 {
			t.Fatalf("new version: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &d)
		if d.CurrentVersion != 2 || len(d.Versions) != 2 || !d.Versions[0].Current || d.Versions[0].Number != 2 {
			t.Fatalf("after the new version: %s", res.Body)
		}
		res = postForm(vendor, fmt.Sprintf("/documents/%d/versions", d.ID), uploadForm(map[string]string{"change_note": "stale"},
			"x.pdf", samplePDF("x")), "If-Match", etag)
		if res.Status != 412 {
			t.Fatalf("a version on a stale ETag: %d %s", res.Status, res.Body)
		}
		if res := vendor.Do("PATCH", fmt.Sprintf("/documents/%d", d.ID), map[string]any{"title": "x"}); res.Status != 428 {
			t.Fatalf("PATCH without If-Match: %d", res.Status)
		}

		customer := app.API(t, f.Tokens[policy.Customer])
		res = customer.Do("GET", fmt.Sprintf("/documents/%d/versions/1/file", d.ID), nil)
		if res.Status != 200 || !bytes.Equal(res.Body, samplePDF("Operation guide")) || res.Header.Get("Content-Type") != "application/pdf" ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("customer downloads version 1: %d %v", res.Status, res.Header)
		}
		var audited int
		_ = store.Get(t.Context(), db, &audited, `SELECT COUNT(*) FROM audit_events WHERE action = 'document.download' AND actor = ?`, f.Users[policy.Customer].Email)
		if audited != 1 {
			t.Fatalf("download audited %d times", audited)
		}
		if res := customer.Do("GET", "/documents?q=%E6%93%8D%E4%BD%9C", nil); !strings.Contains(string(res.Body), "数控加工中心") {
			t.Fatalf("customer searches 操作: %s", res.Body)
		}
		other := app.API(t, f.OtherToken)
		for _, p := range []string{fmt.Sprintf("/documents/%d", d.ID), fmt.Sprintf("/documents/%d/versions/1/file", d.ID)} {
			if res := other.Do("GET", p, nil); res.Status != 404 {
				t.Errorf("another vendor GET %s: %d", p, res.Status)
			}
		}
		if res := other.Do("GET", "/documents", nil); strings.Contains(string(res.Body), "数控") {
			t.Errorf("another vendor lists the document: %s", res.Body)
		}
	})
}
