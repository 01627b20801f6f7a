package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// tinyPNG is a real 4×3 image.
func tinyPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

var walkPNG = base64.StdEncoding.EncodeToString(tinyPNG())

// withRequestMedia fills the placeholders of the photo, sign-off code and
// escalation operations.
func withRequestMedia(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
	file := func() int64 {
		return createdID(t, dispatcher.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "general", "description": "walk"}), "file a request")
	}
	if strings.Contains(path, "%PHOTO%") {
		id := file()
		res := dispatcher.Do("POST", fmt.Sprintf("/service-requests/%d/photos", id), map[string]any{"stage": "fault",
			"photos": []map[string]any{{"filename": "fault.png", "content": walkPNG}}})
		var out struct{ Items []struct{ ID int64 } }
		res.JSON(t, &out)
		if res.Status != 201 || len(out.Items) != 1 {
			t.Fatalf("add a photo: %d %s", res.Status, res.Body)
		}
		path = strings.ReplaceAll(path, "%PHOTO%", fmt.Sprintf("/service-requests/%d/photos/%d", id, out.Items[0].ID))
	}
	if strings.Contains(path, "%ONSITE%") {
		path = strings.ReplaceAll(path, "%ONSITE%", fmt.Sprint(onSiteVisit(t, app, f, file())))
	}
	if strings.Contains(path, "%ESCALATION%") {
		id := createdID(t, dispatcher.Do("POST", fmt.Sprintf("/service-requests/%d/escalations", file()), map[string]any{"target": "second_line", "reason": "walk"}), "escalate")
		path = strings.ReplaceAll(path, "%ESCALATION%", fmt.Sprint(id))
	}
	return path
}

// onSiteVisit books the fixture's technician on a request and checks in.
func onSiteVisit(t *testing.T, app *testutil.App, f *testutil.Fixture, requestID int64) int64 {
	t.Helper()
	res := app.API(t, f.Tokens[policy.Dispatcher]).Do("POST", fmt.Sprintf("/service-requests/%d/work-orders", requestID), freshVisit(f.Users[policy.Technician].ID))
	var wo struct{ ID int64 }
	res.JSON(t, &wo)
	tech := app.API(t, f.Tokens[policy.Technician])
	if res := tech.Do("POST", fmt.Sprintf("/work-orders/%d/steps", wo.ID), map[string]any{"kind": "check_in"}, "If-Match", res.Header.Get("ETag")); res.Status != 200 {
		t.Fatalf("check in: %d %s", res.Status, res.Body)
	}
	return wo.ID
}

