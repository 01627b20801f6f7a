package web

import (
	"net/http"

	"aftersales/internal/account"
	"aftersales/internal/notify"
)

// emailKind is one kind of event on the profile, and whether email
// reaches the user for it.
type emailKind struct {
	Kind string
	On   bool
}

func (s *Server) emailKinds(r *http.Request, u account.User) ([]emailKind, error) {
	on, err := s.Notify.EmailChoices(r.Context(), u.Actor())
	if err != nil {
		return nil, err
	}
	out := make([]emailKind, 0, len(notify.EmailKinds))
	for _, k := range notify.EmailKinds {
		out = append(out, emailKind{Kind: k, On: on[k]})
	}
	return out, nil
}
