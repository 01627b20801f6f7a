package web

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"

	"aftersales/internal/jobs"
	"aftersales/internal/notify"
)

func (s *Server) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.edge.Metrics())
	mux.HandleFunc("GET /problems/{kind}", s.problemPage)
	mux.HandleFunc("GET /api/docs", s.apiDocsPage)

	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /lang/{code}", s.switchLanguage)

	mux.HandleFunc("GET /{$}", s.signedIn(s.homePage))
	mux.HandleFunc("GET /orgs", s.signedIn(s.orgsPage))
	mux.HandleFunc("GET /orgs/new", s.signedIn(s.orgNewPage))
	mux.HandleFunc("POST /orgs", s.signedIn(s.orgCreate))
	mux.HandleFunc("GET /orgs/{id}", s.signedIn(s.orgPage))
	mux.HandleFunc("POST /orgs/{id}", s.signedIn(s.orgUpdate))
	mux.HandleFunc("GET /orgs/{id}/users/new", s.signedIn(shown(s.renderUserNew)))
	mux.HandleFunc("POST /orgs/{id}/users", s.signedIn(s.userCreate))
	mux.HandleFunc("GET /users/{id}", s.signedIn(shown(s.renderUser)))
	mux.HandleFunc("POST /users/{id}", s.signedIn(s.userUpdate))
	mux.HandleFunc("GET /profile", s.signedIn(s.profilePage))
	mux.HandleFunc("POST /profile", s.signedIn(s.profileUpdate))
	mux.HandleFunc("POST /profile/password", s.signedIn(s.passwordUpdate))
	mux.HandleFunc("POST /profile/tokens", s.signedIn(s.tokenCreate))
	mux.HandleFunc("POST /profile/tokens/{id}/revoke", s.signedIn(s.tokenRevoke))
	mux.HandleFunc("GET /audit", s.signedIn(s.auditPage))
	mux.HandleFunc("GET /notifications", s.signedIn(s.notificationsPage))
	mux.HandleFunc("POST /notifications/read-all", s.signedIn(s.notificationsReadAll))
	mux.HandleFunc("POST /notifications/{id}/read", s.signedIn(s.notificationRead))
	mux.HandleFunc("POST /profile/notifications", s.signedIn(s.emailPreferenceUpdate))
	mux.HandleFunc("GET /settings/sms", s.signedIn(s.smsPage))
	mux.HandleFunc("GET /settings/webhooks", s.signedIn(s.webhooksPage))
	mux.HandleFunc("POST /settings/webhooks", s.signedIn(s.webhookCreate))
	mux.HandleFunc("GET /settings/webhooks/{id}", s.signedIn(s.webhookPage))
	mux.HandleFunc("POST /settings/webhooks/{id}/disable", s.signedIn(s.webhookDisable))
	mux.HandleFunc("POST /settings/webhook-deliveries/{id}/redeliver", s.signedIn(s.webhookRedeliver))
	mux.HandleFunc("GET /requests", s.signedIn(s.requestsPage))
	mux.HandleFunc("GET /requests/new", s.signedIn(s.requestNewPage))
	mux.HandleFunc("GET /requests.csv", s.signedIn(s.requestsCSV))
	mux.HandleFunc("POST /requests/{id}/answer", s.signedIn(s.requestAnswer))
	mux.HandleFunc("POST /requests", s.signedIn(s.requestCreate))
	mux.HandleFunc("GET /requests/{id}", s.signedIn(shown(s.renderRequest)))
	mux.HandleFunc("GET /requests/{id}/receipt", s.signedIn(s.requestReceipt))
	mux.HandleFunc("GET /requests/{id}/receipt.pdf", s.signedIn(s.requestReceiptPDF))
	mux.HandleFunc("POST /requests/{id}/actions", s.signedIn(s.requestAct))
	mux.HandleFunc("POST /requests/{id}/assign", s.signedIn(s.requestAssign))
	mux.HandleFunc("POST /requests/{id}/parts", s.signedIn(s.requestParts))
	// Surveys open from their link without an account, phone first.
	mux.HandleFunc("GET /survey/{token}", s.surveyPage)
	mux.HandleFunc("POST /survey/{token}", s.surveySubmit)
	mux.HandleFunc("POST "+notify.SMSReceiptPath, s.smsReceipt)
	// Complaints, the callback queue and the satisfaction dashboard.
	mux.HandleFunc("GET /satisfaction", s.signedIn(s.dashboardPage))
	mux.HandleFunc("GET /complaints", s.signedIn(s.complaintsPage))
	mux.HandleFunc("GET /complaints/new", s.signedIn(shown(s.renderComplaintNew)))
	mux.HandleFunc("POST /complaints", s.signedIn(s.complaintCreate))
	mux.HandleFunc("GET /complaints/{id}", s.signedIn(shown(s.renderComplaint)))
	mux.HandleFunc("POST /complaints/{id}/{action}", s.signedIn(s.complaintAct))
	mux.HandleFunc("POST /complaints/{id}/files", s.signedIn(s.complaintAddFiles))
	mux.HandleFunc("GET /complaints/{id}/files/{file}", s.signedIn(s.complaintFile))
	mux.HandleFunc("GET /callbacks", s.signedIn(s.callbacksPage))
	mux.HandleFunc("POST /callbacks/{id}/{action}", s.signedIn(s.callbackAct))
	mux.HandleFunc("GET /q/{token}", s.qrPage)
	mux.HandleFunc("POST /q/{token}", s.qrSubmit)
	mux.HandleFunc("POST /q/{token}/complaint", s.qrComplain)
	mux.HandleFunc("GET /q/{token}/documents/{id}", s.qrDocument)
	// The work order pages were once under /jobs; links in emails already
	// sent keep working.
	mux.HandleFunc("GET /jobs", movedPermanently("/jobs", "/work-orders"))
	mux.HandleFunc("GET /jobs/{rest...}", movedPermanently("/jobs", "/work-orders"))
	mux.HandleFunc("GET /work-orders", s.signedIn(s.workOrdersPage))
	mux.HandleFunc("GET /work-orders/{id}", s.signedIn(shown(s.renderWorkOrder)))
	mux.HandleFunc("POST /work-orders/{id}/steps", s.signedIn(s.workOrderStep))
	mux.HandleFunc("POST /work-orders/{id}/parts", s.signedIn(s.workOrderConsume))
	// Photos, sign-off codes, escalations.
	mux.HandleFunc("GET /requests/{id}/photos/{photo}", s.signedIn(s.requestPhoto))
	mux.HandleFunc("POST /requests/{id}/photos", s.signedIn(s.requestPhotosAdd))
	mux.HandleFunc("POST /requests/{id}/escalations", s.signedIn(s.requestEscalate))
	mux.HandleFunc("POST /escalations/{id}/answer", s.signedIn(s.escalationAnswer))
	mux.HandleFunc("GET /escalations", s.signedIn(s.escalationsPage))
	mux.HandleFunc("GET /scope-exceptions", s.signedIn(shown(s.renderScopeExceptions)))
	mux.HandleFunc("POST /scope-exceptions", s.signedIn(s.scopeExceptionGrant))
	mux.HandleFunc("POST /work-orders/{id}/photos", s.signedIn(s.workOrderPhotosAdd))
	mux.HandleFunc("POST /work-orders/{id}/signoff-code", s.signedIn(s.workOrderSignoffCode))
	// Sealed service records.
	mux.HandleFunc("GET /records", s.signedIn(s.recordsPage))
	mux.HandleFunc("GET /records.csv", s.signedIn(s.recordsCSV))
	mux.HandleFunc("GET /records.xlsx", s.signedIn(s.recordsXLSX))
	mux.HandleFunc("GET /records/{id}", s.signedIn(shown(s.renderRecord)))
	mux.HandleFunc("POST /records/{id}/corrections", s.signedIn(s.recordCorrect))
	mux.HandleFunc("POST /records/{id}/survey-receipt", s.signedIn(s.surveyReceipt))
	// Installed base: products, customers' sites, models, unit imports.
	mux.HandleFunc("GET /units", s.signedIn(shown(s.renderUnits)))
	mux.HandleFunc("GET /units/new", s.signedIn(shown(s.renderUnitNew)))
	mux.HandleFunc("POST /units", s.signedIn(s.unitCreate))
	mux.HandleFunc("GET /units/import", s.signedIn(s.unitImportPage))
	mux.HandleFunc("POST /units/import", s.signedIn(s.unitImportUpload))
	mux.HandleFunc("POST /units/import/confirm", s.signedIn(s.unitImportConfirm))
	mux.HandleFunc("GET /units/import/runs/{run}", s.signedIn(s.unitImportRunPage))
	mux.HandleFunc("GET /units/import/runs/{run}/progress", s.signedIn(s.unitImportRunProgress))
	mux.HandleFunc("GET /units/labels.pdf", s.signedIn(s.unitLabels))
	mux.HandleFunc("GET /units/export", s.signedIn(s.unitsExport))
	mux.HandleFunc("GET /units/{id}", s.signedIn(s.unitPage))
	mux.HandleFunc("GET /units/{id}/qr.png", s.signedIn(s.unitQR))
	mux.HandleFunc("POST /units/{id}/qr-token", s.signedIn(s.unitRotateQR))
	mux.HandleFunc("GET /models", s.signedIn(s.modelsPage))
	mux.HandleFunc("GET /models/new", s.signedIn(s.modelNewPage))
	mux.HandleFunc("POST /models", s.signedIn(s.modelCreate))
	mux.HandleFunc("GET /sites", s.signedIn(s.sitesPage))
	mux.HandleFunc("GET /sites/new", s.signedIn(shown(s.renderSiteNew)))
	mux.HandleFunc("POST /sites", s.signedIn(s.siteCreate))
	// Parts and stock: the catalog, on-hand, ledger, movements, returns.
	mux.HandleFunc("GET /parts", s.signedIn(s.partsPage))
	mux.HandleFunc("GET /parts/new", s.signedIn(shown(s.renderPartNew)))
	mux.HandleFunc("POST /parts", s.signedIn(s.partCreate))
	mux.HandleFunc("GET /parts/{id}", s.signedIn(shown(s.renderPart)))
	mux.HandleFunc("POST /parts/{id}/{action}", s.signedIn(s.partAction))
	mux.HandleFunc("GET /stock", s.signedIn(shown(s.renderStock)))
	mux.HandleFunc("POST /stock/locations", s.signedIn(s.locationCreate))
	mux.HandleFunc("POST /stock/locations/{id}/safety", s.signedIn(s.safetySet))
	mux.HandleFunc("GET /stock/ledger", s.signedIn(s.ledgerPage))
	mux.HandleFunc("GET /stock/move", s.signedIn(shown(s.renderMove)))
	mux.HandleFunc("POST /stock/move", s.signedIn(s.moveSubmit))
	mux.HandleFunc("GET /returns", s.signedIn(shown(s.renderReturns)))
	mux.HandleFunc("POST /returns/{id}/{step}", s.signedIn(s.returnStep))
	// Documentation library.
	mux.HandleFunc("GET /documents", s.signedIn(s.documentsPage))
	mux.HandleFunc("GET /documents/new", s.signedIn(s.documentNewPage))
	mux.HandleFunc("POST /documents", s.signedIn(s.documentCreate))
	mux.HandleFunc("GET /documents/{id}", s.signedIn(s.documentPage))
	mux.HandleFunc("GET /documents/{id}/edit", s.signedIn(s.documentEditPage))
	mux.HandleFunc("POST /documents/{id}", s.signedIn(s.documentUpdate))
	mux.HandleFunc("GET /documents/{id}/versions/new", s.signedIn(s.documentVersionPage))
	mux.HandleFunc("POST /documents/{id}/versions", s.signedIn(s.documentVersionCreate))
	mux.HandleFunc("GET /documents/{id}/versions/{number}/file", s.signedIn(s.documentDownload))
	mux.HandleFunc("POST /documents/{id}/archive", s.signedIn(s.documentArchive(true)))
	mux.HandleFunc("POST /documents/{id}/restore", s.signedIn(s.documentArchive(false)))
	// Settlement statements, and suspensions for non-payment.
	mux.HandleFunc("GET /settlements", s.signedIn(shown(s.renderSettlements)))
	mux.HandleFunc("POST /settlements", s.signedIn(s.settlementGenerate))
	mux.HandleFunc("GET /settlements/{id}", s.signedIn(s.settlementPage))
	mux.HandleFunc("POST /settlements/{id}/{action}", s.signedIn(s.settlementAction))
	mux.HandleFunc("GET /settlements/{id}/statement.pdf", s.signedIn(s.settlementExport("pdf")))
	mux.HandleFunc("GET /settlements/{id}/statement.xlsx", s.signedIn(s.settlementExport("xlsx")))
	mux.HandleFunc("POST /settlements/{id}/lines/{line}/{action}", s.signedIn(s.settlementLineAction))
	mux.HandleFunc("POST /suspensions", s.signedIn(s.suspensionNotice))
	mux.HandleFunc("POST /suspensions/{id}/lift", s.signedIn(s.suspensionLift))
	// The staff register, its forms and the qualification rules.
	mux.HandleFunc("GET /staff", s.signedIn(shown(s.staffPageWith)))
	mux.HandleFunc("GET /staff/technicians/{id}", s.signedIn(shown(s.renderTechnician)))
	mux.HandleFunc("POST /staff/technicians/{id}/certifications", s.signedIn(s.certificationCreate))
	mux.HandleFunc("GET /requests/{id}/recommendations", s.signedIn(s.recommendationsPart))
	mux.HandleFunc("POST /requests/{id}/qualification-exceptions", s.signedIn(s.exceptionGrant))
	mux.HandleFunc("POST /staff/points", s.signedIn(s.pointCreate))
	mux.HandleFunc("POST /staff/technicians/{id}/profile", s.signedIn(s.technicianProfileUpdate))
	mux.HandleFunc("POST /staff/technicians/{id}/trainings", s.signedIn(s.trainingCreate))
	mux.HandleFunc("POST /staff/technicians/{id}/assessments", s.signedIn(s.assessmentCreate))
	mux.HandleFunc("POST /staff/technicians/{id}/certifications/{cert}/scan", s.signedIn(s.scanAttach))
	mux.HandleFunc("GET /staff/technicians/{id}/certifications/{cert}/scan", s.signedIn(s.scanShow))
	mux.HandleFunc("GET /staff/rules", s.signedIn(shown(s.renderRules)))
	mux.HandleFunc("POST /staff/rules", s.signedIn(s.ruleCreate))
	mux.HandleFunc("POST /staff/rules/{id}/delete", s.signedIn(s.ruleDelete))
	mux.HandleFunc("POST /staff/points/{id}", s.signedIn(s.pointUpdate))
	mux.HandleFunc("POST /staff/technicians/{id}/certifications/renew", s.signedIn(s.certRenew))
	mux.HandleFunc("POST /staff/technicians/{id}/leave", s.signedIn(s.leaveAdd))
	mux.HandleFunc("POST /staff/rules/{id}", s.signedIn(s.ruleUpdate))
	// The dispatch board, working hours and the on-call rota.
	mux.HandleFunc("GET /dispatch", s.signedIn(s.boardPage))
	mux.HandleFunc("POST /dispatch/move", s.signedIn(s.boardMove))
	mux.HandleFunc("POST /dispatch/plans", s.signedIn(s.boardPlan))
	mux.HandleFunc("POST /dispatch/plans/{id}/accept", s.signedIn(s.boardAccept))
	mux.HandleFunc("POST /dispatch/plans/{id}/discard", s.signedIn(s.boardDiscard))
	mux.HandleFunc("GET /dispatch/hours", s.signedIn(shown(s.renderHours)))
	mux.HandleFunc("POST /dispatch/hours/technicians/{id}", s.signedIn(s.hoursSet(false)))
	mux.HandleFunc("POST /dispatch/hours/points/{id}", s.signedIn(s.hoursSet(true)))
	mux.HandleFunc("POST /dispatch/on-call", s.signedIn(s.onCallAdd))
	mux.HandleFunc("POST /dispatch/on-call/{id}/delete", s.signedIn(s.onCallDelete))
	// The customer's appointment page opens by its link's token alone, on a
	// phone; the dispatcher sends the link from the visit's page.
	mux.HandleFunc("GET /appointment/{token}", s.appointmentPage)
	mux.HandleFunc("POST /appointment/{token}", s.appointmentAnswer)
	mux.HandleFunc("POST /work-orders/{id}/appointment-link", s.signedIn(s.appointmentLinkSend))
	mux.HandleFunc("GET /calendars", s.signedIn(s.calendarsPage))
	mux.HandleFunc("GET /calendars/new", s.signedIn(s.calendarNewPage))
	mux.HandleFunc("POST /calendars", s.signedIn(s.calendarCreate))
	mux.HandleFunc("GET /calendars/{id}", s.signedIn(shown(s.renderCalendar)))
	mux.HandleFunc("POST /calendars/{id}/imports", s.signedIn(s.calendarImportUpload))
	mux.HandleFunc("GET /calendars/{id}/imports/{import}", s.signedIn(s.calendarImportPage))
	mux.HandleFunc("POST /calendars/{id}/imports/{import}/{decision}", s.signedIn(s.calendarImportDecide))
	mux.HandleFunc("GET /agreements", s.signedIn(s.agreementsPage))
	mux.HandleFunc("GET /agreements/new", s.signedIn(s.agreementNewPage))
	mux.HandleFunc("POST /agreements", s.signedIn(s.agreementSubmit(modeCreate)))
	mux.HandleFunc("GET /agreements/{id}", s.signedIn(s.agreementPage))
	mux.HandleFunc("GET /agreements/{id}/diff", s.signedIn(s.agreementDiffPage))
	mux.HandleFunc("GET /agreements/{id}/versions/new", s.signedIn(s.agreementVersionPage))
	mux.HandleFunc("POST /agreements/{id}/versions", s.signedIn(s.agreementSubmit(modeVersion)))
	mux.HandleFunc("GET /agreements/{id}/adjustments/new", s.signedIn(s.adjustmentNewPage))
	mux.HandleFunc("POST /agreements/{id}/adjustments", s.signedIn(s.agreementSubmit(modePropose)))
	mux.HandleFunc("POST /agreements/{id}/status", s.signedIn(s.agreementStatus))
	mux.HandleFunc("POST /adjustments/{id}/{decision}", s.signedIn(s.adjustmentDecide))
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// readyz answers 200 when the database answers, with details as JSON.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	details := map[string]any{"database": "ok", "engine": string(s.DB.Engine)}
	status := http.StatusOK
	if err := s.Ready(r.Context()); err != nil {
		details["database"] = err.Error()
		status = http.StatusServiceUnavailable
	} else if counts, err := jobs.Counts(r.Context(), s.DB); err == nil {
		details["jobs"] = counts
	}
	if s.Warnings != nil {
		if ws := s.Warnings(s.Now()); len(ws) > 0 {
			details["warnings"] = ws
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(details)
}

// movedPermanently answers 301 to the same address with prefix from
// replaced by to, keeping the rest of the path and the query.
func movedPermanently(from, to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		target := to + strings.TrimPrefix(r.URL.EscapedPath(), from)
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	}
}
