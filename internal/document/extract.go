package document

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"aftersales/internal/files"
)

// TextStatus tells what became of a version's text for the search.
type TextStatus string

const (
	// TextExtracted: the text was read and is searchable.
	TextExtracted TextStatus = "extracted"
	// TextEmpty: the file holds no text (a scanned PDF, an empty sheet).
	TextEmpty TextStatus = "empty"
	// TextUnavailable: no tool to read it here (pdftotext is not installed).
	TextUnavailable TextStatus = "unavailable"
	// TextFailed: the reader failed or ran out of time; the file is kept.
	TextFailed TextStatus = "failed"
	// TextNotText: images and the old binary Office formats are not read.
	TextNotText TextStatus = "not_text"
)

// MaxTextBytes bounds the text kept of one version.
const MaxTextBytes = 1 << 20

// Extractor reads the text of uploaded files for the search. It never
// fails an upload: a file whose text cannot be read is still stored, and
// found by its title, description, models and part numbers.
type Extractor struct {
	// PDFToText is the path of poppler's pdftotext; "" when not installed.
	PDFToText string
	// Timeout bounds one run of pdftotext.
	Timeout time.Duration
}

// NewExtractor finds pdftotext on the PATH.
func NewExtractor() *Extractor {
	p, _ := exec.LookPath("pdftotext")
	return &Extractor{PDFToText: p, Timeout: 20 * time.Second}
}

// Text returns the text of the file in of the given content type, at most
// MaxTextBytes of valid UTF-8 without control characters.
func (e *Extractor) Text(ctx context.Context, contentType string, in *files.Incoming) (string, TextStatus) {
	var text string
	var err error
	switch contentType {
	case files.PDF.MIME:
		if e == nil || e.PDFToText == "" {
			return "", TextUnavailable
		}
		text, err = e.pdfText(ctx, in)
	case files.DOCX.MIME, files.XLSX.MIME, files.PPTX.MIME:
		text, err = officeText(in, in.Size())
	default:
		return "", TextNotText
	}
	text = cleanText(text)
	switch {
	case err != nil && text == "":
		return "", TextFailed
	case strings.TrimSpace(text) == "":
		return "", TextEmpty
	}
	return text, TextExtracted
}

// pdfText runs pdftotext on the file, bounded in time and output. An
// upload received is already in a file; one in memory is written to one.
func (e *Extractor) pdfText(ctx context.Context, in *files.Incoming) (string, error) {
	name := in.Path()
	if name == "" {
		f, err := os.CreateTemp("", "document-*.pdf")
		if err != nil {
			return "", err
		}
		defer os.Remove(f.Name())
		if _, err := io.Copy(f, in.Reader()); err != nil {
			f.Close()
			return "", err
		}
		if err := f.Close(); err != nil {
			return "", err
		}
		name = f.Name()
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.PDFToText, "-q", "-enc", "UTF-8", "-nopgbrk", name, "-")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	text, readErr := io.ReadAll(io.LimitReader(out, MaxTextBytes+utf8.UTFMax))
	if len(text) > MaxTextBytes {
		// Enough is read: stop the program rather than wait for the rest.
		_ = cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	if readErr != nil {
		return string(text), readErr
	}
	if ctx.Err() != nil {
		return string(text), ctx.Err()
	}
	if len(text) == 0 && waitErr != nil {
		return "", waitErr
	}
	return string(text), nil
}

// cleanText keeps valid UTF-8 without NUL or other control characters
// (PostgreSQL refuses NUL in text), at most MaxTextBytes long.
func cleanText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			if r == '\r' || r == '\f' {
				b.WriteByte('\n')
			}
			continue
		}
		if b.Len()+utf8.RuneLen(r) > MaxTextBytes {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Limits of reading an Office file: a zip bomb or a file of a thousand
// slides gives up what it has read so far.
const (
	maxOfficeParts     = 400
	maxOfficeUnzipped  = 64 << 20
	maxOfficePartBytes = 32 << 20
)

// OfficeText reads the text of a DOCX, XLSX or PPTX file: the text runs of
// the document body, the shared strings and inline strings of the sheets,
// and the text of the slides in order. What is read before an error is
// returned with it.
func OfficeText(data []byte) (string, error) {
	return officeText(bytes.NewReader(data), int64(len(data)))
}

func officeText(ra io.ReaderAt, size int64) (string, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return "", err
	}
	var parts []*zip.File
	for _, f := range zr.File {
		if textPart(f.Name) {
			parts = append(parts, f)
		}
	}
	sort.SliceStable(parts, func(i, j int) bool { return partOrder(parts[i].Name) < partOrder(parts[j].Name) })
	var out strings.Builder
	budget := int64(maxOfficeUnzipped)
	for i, f := range parts {
		if i == maxOfficeParts || budget <= 0 || out.Len() >= MaxTextBytes {
			break
		}
		rc, err := f.Open()
		if err != nil {
			return out.String(), err
		}
		limit := min(budget, maxOfficePartBytes)
		lr := &io.LimitedReader{R: rc, N: limit}
		err = xmlText(lr, &out)
		budget -= limit - lr.N
		rc.Close()
		if err != nil {
			return out.String(), err
		}
	}
	return out.String(), nil
}

// textPart reports the parts of an Office file that hold its text.
func textPart(name string) bool {
	switch {
	case name == "word/document.xml", name == "word/footnotes.xml", name == "xl/sharedStrings.xml":
		return true
	case strings.HasPrefix(name, "word/header") || strings.HasPrefix(name, "word/footer"):
		return path.Ext(name) == ".xml"
	case strings.HasPrefix(name, "xl/worksheets/sheet"), strings.HasPrefix(name, "ppt/slides/slide"):
		return path.Ext(name) == ".xml" && !strings.Contains(name, "/_rels/")
	}
	return false
}

// partOrder sorts slides and sheets by their number (slide10 after slide9).
func partOrder(name string) string {
	base := strings.TrimSuffix(path.Base(name), ".xml")
	i := strings.IndexAny(base, "0123456789")
	if i < 0 {
		return path.Dir(name) + "/" + base
	}
	n, _ := strconv.Atoi(base[i:])
	return path.Dir(name) + "/" + base[:i] + strconv.Itoa(100000+n)
}

// xmlText appends the character data of the text elements (w:t, a:t, t)
// of an Office XML part, a line per paragraph, row or string item.
func xmlText(r io.Reader, out *strings.Builder) error {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.CharsetReader = func(string, io.Reader) (io.Reader, error) { return nil, errors.New("only UTF-8 parts are read") }
	inText := 0
	for out.Len() < MaxTextBytes {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText++
			case "tab":
				out.WriteByte('\t')
			case "br":
				out.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				if inText > 0 {
					inText--
				}
			case "p", "si", "row", "is":
				out.WriteByte('\n')
			case "c":
				out.WriteByte('\t')
			}
		case xml.CharData:
			if inText > 0 {
				out.Write(t)
			}
		}
	}
	return nil
}
