package web

import (
	"net/http"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/web/form"
	"aftersales/internal/workorder"
)

// Photos, sign-off codes and escalations on the request and work order pages.

// readPhotoForm reads a form that may carry photos (multipart) or not, the
// photos received into temporary files as they arrive; the caller closes
// them. A photo too large or too many is an error naming the field photos.
func readPhotoForm(r *http.Request) ([]*files.Incoming, error) {
	return readUploadForm(r, "photos", servicerequest.MaxPhotos, servicerequest.MaxPhotoBytes)
}

// requestPhoto shows one photo of a request to whoever may read the
// request, checked on every view.
func (s *Server) requestPhoto(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	photoID, err := pathIDNamed(r, "photo")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, data, err := s.Requests.PhotoContent(r.Context(), u.Actor(), id, photoID)
	s.serveFile(w, r, f, data, err)
}

// requestPhotosAdd adds photos of the fault from the request page.
func (s *Server) requestPhotosAdd(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	photos, err := readPhotoForm(r)
	defer files.CloseAll(photos)
	if err == nil {
		_, err = s.Requests.AddPhotos(r.Context(), u.Actor(), id, servicerequest.NewPhotos{Stage: servicerequest.StageFault, Photos: photos})
	}
	s.afterRequestChange(w, r, u, id, err)
}

// workOrderPhotosAdd adds photos of the fault or the work from the work order page.
func (s *Server) workOrderPhotosAdd(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	again := func(e error) { s.renderWorkOrder(w, r, u, http.StatusUnprocessableEntity, e) }
	photos, err := readPhotoForm(r)
	defer files.CloseAll(photos)
	if err != nil {
		s.afterPost(w, r, err, "saved", "/work-orders/"+itoa(id), again)
		return
	}
	wo, err := s.WorkOrders.Get(r.Context(), u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, err = s.Requests.AddPhotos(r.Context(), u.Actor(), wo.RequestID, servicerequest.NewPhotos{Stage: form.Of(r).String("stage"), WorkOrderID: wo.ID, Photos: photos})
	s.afterPost(w, r, err, "work_orders.photos_added", "/work-orders/"+itoa(id)+"#photos", again)
}

// workOrderSignoffCode sends the customer a sign-off code from the work order page.
func (s *Server) workOrderSignoffCode(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, err = s.WorkOrders.SendSignoffCode(r.Context(), u.Actor(), id)
	s.afterPost(w, r, err, "work_orders.code_sent", "/work-orders/"+itoa(id)+"#signoff", func(e error) { s.renderWorkOrder(w, r, u, http.StatusUnprocessableEntity, e) })
}

// requestEscalate escalates from the request page, or from the work order page
// when the form says so (work_order=ID).
func (s *Server) requestEscalate(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	target, assignee, wo := f.String("target"), f.Int64("assignee_id"), f.Int64("work_order")
	if target != servicerequest.EscalateSenior {
		assignee = 0
	}
	err := f.Err()
	if err == nil {
		_, err = s.Requests.Escalate(r.Context(), u.Actor(), id, servicerequest.NewEscalation{Target: target, AssigneeID: assignee, Reason: f.String("reason")})
	}
	if wo > 0 {
		s.afterPost(w, r, err, "requests.escalated", "/work-orders/"+itoa(wo), func(e error) {
			r.SetPathValue("id", itoa(wo))
			s.renderWorkOrder(w, r, u, http.StatusUnprocessableEntity, e)
		})
		return
	}
	s.afterPost(w, r, err, "requests.escalated", "/requests/"+itoa(id), func(e error) { s.renderRequest(w, r, u, http.StatusUnprocessableEntity, e) })
}

type escalationsData struct {
	Items []servicerequest.Escalation
	Open  bool // only the open ones
	Now   time.Time
}

// escalationAnswer answers an escalation from the request page.
func (s *Server) escalationAnswer(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	requestID := f.Int64("request_id")
	err := f.Err()
	if err == nil {
		var e servicerequest.Escalation
		if e, err = s.Requests.AnswerEscalation(r.Context(), u.Actor(), id, f.String("answer")); err == nil {
			requestID = e.RequestID
		}
	}
	if requestID == 0 {
		s.fail(w, r, err)
		return
	}
	s.afterPost(w, r, err, "requests.escalation_answered", "/requests/"+itoa(requestID), func(e error) {
		r.SetPathValue("id", itoa(requestID))
		s.renderRequest(w, r, u, http.StatusUnprocessableEntity, e)
	})
}

// escalationsPage lists the escalations the user answers or follows: for
// the vendor, its second line's queue.
func (s *Server) escalationsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	open := r.URL.Query().Get("all") == ""
	items, err := s.Requests.Escalations(r.Context(), u.Actor(), open)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPage(w, r, "escalations", "escalations.title", "requests", escalationsData{Items: items, Open: open, Now: s.Now()})
}

