package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/agreement"
	"aftersales/internal/notify"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
	"aftersales/internal/spreadsheet"
)

// recordFilter reads the records filter of a page or an export: an
// agreement, the local days sealed from and to (both included), and the
// page (the last record of the page before).
func recordFilter(q *pageQuery) record.Filter {
	f := record.Filter{AgreementID: q.ID("agreement"), From: q.Day("from"), Before: q.ID("before")}
	if to := q.Day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the last day is included
	}
	return f
}

// recordRow is a record as the list and the export show it.
type recordRow struct {
	record.Record
	record.Summary
}

func (s *Server) recordsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	v := s.newView(r, "records.title", "records")
	pq := readQuery(r)
	f := recordFilter(pq)
	var items []record.Record
	var next int64
	var err error
	if pq.OK() {
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
	q := pq.Values
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
	v.Data = recordsData{Items: rows, Next: next, Agreements: agreements, Query: export.Encode()}
	s.renderFiltered(w, r, "records", v, pq)
}

// recordsCSV exports the records the filter finds, every page of them, as
// CSV under the columns' stable names (record.ExportColumns), for programs.
func (s *Server) recordsCSV(w http.ResponseWriter, r *http.Request, u account.User) {
	s.exportRecords(w, r, u, "csv")
}

// recordsXLSX exports the same rows as a workbook for people, the column
// headings in the reader's language.
func (s *Server) recordsXLSX(w http.ResponseWriter, r *http.Request, u account.User) {
	s.exportRecords(w, r, u, "xlsx")
}

