package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"sort"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// complaintForm is a multipart complaint with fields and files named
// attachments (in the order of their names).
func complaintForm(fields map[string]string, attached map[string][]byte) formBody {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	names := make([]string, 0, len(attached))
	for name := range attached {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, name))
		h.Set("Content-Type", "application/octet-stream")
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(attached[name])
	}
	_ = mw.Close()
	return formBody{ContentType: mw.FormDataContentType(), Data: buf.Bytes()}
}

// A complaint filed through the API carries photos and PDF files, checked
// by their bytes as on the page; the files come back to its parties; a
// refused file, too many files or a bad field refuses the whole filing,
// naming the field, and nothing is stored.
func TestComplaintWithAttachmentsAPI(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
		customer := app.API(t, f.Tokens[policy.Customer])
		reqID := fileRepair(t, dispatcher, "general", "x")
		fields := map[string]string{"category": "parts", "request_id": fmt.Sprint(reqID), "description": "换下的零件是旧的"}

		res := postForm(customer, "/complaints/with-attachments", complaintForm(fields, map[string][]byte{"a-part.png": tinyPNG(), "b-invoice.pdf": samplePDF("发票")}))
		var c struct {
			ID            int64
			RequestNumber string `json:"request_number"`
			Clocks        []struct{ Kind string }
			Attachments   []struct {
				ID          int64
				Name        string
				ContentType string `json:"content_type"`
			}
		}
		res.JSON(t, &c)
		if res.Status != 201 || len(c.Attachments) != 2 || c.Attachments[0].ContentType != "image/png" || c.Attachments[1].ContentType != "application/pdf" ||
			len(c.Clocks) != 2 || c.RequestNumber == "" {
			t.Fatalf("file with attachments: %d %s", res.Status, res.Body)
		}
		got := dispatcher.Do("GET", fmt.Sprintf("/complaints/%d/attachments/%d", c.ID, c.Attachments[0].ID), nil)
		if got.Status != 200 || !bytes.Equal(got.Body, tinyPNG()) || got.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("download: %d %s", got.Status, got.Header)
		}
		if r := dispatcher.Do("GET", fmt.Sprintf("/complaints/%d/attachments/%d", c.ID+1000, c.Attachments[0].ID), nil); r.Status != 404 {
			t.Fatalf("a file through another complaint: %d", r.Status)
		}
		if r := app.API(t, f.OtherToken).Do("GET", fmt.Sprintf("/complaints/%d/attachments/%d", c.ID, c.Attachments[0].ID), nil); r.Status != 404 {
			t.Fatalf("another vendor read the file: %d", r.Status)
		}

		count := func() (n int) {
			t.Helper()
			var k struct {
				Complaints int `db:"complaints"`
				Files      int `db:"files"`
			}
			if err := store.Get(t.Context(), db, &k, `SELECT (SELECT COUNT(*) FROM complaints) AS complaints, (SELECT COUNT(*) FROM files) AS files`); err != nil {
				t.Fatal(err)
			}
			return k.Complaints*1000 + k.Files
		}
		before := count()
		six := map[string][]byte{}
		for i := range 7 {
			six[fmt.Sprintf("p%d.png", i)] = tinyPNG()
		}
		for name, tc := range map[string]struct {
			form  formBody
			field string
		}{
			"a text file as a photo": {complaintForm(fields, map[string][]byte{"a.png": tinyPNG(), "b.png": []byte("not a picture at all")}), "attachments[1]"},
			"seven files":            {complaintForm(fields, six), "attachments"},
			"no description":         {complaintForm(map[string]string{"category": "parts", "request_id": fields["request_id"]}, map[string][]byte{"a.png": tinyPNG()}), "description"},
			"another's request": {complaintForm(map[string]string{"category": "parts", "request_id": fmt.Sprint(reqID), "description": "x"},
				map[string][]byte{"a.png": tinyPNG()}), ""},
		} {
			cl := customer
			if name == "another's request" {
				cl = app.API(t, f.OtherToken)
			}
			res := postForm(cl, "/complaints/with-attachments", tc.form)
			if res.Status < 400 || res.Status > 499 || !strings.Contains(string(res.Body), tc.field) {
				t.Fatalf("%s: %d %s", name, res.Status, res.Body)
			}
			if after := count(); after != before {
				t.Fatalf("%s was refused but stored something: %d → %d", name, before, after)
			}
		}
	})
}

// Files added through the API to a complaint already filed get the checks
// of filing; a refused file stores nothing; a closed complaint takes none.
func TestComplaintFilesAddedAfterFilingAPI(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
		customer := app.API(t, f.Tokens[policy.Customer])
		reqID := fileRepair(t, dispatcher, "general", "x")
		res := customer.Do("POST", "/complaints", map[string]any{"category": "parts", "request_id": reqID, "description": "换下的零件是旧的"})
		var c struct {
			ID          int64
			Version     int64
			Attachments []struct{ ID int64 }
		}
		res.JSON(t, &c)
		if res.Status != 201 || len(c.Attachments) != 0 {
			t.Fatalf("file: %d %s", res.Status, res.Body)
		}
		files := func() int { return countRows(t, db, "files") }
		path := fmt.Sprintf("/complaints/%d/attachments", c.ID)
		if r := postForm(customer, path, complaintForm(nil, map[string][]byte{"a.png": tinyPNG(), "b.png": []byte("not a picture at all")})); r.Status != 422 ||
			!strings.Contains(string(r.Body), "attachments[1]") || files() != 0 {
			t.Fatalf("a text file as a photo: %d %s, %d files", r.Status, r.Body, files())
		}
		if r := postForm(app.API(t, f.OtherToken), path, complaintForm(nil, map[string][]byte{"a.png": tinyPNG()})); r.Status != 404 || files() != 0 {
			t.Fatalf("another vendor: %d %s", r.Status, r.Body)
		}
		res = postForm(customer, path, complaintForm(nil, map[string][]byte{"a-part.png": tinyPNG(), "b-invoice.pdf": samplePDF("发票")}))
		res.JSON(t, &c)
		if res.Status != 200 || len(c.Attachments) != 2 || files() != 2 {
			t.Fatalf("add files: %d %s", res.Status, res.Body)
		}
		if got := dispatcher.Do("GET", fmt.Sprintf("%s/%d", path, c.Attachments[0].ID), nil); got.Status != 200 || !bytes.Equal(got.Body, tinyPNG()) {
			t.Fatalf("download: %d", got.Status)
		}
		if r := dispatcher.Do("POST", fmt.Sprintf("/complaints/%d/reply", c.ID), map[string]any{"text": "已更换"}, "If-Match", fmt.Sprintf(`"%d"`, c.Version)); r.Status != 200 {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		if r := customer.Do("POST", fmt.Sprintf("/complaints/%d/close", c.ID), map[string]any{"customer_accepted": true}, "If-Match", fmt.Sprintf(`"%d"`, c.Version+1)); r.Status != 200 {
			t.Fatalf("close: %d %s", r.Status, r.Body)
		}
		if r := postForm(customer, path, complaintForm(nil, map[string][]byte{"late.png": tinyPNG()})); r.Status != 409 || files() != 2 {
			t.Fatalf("a closed complaint: %d %s", r.Status, r.Body)
		}
	})
}
