package web

import (
	"net/http"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/api"
	"aftersales/internal/edge"
	"aftersales/internal/notify"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

type userFormData struct {
	Org   org.Organization
	User  account.User
	Roles []policy.Role
	Self  bool
	Admin bool // may change role and active state
}

func rolesOf(k org.Kind) []policy.Role {
	var out []policy.Role
	for _, r := range policy.Roles {
		if r.OrgKind() == string(k) {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) renderUserNew(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	o, ok := byPathID(s, w, r, u.Actor(), s.Orgs.Get)
	if !ok {
		return
	}
	vw := s.newView(r, "users.new", "orgs")
	vw.Data = userFormData{Org: o, Roles: rolesOf(o.Kind)}
	if formErr != nil {
		r.PostForm.Del("password") // never shown again
	}
	s.renderForm(w, r, status, "user_new", vw, formErr)
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	nu, err := s.Accounts.CreateUser(r.Context(), u.Actor(), account.NewUser{OrgID: id, Email: f.String("email"), Name: f.String("name"),
		Role: policy.Role(f.String("role")), Password: f.String("password"), Locale: f.String("locale")})
	if s.refused(w, r, err, func(err error) { s.renderUserNew(w, r, u, http.StatusUnprocessableEntity, err) }) {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "users.created", "Name", nu.Name), "/orgs/"+itoa(id))
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	ctx := r.Context()
	act := u.Actor()
	target, ok := byPathID(s, w, r, act, s.Accounts.GetUser)
	if !ok {
		return
	}
	o, err := s.Orgs.Get(ctx, act, target.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scope, err := org.ScopeOf(ctx, s.DB, act, o.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vw := s.newView(r, "users.edit", "orgs")
	vw.Title = target.Name
	vw.Data = userFormData{Org: o, User: target, Roles: rolesOf(o.Kind), Self: target.ID == u.ID,
		Admin: policy.Allowed(act, policy.UserUpdate, scope) && (scope == policy.Own || o.Kind == org.Customer)}
	s.renderForm(w, r, status, "user", vw, formErr)
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	version := f.Int64("version")
	name, locale := f.String("name"), f.String("locale")
	p := account.UserPatch{Name: &name, Locale: &locale}
	if f.Has("role") {
		role := policy.Role(f.String("role"))
		active := f.Bool("active")
		p.Role, p.Active = &role, &active
	}
	if pw := f.String("password"); pw != "" {
		p.Password = &pw
	}
	err := f.Err()
	if err == nil {
		_, err = s.Accounts.UpdateUser(r.Context(), actorOf(r, u), id, p, version)
	}
	s.afterPost(w, r, err, "saved", "/users/"+itoa(id), func(e error) { s.renderUser(w, r, u, http.StatusUnprocessableEntity, e) })
}

func profileLocale(code string) account.UserPatch { return account.UserPatch{Locale: &code} }

type profileData struct {
	Tokens    []account.Token
	NewSecret string
	// EmailNotifications: the user gets notifications by email too;
	// EmailEnabled: the server can send email at all.
	EmailNotifications, EmailEnabled bool
	// EmailKinds: for each kind of event, whether email reaches the user.
	EmailKinds []emailKind
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.renderProfile(w, r, u, http.StatusOK, nil, "")
}

func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error, secret string) {
	tokens, err := s.Accounts.ListTokens(r.Context(), u.Actor(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vw := s.newView(r, "profile.title", "profile")
	byMail, err := notify.EmailPreference(r.Context(), s.DB, u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kinds, err := s.emailKinds(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vw.Data = profileData{Tokens: tokens, NewSecret: secret, EmailNotifications: byMail, EmailEnabled: s.Notify.EmailEnabled, EmailKinds: kinds}
	if formErr != nil {
		r.PostForm.Del("password") // never shown again
	}
	s.renderForm(w, r, status, "profile", vw, formErr)
}

func (s *Server) profileUpdate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	name, locale, version := f.String("name"), f.String("locale"), f.Int64("version")
	err := f.Err()
	var nu account.User
	if err == nil {
		nu, err = s.Accounts.UpdateUser(r.Context(), u.Actor(), u.ID, account.UserPatch{Name: &name, Locale: &locale}, version)
	}
	s.afterProfileChange(w, r, u, err, func() {
		if nu.Locale != "" {
			setLangCookie(w, nu.Locale, s.Opts.Edge.SecureCookies)
		}
	})
}

// passwordUpdate changes the signed-in user's password. This session goes
// on under a new token and the new session epoch; every other session of
// the user ends, and their API tokens are revoked (account.Service).
func (s *Server) passwordUpdate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	pw, current := f.String("password"), f.String("current_password")
	if pw != f.String("confirm") {
		s.afterProfileChange(w, r, u, problem.Field("confirm", "%s", s.msg(r, "profile.mismatch")), nil)
		return
	}
	nu, err := s.Accounts.UpdateUser(r.Context(), actorOf(r, u), u.ID, account.UserPatch{Password: &pw, CurrentPassword: &current}, u.Version)
	if p, ok := problem.As(err); ok && p.Kind == problem.TooManyRequests {
		w.Header().Set("Retry-After", api.RetryAfterSeconds(p.RetryAfter))
		s.renderProfile(w, r, u, http.StatusTooManyRequests, problem.Field("current_password", "%s", s.translate(r, p).Detail), "")
		return
	}
	if err != nil {
		s.afterProfileChange(w, r, u, err, nil)
		return
	}
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Sessions.Put(r.Context(), edge.SessionEpochKey, nu.SessionEpoch)
	s.flashRedirect(w, r, s.msg(r, "profile.password_changed"), "/profile")
}

// actorOf is the actor of a page request as identify found it: marked
// when the request came with an API token rather than a session.
func actorOf(r *http.Request, u account.User) policy.Actor {
	if a, ok := policy.ActorFrom(r.Context()); ok {
		return a
	}
	return u.Actor()
}

func (s *Server) afterProfileChange(w http.ResponseWriter, r *http.Request, u account.User, err error, ok func()) {
	if err == nil && ok != nil {
		ok()
	}
	s.afterPost(w, r, err, "saved", "/profile", func(e error) { s.renderProfile(w, r, u, http.StatusUnprocessableEntity, e, "") })
}

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	days := f.Int("expires_in_days")
	if days < 0 || days > 3650 {
		f.Add("expires_in_days", "must be a whole number of days from 0 to 3650")
	}
	if err := f.Err(); err != nil {
		s.renderProfile(w, r, u, http.StatusUnprocessableEntity, err, "")
		return
	}
	_, secret, err := s.Accounts.CreateToken(r.Context(), u.Actor(), u.ID, f.String("name"), time.Duration(days)*24*time.Hour)
	if s.refused(w, r, err, func(err error) { s.renderProfile(w, r, u, http.StatusUnprocessableEntity, err, "") }) {
		return
	}
	// The secret is shown once, on this response, and never stored in clear.
	s.renderProfile(w, r, u, http.StatusCreated, nil, secret)
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request, u account.User) {
	if _, ok := byPathID(s, w, r, u.Actor(), s.Accounts.RevokeToken); !ok {
		return
	}
	s.flashRedirect(w, r, s.msg(r, "profile.token_revoked"), "/profile#tokens")
}
