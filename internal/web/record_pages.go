package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
)

// recordFilter reads the records filter of a page or an export: an
// agreement, and the local days sealed from and to (both included).
func recordFilter(q url.Values) (record.Filter, error) {
	var f record.Filter
	var fs problem.Fields
	if a := q.Get("agreement"); a != "" {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			fs.Add("agreement", "is not an agreement")
		}
		f.AgreementID = id
	}
	day := func(name string) time.Time {
		v := q.Get(name)
		if v == "" {
			return time.Time{}
		}
		d, err := calendar.LocalMidnight(v)
		if err != nil {
			fs.Add(name, "must be a date like 2026-12-01")
		}
		return d
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the last day is included
	}
	if b := q.Get("before"); b != "" {
		var err error
		if f.Before, err = strconv.ParseInt(b, 10, 64); err != nil || f.Before <= 0 {
			fs.Add("before", "is not a page of this list")
		}
	}
	return f, fs.Err()
}

// recordRow is a record as the list and the export show it.
type recordRow struct {
	record.Record
	record.Summary
}

func (s *Server) recordsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	v := s.newView(r, "records.title", "records")
	f, err := recordFilter(r.URL.Query())
	var items []record.Record
	var next int64
	if err == nil {
		items, next, err = record.List(r.Context(), s.DB, u.Actor(), f)
	}
	agreements, aerr := s.Agreements.List(r.Context(), u.Actor())
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	rows := make([]recordRow, len(items))
	for i, it := range items {
		rows[i] = recordRow{it, it.Summary()}
	}
	q := r.URL.Query()
	v.Form = q
	if err := formErrors(v, err); err != nil {
		s.fail(w, r, err)
		return
	}
	export := url.Values{}
	for _, k := range []string{"agreement", "from", "to"} {
		if x := q.Get(k); x != "" {
			export.Set(k, x)
		}
	}
	v.Data = map[string]any{"Items": rows, "Next": next, "Agreements": agreements, "Query": export.Encode()}
	s.render(w, r, http.StatusOK, "records", v)
}

