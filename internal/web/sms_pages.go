package web

import (
	"net/http"

	"aftersales/internal/account"
	"aftersales/internal/notify"
)

// smsData is the list of text messages sent for the organization.
type smsData struct {
	Items       []notify.SMSMessage
	States      []string
	Kinds       []string
	State, Kind string
	// Next is the id to list before for the next page; 0 on the last.
	Next int64
}

// smsKinds are the text messages the product sends.
var smsKinds = notify.SMSKinds

// smsPage lists the text messages sent about the organization's surveys
// and complaints with their delivery states, filtered by state and kind.
func (s *Server) smsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	q := readQuery(r)
	f := notify.SMSFilter{State: q.Get("state"), Kind: q.Get("kind"), Before: q.ID("before"), Limit: 50}
	var items []notify.SMSMessage
	if q.OK() {
		var err error
		items, err = notify.ListSMS(r.Context(), s.DB, u.Actor(), f)
		if err != nil && !q.refused(err) {
			s.fail(w, r, err)
			return
		}
	}
	d := smsData{Items: items, States: notify.SMSStates, Kinds: smsKinds, State: f.State, Kind: f.Kind}
	if len(items) == f.Limit {
		d.Next = items[len(items)-1].ID
	}
	v := s.newView(r, "sms.title", "complaints")
	v.Data = d
	s.renderFiltered(w, r, "sms", v, q)
}
