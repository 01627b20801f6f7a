package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// Large imports on the page run in the background: the upload (the check)
// and the confirmation (the import) each start a run and send the browser
// to its page, which shows the progress and polls it with htmx until the
// run ends. The import itself is still one transaction: all rows or none.
//
// Runs live in the memory of the server that started them, for an hour
// after they end; behind several instances the page needs sticky sessions
// (the CLI and the API do not depend on this).

// asyncImportBytes: files larger than this are checked and imported in the
// background with progress shown (about 6,000 rows).
const asyncImportBytes = 512 << 10

// importRun is one check or import running in the background.
type importRun struct {
	ID       string
	UserID   int64
	Filename string
	DryRun   bool
	Started  time.Time

	mu       sync.Mutex
	stage    string // read, check, insert, done
	done     int
	total    int
	finished time.Time
	report   installedbase.ImportReport
	err      error
	data     []byte // the file, kept until a good check is taken into the session
}

// Progress is what the page shows of a run.
type importProgress struct {
	ID      string
	Stage   string
	Done    int
	Total   int
	Percent int
	DryRun  bool
	Ended   bool
}

// importRunData is an import's page while it runs, and the part of it
// that the page polls.
type importRunData struct {
	tabbed
	Run      *importRun
	Progress importProgress
}

func (r *importRun) progress() importProgress {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := importProgress{ID: r.ID, Stage: r.stage, Done: r.done, Total: r.total, DryRun: r.DryRun, Ended: !r.finished.IsZero()}
	if r.total > 0 {
		share := float64(r.done) / float64(r.total)
		switch {
		case r.DryRun:
			p.Percent = int(share * 100)
		case r.stage == "check":
			p.Percent = int(share * 50)
		case r.stage == "insert":
			p.Percent = 50 + int(share*50)
		}
	}
	if p.Ended {
		p.Percent = 100
	}
	return p
}

// importRuns holds the runs of this process.
type importRuns struct {
	mu   sync.Mutex
	runs map[string]*importRun
}

func newImportRuns() *importRuns { return &importRuns{runs: map[string]*importRun{}} }

// get returns a run of the user; others' runs are not found.
func (rs *importRuns) get(id string, userID int64) (*importRun, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r, ok := rs.runs[id]
	return r, ok && r.UserID == userID
}

// start runs an import in the background and returns its run. A user runs
// one at a time; ended runs are forgotten an hour after they end.
func (s *Server) startImport(u account.User, filename string, data []byte, dryRun bool) (*importRun, error) {
	rs := s.imports
	now := s.Now()
	rs.mu.Lock()
	for id, r := range rs.runs {
		r.mu.Lock()
		ended, old := !r.finished.IsZero(), !r.finished.IsZero() && now.Sub(r.finished) > time.Hour
		r.mu.Unlock()
		if old {
			delete(rs.runs, id)
		} else if r.UserID == u.ID && !ended {
			rs.mu.Unlock()
			return nil, problem.Field("file", "%s", "an import of yours is still running; wait for it to end")
		}
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	run := &importRun{ID: hex.EncodeToString(b), UserID: u.ID, Filename: filename, DryRun: dryRun, Started: now, stage: "read", data: data}
	rs.runs[run.ID] = run
	rs.mu.Unlock()

	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		rep, err := s.InstalledBase.ImportUnits(ctx, u.Actor(), installedbase.ImportRequest{Filename: filename, Data: data, DryRun: dryRun,
			Progress: func(stage string, done, total int) {
				run.mu.Lock()
				run.stage, run.done, run.total = stage, done, total
				run.mu.Unlock()
			}})
		if err != nil {
			s.Log.Error("unit import", "err", err, "file", filename)
		}
		run.mu.Lock()
		run.report, run.err, run.finished, run.stage = rep, err, s.Now(), "done"
		if !dryRun || !rep.OK() {
			run.data = nil
		}
		run.mu.Unlock()
	}()
	return run, nil
}

// unitImportRunPage shows a run: its progress while it runs, its outcome
// when it has ended.
func (s *Server) unitImportRunPage(w http.ResponseWriter, r *http.Request, u account.User) {
	if err := policy.Allow(u.Actor(), policy.UnitManage, policy.Own); err != nil {
		s.fail(w, r, err)
		return
	}
	run, ok := s.imports.get(r.PathValue("run"), u.ID)
	if !ok {
		s.fail(w, r, problem.New(problem.NotFound, "no such import"))
		return
	}
	p := run.progress()
	if !p.Ended {
		s.renderPage(w, r, "unit_import_run", "units.import", "units", importRunData{tabbed: tabbed{ibTabs(u), "import"}, Run: run, Progress: p})
		return
	}
	run.mu.Lock()
	rep, err, data := run.report, run.err, run.data
	run.data = nil
	run.mu.Unlock()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case !rep.OK():
		s.renderUnitImport(w, r, u, http.StatusUnprocessableEntity, &rep, nil)
	case run.DryRun:
		if data != nil {
			s.Sessions.Put(r.Context(), sessionImportName, run.Filename)
			s.Sessions.Put(r.Context(), sessionImportData, data)
		}
		s.renderUnitImport(w, r, u, http.StatusOK, &rep, nil)
	default:
		s.Sessions.Remove(r.Context(), sessionImportData)
		s.flashRedirect(w, r, s.importedMessage(r, rep), "/units")
	}
}

// unitImportRunProgress is the progress bar alone, polled by htmx; when the
// run has ended it sends the browser to the run's page for the outcome.
func (s *Server) unitImportRunProgress(w http.ResponseWriter, r *http.Request, u account.User) {
	run, ok := s.imports.get(r.PathValue("run"), u.ID)
	if !ok {
		s.fail(w, r, problem.New(problem.NotFound, "no such import"))
		return
	}
	p := run.progress()
	if p.Ended {
		w.Header().Set("HX-Redirect", "/units/import/runs/"+run.ID)
	}
	v := s.newView(r, "units.import", "units")
	v.Data = importRunData{Run: run, Progress: p}
	t := s.pages.byName["unit_import_run"]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "progress", v); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
