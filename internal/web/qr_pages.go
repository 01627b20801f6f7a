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
	"aftersales/internal/web/form"
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

// qrPost is a form posted on a unit's QR page that passed the throttles.
type qrPost struct {
	u     installedbase.Unit
	now   time.Time
	addr  string
	files []*files.Incoming // the caller closes them
	fs    problem.Fields    // what is wrong so far: the files, a missing phone
}

// readQRPost reads a form posted on a unit's QR page with its files (read
// by read). It reports false when it has answered itself: no such label,
// too many posts, or a form it could not read.
func (s *Server) readQRPost(w http.ResponseWriter, r *http.Request, read func(*http.Request) ([]*files.Incoming, error)) (qrPost, bool) {
	u, ok := s.qrUnit(w, r)
	if !ok {
		return qrPost{}, false
	}
	q := qrPost{u: u, now: s.Now(), addr: clientAddress(r)}
	if s.qrBlocked(w, r, u.SerialNumber, q.addr, q.now) {
		return qrPost{}, false
	}
	var err error
	q.files, err = read(r)
	if err != nil && !problem.Is(err, problem.Invalid) {
		files.CloseAll(q.files)
		s.fail(w, r, err)
		return qrPost{}, false
	}
	if p, ok := problem.As(err); ok {
		q.fs = append(q.fs, p.Fields...)
	}
	if form.Of(r).String("contact_phone") == "" {
		q.fs.Add("contact_phone", "%s", s.msg(r, "qr.phone_required"))
	}
	return q, true
}

// qrFiledRedirect counts what the post filed against the throttles of the
// label and of the address, and sends the browser to next.
func (s *Server) qrFiledRedirect(w http.ResponseWriter, r *http.Request, q qrPost, next string) {
	s.qr.perUnit.Fail(q.u.SerialNumber, q.now)
	s.qr.perAddress.Fail(q.addr, q.now)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) qrSubmit(w http.ResponseWriter, r *http.Request) {
	q, ok := s.readQRPost(w, r, readPhotoForm)
	if !ok {
		return
	}
	defer files.CloseAll(q.files)
	u, now, photos, f := q.u, q.now, q.files, form.Of(r)
	priority := "general"
	if f.Bool("stopped") {
		priority = "emergency"
	}
	in := servicerequest.NewRequest{SerialNumber: u.SerialNumber, ServiceItem: "repair", Priority: priority, Description: f.String("description"),
		ContactName: f.String("contact_name"), ContactPhone: f.String("contact_phone"), Channel: servicerequest.QRCode, Photos: photos}
	fs := append(q.fs, f.Problems()...)
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
		v.Form = r.PostForm
		if p.Reason != "" {
			v.Errors = map[string]string{"form": s.msg(r, "scope."+p.Reason) + " " + s.msg(r, "qr.call_hotline")}
		} else {
			_ = formErrors(v, err)
		}
		s.render(w, r, http.StatusUnprocessableEntity, "qr", v)
		return
	}
	s.qrFiledRedirect(w, r, q, "/q/"+r.PathValue("token")+"?filed="+view.Number)
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
