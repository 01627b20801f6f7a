package web

import (
	"net/http"
	"strings"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
)

// The vendor's page for exceptions to an agreement's scope: a refusal
// ("the vendor can grant an exception for this product") leads here, the
// vendor admin names the product and the reason, and the next request for
// that product is accepted once, within the days given.

type scopeExceptionsData struct {
	Items  []servicerequest.ScopeException
	Now    time.Time
	Serial string // the serial number the page was opened for
}

func (s *Server) renderScopeExceptions(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	items, err := s.Requests.ScopeExceptions(r.Context(), u.Actor(), 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "exceptions.title", "requests")
	v.Data = scopeExceptionsData{Items: items, Now: s.Now(), Serial: r.URL.Query().Get("serial")}
	s.renderForm(w, r, status, "scope_exceptions", v, formErr)
}

func (s *Server) scopeExceptionGrant(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	if err := policy.Allow(u.Actor(), policy.ScopeExceptionGrant, policy.Own); err != nil {
		s.fail(w, r, err)
		return
	}
	days := f.Int("valid_days")
	if err := f.Err(); err != nil {
		s.renderScopeExceptions(w, r, u, http.StatusUnprocessableEntity, err)
		return
	}
	_, err := s.Requests.GrantScopeException(r.Context(), u.Actor(), strings.TrimSpace(f.String("serial_number")), f.String("reason"), days)
	if p, ok := problem.As(err); ok && p.Kind == problem.NotFound {
		err = problem.Field("serial_number", "no product with this serial number under your agreements")
	}
	s.afterPost(w, r, err, "exceptions.granted", "/scope-exceptions", func(e error) {
		s.renderScopeExceptions(w, r, u, http.StatusUnprocessableEntity, e)
	})
}
