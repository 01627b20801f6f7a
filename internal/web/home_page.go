package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"aftersales/internal/account"
	"aftersales/internal/audit"
	"aftersales/internal/home"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/satisfaction"
)

// homeData is the dashboard of one role.
type homeData struct {
	Org        org.Organization
	Partners   map[string]int
	Users      int
	Recent     []audit.Event
	Warnings   []int // years without official holiday data
	Kinds      []string
	RoleIntro  string
	QuickLinks []navItem
	// Work is what needs the user now (home.Work).
	Work home.Work
	// Satisfaction is this month's figure of each of the organization's
	// agreements, for the roles that read the dashboard.
	Satisfaction []satisfaction.AgreementBoard
	// Charts are the chart data (JSON) of each standing line, by its
	// element id: the thirteen months oldest first.
	Charts map[string]string
}

// standingCharts are the charts of the standing's lines: for each kind of
// clock, each month's share of its stopped clocks met in time (percent,
// one decimal; null for a month where none stopped), oldest month first.
func standingCharts(v *view, st *home.Standing) map[string]string {
	out := map[string]string{}
	if st == nil {
		return out
	}
	type series struct {
		Name string     `json:"name"`
		Data []*float64 `json:"data"`
	}
	for _, l := range st.Lines() {
		c := struct {
			Kind    string            `json:"kind"`
			Periods []string          `json:"periods"`
			Series  []series          `json:"series"`
			Labels  map[string]string `json:"labels"`
		}{Kind: "clocks", Periods: []string{}, Labels: map[string]string{"axis": v.T("home.standing.chart_axis")}}
		for _, kind := range st.Kinds {
			c.Series = append(c.Series, series{Name: v.T("clock." + kind), Data: []*float64{}})
		}
		for i := len(l.Periods) - 1; i >= 0; i-- {
			p := l.Periods[i]
			c.Periods = append(c.Periods, p.Period)
			for k := range st.Kinds {
				var share *float64
				if pm, ok := p.ByKind[k].InTimePermille(); ok {
					f := float64(pm) / 10
					share = &f
				}
				c.Series[k].Data = append(c.Series[k].Data, share)
			}
		}
		js, _ := json.Marshal(c)
		out[l.Param+"-"+strconv.FormatInt(l.ID, 10)] = string(js)
	}
	return out
}

func (s *Server) homePage(w http.ResponseWriter, r *http.Request, u account.User) {
	ctx := r.Context()
	act := u.Actor()
	v := s.newView(r, "home.title", "home")
	s.withSuspensions(r, u, v, 0)
	d := homeData{Partners: map[string]int{}, RoleIntro: "home.intro." + string(u.Role)}
	orgs, err := s.Orgs.List(ctx, act)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Work, err = s.Home.For(ctx, act); err != nil {
		s.fail(w, r, err)
		return
	}
	if policy.Allowed(act, policy.SatisfactionRead, policy.Own) {
		if d.Satisfaction, err = s.Satisfaction.Board(ctx, act, satisfaction.PeriodOf(s.Now()), 1); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	for _, k := range []string{"vendor", "provider", "customer"} {
		if k != u.OrgKind && partnerCounts(u.Role) {
			d.Kinds = append(d.Kinds, k)
		}
	}
	for _, o := range orgs {
		if o.ID == u.OrgID {
			d.Org = o
		} else {
			d.Partners[string(o.Kind)]++
		}
	}
	if policy.Allowed(act, policy.UserRead, policy.Own) {
		if users, err := s.Accounts.ListUsers(ctx, act, u.OrgID); err == nil {
			d.Users = len(users)
		}
	}
	if policy.Allowed(act, policy.AuditRead, policy.Own) {
		d.Recent, _ = s.Orgs.AuditTrail(ctx, act, audit.Filter{OrgID: u.OrgID, Limit: 8})
		d.Warnings = s.Calendars.MissingYears(ctx, s.Now())
	}
	if policy.Allowed(act, policy.RecordRead, policy.Own) {
		d.QuickLinks = append(d.QuickLinks, navItem{"records", "/records", "home.link.records"})
	}
	d.QuickLinks = append(d.QuickLinks, navItem{"orgs", "/orgs", "home.link.orgs"})
	if policy.Allowed(act, policy.OrgRegister, policy.Own) {
		d.QuickLinks = append(d.QuickLinks, navItem{"register", "/orgs/new", "home.link.register"})
	}
	if policy.Allowed(act, policy.UserCreate, policy.Own) {
		d.QuickLinks = append(d.QuickLinks, navItem{"adduser", "/orgs/" + itoa(u.OrgID) + "/users/new", "home.link.adduser"})
	}
	if u.Role != policy.Customer {
		d.QuickLinks = append(d.QuickLinks, navItem{"tokens", "/profile#tokens", "home.link.tokens"}, navItem{"api", "/api/docs", "home.link.api"})
	}
	d.Charts = standingCharts(v, d.Work.Standing)
	v.Data = d
	s.render(w, r, http.StatusOK, "home", v)
}