// recordsCSV exports the records the filter finds, every page of them.
func (s *Server) recordsCSV(w http.ResponseWriter, r *http.Request, u account.User) {
	f, err := recordFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Limit = record.MaxPage
	// The first page is read before anything is sent, so that a refusal
	// is a page of its own rather than half a file.
	items, next, err := record.List(r.Context(), s.DB, u.Actor(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := startCSV(w, "service-records.csv", "id", "agreement", "seq", "request", "serial_number", "model", "result", "diagnosis", "actions",
		"answer", "corrects_id", "reason", "sealed_at", "retain_until", "hash", "on_site_seconds", "parts_cost_fen", "breached_clocks", "qualification_exception")
	defer out.end()
	for {
		for _, it := range items {
			sum := it.Summary()
			corrects := ""
			if it.CorrectsID != nil {
				corrects = strconv.FormatInt(*it.CorrectsID, 10)
			}
			onSite, partsFen, breached := measured(it)
			out.row(strconv.FormatInt(it.ID, 10), sum.Agreement, strconv.FormatInt(it.Seq, 10), sum.Request, sum.Serial, sum.Model,
				sum.Result, sum.Diagnosis, sum.Actions, sum.Answer, corrects, sum.Reason, it.SealedAt.In(calendar.Shanghai).Format(time.RFC3339), it.RetainUntil, it.Hash,
				onSite, partsFen, breached, exceptionOf(it))
		}
		if next == 0 {
			return
		}
		f.Before = next
		if items, next, err = record.List(r.Context(), s.DB, u.Actor(), f); err != nil {
			s.Log.Error("export records", "err", err)
			return
		}
	}
}

// exceptionOf is what a visit's record says of the vendor's one-off
// qualification exception that let its technician through, for the
// export: "reason (refused: certification_expired; granted by name)";
// empty when none did.
func exceptionOf(r record.Record) string {
	c, err := r.Content()
	if err != nil || c.Visit == nil || c.Visit.Exception == nil {
		return ""
	}
	e := c.Visit.Exception
	out := e.Reason
	var notes []string
	if e.Refused != "" {
		notes = append(notes, "refused: "+e.Refused)
	}
	if e.GrantedBy.Name != "" {
		notes = append(notes, "granted by "+e.GrantedBy.Name)
	}
	if len(notes) > 0 {
		out += " (" + strings.Join(notes, "; ") + ")"
	}
	return out
}

// measured is what a record's export gives of what the agreement measures:
// the time on site in seconds and the parts' cost in fen at sealing (empty
// when the record does not say, as version 1 records), and the clocks that
// were breached with how many seconds late, as "response:3600 onsite:120".
func measured(r record.Record) (onSite, partsFen, breached string) {
	c, err := r.Content()
	if err != nil {
		return "", "", ""
	}
	var clocks []record.ClockOutcome
	switch {
	case c.Visit != nil:
		v := c.Visit
		if !v.CheckedOut.IsZero() {
			onSite = strconv.FormatInt(v.OnSiteSeconds, 10)
		}
		if total, known := v.PartsCostFen(); known {
			partsFen = strconv.FormatInt(total, 10)
		}
		clocks = v.Clocks
	case c.Consultation != nil:
		clocks = c.Consultation.Clocks
	}
	var late []string
	for _, k := range clocks {
		if k.Breached() {
			late = append(late, string(k.Clock)+":"+strconv.FormatInt(k.LateBySeconds(), 10))
		}
	}
	return onSite, partsFen, strings.Join(late, " ")
}

func (s *Server) recordPage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.renderRecord(w, r, u, http.StatusOK, nil)
}

// renderRecord shows a record with its corrections and whether its chain
// verifies; formErr, when set, is a correction that was refused.
func (s *Server) renderRecord(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	rec, err := record.Read(ctx, s.DB, u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	corrections, err := record.Corrections(ctx, s.DB, rec.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	chain, err := record.Verify(ctx, s.DB, rec.AgreementID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, []byte(rec.ContentJSON), "", "  ") != nil {
		pretty.WriteString(rec.ContentJSON)
	}
	var sealed *sealedContent
	if c, err := rec.Content(); err == nil {
		sealed = newSealedContent(c)
	}
	rows := make([]recordRow, len(corrections))
	for i, c := range corrections {
		rows[i] = recordRow{c, c.Summary()}
	}
	v := s.newView(r, "records.record", "records")
	v.Data = map[string]any{"Record": recordRow{rec, rec.Summary()}, "Content": pretty.String(), "Sealed": sealed, "Corrections": rows, "Chain": chain,
		"CanCorrect": rec.CorrectsID == nil && policy.Allowed(u.Actor(), policy.RecordCorrect, record.ScopeOf(u.Actor(), rec))}
	if surveyed, err := s.Satisfaction.Surveyed(ctx, u.Actor(), rec.ID); err == nil && surveyed {
		v.Data.(map[string]any)["Surveyed"] = true
		if texts, err := s.Satisfaction.SurveyTexts(ctx, u.Actor(), rec.ID); err == nil {
			v.Data.(map[string]any)["SurveyTexts"] = texts
		}
	}
	s.renderForm(w, r, status, "record", v, formErr)
}

func (s *Server) recordCorrect(w http.ResponseWriter, r *http.Request, u account.User) {
	id, ok := s.postedTo(w, r)
	if !ok {
		return
	}
	// A field left empty on the form is not corrected.
	given := func(name string) *string {
		if v := r.PostForm.Get(name); v != "" {
			return &v
		}
		return nil
	}
	c := servicerequest.Correction{Reason: r.PostForm.Get("reason"), Diagnosis: given("diagnosis"), FaultCodes: given("fault_codes"),
		Actions: given("actions_taken"), Result: given("result")}
	_, err := s.Requests.CorrectRecord(r.Context(), u.Actor(), id, c)
	s.afterPost(w, r, err, "records.corrected", "/records/"+itoa(id), func(e error) {
		s.renderRecord(w, r, u, http.StatusUnprocessableEntity, e)
	})
}

// sealedContent is what the record page shows of a record's typed content
// beyond its summary: what the agreement measures of a visit.
type sealedContent struct {
	record.Content
	OnSite *time.Duration // nil before check-in
	Clocks []clockOutcomeRow
	Parts  []fittedPartRow
	// PartsTotal is the parts' cost at their sealed prices, in yuan; empty
	// when a part has no price (a version 1 record).
	PartsTotal string
}

type clockOutcomeRow struct {
	record.ClockOutcome
	// Margin is how early (met, or time left) or late the clock stopped.
	Margin time.Duration
	Late   bool
}

type fittedPartRow struct {
	record.FittedPart
	UnitPrice, LineTotal string // yuan; empty when not sealed
}

func newSealedContent(c record.Content) *sealedContent {
	out := &sealedContent{Content: c}
	var clocks []record.ClockOutcome
	switch {
	case c.Visit != nil:
		clocks = c.Visit.Clocks
		if !c.Visit.CheckedIn.IsZero() {
			onSite := time.Duration(c.Visit.OnSiteSeconds) * time.Second
			out.OnSite = &onSite
		}
		for _, p := range c.Visit.Parts {
			row := fittedPartRow{FittedPart: p}
			if p.UnitPriceFen != nil {
				row.UnitPrice, row.LineTotal = parts.FormatYuan(*p.UnitPriceFen), parts.FormatYuan(*p.UnitPriceFen*p.Quantity)
			}
			out.Parts = append(out.Parts, row)
		}
		if total, known := c.Visit.PartsCostFen(); known && len(c.Visit.Parts) > 0 {
			out.PartsTotal = parts.FormatYuan(total)
		}
	case c.Consultation != nil:
		clocks = c.Consultation.Clocks
	}
	for _, o := range clocks {
		d := time.Duration(o.MarginSeconds) * time.Second
		row := clockOutcomeRow{ClockOutcome: o, Late: d < 0}
		row.Margin = max(d, -d)
		out.Clocks = append(out.Clocks, row)
	}
	return out
}
