package labels

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/skip2/go-qrcode"

	"aftersales/internal/problem"
)

// buildCollection makes a TTC of two faces sharing a table, as fonts-wqy does.
func buildCollection(t testing.TB) []byte {
	t.Helper()
	be := binary.BigEndian
	shared := []byte("SHAREDTABLE") // 11 bytes: exercises padding
	headA := make([]byte, 54)
	copy(headA, "HEAD-A")
	headB := make([]byte, 54)
	copy(headB, "HEAD-B")
	var b bytes.Buffer
	// header: ttcf, version, 2 faces, two directory offsets
	b.WriteString("ttcf")
	binary.Write(&b, be, uint32(0x00010000))
	binary.Write(&b, be, uint32(2))
	dirA := 20
	dirB := dirA + 12 + 2*16
	binary.Write(&b, be, uint32(dirA))
	binary.Write(&b, be, uint32(dirB))
	dataAt := dirB + 12 + 2*16
	offShared, offA, offB := dataAt, dataAt+12, dataAt+12+56
	dir := func(head int) {
		binary.Write(&b, be, uint32(0x00010000))
		binary.Write(&b, be, uint16(2))
		binary.Write(&b, be, [3]uint16{32, 1, 0})
		for _, r := range []struct {
			tag    string
			off, n int
		}{{"head", head, 54}, {"glyf", offShared, len(shared)}} {
			b.WriteString(r.tag)
			binary.Write(&b, be, uint32(0))
			binary.Write(&b, be, uint32(r.off))
			binary.Write(&b, be, uint32(r.n))
		}
	}
	dir(offA)
	dir(offB)
	b.Write(shared)
	b.WriteByte(0)
	b.Write(headA)
	b.Write([]byte{0, 0})
	b.Write(headB)
	return b.Bytes()
}

func TestExtractFace(t *testing.T) {
	t.Parallel()
	ttc := buildCollection(t)
	for face, head := range []string{"HEAD-A", "HEAD-B"} {
		ttf, err := ExtractFace(ttc, face)
		if err != nil {
			t.Fatal(err)
		}
		be := binary.BigEndian
		if n := be.Uint16(ttf[4:]); n != 2 {
			t.Fatalf("face %d: %d tables", face, n)
		}
		tables := map[string][]byte{}
		for i := 0; i < 2; i++ {
			rec := ttf[12+16*i:]
			off, n := be.Uint32(rec[8:]), be.Uint32(rec[12:])
			if off%4 != 0 {
				t.Errorf("table %s at %d is not 4-byte aligned", rec[:4], off)
			}
			tables[string(rec[:4])] = ttf[off : off+n]
		}
		if string(tables["glyf"]) != "SHAREDTABLE" || !strings.HasPrefix(string(tables["head"]), head) {
			t.Fatalf("face %d: tables %q", face, tables)
		}
		if sum := checksum(ttf); sum != 0xB1B0AFBA {
			t.Errorf("face %d: whole-font checksum %#x, want 0xB1B0AFBA", face, sum)
		}
	}
	if _, err := ExtractFace(ttc, 2); err == nil {
		t.Error("face 2 of 2 extracted")
	}
	if _, err := ExtractFace([]byte("not a font"), 0); err == nil {
		t.Error("a non-collection extracted")
	}
	truncated := ttc[:60]
	if _, err := ExtractFace(truncated, 1); err == nil {
		t.Error("a truncated collection extracted")
	}
}

