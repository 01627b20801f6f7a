package web

import (
	"net/http"
	"strconv"

	"aftersales/internal/account"
	"aftersales/internal/org"
	"aftersales/internal/policy"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Server) orgsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	if orgs, ok := forUser(s, w, r, u, s.Orgs.List); ok {
		s.renderPage(w, r, "orgs", "orgs.title", "orgs", orgs)
	}
}

// registrableKinds are the kinds the user's organization may register.
func registrableKinds(u account.User) []org.Kind {
	var out []org.Kind
	for _, k := range org.Kinds {
		if org.MayRegister(org.Kind(u.OrgKind), k) {
			out = append(out, k)
		}
	}
	return out
}

func (s *Server) orgNewPage(w http.ResponseWriter, r *http.Request, u account.User) {
	if err := policy.Allow(u.Actor(), policy.OrgRegister, policy.Own); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPage(w, r, "org_new", "orgs.new", "orgs", registrableKinds(u))
}

func (s *Server) orgCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	in := org.Input{Kind: org.Kind(f.String("kind")), Name: f.String("name"), Code: f.String("code"), Address: f.String("address")}
	o, err := s.Orgs.Register(r.Context(), u.Actor(), in)
	if err != nil {
		v := s.newView(r, "orgs.new", "orgs")
		v.Form, v.Data = r.PostForm, registrableKinds(u)
		if err := formErrors(v, err); err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "org_new", v)
		return
	}
	s.flashRedirect(w, r, s.msg(r, "orgs.registered", "Name", o.Name), "/orgs/"+itoa(o.ID))
}

// msg translates a message outside a page (a flash) in the request's language.
func (s *Server) msg(r *http.Request, id string, args ...any) string {
	return (&view{Lang: s.lang(r), bundle: s.I18n}).T(id, args...)
}

type orgPageData struct {
	Org      org.Organization
	Users    []account.User
	CanEdit  bool
	CanUsers bool
	CanAdd   bool
}

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.renderOrg(w, r, u, nil, nil)
}

func (s *Server) renderOrg(w http.ResponseWriter, r *http.Request, u account.User, formErr error, form map[string][]string) {
	ctx := r.Context()
	act := u.Actor()
	o, ok := byPathID(s, w, r, act, s.Orgs.Get)
	if !ok {
		return
	}
	scope, err := org.ScopeOf(ctx, s.DB, act, o.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := orgPageData{Org: o, CanEdit: policy.Allowed(act, policy.OrgUpdate, scope),
		CanUsers: policy.Allowed(act, policy.UserRead, scope),
		CanAdd:   policy.Allowed(act, policy.UserCreate, scope) && (scope == policy.Own || o.Kind == org.Customer)}
	if d.CanUsers {
		if d.Users, err = s.Accounts.ListUsers(ctx, act, o.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	vw := s.newView(r, "orgs.detail", "orgs")
	vw.Title = o.Name
	vw.Data, vw.Form = d, form
	status := http.StatusOK
	if formErr != nil {
		if err := formErrors(vw, formErr); err != nil {
			s.fail(w, r, err)
			return
		}
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "org", vw)
}

func (s *Server) orgUpdate(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	version, active := f.Int64("version"), f.Bool("active")
	name, address := f.String("name"), f.String("address")
	err := f.Err()
	if err == nil {
		_, err = s.Orgs.Update(r.Context(), u.Actor(), id, org.Patch{Name: &name, Address: &address, Active: &active}, version)
	}
	s.afterPost(w, r, err, "saved", "/orgs/"+itoa(id), func(e error) { s.renderOrg(w, r, u, e, r.PostForm) })
}