func (s *Server) exportRecords(w http.ResponseWriter, r *http.Request, u account.User, format string) {
	q := readQuery(r)
	f := recordFilter(q)
	if err := q.Err(); err != nil {
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
	var put func([]string) error
	var sheet *spreadsheet.TextSheet
	if format == "xlsx" {
		if sheet, err = spreadsheet.NewTextSheet(len(record.ExportColumns), 18); err != nil {
			s.fail(w, r, err)
			return
		}
		defer sheet.Close()
		v := s.newView(r, "records.title", "records")
		heads := make([]string, len(record.ExportColumns))
		for i, c := range record.ExportColumns {
			heads[i] = v.T("records.col." + c)
		}
		if err := sheet.Header(heads); err != nil {
			s.fail(w, r, err)
			return
		}
		put = sheet.Row
	} else {
		out := startCSV(w, "service-records.csv", record.ExportColumns...)
		defer out.end()
		put = func(cells []string) error { out.row(cells...); return nil }
	}
	for {
		for _, it := range items {
			if err := put(record.ExportRow(it)); err != nil {
				s.Log.Error("export records", "err", err)
				return
			}
		}
		if next == 0 {
			break
		}
		f.Before = next
		if items, next, err = record.List(r.Context(), s.DB, u.Actor(), f); err != nil {
			s.Log.Error("export records", "err", err)
			return
		}
	}
	if sheet != nil {
		// The workbook is sent whole once every row is in it.
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="service-records.xlsx"`)
		if _, err := sheet.WriteTo(w); err != nil {
			s.Log.Error("export records", "err", err)
		}
	}
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
	rows := make([]correctionRow, len(corrections))
	sums := make([]record.Summary, len(corrections))
	for i, c := range corrections {
		sums[i] = c.Summary()
	}
	for i, changes := range record.ChangesOf(rec.Summary(), sums) {
		rows[i] = correctionRow{recordRow{corrections[i], sums[i]}, changes}
	}
	this := correctionRow{recordRow: recordRow{rec, rec.Summary()}}
	if rec.CorrectsID != nil {
		// A correction shows what it changed beside the values in force
		// before it: the original's, after the corrections sealed earlier.
		this.Changes, err = s.changedBy(ctx, u, rec)
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if sealed != nil && sealed.Visit != nil && rec.RequestID != nil {
		sealed.Photos = s.sealedPhotos(ctx, u, *rec.RequestID, sealed.Visit.Photos)
	}
	v := s.newView(r, "records.record", "records")
	d := recordData{Record: this, Content: pretty.String(), Sealed: sealed, Corrections: rows, Chain: chain,
		CanCorrect: rec.CorrectsID == nil && policy.Allowed(u.Actor(), policy.RecordCorrect, record.ScopeOf(u.Actor(), rec))}
	if surveyed, err := s.Satisfaction.Surveyed(ctx, u.Actor(), rec.ID); err == nil && surveyed {
		d.Surveyed = true
		if texts, err := s.Satisfaction.SurveyTexts(ctx, u.Actor(), rec.ID); err == nil {
			d.SurveyTexts = texts
		}
	}
	v.Data = d
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

type recordsData struct {
	Items      []recordRow
	Next       int64 // the last record's id when there may be more
	Agreements []agreement.Detail
	Query      string // the filters, for the export's link
}

type recordData struct {
	Record      correctionRow
	Content     string // the record's content as indented JSON
	Sealed      *sealedContent
	Corrections []correctionRow
	Chain       record.VerifyResult
	CanCorrect  bool
	Surveyed    bool
	SurveyTexts []notify.SMSMessage
}

// correctionRow is a record with, for a correction, each field it changed
// beside the value in force before it.
type correctionRow struct {
	recordRow
	Changes []record.Change
}

// changedBy is what correction rec changed, beside the values in force
// before it.
func (s *Server) changedBy(ctx context.Context, u account.User, rec record.Record) ([]record.Change, error) {
	original, err := record.Read(ctx, s.DB, u.Actor(), *rec.CorrectsID)
	if err != nil {
		return nil, err
	}
	all, err := record.Corrections(ctx, s.DB, original.ID)
	if err != nil {
		return nil, err
	}
	sums := make([]record.Summary, len(all))
	for i, c := range all {
		sums[i] = c.Summary()
	}
	for i, changes := range record.ChangesOf(original.Summary(), sums) {
		if all[i].ID == rec.ID {
			return changes, nil
		}
	}
	return nil, nil
}

// sealedPhoto is a photo the record holds by its digest, linked to the
// request's photo whose bytes have that digest when the reader may see it.
type sealedPhoto struct {
	record.PhotoDigest
	URL   string
	Short string // the digest's first 12 characters
}

// sealedPhotos pairs a record's photo digests with the request's stored
// photos: a digest with no stored photo of the same bytes is listed
// without a link (the photo was removed, or the reader may not see it).
func (s *Server) sealedPhotos(ctx context.Context, u account.User, requestID int64, digests []record.PhotoDigest) []sealedPhoto {
	stored := map[string]int64{}
	if photos, err := s.Requests.Photos(ctx, u.Actor(), requestID); err == nil {
		for _, p := range photos {
			stored[p.SHA256] = p.ID
		}
	}
	out := make([]sealedPhoto, len(digests))
	for i, d := range digests {
		out[i] = sealedPhoto{PhotoDigest: d, Short: d.SHA256[:min(12, len(d.SHA256))]}
		if id, ok := stored[d.SHA256]; ok {
			out[i].URL = fmt.Sprintf("/requests/%d/photos/%d", requestID, id)
		}
	}
	return out
}

// sealedContent is what the record page shows of a record's typed content
// beyond its summary: what the agreement measures of a visit.
type sealedContent struct {
	record.Content
	OnSite *time.Duration // nil before check-in
	Clocks []clockOutcomeRow
	Parts  []fittedPartRow
	Photos []sealedPhoto
	// PartsTotal is the parts' cost at their sealed prices, in yuan; empty
	// when a part has no price (a version 1 record).
	PartsTotal string
	// TravelKM is the road distance the technician entered at check-out,
	// in kilometres; empty when none was entered.
	TravelKM string
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
		if m := c.Visit.TravelMetres; m != nil {
			out.TravelKM = strconv.FormatFloat(float64(*m)/1000, 'f', -1, 64)
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
