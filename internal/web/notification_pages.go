package web

import (
	"net/http"
	"strings"

	"aftersales/internal/account"
	"aftersales/internal/notify"
)

// lazyCount counts once, when a template first asks.
type lazyCount struct {
	count func() int
	n     int
	done  bool
}

// UnreadCount is the signed-in user's unread notifications for the top bar,
// counted at most once per page.
func (v *view) UnreadCount() int {
	c := &v.unread
	if c.count == nil {
		return 0
	}
	if !c.done {
		c.n, c.done = c.count(), true
	}
	return c.n
}

func (s *Server) unreadCounter(r *http.Request, u account.User) lazyCount {
	return lazyCount{count: func() int {
		n, err := notify.UnreadCount(r.Context(), s.DB, u.ID)
		if err != nil {
			s.Log.Warn("count unread notifications", "err", err, "request_id", requestID(r.Context()))
		}
		return n
	}}
}

type notificationsData struct {
	Page   notify.Page
	Cursor string
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	cursor := r.URL.Query().Get("cursor")
	p, err := s.Notify.List(r.Context(), u.Actor(), notify.ListInput{Cursor: cursor, Limit: 30})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPage(w, r, "notifications", "notifications.title", "notifications", notificationsData{Page: p, Cursor: cursor})
}

// notificationRead marks one read and goes where it points (or back to the list).
func (s *Server) notificationRead(w http.ResponseWriter, r *http.Request, u account.User) {
	n, ok := byPathID(s, w, r, u.Actor(), s.Notify.MarkRead)
	if !ok {
		return
	}
	next := "/notifications"
	if r.FormValue("open") != "" && n.Link != "" {
		next = n.Link
	}
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (s *Server) notificationsReadAll(w http.ResponseWriter, r *http.Request, u account.User) {
	n, ok := forUser(s, w, r, u, s.Notify.MarkAllRead)
	if !ok {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "notifications.marked", "Count", n), "/notifications")
}

// emailPreferenceUpdate is the profile's switch for email notifications.
func (s *Server) emailPreferenceUpdate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	on := f.Bool("email_notifications")
	if err := f.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Notify.SetEmailPreference(r.Context(), u.Actor(), on); err != nil {
		s.fail(w, r, err)
		return
	}
	if f.String("email_kinds_shown") != "" {
		if err := s.Notify.SetEmailChoices(r.Context(), u.Actor(), f.Strings("email_kind")); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.flashRedirect(w, r, s.msg(r, "saved"), "/profile#notifications")
}

type webhooksData struct {
	Webhooks  []notify.Webhook
	NewSecret string
	Created   *notify.Webhook
}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.renderWebhooks(w, r, u, http.StatusOK, nil, nil, "")
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error, created *notify.Webhook, secret string) {
	hooks, ok := forUser(s, w, r, u, s.Notify.Webhooks)
	if !ok {
		return
	}
	vw := s.newView(r, "webhooks.title", "webhooks")
	vw.Data = webhooksData{Webhooks: hooks, NewSecret: secret, Created: created}
	if formErr != nil {
		vw.Form = r.PostForm
		if err := formErrors(vw, formErr); err != nil {
			s.fail(w, r, err)
			return
		}
		for k, v := range vw.Errors { // kinds[2] -> kinds: one field on the page
			if strings.HasPrefix(k, "kinds[") {
				vw.Errors["kinds"] = v
			}
		}
	}
	s.render(w, r, status, "webhooks", vw)
}

func (s *Server) webhookCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	kinds := strings.FieldsFunc(f.String("kinds"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '，' })
	hook, secret, err := s.Notify.CreateWebhook(r.Context(), u.Actor(), notify.WebhookInput{URL: f.String("url"), Kinds: kinds, Description: f.String("description")})
	if s.refused(w, r, err, func(err error) { s.renderWebhooks(w, r, u, http.StatusUnprocessableEntity, err, nil, "") }) {
		return
	}
	// The secret is shown once, on this response.
	s.renderWebhooks(w, r, u, http.StatusCreated, nil, &hook, secret)
}

type webhookData struct {
	Webhook    notify.Webhook
	Deliveries []notify.Delivery
	NextBefore int64
}

func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request, u account.User) {
	ctx, act := r.Context(), u.Actor()
	hook, ok := byPathID(s, w, r, act, s.Notify.Webhook)
	if !ok {
		return
	}
	id := hook.ID
	q := readQuery(r)
	before := q.ID("before")
	const pageSize = 30
	ds, ok := whenRead(s, w, r, q, func() ([]notify.Delivery, error) { return s.Notify.Deliveries(ctx, act, id, before, pageSize) })
	if !ok {
		return
	}
	var err error
	for i := range ds {
		if ds[i], err = s.Notify.Delivery(ctx, act, ds[i].ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	d := webhookData{Webhook: hook, Deliveries: ds}
	if len(ds) == pageSize {
		d.NextBefore = ds[len(ds)-1].ID
	}
	vw := s.newView(r, "webhooks.title", "webhooks")
	vw.Title = hook.URL
	vw.Data = d
	s.renderFiltered(w, r, "webhook", vw, q)
}

func (s *Server) webhookDisable(w http.ResponseWriter, r *http.Request, u account.User) {
	hook, ok := byPathID(s, w, r, u.Actor(), s.Notify.DisableWebhook)
	if !ok {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "webhooks.disabled_done"), "/settings/webhooks/"+itoa(hook.ID))
}

func (s *Server) webhookRedeliver(w http.ResponseWriter, r *http.Request, u account.User) {
	d, ok := byPathID(s, w, r, u.Actor(), s.Notify.Redeliver)
	if !ok {
		return
	}
	s.Jobs.Wake()
	s.flashRedirect(w, r, s.msg(r, "webhooks.redelivered", "ID", d.ID), "/settings/webhooks/"+itoa(d.WebhookID))
}

// KindName names a notification's kind of event in the page's language:
// its own name (the profile's email choices), else the name of its group,
// the part before the first dot (certification, complaint, ...), so that
// a kind with no name of its own never shows as a catalog key.
func (v *view) KindName(kind string) string {
	if id := "notifykind." + kind; v.bundle.Has(id) {
		return v.T(id)
	}
	group, _, _ := strings.Cut(kind, ".")
	return v.T("notifykind." + group)
}
