package web

import (
	"net/http"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/account"
	"aftersales/internal/audit"
	"aftersales/internal/problem"
)

type auditData struct {
	Events     []audit.Event
	NextBefore int64
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, u account.User) {
	q := readQuery(r)
	before := q.ID("before")
	const pageSize = 50
	events, ok := whenRead(s, w, r, q, func() ([]audit.Event, error) {
		return s.Orgs.AuditTrail(r.Context(), u.Actor(), audit.Filter{OrgID: u.OrgID, BeforeID: before, Limit: pageSize, Entity: q.Get("entity")})
	})
	if !ok {
		return
	}
	d := auditData{Events: events}
	if len(events) == pageSize {
		d.NextBefore = events[len(events)-1].ID
	}
	vw := s.newView(r, "audit.title", "audit")
	vw.Data = d
	s.renderFiltered(w, r, "audit", vw, q)
}

func (s *Server) problemPage(w http.ResponseWriter, r *http.Request) {
	kind := problem.Kind(r.PathValue("kind"))
	i := slices.IndexFunc(problem.Kinds, func(k struct {
		Kind    problem.Kind
		Status  int
		Meaning string
	}) bool {
		return k.Kind == kind
	})
	if i < 0 {
		s.fail(w, r, problem.New(problem.NotFound, "no problem type %q", kind))
		return
	}
	vw := s.newView(r, "problems.title", "")
	vw.Title = string(kind)
	vw.Data = problem.Kinds[i]
	s.render(w, r, http.StatusOK, "problem", vw)
}

type apiDocsData struct {
	Ops   []apiOperation
	Kinds []struct {
		Kind    problem.Kind
		Status  int
		Meaning string
	}
}

type apiOperation struct {
	Method, Path, Summary, ID string
	Tags                      []string
}

func (s *Server) apiDocsPage(w http.ResponseWriter, r *http.Request) {
	var ops []apiOperation
	for p, item := range s.API.OpenAPI().Paths {
		for _, o := range []struct {
			m  string
			op *huma.Operation
		}{{"GET", item.Get}, {"POST", item.Post}, {"PUT", item.Put}, {"PATCH", item.Patch}, {"DELETE", item.Delete}} {
			if o.op != nil {
				ops = append(ops, apiOperation{o.m, "/api/v1" + p, o.op.Summary, o.op.OperationID, o.op.Tags})
			}
		}
	}
	slices.SortFunc(ops, func(a, b apiOperation) int {
		if c := compare(a.Path, b.Path); c != 0 {
			return c
		}
		return compare(a.Method, b.Method)
	})
	s.renderPage(w, r, "apidocs", "apidocs.title", "", apiDocsData{Ops: ops, Kinds: problem.Kinds})
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
