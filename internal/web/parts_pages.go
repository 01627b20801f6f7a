package web

import (
	"net/http"
	"strconv"
	"strings"

	"aftersales/internal/account"
	"aftersales/internal/document"
	"aftersales/internal/installedbase"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// The parts pages: the vendor's catalog with approvals and compatible
// models (DOMAIN 3.1.4). Stock and returns are in stock_pages.go.

func init() {
	funcs["yuan"] = parts.FormatYuan
	funcs["deref"] = func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
}

// partsTabs is the sub-navigation of the parts and stock pages.
func partsTabs(u account.User) []navItem {
	tabs := []navItem{}
	if len(policy.Granted(u.Role, policy.PartRead)) > 0 {
		tabs = append(tabs, navItem{"catalog", "/parts", "parts.tab_catalog"})
	}
	if len(policy.Granted(u.Role, policy.StockRead)) > 0 {
		tabs = append(tabs, navItem{"stock", "/stock", "parts.tab_stock"})
	}
	if len(policy.Granted(u.Role, policy.StockMove)) > 0 {
		tabs = append(tabs, navItem{"move", "/stock/move", "parts.tab_move"})
	}
	if len(policy.Granted(u.Role, policy.ReturnRead)) > 0 {
		tabs = append(tabs, navItem{"returns", "/returns", "parts.tab_returns"})
	}
	return tabs
}

// partRow is a part with what the catalog shows beside it.
type partRow struct {
	parts.Part
	Approval parts.ApprovalState
	Models   []string
}

func (s *Server) partRows(r *http.Request, u account.User, ps []parts.Part) ([]partRow, []installedbase.ProductModel) {
	models, _ := s.InstalledBase.ListModels(r.Context(), u.Actor())
	code := map[int64]string{}
	for _, m := range models {
		code[m.ID] = m.Code
	}
	today := s.Parts.Today()
	rows := make([]partRow, 0, len(ps))
	for _, p := range ps {
		row := partRow{Part: p, Approval: p.ApprovalOn(today)}
		for _, id := range p.ModelIDs {
			if c, ok := code[id]; ok {
				row.Models = append(row.Models, c)
			}
		}
		rows = append(rows, row)
	}
	return rows, models
}

// partsPage is the catalog, filtered by model and text.
func (s *Server) partsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	q := readQuery(r)
	f := parts.Filter{Query: strings.TrimSpace(q.Get("q")), ModelID: q.ID("model")}
	ps, ok := whenRead(s, w, r, q, func() ([]parts.Part, error) { return s.Parts.List(r.Context(), u.Actor(), f) })
	if !ok {
		return
	}
	rows, models := s.partRows(r, u, ps)
	v := s.newView(r, "parts.title", "parts")
	v.Form = q.Values
	v.Data = partsData{tabbed: tabbed{partsTabs(u), "catalog"}, Parts: rows, Models: models,
		CanCreate: policy.Allowed(u.Actor(), policy.PartManage, policy.Own) && u.OrgKind == "vendor"}
	s.renderFiltered(w, r, "parts", v, q)
}

func (s *Server) renderPartNew(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	models, ok := s.modelsForForm(w, r, u, policy.PartManage)
	if !ok {
		return
	}
	v := s.newView(r, "parts.new", "parts")
	v.Data = partNewData{Models: models, Checked: checkedIDs(r)}
	s.renderForm(w, r, status, "part_new", v, formErr)
}

type partsData struct {
	tabbed
	Parts     []partRow
	Models    []installedbase.ProductModel
	CanCreate bool
}

type partNewData struct {
	Models  []installedbase.ProductModel
	Checked map[int64]bool // the models ticked on the posted form
}

type partData struct {
	Part                  partRow
	Models                []installedbase.ProductModel
	Fits                  map[int64]bool
	Today                 string
	Documents             []document.Document
	CanApprove, CanManage bool
}