func FuzzExtractFace(f *testing.F) {
	f.Add(buildCollection(f), 0)
	f.Add([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10"), 0)
	f.Fuzz(func(t *testing.T, data []byte, face int) {
		out, err := ExtractFace(data, face)
		if err == nil && len(out) < 12 {
			t.Fatalf("extracted %d bytes", len(out))
		}
	})
}

func TestMissingFontIsUnavailable(t *testing.T) {
	t.Parallel()
	src := &FontSource{Path: filepath.Join(t.TempDir(), "none.ttc")}
	_, err := src.Font()
	if !problem.Is(err, problem.Unavailable) || !strings.Contains(err.Error(), "fonts-wqy-microhei") {
		t.Fatalf("missing font: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.ttf")
	os.WriteFile(bad, []byte("not a font at all"), 0o644)
	if _, err := (&FontSource{Path: bad}).Font(); !problem.Is(err, problem.Unavailable) {
		t.Fatalf("unreadable font: %v", err)
	}
}

// realFont is the Debian font; tests that render skip without it, unless
// AFTERSALES_TEST_BROWSER=require (scripts/test installs it).
func realFont(t testing.TB) *Font {
	t.Helper()
	src := &FontSource{Path: DefaultFontPath}
	f, err := src.Font()
	if err != nil {
		if os.Getenv("AFTERSALES_TEST_BROWSER") == "require" {
			t.Fatalf("the label font is required: %v", err)
		}
		t.Skipf("no label font: %v", err)
	}
	return f
}

func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("AFTERSALES_TEST_BROWSER") == "require" {
			t.Fatalf("%s is required; scripts/test installs poppler-utils", name)
		}
		t.Skipf("%s not installed (poppler-utils)", name)
	}
	return p
}

func sample(n int) []Label {
	out := make([]Label, n)
	for i := range out {
		out[i] = Label{ModelCode: "HC-CNC-850", ModelName: "立式数控加工中心", Serial: fmt.Sprintf("HC850-2024-%04d", i+1),
			URL: fmt.Sprintf("https://service.haichuan.example/q/%052d", i+1)}
	}
	return out
}

func TestSheetTextAndQRCode(t *testing.T) {
	t.Parallel()
	font := realFont(t)
	pdftotext, pdftoppm := tool(t, "pdftotext"), tool(t, "pdftoppm")
	items := sample(26)                                          // two pages of the 3 × 8 layout
	items[3].Serial = "0012345678901234567890123456789012345678" // long, leading zeros
	items[4].ModelName = "超长型号名称用于检验标签上的文字是否会被截断而不是溢出到相邻的标签之外"
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := Render(&buf, font, Options{Hotline: "400-820-1234"}, items); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "labels.pdf")
	os.WriteFile(pdf, buf.Bytes(), 0o644)
	out, err := exec.Command(pdftotext, "-layout", pdf, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	text := string(out)
	for _, want := range []string{"扫码报修", "请勿撕毁", "服务热线 400-820-1234", "HC-CNC-850", "立式数控加工中心", "HC850-2024-0001", "HC850-2024-0026",
		"0012345678901234567890123456789012345678"} {
		if !strings.Contains(strings.ReplaceAll(text, "\n", ""), want) && !strings.Contains(text, want) {
			t.Errorf("the sheet's text lacks %q:\n%s", want, text)
		}
	}
	if pages := strings.Count(text, "\f"); pages != 2 {
		t.Errorf("%d pages, want 2", pages)
	}
	if out, err := exec.Command(pdftoppm, "-png", "-r", "200", "-f", "1", "-l", "1", pdf, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pngs) != 1 {
		t.Fatalf("rendered %v", pngs)
	}
	if keep := os.Getenv("AFTERSALES_SCREENSHOTS"); keep != "" {
		b, _ := os.ReadFile(pngs[0])
		os.MkdirAll(keep, 0o755)
		os.WriteFile(filepath.Join(keep, "labels-sheet.png"), b, 0o644)
	}
	// The first label's code must scan to the first unit's address.
	f, _ := os.Open(pngs[0])
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	const dpmm = 200 / 25.4
	l := Layouts[0]
	first := image.Rect(0, int(l.Top*dpmm), int(l.W*dpmm), int((l.Top+l.H)*dpmm))
	if got := decodeQR(t, img, first); got != items[0].URL {
		t.Fatalf("first label scans to %q, want %q", got, items[0].URL)
	}
	second := image.Rect(int(l.W*dpmm), int((l.Top+l.H)*dpmm), int(2*l.W*dpmm), int((l.Top+2*l.H)*dpmm))
	if got := decodeQR(t, img, second); got != items[4].URL {
		t.Fatalf("the label in row 2, column 2 scans to %q, want %q", got, items[4].URL)
	}
}

type subImager interface {
	SubImage(image.Rectangle) image.Image
}

func decodeQR(t *testing.T, img image.Image, area image.Rectangle) string {
	t.Helper()
	part := img.(subImager).SubImage(area)
	bmp, err := gozxing.NewBinaryBitmapFromImage(part)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("decode the QR code in %v: %v", area, err)
	}
	return res.GetText()
}

