package web

import (
	"encoding/base64"
	"html/template"
	"net/http"

	"github.com/skip2/go-qrcode"

	"aftersales/internal/account"
	"aftersales/internal/record"
	"aftersales/internal/satisfaction"
)

type surveyReceiptData struct {
	Record recordRow
	Sealed *sealedContent
	// QR is the survey link's QR code as a data: URL of a PNG.
	QR template.URL
	// Link is the survey's address, printed under the code.
	Link string
}

// surveyReceipt makes a fresh survey link for a visit's record and shows
// the printable service receipt with its QR code (满意度回访二维码). Each
// printing is a new link; all of them open the same survey, answered once.
func (s *Server) surveyReceipt(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	token, ok, err := s.Satisfaction.ReceiptLink(ctx, u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		http.Redirect(w, r, "/records/"+r.PathValue("id"), http.StatusSeeOther)
		return
	}
	rec, err := record.Read(ctx, s.DB, u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	link := s.absoluteURL(r, satisfaction.SurveyPath(token))
	png, err := qrcode.Encode(link, qrcode.Medium, 360)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var sealed *sealedContent
	if c, err := rec.Content(); err == nil {
		sealed = newSealedContent(c)
	}
	w.Header().Set("Cache-Control", "private, no-store")
	v := s.newView(r, "receipt.title", "records")
	v.Data = surveyReceiptData{Record: recordRow{rec, rec.Summary()}, Sealed: sealed,
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), Link: link}
	s.render(w, r, http.StatusOK, "survey_receipt", v)
}
