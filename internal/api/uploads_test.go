package api_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"aftersales/internal/api"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A body over its route's limit is refused with 413 naming the limit, and
// nothing of it is stored: announced by Content-Length (refused before a
// byte is read) or sent without one (reading stops at the limit).
func TestUploadOverLimitIsRefused(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		target := app.URL + "/api/v1/service-requests/" + fileRequest(t, app, f) + "/photos"
		limit := files.HumanSize(api.MaxPhotosBody)

		req, _ := http.NewRequest("POST", target, io.LimitReader(zeros{}, api.MaxPhotosBody+1))
		req.ContentLength = api.MaxPhotosBody + 1
		req.Header.Set("Authorization", "Bearer "+f.Tokens[policy.Dispatcher])
		req.Header.Set("Content-Type", "application/json")
		res, err := app.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 413 || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), limit) {
			t.Fatalf("announced: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}

		// Six photos at their limit, then more than the body may hold.
		status, body := streamPost(t, target, "application/json", f.Tokens[policy.Dispatcher], nil, func(w io.Writer) error {
			if err := writePhotosJSON(w, 6); err != nil {
				return err
			}
			if _, err := w.Write(bytes.Repeat([]byte(" "), 128<<10)); err != nil {
				return err
			}
			_, err := fmt.Fprint(w, `]}`)
			return err
		})
		if status != 413 || !strings.Contains(string(body), limit) {
			t.Fatalf("streamed: %d %s", status, body)
		}
		if n := countRows(t, db, "files"); n != 0 {
			t.Fatalf("%d files stored from refused bodies", n)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// A refused body never comes back in the problem: not a large value of the
// wrong type, not photos over the count, not a long text.
func TestRefusedBodyIsNotEchoed(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app, f, _ := serving(t, db)
	dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
	big := strings.Repeat("SECRETPAYLOAD", 80_000) // about 1 MB
	photo := base64.StdEncoding.EncodeToString(append(tinyPNG(), []byte(big)...))
	seven := make([]map[string]any, 7)
	for i := range seven {
		seven[i] = map[string]any{"filename": "x.png", "content": photo}
	}
	cases := []struct {
		name, path string
		body       any
		status     int
	}{
		{"array for a text", "/service-requests", map[string]any{"serial_number": []string{big}, "service_item": "repair", "priority": "general", "description": "x"}, 422},
		{"object for a text", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "general", "description": map[string]string{"x": big}}, 422},
		{"long text over its limit", "/service-requests", map[string]any{"serial_number": big, "service_item": "repair", "priority": "general", "description": "x"}, 422},
		{"seven photos", "/service-requests/" + fileRequest(t, app, f) + "/photos", map[string]any{"stage": "fault", "photos": seven}, 422},
		{"photos of the wrong type", "/service-requests/" + fileRequest(t, app, f) + "/photos", map[string]any{"stage": "fault", "photos": map[string]any{"x": big}}, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := dispatcher.Do("POST", c.path, c.body)
			if res.Status != c.status {
				t.Fatalf("status %d, want %d: %.300s", res.Status, c.status, res.Body)
			}
			if len(res.Body) > 2048 || bytes.Contains(res.Body, []byte("SECRETPAYLOAD")) {
				t.Fatalf("the problem repeats the body (%d bytes): %.300s", len(res.Body), res.Body)
			}
		})
	}
}

// Uploads beyond those the server receives at once wait briefly for a
// place, then are answered 503 with Retry-After; once a place is free,
// uploads go through again.
func TestUploadsAtOnceAreBounded(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app, f, _ := serving(t, db)
	target := app.URL + "/api/v1/service-requests/" + fileRequest(t, app, f) + "/photos"
	good := fmt.Sprintf(`{"stage":"fault","photos":[{"filename":"a.png","content":%q}]}`, walkPNG)

	// Four uploads that have begun and hold their places.
	var held []*io.PipeWriter
	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range 4 {
		pr, pw := io.Pipe()
		held = append(held, pw)
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", target, pr)
			req.Header.Set("Authorization", "Bearer "+f.Tokens[policy.Dispatcher])
			req.Header.Set("Content-Type", "application/json")
			res, err := app.Client().Do(req)
			if err != nil {
				t.Errorf("held upload: %v", err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
		if _, err := io.WriteString(pw, good[:20]); err != nil {
			t.Fatal(err)
		}
	}
	// The fifth is refused once the wait is over.
	deadline := time.Now().Add(10 * time.Second)
	var res *testutil.Response
	for {
		res = app.API(t, f.Tokens[policy.Dispatcher]).Do("POST", strings.TrimPrefix(target, app.URL+"/api/v1"), good)
		if res.Status == 503 || time.Now().After(deadline) {
			break // the held uploads may not all have reached the server yet
		}
	}
	p := problemOf(t, res, 503, "busy")
	if res.Header.Get("Retry-After") == "" || !strings.Contains(fmt.Sprint(p["detail"]), "uploads") {
		t.Fatalf("busy answer: %v %v", res.Header, p)
	}
	for _, pw := range held {
		_, _ = io.WriteString(pw, good[20:])
		pw.Close()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != 201 {
			t.Fatalf("held upload %d: status %d", i, s)
		}
	}
	if res := app.API(t, f.Tokens[policy.Dispatcher]).Do("POST", strings.TrimPrefix(target, app.URL+"/api/v1"), good); res.Status != 201 {
		t.Fatalf("after the others: %d %s", res.Status, res.Body)
	}
}

// An upload with an Idempotency-Key (its body hashed on the way to a
// temporary file) is stored once and its repeat answers the same photos.
func TestUploadWithIdempotencyKeyIsStoredOnce(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app, f, _ := serving(t, db)
	dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
	path := "/service-requests/" + fileRequest(t, app, f) + "/photos"
	body := map[string]any{"stage": "fault", "photos": []map[string]any{{"filename": "a.png", "content": walkPNG}}}
	first := dispatcher.Do("POST", path, body, "Idempotency-Key", "photo-1")
	again := dispatcher.Do("POST", path, body, "Idempotency-Key", "photo-1")
	if first.Status != 201 || again.Status != 201 || !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("first %d %s, again %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	if n := countRows(t, db, "files"); n != 1 {
		t.Fatalf("%d files stored", n)
	}
}
