package files_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"aftersales/internal/files"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{200, 30, 30, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipBytes(t testing.TB, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDetect(t *testing.T) {
	t.Parallel()
	pdf := []byte("%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	cases := []struct {
		name string
		file string
		data []byte
		want files.Type
		err  string
	}{
		{"png", "a.png", pngBytes(t, 4, 3), files.PNG, ""},
		{"jpeg named png", "a.png", jpegBytes(t), files.JPEG, ""},
		{"pdf", "manual.pdf", pdf, files.PDF, ""},
		{"pdf cut short", "manual.pdf", pdf[:20], files.Type{}, "incomplete"},
		{"text claiming pdf", "manual.pdf", []byte("hello, I am a PDF"), files.Type{}, `".pdf" says`},
		{"png header only", "a.png", pngBytes(t, 4, 3)[:20], files.Type{}, "damaged"},
		{"docx", "guide.docx", zipBytes(t, "[Content_Types].xml", "word/document.xml"), files.DOCX, ""},
		{"xlsx", "parts.xlsx", zipBytes(t, "[Content_Types].xml", "xl/workbook.xml"), files.XLSX, ""},
		{"plain zip", "x.docx", zipBytes(t, "readme.txt"), files.Type{}, "not an Office document"},
		{"heic", "IMG_0001.HEIC", append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...), files.HEIC, ""},
		{"old word", "a.doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...), files.DOC, ""},
		{"old office without name", "a", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...), files.Type{}, ".doc, .xls or .ppt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := files.Detect(c.file, c.data)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("Detect = %v, %v; want error containing %q", got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Detect = %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestCheckNamesFieldAndReason(t *testing.T) {
	t.Parallel()
	if _, err := files.Check("photo", files.FromBytes("a.pdf", []byte("%PDF-1.4\n%%EOF")), 1<<20, files.Images...); !problem.Is(err, problem.Invalid) ||
		!strings.Contains(err.Error(), "PDF files are not accepted") {
		t.Fatalf("pdf as photo: %v", err)
	}
	p, _ := problem.As(func() error {
		_, err := files.Check("photo", files.FromBytes("a.png", pngBytes(t, 2, 2)), 10, files.Images...)
		return err
	}())
	if p == nil || len(p.Fields) != 1 || p.Fields[0].Field != "photo" || !strings.Contains(p.Fields[0].Message, "at most 10 B") {
		t.Fatalf("too large: %+v", p)
	}
	if _, err := files.Check("photo", files.FromBytes("a.png", nil), 10, files.Images...); err == nil {
		t.Fatal("empty file accepted")
	}
	if ct, err := files.Check("photo", files.FromBytes("a.bin", pngBytes(t, 2, 2)), 1<<20, files.Images...); err != nil || ct != "image/png" {
		t.Fatalf("png: %q %v", ct, err)
	}
}

func TestImageTooManyPixels(t *testing.T) {
	t.Parallel()
	// A PNG header claiming 20000 × 20000 pixels; DecodeConfig reads only the header.
	data := pngBytes(t, 1, 1)
	data[16], data[17], data[18], data[19] = 0, 0, 0x4e, 0x20
	data[20], data[21], data[22], data[23] = 0, 0, 0x4e, 0x20
	binary.BigEndian.PutUint32(data[29:33], crc32.ChecksumIEEE(data[12:29])) // the IHDR chunk's checksum
	if _, err := files.Detect("big.png", data); err == nil || !strings.Contains(err.Error(), "megapixels") {
		t.Fatalf("Detect = %v", err)
	}
}

func TestPutGetContent(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		data := pngBytes(t, 3, 3)
		now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
		stored, err := files.Put(ctx, db, files.Upload{OrgID: f.Customer.ID, File: files.FromBytes(`C:\photos\故障\..\现场 1.png`, data)}, "image/png", now)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Name != "现场 1.png" || stored.Size != int64(len(data)) || len(stored.SHA256) != 64 || stored.CreatedBy != nil {
			t.Fatalf("stored %+v", stored)
		}
		got, err := files.Get(ctx, db, stored.ID)
		if err != nil || got.Name != stored.Name || !got.CreatedAt.Equal(now) || got.ContentType != "image/png" {
			t.Fatalf("Get = %+v, %v", got, err)
		}
		back, err := files.Content(ctx, db, stored.ID)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("Content differs: %v", err)
		}
		list, err := files.List(ctx, db, []int64{stored.ID, stored.ID + 100})
		if err != nil || len(list) != 1 || list[0].ID != stored.ID {
			t.Fatalf("List = %+v, %v", list, err)
		}
		if _, err := files.Get(ctx, db, stored.ID+100); err != store.ErrNotFound {
			t.Fatalf("unknown id: %v", err)
		}
	})
}

func FuzzDetect(f *testing.F) {
	f.Add("a.png", pngBytes(f, 2, 2))
	f.Add("a.jpg", jpegBytes(f))
	f.Add("a.pdf", []byte("%PDF-1.4\n%%EOF"))
	f.Add("a.docx", zipBytes(f, "[Content_Types].xml", "word/x.xml"))
	f.Add("a.webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		typ, err := files.Detect(name, data)
		if err == nil && typ.MIME == "" {
			t.Fatalf("accepted %q with no type", name)
		}
	})
}
