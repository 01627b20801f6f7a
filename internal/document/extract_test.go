package document_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"aftersales/internal/document"
	"aftersales/internal/files"
)

func TestOfficeText(t *testing.T) {
	t.Parallel()
	pptx := officeFile(t, map[string]string{
		"ppt/presentation.xml":   "<p/>",
		"ppt/slides/slide10.xml": `<p:sld xmlns:a="a" xmlns:p="p"><a:p><a:r><a:t>十</a:t></a:r></a:p></p:sld>`,
		"ppt/slides/slide2.xml":  `<p:sld xmlns:a="a" xmlns:p="p"><a:p><a:r><a:t>二 &amp; two</a:t></a:r></a:p></p:sld>`,
	})
	got, err := document.OfficeText(pptx)
	if err != nil || got != "二 & two\n十\n" {
		t.Fatalf("pptx text %q, %v", got, err)
	}
	got, err = document.OfficeText(docx(t, "第一段", "second"))
	if err != nil || got != "第一段\nsecond\n" {
		t.Fatalf("docx text %q, %v", got, err)
	}
	broken := officeFile(t, map[string]string{"word/document.xml": `<w:document xmlns:w="w"><w:p><w:t>kept</w:t></w:p><w:p><w:t>cut`})
	if got, _ := document.OfficeText(broken); !strings.HasPrefix(got, "kept\n") {
		t.Fatalf("broken docx keeps %q", got)
	}
}

func FuzzOfficeText(f *testing.F) {
	f.Add(docx(f, "液压", "pump"))
	f.Add(officeFile(f, map[string]string{"xl/sharedStrings.xml": `<sst><si><t>a</t></si></sst>`}))
	f.Add([]byte("PK\x03\x04garbage"))
	ex := &document.Extractor{}
	f.Fuzz(func(t *testing.T, data []byte) {
		raw, _ := document.OfficeText(data)
		if len(raw) > document.MaxTextBytes+64<<10 {
			t.Fatalf("raw text of %d bytes", len(raw))
		}
		text, status := ex.Text(t.Context(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", files.FromBytes("f.docx", data))
		if len(text) > document.MaxTextBytes || !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
			t.Fatalf("text of %d bytes, valid %v", len(text), utf8.ValidString(text))
		}
		if (status == document.TextExtracted) != (strings.TrimSpace(text) != "") {
			t.Fatalf("status %s with text %q", status, text)
		}
	})
}
