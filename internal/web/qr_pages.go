package web

import (
	"net/http"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/document"
	"aftersales/internal/files"
	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
)

// qrLimits bound how often the public QR page files requests: per product
// label and per client address, in a sliding hour.
type qrLimits struct {
	perUnit, perAddress *account.Throttle
}

func newQRLimits() *qrLimits {
	return &qrLimits{perUnit: account.NewThrottle(5, time.Hour), perAddress: account.NewThrottle(20, time.Hour)}
}

type qrData struct {
	Unit       installedbase.Unit
	InWarranty bool
	Token      string
	Number     string // the request just filed
	// Documents: the public documents of the product's model.
	Documents []document.Document
	// Categories of complaints; Complaining opens the complaint form (it
	// was sent with errors); Complained is the complaint just filed.
	Categories  []string
	Complaining bool
	Complained  *qrComplained
}

// qrUnit resolves the label's token; an unknown or rotated one is a 404.
func (s *Server) qrUnit(w http.ResponseWriter, r *http.Request) (installedbase.Unit, bool) {
	u, err := installedbase.ByToken(r.Context(), s.DB, r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return u, false
	}
	return u, true
}

// qrPage is the public page a QR label on the product opens (扫码报修): it
// shows the product, never its owner, and takes a request.
func (s *Server) qrPage(w http.ResponseWriter, r *http.Request) {
	u, ok := s.qrUnit(w, r)
	if !ok {
		return
	}
	v := s.newView(r, "qr.title", "")
	docs, err := s.Documents.PublicForModel(r.Context(), u.ModelID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Data = qrData{Unit: u, InWarranty: u.InWarranty(calendar.LocalDate(s.Now())), Token: r.PathValue("token"),
		Number: s.qrFiled(r.Context(), u.ID, r.URL.Query().Get("filed")), Documents: docs, Categories: complaintCategories,
		Complained: s.qrComplainedOf(r.Context(), u.ID, r.URL.Query().Get("complaint"))}
	s.render(w, r, http.StatusOK, "qr", v)
}

func (s *Server) qrSubmit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.qrUnit(w, r)
	if !ok {
		return
	}
	now, addr := s.Now(), clientAddress(r)
	if s.qrBlocked(w, r, u.SerialNumber, addr, now) {
		return
	}
	photos, perr := readPhotoForm(r)
	defer files.CloseAll(photos)
	if perr != nil && !problem.Is(perr, problem.Invalid) {
		s.fail(w, r, perr)
		return
	}
	f := r.PostForm
	var fs problem.Fields
	if p, ok := problem.As(perr); ok {
		fs = append(fs, p.Fields...)
	}
	if f.Get("contact_phone") == "" {
		fs.Add("contact_phone", "%s", s.msg(r, "qr.phone_required"))
	}
	priority := "general"
	if f.Get("stopped") == "on" {
		priority = "emergency"
	}
	in := servicerequest.NewRequest{SerialNumber: u.SerialNumber, ServiceItem: "repair", Priority: priority, Description: f.Get("description"),
		ContactName: f.Get("contact_name"), ContactPhone: f.Get("contact_phone"), Channel: servicerequest.QRCode, Photos: photos}
	err := fs.Err()
	var view servicerequest.View
	if err == nil {
		view, err = s.Requests.Create(r.Context(), policy.Actor{Email: servicerequest.QRActor}, in)
	}
	if err != nil {
		p, isProblem := problem.As(err)
		if !isProblem || p.Kind != problem.Invalid && p.Kind != problem.OutOfScope {
			s.fail(w, r, err)
			return
		}
		v := s.newView(r, "qr.title", "")
		v.Data = qrData{Unit: u, InWarranty: u.InWarranty(calendar.LocalDate(now)), Token: r.PathValue("token"), Categories: complaintCategories}
		v.Form = f
		if p.Reason != "" {
			v.Errors = map[string]string{"form": s.msg(r, "scope."+p.Reason) + " " + s.msg(r, "qr.call_hotline")}
		} else {
			_ = formErrors(v, err)
		}
		s.render(w, r, http.StatusUnprocessableEntity, "qr", v)
		return
	}
	s.qr.perUnit.Fail(u.SerialNumber, now)
	s.qr.perAddress.Fail(addr, now)
	http.Redirect(w, r, "/q/"+r.PathValue("token")+"?filed="+view.Number, http.StatusSeeOther)
}

// qrBlocked answers 429 and reports true when the label or the address
// has failed or filed too often of late (the throttles of the QR pages).
func (s *Server) qrBlocked(w http.ResponseWriter, r *http.Request, serial, addr string, now time.Time) bool {
	for _, lim := range []struct {
		t   *account.Throttle
		key string
	}{{s.qr.perUnit, serial}, {s.qr.perAddress, addr}} {
		if blocked, _ := lim.t.Blocked(lim.key, now); blocked {
			s.fail(w, r, problem.New(problem.TooManyRequests, "too many requests from this label or address; call the service hotline"))
			return true
		}
	}
	return false
}
