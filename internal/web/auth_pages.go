package web

import (
	"net/http"
	"time"

	"aftersales/internal/api"
	"aftersales/internal/edge"
	"aftersales/internal/i18n"
	"aftersales/internal/problem"
)

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := currentUser(r.Context()); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.renderPage(w, r, "login", "login.title", "", map[string]string{"Next": safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := readForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	u, err := s.Accounts.Authenticate(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("password"))
	if err != nil {
		p, ok := problem.As(err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		v := s.newView(r, "login.title", "")
		v.Form = r.PostForm
		v.Form.Del("password")
		v.Data = map[string]string{"Next": next}
		status := http.StatusUnauthorized
		msg := v.T("login.failed")
		if p.Kind == problem.TooManyRequests {
			status = http.StatusTooManyRequests
			secs := api.RetryAfterSeconds(p.RetryAfter)
			w.Header().Set("Retry-After", secs)
			msg = v.T("login.throttled", "Seconds", secs)
		}
		s.Log.Info("sign-in refused", "client", clientAddress(r), "status", status, "request_id", requestID(r.Context()))
		v.Errors = map[string]string{"form": msg}
		s.render(w, r, status, "login", v)
		return
	}
	// A new session token on sign-in prevents session fixation.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Sessions.Put(r.Context(), edge.SessionUserKey, u.ID)
	s.Sessions.Put(r.Context(), edge.SessionEpochKey, u.SessionEpoch)
	if u.Locale != "" {
		setLangCookie(w, u.Locale, s.Opts.Edge.SecureCookies)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.Sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// switchLanguage remembers the chosen language in a cookie (and, signed in,
// in the user's settings) and goes back.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if _, ok := i18n.Names[code]; !ok {
		s.fail(w, r, problem.New(problem.NotFound, "unknown language %q", code))
		return
	}
	setLangCookie(w, code, s.Opts.Edge.SecureCookies)
	if u, ok := currentUser(r.Context()); ok && u.Locale != code {
		_, err := s.Accounts.UpdateUser(r.Context(), u.Actor(), u.ID, profileLocale(code), u.Version)
		if err != nil && !problem.Is(err, problem.PreconditionFailed) {
			s.fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

func setLangCookie(w http.ResponseWriter, code string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure})
}