// requestMedia is what the request and work order pages show of photos and
// escalations, and which of their forms the user gets.
type requestMedia struct {
	Photos      []servicerequest.Photo
	Escalations []servicerequest.Escalation
	Techs       []servicerequest.Technician
	CanPhoto    bool
	CanEscalate bool
	// CanAnswer holds the ids of the open escalations the user may answer.
	CanAnswer   map[int64]bool
	Code        *workorder.SentCode
	WorkOrderID int64 // set on the work order page, where forms come back to
}

func (s *Server) loadRequestMedia(r *http.Request, u account.User, req servicerequest.Request, assigned bool) (requestMedia, error) {
	ctx := r.Context()
	var m requestMedia
	var err error
	if m.Photos, err = s.Requests.Photos(ctx, u.Actor(), req.ID); err != nil {
		return m, err
	}
	if m.Escalations, err = servicerequest.EscalationsOf(ctx, s.DB, req.ID); err != nil {
		return m, err
	}
	act := u.Actor()
	scope := policy.Own
	if act.Role == policy.Technician {
		scope = policy.Unrelated
		if assigned {
			scope = policy.Self
		}
	}
	member := act.OrgID == req.ProviderID || act.OrgID == req.VendorID || act.OrgID == req.CustomerOrgID
	open := req.Status.Open()
	m.CanPhoto = open && member && act.Role != policy.Technician && policy.Allowed(act, policy.PhotoAdd, scope)
	m.CanEscalate = open && act.OrgID == req.ProviderID && policy.Allowed(act, policy.RequestEscalate, scope)
	m.CanAnswer = map[int64]bool{}
	for _, e := range m.Escalations {
		if e.AnsweredAt != nil {
			continue
		}
		m.CanEscalate = false // one open escalation at a time
		switch {
		case e.AssigneeID != nil && *e.AssigneeID == act.UserID:
			m.CanAnswer[e.ID] = true
		case e.Target == servicerequest.EscalateSecondLine:
			m.CanAnswer[e.ID] = act.OrgID == req.VendorID && policy.Allowed(act, policy.EscalationAnswer, policy.Own)
		default:
			m.CanAnswer[e.ID] = act.OrgID == req.ProviderID && act.Role != policy.Technician && policy.Allowed(act, policy.EscalationAnswer, policy.Own)
		}
	}
	if m.CanEscalate {
		if m.Techs, err = servicerequest.ProviderTechnicians(ctx, s.DB, req.ProviderID); err != nil {
			return m, err
		}
	}
	return m, nil
}

// Date is an instant's day in the page's time zone, as a date input takes it.
func (v *view) Date(t time.Time) string { return t.In(v.loc).Format("2006-01-02") }

// Clock is an instant's time of day in the page's time zone, as a time input takes it.
func (v *view) Clock(t time.Time) string { return t.In(v.loc).Format("15:04") }