func TestRequestPhotos(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
		reqID := fileRepair(t, dispatcher, "general", "漏油")
		photos := fmt.Sprintf("/service-requests/%d/photos", reqID)
		count := func() int { return countRows(t, db, "files") }

		// A text file named like a photo, next to a good one: both refused, the bad one named.
		fake := base64.StdEncoding.EncodeToString([]byte("this is not a photo at all"))
		p := problemOf(t, dispatcher.Do("POST", photos, map[string]any{"stage": "fault", "photos": []map[string]any{
			{"filename": "ok.png", "content": walkPNG}, {"filename": "fault.jpg", "content": fake}}}), 422, "validation")
		if locs := locations(p); len(locs) != 1 || locs[0] != "body.photos[1]" {
			t.Fatalf("fake image: %v", p)
		}
		big := append(tinyPNG(), make([]byte, 10<<20)...)
		p = problemOf(t, dispatcher.Do("POST", photos, map[string]any{"stage": "fault", "photos": []map[string]any{
			{"filename": "big.png", "content": base64.StdEncoding.EncodeToString(big)}}}), 422, "validation")
		if locs := locations(p); len(locs) != 1 || locs[0] != "body.photos[0]" || !strings.Contains(fmt.Sprint(p["errors"]), "at most 10") {
			t.Fatalf("oversized: %v", p)
		}
		seven := make([]map[string]any, 7)
		for i := range seven {
			seven[i] = map[string]any{"filename": "x.png", "content": walkPNG}
		}
		problemOf(t, dispatcher.Do("POST", photos, map[string]any{"stage": "fault", "photos": seven}), 422, "validation")
		problemOf(t, dispatcher.Do("POST", photos, map[string]any{"stage": "work", "photos": []map[string]any{{"filename": "x.png", "content": walkPNG}}}), 422, "validation")
		if n := count(); n != 0 {
			t.Fatalf("%d files stored by refused uploads", n)
		}

		// A request filed with a bad photo is not filed at all (the QR and form path).
		res := dispatcher.Do("POST", photos, map[string]any{"stage": "fault", "photos": []map[string]any{{"filename": "ok.png", "content": walkPNG}}})
		var list struct {
			Items []struct {
				ID     int64
				SHA256 string `json:"sha256"`
				Stage  string
			}
		}
		res.JSON(t, &list)
		if res.Status != 201 || len(list.Items) != 1 || list.Items[0].Stage != "fault" || len(list.Items[0].SHA256) != 64 {
			t.Fatalf("good photo: %d %s", res.Status, res.Body)
		}
		one := fmt.Sprintf("%s/%d", photos, list.Items[0].ID)
		got := app.API(t, f.Tokens[policy.Customer]).Do("GET", one, nil)
		if got.Status != 200 || !bytes.Equal(got.Body, tinyPNG()) || got.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("customer views the photo: %d %s", got.Status, got.Header)
		}
		if res := app.API(t, f.OtherToken).Do("GET", one, nil); res.Status != 404 {
			t.Fatalf("another vendor views the photo: %d", res.Status)
		}
		if res := app.API(t, f.Tokens[policy.Technician]).Do("GET", one, nil); res.Status != 404 {
			t.Fatalf("an unassigned technician views the photo: %d", res.Status)
		}
		// The photo of another request is not reachable under this one.
		if res := dispatcher.Do("GET", fmt.Sprintf("/service-requests/%d/photos/%d", reqID+1000, list.Items[0].ID), nil); res.Status != 404 {
			t.Fatalf("photo under the wrong request: %d", res.Status)
		}

		// The technician adds work photos on the visit; the sealed record keeps every hash.
		wo := onSiteVisit(t, app, f, reqID)
		tech := app.API(t, f.Tokens[policy.Technician])
		if res := tech.Do("POST", photos, map[string]any{"stage": "work", "photos": []map[string]any{{"filename": "x.png", "content": walkPNG}}}); res.Status != 403 {
			t.Fatalf("work photo without its visit: %d %s", res.Status, res.Body)
		}
		if res := tech.Do("POST", photos, map[string]any{"stage": "work", "work_order_id": wo, "photos": []map[string]any{{"filename": "after.png", "content": walkPNG}}}); res.Status != 201 {
			t.Fatalf("work photo: %d %s", res.Status, res.Body)
		}
		rec := closeVisit(t, app, f, wo, map[string]any{"kind": "sign_off", "signoff_name": "王工", "signature_png": walkPNG})
		content, err := rec.Content()
		if err != nil || content.Visit == nil {
			t.Fatalf("record content: %v %s", err, rec.ContentJSON)
		}
		shots := content.Visit.Photos
		if len(shots) != 2 || !strings.Contains(fmt.Sprint(shots), list.Items[0].SHA256) {
			t.Fatalf("record photos: %v", shots)
		}
	})
}

