package web

import (
	"net/http"

	"github.com/skip2/go-qrcode"

	"aftersales/internal/account"
	"aftersales/internal/installedbase"
	"aftersales/internal/problem"
)

// unitsPage lists the installed products the user's organization may see,
// each with the link its QR label opens.
func (s *Server) unitsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	units, err := installedbase.ListForOrg(r.Context(), s.DB, u.OrgID, u.OrgKind, 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "units.title", "units")
	v.Data = map[string]any{"Units": units, "Today": s.Now().In(shanghai).Format("2006-01-02")}
	s.render(w, r, http.StatusOK, "units", v)
}

// unitQR is the QR code of a unit's label as a PNG, for staff to print.
func (s *Server) unitQR(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	units, err := installedbase.ListForOrg(r.Context(), s.DB, u.OrgID, u.OrgKind, 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, x := range units {
		if x.ID == id {
			png, err := qrcode.Encode(absoluteURL(r, "/q/"+x.QRToken), qrcode.Medium, 320)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			w.Header().Set("Content-Type", "image/png")
			w.Header().Set("Cache-Control", "private, max-age=300")
			_, _ = w.Write(png)
			return
		}
	}
	s.fail(w, r, problem.New(problem.NotFound, "no such product"))
}

// absoluteURL is path on the host the request came to.
func absoluteURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}
