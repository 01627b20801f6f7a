package web

import (
	"bytes"
	"mime"
	"net/http"
	"strings"

	"aftersales/internal/files"
)

// serveFile answers a stored file, or the error of looking it up. Images
// and PDFs open in the browser; any other type is downloaded. The ETag is
// the content's hash, so a browser revalidates cheaply, and ranges work for
// PDF viewers.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, f files.File, data []byte, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	disposition := "attachment"
	if strings.HasPrefix(f.ContentType, "image/") || f.ContentType == files.PDF.MIME {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}))
	h.Set("ETag", `"`+f.SHA256+`"`)
	h.Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", f.CreatedAt, bytes.NewReader(data))
}