// The blocks cover exactly the dark modules, each once.
func TestModuleBlocksCoverTheCode(t *testing.T) {
	t.Parallel()
	for _, content := range []string{"a", "https://service.haichuan.example/q/" + strings.Repeat("x", 52)} {
		code, err := qrcode.New(content, qrcode.Medium)
		if err != nil {
			t.Fatal(err)
		}
		code.DisableBorder = true
		bits := code.Bitmap()
		covered := make([][]int, len(bits))
		for i := range covered {
			covered[i] = make([]int, len(bits[i]))
		}
		blocks := moduleBlocks(bits)
		for _, b := range blocks {
			for r := b.row; r < b.row+b.height; r++ {
				for c := b.col; c < b.col+b.width; c++ {
					covered[r][c]++
				}
			}
		}
		dark := 0
		for r := range bits {
			for c := range bits[r] {
				want := 0
				if bits[r][c] {
					want = 1
					dark++
				}
				if covered[r][c] != want {
					t.Fatalf("%q: module (%d, %d) covered %d times, dark %v", content, r, c, covered[r][c], bits[r][c])
				}
			}
		}
		if len(blocks) >= dark {
			t.Errorf("%q: %d blocks for %d dark modules", content, len(blocks), dark)
		}
	}
}

func TestEveryLayoutFitsA4(t *testing.T) {
	t.Parallel()
	for _, l := range Layouts {
		w := l.Left*2 + float64(l.Cols)*l.W + float64(l.Cols-1)*l.GapX
		h := l.Top + float64(l.Rows)*l.H + float64(l.Rows-1)*l.GapY
		if w > 210.01 || h > 297.01 {
			t.Errorf("%s: %.1f × %.1f mm does not fit A4", l.ID, w, h)
		}
	}
	if _, ok := LayoutByID("a4-9x9"); ok {
		t.Error("an unknown layout was found")
	}
}

func TestRenderRefusesEmptyAndTooMany(t *testing.T) {
	t.Parallel()
	font := realFont(t)
	if err := Render(&bytes.Buffer{}, font, Options{}, nil); !problem.Is(err, problem.Invalid) {
		t.Errorf("no labels: %v", err)
	}
	if err := Render(&bytes.Buffer{}, font, Options{}, make([]Label, MaxLabels+1)); !problem.Is(err, problem.Invalid) {
		t.Errorf("too many labels: %v", err)
	}
}

// Sheets are rendered concurrently from one parsed font.
func TestConcurrentSheets(t *testing.T) {
	t.Parallel()
	font := realFont(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- Render(&bytes.Buffer{}, font, Options{Layout: Layouts[i%len(Layouts)]}, sample(30))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkSheet240 renders 240 labels (ten 3 × 8 sheets) from a parsed font.
func BenchmarkSheet240(b *testing.B) {
	font := realFont(b)
	items := sample(240)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Render(&buf, font, Options{Hotline: "400-820-1234"}, items); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1024, "KiB/sheet")
}

// BenchmarkParseFont is the one-time cost of reading the font collection.
func BenchmarkParseFont(b *testing.B) {
	data, err := os.ReadFile(DefaultFontPath)
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, err := ParseFont(data); err != nil {
			b.Fatal(err)
		}
	}
}
