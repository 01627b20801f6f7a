package api_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkUploadPeakHeap uploads the largest submissions the product
// accepts through the real server and reports the peak of the heap in use
// above what it was before (peak-heap-MB), and that peak divided by the
// bytes uploaded at once (heap/upload): 1 means the server held about one
// copy of what it received. The client generates its bodies as it sends
// them, so that what is measured is the server's. Run it with
//
//	go test ./internal/api/ -run '^$' -bench UploadPeakHeap -benchtime 2x
//
// (AFTERSALES_BENCH_PG=1 adds PostgreSQL).
func BenchmarkUploadPeakHeap(b *testing.B) {
	engines := []store.Engine{store.SQLite}
	if !testing.Short() && envSet("AFTERSALES_BENCH_PG") {
		engines = append(engines, store.Postgres)
	}
	for _, engine := range engines {
		for _, sc := range uploadScenarios {
			for _, clients := range []int{1, 4} {
				b.Run(fmt.Sprintf("%s/%s/clients=%d", engine, sc.name, clients), func(b *testing.B) {
					db := testutil.NewDB(b, engine)
					app := testutil.NewApp(b, db)
					f := testutil.Seed(b, db)
					testutil.SeedService(b, db, f)
					targets := make([]string, clients)
					for i := range targets {
						targets[i] = sc.target(b, app, f)
					}
					var peak int64
					b.ResetTimer()
					for range b.N {
						runtime.GC()
						base := heapInUse()
						stop := sampleHeap()
						var wg sync.WaitGroup
						for i := range clients {
							wg.Add(1)
							go func() {
								defer wg.Done()
								if status := sc.send(b, app, f, targets[i]); status != sc.want {
									b.Errorf("%s: status %d, want %d", sc.name, status, sc.want)
								}
							}()
						}
						wg.Wait()
						peak = max(peak, stop()-base)
					}
					b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
					b.ReportMetric(float64(peak)/float64(int64(clients)*sc.bytes), "heap/upload")
				})
			}
		}
	}
}

func envSet(name string) bool {
	v, ok := os.LookupEnv(name)
	return ok && v != "" && v != "0"
}

// heapInUse is the heap's in-use spans, as runtime.MemStats.HeapInuse.
func heapInUse() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64() + s[1].Value.Uint64())
}

// sampleHeap samples heapInUse every half millisecond until the returned
// function is called, which returns the highest sample.
func sampleHeap() func() int64 {
	var peak atomic.Int64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			if h := heapInUse(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

type uploadScenario struct {
	name  string
	bytes int64 // file bytes in one upload
	want  int
	// target prepares what one client uploads to (a request, a document).
	target func(b *testing.B, app *testutil.App, f *testutil.Fixture) string
	send   func(b *testing.B, app *testutil.App, f *testutil.Fixture, target string) int
}

const benchPhoto = servicerequest.MaxPhotoBytes

var uploadScenarios = []uploadScenario{
	{name: "api-photos-4x10MiB-json", bytes: 4 * benchPhoto, want: 201, target: benchRequest, send: func(b *testing.B, app *testutil.App, f *testutil.Fixture, target string) int {
		return benchSend(b, app.URL+"/api/v1/service-requests/"+target+"/photos", "application/json", f.Tokens[policy.Dispatcher], nil, func(w io.Writer) error {
			if err := writePhotosJSON(w, 4); err != nil {
				return err
			}
			_, err := fmt.Fprint(w, `]}`)
			return err
		})
	}},
	{name: "web-photos-6x10MiB-form", bytes: 6 * benchPhoto, want: 303, target: benchRequest, send: func(b *testing.B, app *testutil.App, f *testutil.Fixture, target string) int {
		return benchSend(b, app.URL+"/requests/"+target+"/photos", "", "", benchBrowser(b, app, f), func(w io.Writer) error {
			return writeForm(w, map[string]string{}, "photos", 6, benchPhoto)
		})
	}},
	{name: "api-document-50MiB-form", bytes: 50 << 20, want: 201, target: func(*testing.B, *testutil.App, *testutil.Fixture) string { return "" },
		send: func(b *testing.B, app *testutil.App, f *testutil.Fixture, _ string) int {
			return benchSend(b, app.URL+"/api/v1/documents", "", f.Tokens[policy.VendorAdmin], nil, func(w io.Writer) error {
				return writeForm(w, map[string]string{"title": "Bench manual", "category": "manual", "language": "en", "visibility": "partners"}, "file", 1, 50<<20)
			})
		}},
}

// benchRequest files a request to attach photos to.
func benchRequest(b *testing.B, app *testutil.App, f *testutil.Fixture) string {
	return fileRequest(b, app, f)
}

func fileRequest(b testing.TB, app *testutil.App, f *testutil.Fixture) string {
	res := app.API(b, f.Tokens[policy.Dispatcher]).Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "general", "description": "bench"})
	return fmt.Sprint(createdID(b, res, "file a request"))
}

