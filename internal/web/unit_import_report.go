package web

import (
	"net/http"

	"aftersales/internal/installedbase"
)

// importProblems are the first max problems of an import in the reader's
// language, and how many more there are.
func (s *Server) importProblems(r *http.Request, errs []installedbase.RowError, max int) ([]installedbase.RowError, int) {
	lang := s.lang(r)
	hidden := 0
	if len(errs) > max {
		errs, hidden = errs[:max], len(errs)-max
	}
	out := make([]installedbase.RowError, len(errs))
	for i, e := range errs {
		out[i] = e.Translate(func(format string) (string, bool) { return s.I18n.ProblemFormat(lang, format) })
	}
	return out, hidden
}

// importedMessage says how many products an import stored and how many
// customers and sites it created for them.
func (s *Server) importedMessage(r *http.Request, rep installedbase.ImportReport) string {
	msg := s.msg(r, "units.imported", "Count", rep.Imported)
	if c, st := rep.Created(); c+st > 0 {
		msg += " " + s.msg(r, "units.import_created", "Customers", c, "Sites", st)
	}
	return msg
}
