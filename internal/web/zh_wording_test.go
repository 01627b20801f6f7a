package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// What the product itself says on a Chinese page is Chinese: a broken
// chain's reason, a product nobody may read, a calendar import's warnings,
// a refused photo.
func TestProductSpeaksChinese(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		ctx, db := context.Background(), app.DB
		id := testutil.SealRecord(t, app, f, sf.Serial)

		c := signIn(t, app, f.Users[policy.VendorAdmin].Email)
		get(t, c, app.URL+"/lang/zh-CN?next=/profile").Body.Close()

		// Someone with raw access edits the sealed record.
		disable, enable := `DROP TRIGGER service_records_no_update`, ``
		if db.Engine == store.Postgres {
			disable, enable = `ALTER TABLE service_records DISABLE TRIGGER service_records_no_update`, `ALTER TABLE service_records ENABLE TRIGGER service_records_no_update`
		}
		if _, err := db.ExecContext(ctx, disable); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Exec(ctx, db, `UPDATE service_records SET content_json = ? WHERE id = ?`, `{"result":"fixed"}`, id); err != nil {
			t.Fatal(err)
		}
		if enable != "" {
			if _, err := db.ExecContext(ctx, enable); err != nil {
				t.Fatal(err)
			}
		}
		html := body(t, get(t, c, app.URL+fmt.Sprintf("/records/%d", id)))
		if !strings.Contains(html, "封存后内容或时间被改动") || strings.Contains(html, "changed after sealing") {
			t.Errorf("the chain's break is not said in Chinese:\n%s", between(html, `id="chain-state"`, "</div>"))
		}

		// A product that is not there, or not the reader's, is named in Chinese.
		res := get(t, c, app.URL+"/units/987654")
		if html := body(t, res); res.StatusCode != 404 || !strings.Contains(html, "未找到设备 987654") || strings.Contains(html, "product 987654") {
			t.Errorf("missing unit: %d %s", res.StatusCode, between(html, "<main", "</main>"))
		}

		// A calendar file's warnings.
		res = postFiles(t, c, app.URL+"/calendars/cn/imports", nil, "file", map[string][]byte{"cn.ics": []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:元旦\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n" +
			"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270211\r\nDTEND;VALUE=DATE:20270218\r\nSUMMARY:春节\r\nX-APPLE-SPECIAL-DAY:WORK-HOLIDAY\r\nEND:VEVENT\r\n" +
			"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270220\r\nSUMMARY:读书日\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")})
		review := res.Header.Get("Location")
		if html := body(t, res); res.StatusCode != 303 {
			t.Fatalf("calendar upload: %d %s", res.StatusCode, between(html, "<main", "</main>"))
		}
		html = body(t, get(t, c, app.URL+review))
		warnings := between(html, `class="warnlist"`, "</ul>")
		if !strings.Contains(warnings, "重复事件“元旦”已忽略") || !strings.Contains(warnings, "事件“读书日”未标明放假或上班") || strings.Contains(warnings, "ignored") {
			t.Errorf("calendar import warnings (%s):\n%s", review, warnings)
		}

		// A photo that is not a picture.
		d := signIn(t, app, f.Users[policy.Dispatcher].Email)
		get(t, d, app.URL+"/lang/zh-CN?next=/profile").Body.Close()
		api := app.API(t, f.Tokens[policy.Dispatcher])
		filed := api.Do("POST", "/service-requests", map[string]any{"serial_number": sf.Serial, "service_item": "repair", "priority": "general", "description": "漏油"})
		var req struct{ ID int64 }
		filed.JSON(t, &req)
		res = postFiles(t, d, app.URL+fmt.Sprintf("/requests/%d/photos", req.ID), nil, "photos", map[string][]byte{"fault.jpg": []byte("this is no picture at all")})
		if html := body(t, res); res.StatusCode != 422 || !strings.Contains(html, "无论文件名显示为") || strings.Contains(html, "not a known file type") {
			t.Errorf("refused photo: %d %s", res.StatusCode, between(html, "<main", "</main>"))
		}
	})
}

// between is the part of s from the first start to the next end after it.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j+len(end)]
}
