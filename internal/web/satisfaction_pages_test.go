package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"aftersales/internal/satisfaction"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The survey opens from its link without an account in the customer's
// language, refuses a score outside the scale naming it, takes one answer
// with a complaint, and says so when opened again.
func TestSurveyPageAnswersOnceWithAComplaint(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		db := app.DB
		rec := testutil.SealRecord(t, app, f, "FX100-0001")
		var reqID, woID int64
		_ = store.Get(t.Context(), db, &reqID, `SELECT request_id FROM service_records WHERE id = ?`, rec)
		// A visit of the request, for the complaint to name.
		woID, err := store.InsertID(t.Context(), db, `INSERT INTO work_orders (request_id, technician_id, window_start, window_end, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'completed', ?, ?) RETURNING id`, reqID, f.Users["technician"].ID, time.Now(), time.Now(), time.Now(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		token, hash, _ := satisfaction.NewToken()
		now := time.Now().UTC()
		if _, err := store.Exec(t.Context(), db, `INSERT INTO surveys (record_id, work_order_id, request_id, agreement_id, vendor_id, provider_id,
			customer_org_id, period, sealed_at, sent_at, expires_at, token_hash, locale, scale_min, scale_max, satisfied_from, questions_json)
			SELECT id, ?, request_id, agreement_id, vendor_id, provider_id, ?, '2026-11', sealed_at, ?, ?, ?, 'zh-CN', 1, 5, 4,
			'[{"key":"attitude","label_zh":"服务态度","label_en":"Attitude"}]' FROM service_records WHERE id = ?`,
			woID, f.Customer.ID, now, now.Add(48*time.Hour), hash, rec); err != nil {
			t.Fatal(err)
		}
		anon := app.Client()
		res, _ := anon.Get(app.URL + "/survey/" + token)
		html := readAll(t, res)
		if res.StatusCode != 200 || !strings.Contains(html, "请评价本次服务") || !strings.Contains(html, "服务态度") {
			t.Fatalf("survey page %d", res.StatusCode)
		}
		res, _ = anon.Get(app.URL + "/survey/" + token + "?lang=en")
		if html := readAll(t, res); !strings.Contains(html, "How was our service?") {
			t.Fatal("no English")
		}
		if res, _ := anon.Get(app.URL + "/survey/sv1_forged"); res.StatusCode != 404 {
			t.Fatalf("forged link: %d", res.StatusCode)
		}
		post := func(form url.Values) (*http.Response, string) {
			req, _ := http.NewRequest("POST", app.URL+"/survey/"+token, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", app.URL)
			res, err := anon.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return res, readAll(t, res)
		}
		if res, html := post(url.Values{"score": {"7"}}); res.StatusCode != 422 || !strings.Contains(html, "7") {
			t.Fatalf("score 7: %d", res.StatusCode)
		}
		res, html = post(url.Values{"score": {"2"}, "answers.attitude": {"1"}, "complain": {"on"}, "category": {"attitude"}, "description": {"态度差"}})
		if res.StatusCode != 200 || !strings.Contains(html, "感谢") {
			t.Fatalf("answer: %d %s", res.StatusCode, html)
		}
		n := testutil.SelectOne[int](t, db, `SELECT COUNT(*) FROM complaints WHERE work_order_id = ? AND channel = 'survey'`, woID)
		if n != 1 {
			t.Fatalf("%d complaints", n)
		}
		if res, html := post(url.Values{"score": {"5"}}); res.StatusCode != 409 || strings.Contains(html, "感谢") {
			t.Fatalf("second answer: %d", res.StatusCode)
		}
		res, _ = anon.Get(app.URL + "/survey/" + token)
		if html := readAll(t, res); !strings.Contains(html, "只能评价一次") {
			t.Fatal("answered survey not said so")
		}
	})
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	res.Body.Close()
	return b.String()
}