// closeVisit records the work, signs off with the given step and checks
// out, returning the sealed record.
func closeVisit(t *testing.T, app *testutil.App, f *testutil.Fixture, wo int64, signoff map[string]any) record.Record {
	t.Helper()
	tech := app.API(t, f.Tokens[policy.Technician])
	path := fmt.Sprintf("/work-orders/%d", wo)
	for _, step := range []map[string]any{{"kind": "record", "actions_taken": "更换密封圈"}, signoff, {"kind": "check_out", "result": "fixed"}} {
		get := tech.Do("GET", path, nil)
		if res := tech.Do("POST", path+"/steps", step, "If-Match", get.Header.Get("ETag")); res.Status != 200 {
			t.Fatalf("%v: %d %s", step["kind"], res.Status, res.Body)
		}
	}
	var out struct {
		RecordID int64 `json:"record_id"`
	}
	tech.Do("GET", path, nil).JSON(t, &out)
	r, err := record.Get(context.Background(), app.DB, out.RecordID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSignoffByCode(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		app, f, _ := serving(t, db)
		res := app.API(t, f.Tokens[policy.Dispatcher]).Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "general", "description": "异响"})
		var req struct{ ID int64 }
		res.JSON(t, &req)
		wo := onSiteVisit(t, app, f, req.ID)
		tech := app.API(t, f.Tokens[policy.Technician])
		path := fmt.Sprintf("/work-orders/%d", wo)
		step := func(body map[string]any) *testutil.Response {
			get := tech.Do("GET", path, nil)
			return tech.Do("POST", path+"/steps", body, "If-Match", get.Header.Get("ETag"))
		}
		signWith := func(code string) *testutil.Response {
			return step(map[string]any{"kind": "sign_off", "signoff_name": "李经理", "signoff_code": code})
		}
		// Before any code was sent.
		if p := problemOf(t, signWith("123456"), 422, "validation"); locations(p)[0] != "body.signoff_code" {
			t.Fatalf("no code sent: %v", p)
		}
		if res := app.API(t, f.Tokens[policy.Dispatcher]).Do("POST", path+"/signoff-code", nil); res.Status != 403 {
			t.Fatalf("a dispatcher sends the code: %d", res.Status)
		}
		latestCode := func() string {
			var title string
			if err := store.Get(ctx, db, &title, `SELECT title FROM notifications WHERE user_id = ? AND kind = 'signoff.code' ORDER BY id DESC LIMIT 1`,
				f.Users[policy.Customer].ID); err != nil {
				t.Fatal(err)
			}
			return regexp.MustCompile(`\d{6}`).FindString(title)
		}
		send := func() {
			res := tech.Do("POST", path+"/signoff-code", nil)
			var sent struct {
				SentTo string `json:"sent_to"`
			}
			res.JSON(t, &sent)
			if res.Status != 200 || !strings.Contains(sent.SentTo, f.Users[policy.Customer].Email) {
				t.Fatalf("send code: %d %s", res.Status, res.Body)
			}
		}
		send()
		code := latestCode()
		var stored string
		if err := store.Get(ctx, db, &stored, `SELECT code_hash FROM signoff_codes WHERE work_order_id = ?`, wo); err != nil || strings.Contains(stored, code) || len(code) != 6 {
			t.Fatalf("stored %q for code %q: %v", stored, code, err)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := 0; i < 5; i++ {
			p := problemOf(t, signWith(wrong), 422, "validation")
			if !strings.Contains(fmt.Sprint(p["errors"]), "wrong code") {
				t.Fatalf("wrong code %d: %v", i, p)
			}
		}
		// Five wrong attempts: even the right code needs a new one now.
		if p := problemOf(t, signWith(code), 422, "validation"); !strings.Contains(fmt.Sprint(p["errors"]), "send a new one") {
			t.Fatalf("after five attempts: %v", p)
		}
		send()
		code = latestCode()
		if _, err := store.Exec(ctx, db, `UPDATE signoff_codes SET expires_at = ? WHERE work_order_id = ?`, "2020-01-01T00:00:00Z", wo); err != nil {
			t.Fatal(err)
		}
		if p := problemOf(t, signWith(code), 422, "validation"); !strings.Contains(fmt.Sprint(p["errors"]), "expired") {
			t.Fatalf("expired: %v", p)
		}
		// Closing without a sign-off stays refused.
		if res := step(map[string]any{"kind": "record", "actions_taken": "紧固"}); res.Status != 200 {
			t.Fatalf("record: %d", res.Status)
		}
		problemOf(t, step(map[string]any{"kind": "check_out", "result": "fixed"}), 409, "conflict")
		send()
		rec := closeVisit(t, app, f, wo, map[string]any{"kind": "sign_off", "signoff_name": "李经理", "signoff_code": latestCode()})
		content, err := rec.Content()
		if err != nil || content.Visit == nil {
			t.Fatalf("record content: %v %s", err, rec.ContentJSON)
		}
		so := content.Visit.SignOff
		if so.Kind != "code" || !strings.Contains(so.CodeSentTo, f.Users[policy.Customer].Email) || so.ConfirmedBy == nil ||
			so.ConfirmedBy.ID != f.Users[policy.Technician].ID {
			t.Fatalf("record sign-off: %+v", so)
		}
		var left int
		_ = store.Get(ctx, db, &left, `SELECT COUNT(*) FROM signoff_codes WHERE work_order_id = ?`, wo)
		if left != 0 {
			t.Fatal("the code outlived its sign-off")
		}
	})
}

