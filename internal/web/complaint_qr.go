package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/complaint"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/web/form"
)

// readAttachmentForm reads a complaint form with its attached files.
func readAttachmentForm(r *http.Request) ([]*files.Incoming, error) {
	return readUploadForm(r, "attachments", complaint.MaxAttachments, complaint.MaxAttachmentBytes)
}

// complaintFile shows one file attached to a complaint to whoever may read
// the complaint, checked on every view.
func (s *Server) complaintFile(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fileID, err := pathIDNamed(r, "file")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, data, err := s.Complaints.Attachment(r.Context(), u.Actor(), id, fileID)
	s.serveFile(w, r, f, data, err)
}

// qrComplaintActor is who files from a product's public QR page: the
// unit's customer, without a user.
func qrComplaintActor(customerOrgID int64) policy.Actor {
	return policy.Actor{OrgID: customerOrgID, OrgKind: "customer", Role: policy.Customer, Email: "customer (QR label)"}
}

// qrComplain files a complaint or suggestion from the product's QR page
// about one of its requests, named by the number on the customer's receipt
// or text message. It is throttled like the fault report.
func (s *Server) qrComplain(w http.ResponseWriter, r *http.Request) {
	q, ok := s.readQRPost(w, r, readAttachmentForm)
	if !ok {
		return
	}
	defer files.CloseAll(q.files)
	u, now, attached, fs, f := q.u, q.now, q.files, q.fs, form.Of(r)
	if f.String("request_number") == "" {
		fs.Add("request_number", "%s", s.msg(r, "qr.number_required"))
	}
	err := fs.Err()
	var d complaint.Detail
	if err == nil {
		d, err = s.Complaints.File(r.Context(), qrComplaintActor(u.CustomerOrgID), complaint.NewComplaint{Kind: f.String("kind"), Category: f.String("category"),
			Channel: "qr", RequestNumber: f.String("request_number"), UnitID: u.ID, Description: f.String("description"),
			ContactName: f.String("contact_name"), ContactPhone: f.String("contact_phone"), Attachments: attached})
	}
	if err != nil {
		if !problem.Is(err, problem.Invalid) {
			s.fail(w, r, err)
			return
		}
		v := s.newView(r, "qr.title", "")
		v.Data = qrData{Unit: u, InWarranty: u.InWarranty(calendar.LocalDate(now)), Token: r.PathValue("token"), Categories: complaintCategories, Complaining: true}
		v.Form = r.PostForm
		_ = formErrors(v, err)
		s.render(w, r, http.StatusUnprocessableEntity, "qr", v)
		return
	}
	s.qrFiledRedirect(w, r, q, fmt.Sprintf("/q/%s?complaint=%d#complaint", r.PathValue("token"), d.ID))
}

// qrComplained is a complaint filed from this product's label in the last
// day, as the server knows it: its number and the request's, and the first
// answer's due time; the page never prints the query parameter itself.
type qrComplained struct {
	ID      int64      `db:"id"`
	Kind    string     `db:"kind"`
	Number  string     `db:"number"`
	FirstBy *time.Time `db:"first_answer_due"`
}

func (s *Server) qrComplainedOf(ctx context.Context, unitID int64, raw string) *qrComplained {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	var c qrComplained
	if err := store.Get(ctx, s.DB, &c, `SELECT c.id, c.kind, r.number, c.first_answer_due FROM complaints c JOIN service_requests r ON r.id = c.request_id
		WHERE c.id = ? AND r.unit_id = ? AND c.channel = 'qr' AND c.filed_at >= ?`, id, unitID, s.Now().UTC().Add(-qrFiledFor)); err != nil {
		return nil
	}
	return &c
}
