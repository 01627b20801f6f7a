package labels

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/signintech/gopdf"

	"aftersales/internal/problem"
)

// DefaultFontPath is where Debian's fonts-wqy-microhei puts its font: a
// TrueType collection whose first face (文泉驿微米黑) has TrueType outlines,
// which gopdf can embed. Debian's Noto CJK fonts have CFF outlines and
// cannot be used.
const DefaultFontPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

// fontFamily is the name the font goes by inside a sheet.
const fontFamily = "cjk"

// Font is a parsed CJK font, shared by every sheet: parsing the 5 MB
// collection takes far longer than laying out a sheet.
type Font struct {
	container *gopdf.FontContainer
}

// ParseFont reads a .ttf, or the first face of a .ttc.
func ParseFont(data []byte) (*Font, error) {
	if IsCollection(data) {
		var err error
		if data, err = ExtractFace(data, 0); err != nil {
			return nil, err
		}
	}
	c := &gopdf.FontContainer{}
	if err := c.AddTTFFontData(fontFamily, data); err != nil {
		return nil, fmt.Errorf("read the font: %w", err)
	}
	return &Font{container: c}, nil
}

// FontSource loads the font from a path on first use. A missing font is
// tried again on the next use, so installing the package needs no restart;
// until then printing labels answers "unavailable" and nothing else is
// affected.
type FontSource struct {
	Path string
	mu   sync.Mutex
	font *Font
}

// Font returns the parsed font, or a problem of kind Unavailable saying
// what to install.
func (s *FontSource) Font() (*Font, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.font != nil {
		return s.font, nil
	}
	path := s.Path
	if path == "" {
		path = DefaultFontPath
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, problem.New(problem.Unavailable, "the font for printing labels is missing at %s: install Debian's package fonts-wqy-microhei, "+
			"or point --label-font (AFTERSALES_LABEL_FONT) at a TrueType CJK font (.ttf or .ttc)", path)
	}
	if err != nil {
		return nil, problem.New(problem.Unavailable, "the font for printing labels cannot be read at %s: %v", path, err)
	}
	f, err := ParseFont(data)
	if err != nil {
		return nil, problem.New(problem.Unavailable, "the font for printing labels at %s is not a usable TrueType font (%v): install fonts-wqy-microhei", path, err)
	}
	s.font = f
	return f, nil
}