func TestEscalation(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
		reqID := fileRepair(t, dispatcher, "emergency", "伺服报警")
		path := fmt.Sprintf("/service-requests/%d/escalations", reqID)
		if res := app.API(t, f.Tokens[policy.Customer]).Do("POST", path, map[string]any{"target": "second_line", "reason": "x"}); res.Status != 403 {
			t.Fatalf("a customer escalates: %d %s", res.Status, res.Body)
		}
		p := problemOf(t, dispatcher.Do("POST", path, map[string]any{"target": "senior", "reason": "x"}), 422, "validation")
		if locations(p)[0] != "body.assignee_id" {
			t.Fatalf("senior without a name: %v", p)
		}
		p = problemOf(t, dispatcher.Do("POST", path, map[string]any{"target": "senior", "assignee_id": f.Users[policy.Dispatcher].ID, "reason": "x"}), 422, "validation")
		if locations(p)[0] != "body.assignee_id" {
			t.Fatalf("senior who is not a technician: %v", p)
		}
		var n int
		_ = store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM escalations`)
		if n != 0 {
			t.Fatal("refused escalations were stored")
		}
		res := dispatcher.Do("POST", path, map[string]any{"target": "second_line", "reason": "编码器信号异常，超出手册范围"})
		var esc struct {
			ID    int64
			DueAt string `json:"due_at"`
		}
		res.JSON(t, &esc)
		if res.Status != 201 {
			t.Fatalf("escalate: %d %s", res.Status, res.Body)
		}
		problemOf(t, dispatcher.Do("POST", path, map[string]any{"target": "second_line", "reason": "again"}), 409, "conflict")
		clock := func() map[string]any {
			var v struct{ Clocks []map[string]any }
			dispatcher.Do("GET", fmt.Sprintf("/service-requests/%d", reqID), nil).JSON(t, &v)
			for _, c := range v.Clocks {
				if c["kind"] == "escalation" {
					return c
				}
			}
			t.Fatalf("no escalation clock: %v", v.Clocks)
			return nil
		}
		if c := clock(); c["state"] != "running" {
			t.Fatalf("open escalation: %v", c)
		}
		var list struct{ Items []struct{ ID int64 } }
		app.API(t, f.Tokens[policy.VendorAdmin]).Do("GET", "/escalations?open=true", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != esc.ID {
			t.Fatalf("second line's list: %+v", list)
		}
		if res := app.API(t, f.OtherToken).Do("GET", "/escalations", nil); res.Status != 200 || strings.Contains(string(res.Body), fmt.Sprintf(`"id":%d`, esc.ID)) {
			t.Fatalf("another vendor sees the escalation: %s", res.Body)
		}
		answer := fmt.Sprintf("/escalations/%d/answer", esc.ID)
		for _, r := range []policy.Role{policy.VendorAuditor, policy.Dispatcher, policy.Customer} {
			if res := app.API(t, f.Tokens[r]).Do("POST", answer, map[string]any{"answer": "x"}); res.Status != 403 && res.Status != 404 {
				t.Fatalf("%s answers the second line: %d", r, res.Status)
			}
		}
		if res := app.API(t, f.Tokens[policy.VendorAdmin]).Do("POST", answer, map[string]any{"answer": "更换编码器，旧件返还"}); res.Status != 200 {
			t.Fatalf("answer: %d %s", res.Status, res.Body)
		}
		if c := clock(); c["state"] != "met" {
			t.Fatalf("answered escalation: %v", c)
		}
		problemOf(t, app.API(t, f.Tokens[policy.VendorAdmin]).Do("POST", answer, map[string]any{"answer": "again"}), 409, "conflict")
	})
}

func TestReassignKeepsClocksAndTellsTheTechnician(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		second := addTechnician(t, app, f, "senior@provider.example", "Senior")
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
		res := dispatcher.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "emergency", "description": "停机"})
		var before struct {
			ID     int64
			Clocks []map[string]any
		}
		res.JSON(t, &before)
		res = dispatcher.Do("POST", fmt.Sprintf("/service-requests/%d/work-orders", before.ID), freshVisit(f.Users[policy.Technician].ID))
		var wo struct{ ID int64 }
		res.JSON(t, &wo)
		res = dispatcher.Do("POST", fmt.Sprintf("/work-orders/%d/reassign", wo.ID), map[string]any{
			"technician_id": second, "window_start": "2026-12-01T13:00:00+08:00", "window_end": "2026-12-01T15:00:00+08:00"})
		var moved struct {
			TechnicianID int64 `json:"technician_id"`
		}
		res.JSON(t, &moved)
		if res.Status != 200 || moved.TechnicianID != second {
			t.Fatalf("reassign: %d %s", res.Status, res.Body)
		}
		var after struct{ Clocks []map[string]any }
		dispatcher.Do("GET", fmt.Sprintf("/service-requests/%d", before.ID), nil).JSON(t, &after)
		for i, c := range before.Clocks {
			if after.Clocks[i]["due_at"] != c["due_at"] {
				t.Fatalf("clock %v moved to %v", c, after.Clocks[i])
			}
		}
		var told int
		_ = store.Get(context.Background(), db, &told, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'request.unassigned'`, f.Users[policy.Technician].ID)
		if told != 1 {
			t.Fatalf("the previous technician got %d notices", told)
		}
		if res := app.API(t, f.Tokens[policy.Technician]).Do("GET", fmt.Sprintf("/work-orders/%d", wo.ID), nil); res.Status != 404 {
			t.Fatalf("the previous technician still sees the visit: %d", res.Status)
		}
		if res := app.API(t, f.Tokens[policy.Customer]).Do("POST", fmt.Sprintf("/work-orders/%d/reassign", wo.ID), map[string]any{
			"technician_id": second, "window_start": "2026-12-01T13:00:00+08:00", "window_end": "2026-12-01T15:00:00+08:00"}); res.Status != 403 && res.Status != 404 {
			t.Fatalf("a customer reassigns: %d", res.Status)
		}
	})
}
