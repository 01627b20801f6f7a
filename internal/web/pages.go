package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/i18n"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/satisfaction"
	"aftersales/internal/servicerequest"
	"aftersales/internal/web/form"
)

//go:embed templates static
var embedded embed.FS

var staticFS = embedded

const (
	sessionFlash = "flash"
	langCookie   = "lang"
)

type pages struct {
	byName map[string]*template.Template
}

// loadPages parses each page template together with the layout, once per
// process: parsed templates are only executed, so every server shares them.
var loadPages = sync.OnceValues(parsePages)

func parsePages() (*pages, error) {
	layout, err := fs.ReadFile(embedded, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(embedded, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// Partials are sections several pages share (templates/partials).
	partials, err := fs.Glob(embedded, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		body, err := fs.ReadFile(embedded, n)
		if err != nil {
			return nil, err
		}
		t := template.New("layout").Funcs(funcs)
		if _, err := t.Parse(string(layout)); err != nil {
			return nil, fmt.Errorf("layout: %w", err)
		}
		if _, err := t.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("page %s: %w", name, err)
		}
		for _, pn := range partials {
			part, err := fs.ReadFile(embedded, pn)
			if err != nil {
				return nil, err
			}
			if _, err := t.Parse(string(part)); err != nil {
				return nil, fmt.Errorf("partial %s: %w", pn, err)
			}
		}
		p.byName[name] = t
	}
	return p, nil
}

var funcs = template.FuncMap{
	"key": i18n.Key,
	"initials": func(name string) string {
		r := []rune(strings.TrimSpace(name))
		if len(r) == 0 {
			return "?"
		}
		return strings.ToUpper(string(r[0]))
	},
	"str": func(v any) string { return fmt.Sprint(v) },
	// Documentation library.
	"size":     humanSize,
	"fileKind": fileKind,
	"list":     func(xs ...string) []string { return xs },
	// maskPhone shows a mobile number as +86 138****5678.
	"maskPhone": maskPhone,
	// smsAbout reads what a text message is about ("complaint:12").
	"smsAbout": func(ref string) struct {
		Kind string
		ID   int64
	} {
		kind, id, _ := strings.Cut(ref, ":")
		n, _ := strconv.ParseInt(id, 10, 64)
		return struct {
			Kind string
			ID   int64
		}{kind, n}
	},
	// dict passes several values to a template: dict "Key" value ….
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"last": func(xs []int) int {
		if len(xs) == 0 {
			return 0
		}
		return xs[len(xs)-1]
	},
}

// view is what every page template receives.
type view struct {
	Lang    string
	Title   string
	Active  string // the navigation entry to highlight
	User    *account.User
	OrgName string
	Flash   string
	Errors  map[string]string // field -> message
	// FilterErrors name the values of the page's filter that could not be
	// read (pageQuery), shown above the page.
	FilterErrors []string
	Form         url.Values
	Data         any
	Path         string
	RequestID    string
	// Suspensions for non-payment not ended, shown as banners.
	Suspensions []suspensionBanner
	bundle      *i18n.Bundle
	loc         *time.Location
	// unread counts the user's unread notifications for the top bar.
	unread lazyCount
}

// T translates a message id in the page's language.
func (v *view) T(id string, args ...any) string {
	if len(args) == 0 {
		return v.bundle.T(v.Lang, id)
	}
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	return v.bundle.T(v.Lang, id, data)
}

// enumWords are the words of one enum's values in a page's language,
// each translated once however many rows show it.
type enumWords struct {
	v      *view
	prefix string
	seen   map[string]string
}

// words translates the values of an enum whose messages are prefix and
// the value ("status." + "received").
func (v *view) words(prefix string) *enumWords {
	return &enumWords{v: v, prefix: prefix, seen: map[string]string{}}
}

// Of is the word for value.
func (w *enumWords) Of(value string) string {
	t, ok := w.seen[value]
	if !ok {
		t = w.v.T(w.prefix + value)
		w.seen[value] = t
	}
	return t
}

// Action names an audited action in the page's language; an action without
// its own message is shown by its words ("agreement status active").
func (v *view) Action(a string) string {
	if v.bundle.Has("action." + a) {
		return v.T("action." + a)
	}
	return strings.NewReplacer(".", " ", "_", " ").Replace(a)
}

// EventNote is an event's note as the page shows it: a note the product
// wrote in the page's language, a person's note as they wrote it.
func (v *view) EventNote(e servicerequest.RequestEvent) string {
	n, ok := e.SystemNote()
	if !ok {
		return e.Note
	}
	var args []any
	for k, a := range n.Args {
		switch k {
		case "Channel":
			a = v.T("channel." + a)
		case "Stage":
			a = v.T("photos.stage_" + a)
		}
		args = append(args, k, a)
	}
	return v.T("eventnote."+n.Key, args...)
}

// EventActor names who made an event: a user by their label, someone at a
// product's QR page in the page's language.
func (v *view) EventActor(e servicerequest.RequestEvent) string {
	if e.Actor == servicerequest.QRActor {
		return v.T("event.actor_qr")
	}
	return e.Actor
}

// ActorName names who did an audited action: a user by their label,
// those without an account (a QR code's holder, a survey's customer) in
// the page's language.
func (v *view) ActorName(label string) string {
	switch label {
	case servicerequest.QRActor:
		return v.T("event.actor_qr")
	case satisfaction.SurveyActor:
		return v.T("actor.survey_link")
	}
	return label
}

// LangName names a document's language code in the page's language; an
// unlisted code is shown as it is.
func (v *view) LangName(code string) string {
	if v.bundle.Has("doclang." + code) {
		return v.T("doclang." + code)
	}
	return code
}

// Span shows a length of time in the page's language: "3h 20m", "2d 4h"
// from two days on, "-" before time already past. It takes a
// time.Duration or a *time.Duration (nil: "—").
func (v *view) Span(d any) string {
	span, ok, otherwise := valueOrPointer[time.Duration](d)
	if !ok {
		return otherwise
	}
	sign := ""
	if span < 0 {
		sign, span = "-", -span
	}
	h := int(span.Hours())
	m := int(span.Minutes()) % 60
	if h >= 48 {
		return sign + v.T("span.days_hours", "D", h/24, "H", h%24)
	}
	return sign + v.T("span.hours_minutes", "H", h, "M", m, "MM", fmt.Sprintf("%02d", m))
}

// Time formats an instant in the page's time zone.
func (v *view) Time(t any) string {
	tt, ok, otherwise := valueOrPointer[time.Time](t)
	if !ok {
		return otherwise
	}
	if tt.IsZero() {
		return "—"
	}
	return tt.In(v.loc).Format("2006-01-02 15:04")
}

// valueOrPointer reads what a template passes as a T or a *T; when there
// is no value, otherwise is what to show: "—" for a nil *T, "" for
// anything else.
func valueOrPointer[T any](v any) (value T, ok bool, otherwise string) {
	switch x := v.(type) {
	case T:
		return x, true, ""
	case *T:
		if x != nil {
			return *x, true, ""
		}
		return value, false, "—"
	}
	return value, false, ""
}

// Can tells a template whether to show an action.
func (v *view) Can(action string) bool {
	if v.User == nil {
		return false
	}
	return len(policy.Granted(v.User.Role, policy.Action(action))) > 0
}

// Nav is the navigation for the signed-in user's role.
func (v *view) Nav() []navItem {
	if v.User == nil {
		return nil
	}
	items := []navItem{{"home", "/", "nav.home"}}
	if v.User.Role == policy.Technician {
		items = append(items, navItem{"work_orders", "/work-orders", "nav.work_orders"})
	} else {
		items = append(items, navItem{"requests", "/requests", "nav.requests"})
	}
	if len(policy.Granted(v.User.Role, policy.RecordRead)) > 0 {
		items = append(items, navItem{"records", "/records", "nav.records"})
	}
	if v.User.Role != policy.Technician {
		items = append(items, navItem{"units", "/units", "nav.units"})
	}
	if len(policy.Granted(v.User.Role, policy.PartRead)) > 0 {
		href := "/parts"
		if v.User.Role == policy.Technician {
			href = "/stock" // a technician's van first
		}
		items = append(items, navItem{"parts", href, "nav.parts"})
	}
	if len(policy.Granted(v.User.Role, policy.DocumentReadPublic)) > 0 {
		items = append(items, navItem{"documents", "/documents", "nav.documents"})
	}
	if len(policy.Granted(v.User.Role, policy.StaffRead)) > 0 && v.User.Role != policy.Technician {
		items = append(items, navItem{"staff", "/staff", "nav.staff"})
	}
	if v.User.OrgKind == "vendor" && policy.Allowed(v.User.Actor(), policy.QualificationRuleRead, policy.Own) {
		items = append(items, navItem{"rules", "/staff/rules", "nav.rules"})
	}
	if policy.Allowed(v.User.Actor(), policy.RequestAssign, policy.Own) {
		items = append(items, navItem{"dispatch", "/dispatch", "nav.dispatch"})
	}
	if len(policy.Granted(v.User.Role, policy.AgreementRead)) > 0 {
		items = append(items, navItem{"agreements", "/agreements", "nav.agreements"})
	}
	if len(policy.Granted(v.User.Role, policy.SatisfactionRead)) > 0 {
		items = append(items, navItem{"satisfaction", "/satisfaction", "nav.satisfaction"})
	} else if len(policy.Granted(v.User.Role, policy.ComplaintRead)) > 0 {
		items = append(items, navItem{"complaints", "/complaints", "nav.complaints"})
	}
	if len(policy.Granted(v.User.Role, policy.SettlementRead)) > 0 {
		items = append(items, navItem{"settlements", "/settlements", "nav.settlements"})
	}
	items = append(items, navItem{"orgs", "/orgs", "nav.orgs"}, navItem{"calendars", "/calendars", "nav.calendars"})
	if policy.Allowed(v.User.Actor(), policy.AuditRead, policy.Own) {
		items = append(items, navItem{"audit", "/audit", "nav.audit"})
	}
	// The profile is reached from the name in the top bar.
	return items
}

type navItem struct{ ID, Href, Label string }

// tabbed is the tabs of a section's pages (parts, installed base) and the
// one a page is, for the pages' data to embed.
type tabbed struct {
	Tabs []navItem
	Tab  string
}

// Languages lists the switcher's entries.
func (v *view) Languages() []navItem {
	return []navItem{{"zh-CN", "/lang/zh-CN?next=" + url.QueryEscape(v.Path), i18n.Names["zh-CN"]},
		{"en", "/lang/en?next=" + url.QueryEscape(v.Path), i18n.Names["en"]}}
}

// Field returns the value to show in a form field: what was submitted, else def.
func (v *view) Field(name string, def any) string {
	if v.Form != nil {
		if vals, ok := v.Form[name]; ok && len(vals) > 0 {
			return vals[0]
		}
	}
	if def == nil {
		return ""
	}
	return fmt.Sprint(def)
}

// lang picks the language: the user's setting, the lang cookie, then the
// browser's Accept-Language.
func (s *Server) lang(r *http.Request) string {
	var prefs []string
	if u, ok := currentUser(r.Context()); ok && u.Locale != "" {
		prefs = append(prefs, u.Locale)
	}
	if c, err := r.Cookie(langCookie); err == nil {
		prefs = append(prefs, c.Value)
	}
	prefs = append(prefs, r.Header.Get("Accept-Language"))
	return i18n.Match(prefs...)
}

func (s *Server) newView(r *http.Request, title, active string) *view {
	v := &view{Lang: s.lang(r), Active: active, Path: r.URL.RequestURI(), bundle: s.I18n, loc: calendar.Shanghai,
		RequestID: requestID(r.Context())}
	v.Title = v.T(title)
	if u, ok := currentUser(r.Context()); ok {
		v.User = &u
		v.unread = s.unreadCounter(r, u)
		if o, err := s.Orgs.Get(r.Context(), u.Actor(), u.OrgID); err == nil {
			v.OrgName = o.Name
		}
		v.Flash = s.Sessions.PopString(r.Context(), sessionFlash)
	}
	return v
}

// render writes a page, buffered so that a template error never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t, ok := s.pages.byName[page]
	if !ok {
		s.fail(w, r, fmt.Errorf("no page template %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Log.Error("render", "page", page, "err", err)
		http.Error(w, "page error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderPage renders page with its title, the navigation entry active and
// data.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, page, title, active string, data any) {
	v := s.newView(r, title, active)
	v.Data = data
	s.render(w, r, http.StatusOK, page, v)
}

// formErrors fills v.Errors from a validation problem; other errors are returned.
func formErrors(v *view, err error) error {
	return fieldErrors(v, err, func(field, msg string) {
		key := strings.TrimPrefix(field, "body.")
		v.Errors[key] = msg
		// The photos of a form share one message under their input.
		if base, _, indexed := strings.Cut(key, "["); indexed {
			v.Errors[base] = strings.TrimSpace(v.Errors[base] + " " + msg)
		}
	})
}

// fieldErrors starts v.Errors afresh and calls put with each field of a
// validation problem and its message in the page's language; other errors
// are returned.
func fieldErrors(v *view, err error, put func(field, msg string)) error {
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Invalid {
		return err
	}
	v.Errors = map[string]string{}
	for _, f := range v.translate(p).Fields {
		put(f.Field, f.Message)
	}
	return nil
}

// renderForm renders a page with a form: with formErr, a validation
// problem, the posted values come back with the messages under their
// inputs; any other error shows the error page.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, page string, v *view, formErr error) {
	if formErr != nil {
		v.Form = r.PostForm
		if err := formErrors(v, formErr); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, status, page, v)
}

// translate renders a problem's messages in the page's language.
func (v *view) translate(p *problem.Error) *problem.Error {
	return p.Translate(func(format string) (string, bool) { return v.bundle.ProblemFormat(v.Lang, format) })
}

// translate renders a problem's messages in the language of the request.
func (s *Server) translate(r *http.Request, p *problem.Error) *problem.Error {
	lang := s.lang(r)
	return p.Translate(func(format string) (string, bool) { return s.I18n.ProblemFormat(lang, format) })
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, p *problem.Error) {
	v := s.newView(r, "error.title", "")
	v.Data = v.translate(p)
	s.render(w, r, p.Kind.Status(), "error", v)
}

// signedIn sends visitors without a session to the login page.
func (s *Server) signedIn(h func(http.ResponseWriter, *http.Request, account.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := currentUser(r.Context())
		if !ok {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, u)
	}
}

// shown is the page of a form as it first opens: render with 200 and no
// refusal to show.
func shown(render func(http.ResponseWriter, *http.Request, account.User, int, error)) func(http.ResponseWriter, *http.Request, account.User) {
	return func(w http.ResponseWriter, r *http.Request, u account.User) { render(w, r, u, http.StatusOK, nil) }
}

func (s *Server) flash(r *http.Request, msg string) { s.Sessions.Put(r.Context(), sessionFlash, msg) }

// flashRedirect ends a post: msg shown on the next page, then next.
func (s *Server) flashRedirect(w http.ResponseWriter, r *http.Request, msg, next string) {
	s.flash(r, msg)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// readForm parses the posted form. A body that cannot be read as a form is
// a malformed request (a body over the limit stays too large).
func readForm(r *http.Request) error {
	err := r.ParseForm()
	var tooLarge *http.MaxBytesError
	if err == nil || errors.As(err, &tooLarge) {
		return err
	}
	return problem.New(problem.MalformedRequest, "the form could not be read")
}

// posted reads the form of a form post; when it cannot be read it has
// answered with the error and reports false.
func (s *Server) posted(w http.ResponseWriter, r *http.Request) (*form.Form, bool) {
	if err := readForm(r); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return form.Of(r), true
}

// postedTo reads the id in the path and the posted form of a form post;
// when either is bad it has answered with the error and reports false.
func (s *Server) postedTo(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := pathID(r)
	if err == nil {
		err = readForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return 0, false
	}
	return id, true
}

// postedForm is postedTo with the form's reader.
func (s *Server) postedForm(w http.ResponseWriter, r *http.Request) (int64, *form.Form, bool) {
	id, ok := s.postedTo(w, r)
	if !ok {
		return 0, nil, false
	}
	return id, form.Of(r), true
}

func pathID(r *http.Request) (int64, error) { return pathIDNamed(r, "id") }

// pathIDNamed reads the id in the path's value name: a page not found when
// it is not a whole number of 1 or more.
func pathIDNamed(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.New(problem.NotFound, "no such page")
	}
	return id, nil
}

// byPathID calls get as act on the id the path names (to load what it
// names, or to act on it); on an error it answers the error page and
// returns false.
func byPathID[T any](s *Server, w http.ResponseWriter, r *http.Request, act policy.Actor, get func(context.Context, policy.Actor, int64) (T, error)) (T, bool) {
	id, err := pathID(r)
	if err == nil {
		var v T
		if v, err = get(r.Context(), act, id); err == nil {
			return v, true
		}
	}
	s.fail(w, r, err)
	var zero T
	return zero, false
}

// forUser calls get for the user (to list what they may see, or to act
// for them); on an error it answers the error page and returns false.
func forUser[T any](s *Server, w http.ResponseWriter, r *http.Request, u account.User, get func(context.Context, policy.Actor) (T, error)) (T, bool) {
	v, err := get(r.Context(), u.Actor())
	if err != nil {
		s.fail(w, r, err)
	}
	return v, err == nil
}

// safeNext keeps redirects on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// refused ends a post that failed: invalid input shows the form again
// (again), any other error the error page. It reports whether err was one.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, err error, again func(error)) bool {
	if err == nil {
		return false
	}
	if problem.Is(err, problem.Invalid) {
		again(err)
	} else {
		s.fail(w, r, err)
	}
	return true
}

// afterPost ends a form post. Success: a flash (okMsg, unless empty) and a
// redirect to next.
// A stale version: a flash saying so, and the same redirect. Invalid input
// or a step not allowed now: again renders the form with the messages (a
// refused step is shown above the form). Anything else: the error page.
func (s *Server) afterPost(w http.ResponseWriter, r *http.Request, err error, okMsg, next string, again func(error)) {
	switch {
	case err == nil:
		if okMsg != "" {
			s.flash(r, s.msg(r, okMsg))
		}
	case problem.Is(err, problem.PreconditionFailed):
		s.flash(r, s.msg(r, "conflict"))
	case problem.Is(err, problem.Invalid):
		again(err)
		return
	case problem.Is(err, problem.Conflict):
		p, _ := problem.As(err)
		again(problem.Field("form", "%s", s.translate(r, p).Detail))
		return
	default:
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// maskPhone hides the middle of a phone number (notify.MaskPhone).
func maskPhone(p string) string { return notify.MaskPhone(p) }
