package files

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // decoder for DecodeConfig
	_ "image/jpeg" // decoder for DecodeConfig
	_ "image/png"  // decoder for DecodeConfig
	"io"
	"path"
	"strings"

	_ "golang.org/x/image/webp" // decoder for DecodeConfig

	"aftersales/internal/problem"
)

// Type is a kind of file the product accepts somewhere.
type Type struct {
	MIME  string
	Label string // short name for messages: "JPEG", "PDF"
}

var (
	JPEG = Type{"image/jpeg", "JPEG"}
	PNG  = Type{"image/png", "PNG"}
	GIF  = Type{"image/gif", "GIF"}
	WebP = Type{"image/webp", "WebP"}
	HEIC = Type{"image/heic", "HEIC"}
	PDF  = Type{"application/pdf", "PDF"}
	DOCX = Type{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (.docx)"}
	XLSX = Type{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (.xlsx)"}
	PPTX = Type{"application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint (.pptx)"}
	DOC  = Type{"application/msword", "Word (.doc)"}
	XLS  = Type{"application/vnd.ms-excel", "Excel (.xls)"}
	PPT  = Type{"application/vnd.ms-powerpoint", "PowerPoint (.ppt)"}
)

// Images are the photo formats phones produce.
var Images = []Type{JPEG, PNG, WebP, HEIC, GIF}

// Documents are what manuals and handbooks come as.
var Documents = []Type{PDF, DOCX, XLSX, PPTX, DOC, XLS, PPT, JPEG, PNG, WebP, GIF}

// MaxPixels bounds an image's width × height, so that a small file that
// claims a huge picture cannot exhaust memory in whoever displays it.
const MaxPixels = 80_000_000

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// sniffBytes is how much of a file's start Detect looks at for its magic
// number; the checks that need more (an image's header past its metadata,
// a PDF's tail, a zip's directory) read it from the file.
const sniffBytes = 64

// Detect tells what data is, from its content. The name serves only to tell
// apart the old Office formats, which share one container. A file whose
// content matches no known type, or is damaged, is an error saying so.
func Detect(name string, data []byte) (Type, error) {
	return DetectAt(name, bytes.NewReader(data), int64(len(data)))
}

// DetectAt is Detect over content of size bytes read through ra: it reads
// the first bytes, then only what the type's check needs.
func DetectAt(name string, ra io.ReaderAt, size int64) (Type, error) {
	head := make([]byte, min(size, sniffBytes))
	if _, err := ra.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return Type{}, err
	}
	switch {
	case bytes.HasPrefix(head, []byte("\xFF\xD8\xFF")):
		return checkImage(JPEG, ra, size)
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return checkImage(PNG, ra, size)
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return checkImage(GIF, ra, size)
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return checkImage(WebP, ra, size)
	case isHEIC(head):
		return HEIC, nil
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return checkPDF(ra, size)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return checkOOXML(ra, size)
	case bytes.HasPrefix(head, oleMagic):
		switch strings.ToLower(path.Ext(name)) {
		case ".doc":
			return DOC, nil
		case ".xls":
			return XLS, nil
		case ".ppt":
			return PPT, nil
		}
		return Type{}, problem.Field("file", "the file is an old Office document; name it .doc, .xls or .ppt")
	}
	if ext := strings.ToLower(path.Ext(name)); ext != "" {
		return Type{}, problem.Field("file", "the content is not a known file type, whatever its name %q says", ext)
	}
	return Type{}, problem.Field("file", "the content is not a known file type")
}

// checkImage reads the image's header (DecodeConfig reads no pixels).
func checkImage(t Type, ra io.ReaderAt, size int64) (Type, error) {
	cfg, _, err := image.DecodeConfig(bufio.NewReader(io.NewSectionReader(ra, 0, size)))
	if err != nil {
		return Type{}, problem.Field("file", "the %s image is damaged", t.Label)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Type{}, problem.Field("file", "the %s image is %d × %d pixels; at most %d megapixels are accepted", t.Label, cfg.Width, cfg.Height, MaxPixels/1_000_000)
	}
	return t, nil
}

// isHEIC reports an ISO base media file whose brand is an HEIF image, the
// format of iPhone photos.
func isHEIC(data []byte) bool {
	if len(data) < 12 || string(data[4:8]) != "ftyp" {
		return false
	}
	switch string(data[8:12]) {
	case "heic", "heix", "heim", "heis", "mif1", "msf1":
		return true
	}
	return false
}

// checkPDF wants the header and, near the end, the end-of-file marker: a
// file cut short in transfer lacks it.
func checkPDF(ra io.ReaderAt, size int64) (Type, error) {
	start := max(0, size-2048)
	tail := make([]byte, size-start)
	if _, err := ra.ReadAt(tail, start); err != nil && !errors.Is(err, io.EOF) {
		return Type{}, err
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return Type{}, problem.Field("file", "the PDF is incomplete: it has no end-of-file marker")
	}
	return PDF, nil
}

// checkOOXML opens the zip and tells the Office format by its parts.
func checkOOXML(ra io.ReaderAt, size int64) (Type, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return Type{}, problem.Field("file", "the file is a damaged zip archive")
	}
	var types bool
	var kind Type
	for _, f := range zr.File {
		switch {
		case f.Name == "[Content_Types].xml":
			types = true
		case strings.HasPrefix(f.Name, "word/"):
			kind = DOCX
		case strings.HasPrefix(f.Name, "xl/"):
			kind = XLSX
		case strings.HasPrefix(f.Name, "ppt/"):
			kind = PPTX
		}
	}
	if !types || kind == (Type{}) {
		return Type{}, problem.Field("file", "the file is a zip archive, not an Office document")
	}
	return kind, nil
}

func labels(ts []Type) string {
	seen := map[string]bool{}
	var out []string
	for _, t := range ts {
		l := t.Label
		if i := strings.Index(l, " ("); i > 0 {
			l = l[:i]
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return strings.Join(out, ", ")
}

// HumanSize writes a byte count as people read it: 512 B, 3.2 MB.
func HumanSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
}