// checkedIDs are the model ids ticked on a posted form.
func checkedIDs(r *http.Request) map[int64]bool {
	out := map[int64]bool{}
	if r.PostForm == nil {
		return out
	}
	for _, s := range r.PostForm["model_ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out[id] = true
		}
	}
	return out
}

func (s *Server) partCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	cost, err := parts.ParseYuan(f.String("unit_cost"))
	if err != nil {
		f.Add("unit_cost", "%s", s.msg(r, "parts.cost_invalid"))
	}
	in := parts.Input{PartNumber: f.String("part_number"), Name: f.String("name"), NameEn: f.String("name_en"),
		Kind: parts.Kind(f.String("kind")), UnitCostFen: cost, Serialized: f.Bool("serialized"), ReturnRequired: f.Bool("return_required"),
		ModelIDs: f.Int64s("model_ids")}
	if err := f.Err(); err != nil {
		s.renderPartNew(w, r, u, http.StatusUnprocessableEntity, err)
		return
	}
	if in.ModelIDs == nil {
		in.ModelIDs = []int64{}
	}
	p, err := s.Parts.Create(r.Context(), u.Actor(), in)
	if problem.Is(err, problem.Invalid) {
		if pr, _ := problem.As(err); pr != nil {
			for i := range pr.Fields {
				if pr.Fields[i].Field == "unit_cost_fen" {
					pr.Fields[i].Field = "unit_cost"
				}
			}
		}
	}
	s.afterPost(w, r, err, "parts.created", "/parts/"+itoa(p.ID), func(e error) { s.renderPartNew(w, r, u, http.StatusUnprocessableEntity, e) })
}

func (s *Server) renderPart(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	p, ok := byPathID(s, w, r, u.Actor(), s.Parts.Get)
	if !ok {
		return
	}
	rows, models := s.partRows(r, u, []parts.Part{p})
	fits := map[int64]bool{}
	for _, m := range p.ModelIDs {
		fits[m] = true
	}
	docs, err := s.partDocuments(r, u, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	own := u.OrgID == p.VendorID
	v := s.newView(r, "parts.detail", "parts")
	v.Title = p.PartNumber
	v.Data = partData{Part: rows[0], Models: models, Fits: fits, Today: s.Parts.Today(), Documents: docs,
		CanApprove: own && policy.Allowed(u.Actor(), policy.PartApprove, policy.Own),
		CanManage:  own && policy.Allowed(u.Actor(), policy.PartManage, policy.Own)}
	s.renderForm(w, r, status, "part", v, formErr)
}

// partAction approves, revokes or sets the models of a part from its page.
func (s *Server) partAction(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	version, models := f.Int64("version"), f.Int64s("model_ids")
	if models == nil {
		models = []int64{}
	}
	action, err := r.PathValue("action"), f.Err()
	switch {
	case err != nil: // the page names the bad field
	case action == "approve":
		_, err = s.Parts.Approve(r.Context(), u.Actor(), id, parts.Approval{Until: f.String("until")}, version)
	case action == "revoke":
		_, err = s.Parts.Revoke(r.Context(), u.Actor(), id, version)
	case action == "models":
		_, err = s.Parts.SetModels(r.Context(), u.Actor(), id, models, version)
	default:
		s.fail(w, r, problem.New(problem.NotFound, "no such page"))
		return
	}
	s.afterPost(w, r, err, "parts.done_"+action, "/parts/"+itoa(id), func(e error) { s.renderPart(w, r, u, http.StatusUnprocessableEntity, e) })
}

// partDocuments are the documents of the part's vendor that name its part
// number and that the reader may see.
func (s *Server) partDocuments(r *http.Request, u account.User, p parts.Part) ([]document.Document, error) {
	docs, _, err := s.Documents.List(r.Context(), u.Actor(), document.Filter{PartNumber: p.PartNumber, Limit: document.MaxPage})
	if err != nil {
		return nil, err
	}
	out := docs[:0]
	for _, d := range docs {
		if d.VendorID == p.VendorID {
			out = append(out, d)
		}
	}
	return out, nil
}