func benchBrowser(b *testing.B, app *testutil.App, f *testutil.Fixture) *http.Client {
	c := app.Browser(b)
	res, err := c.PostForm(app.URL+"/login", url.Values{"email": {f.Users[policy.Dispatcher].Email}, "password": {testutil.Password}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	return c
}

// benchSend posts what write produces as it produces it (a multipart
// form when contentType is empty) and returns the status.
func benchSend(b testing.TB, target, contentType, token string, c *http.Client, write func(io.Writer) error) int {
	status, body := streamPost(b, target, contentType, token, c, write)
	if status >= 400 {
		b.Logf("%d %s", status, bytes.TrimSpace(body[:min(len(body), 300)]))
	}
	return status
}

// streamPost posts what write produces as it produces it, so that a large
// body is never held by the client; it returns the status and the body.
func streamPost(t testing.TB, target, contentType, token string, c *http.Client, write func(io.Writer) error, headers ...string) (int, []byte) {
	pr, pw := io.Pipe()
	var ready sync.WaitGroup
	ready.Add(1)
	go func() {
		defer ready.Done()
		pw.CloseWithError(write(pw))
	}()
	if contentType == "" {
		contentType = "multipart/form-data; boundary=" + benchBoundary
	}
	req, err := http.NewRequest("POST", target, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if c == nil {
		c = &http.Client{Timeout: 5 * time.Minute}
	}
	res, err := c.Do(req)
	if err != nil {
		pr.CloseWithError(err)
		ready.Wait()
		t.Errorf("post: %v", err)
		return 0, nil
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	pr.Close()
	ready.Wait()
	return res.StatusCode, body
}

const benchBoundary = "bench-boundary-5d41402abc4b2a76b9719d911017c592"

func writeForm(w io.Writer, fields map[string]string, field string, n int, size int) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(benchBoundary); err != nil {
		return err
	}
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			return err
		}
	}
	for i := range n {
		part, err := mw.CreateFormFile(field, fmt.Sprintf("p%d.png", i))
		if err != nil {
			return err
		}
		if field == "file" {
			err = writePDF(part, size)
		} else {
			err = writePhoto(part, size)
		}
		if err != nil {
			return err
		}
	}
	return mw.Close()
}

// writePhotosJSON writes the start of a photos body with n photos at their
// limit, base64 as the API takes them, leaving the array open.
func writePhotosJSON(w io.Writer, n int) error {
	fmt.Fprint(w, `{"stage":"fault","photos":[`)
	for i := range n {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, `{"filename":"p%d.png","content":"`, i)
		enc := base64.NewEncoder(base64.StdEncoding, w)
		if err := writePhoto(enc, benchPhoto); err != nil {
			return err
		}
		enc.Close()
		if _, err := fmt.Fprint(w, `"}`); err != nil {
			return err
		}
	}
	return nil
}

// writePhoto writes a real PNG padded to size bytes after its end.
func writePhoto(w io.Writer, size int) error {
	var head bytes.Buffer
	_ = png.Encode(&head, image.NewGray(image.Rect(0, 0, 64, 48)))
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	return fill(w, size-head.Len())
}

// writePDF writes a PDF of size bytes: a header, filler in a comment-free
// stream, and the end-of-file marker.
func writePDF(w io.Writer, size int) error {
	head := "%PDF-1.4\n"
	tail := "\n%%EOF\n"
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	if err := fill(w, size-len(head)-len(tail)); err != nil {
		return err
	}
	_, err := io.WriteString(w, tail)
	return err
}

var filler = bytes.Repeat([]byte("0123456789abcdef"), 4096)

func fill(w io.Writer, n int) error {
	for n > 0 {
		k := min(n, len(filler))
		if _, err := w.Write(filler[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}
