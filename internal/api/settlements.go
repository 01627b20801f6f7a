package api

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/fees"
	"aftersales/internal/i18n"
	"aftersales/internal/policy"
	"aftersales/internal/settlement"
)

// settlementOut is a statement as the API shows it: the stored statement
// with its lines and totals, and the total in words and the tax per rate
// at the top.
type settlementOut struct {
	settlement.Statement
	TotalInWords string           `json:"total_in_words" doc:"The total in uppercase Chinese (金额大写), by the People's Bank's rules."`
	TaxByRate    []fees.RateTotal `json:"tax_by_rate" doc:"The fee lines before tax and their VAT, per rate (basis points: 1300 is 13 %)."`
}

func toSettlementOut(st settlement.Statement) settlementOut {
	if st.Lines == nil {
		st.Lines = []settlement.StatementLine{}
	}
	return settlementOut{Statement: st, TotalInWords: st.Totals.TotalInWords, TaxByRate: st.Totals.Fees.ByRate}
}

type settlementOutput struct {
	ETag string `header:"ETag"`
	Body settlementOut
}

func settlementAnswer(st settlement.Statement, err error) (*settlementOutput, error) {
	if err != nil {
		return nil, err
	}
	return &settlementOutput{ETag: etag(st.Version), Body: toSettlementOut(st)}, nil
}

type settlementListInput struct {
	AgreementID int64 `query:"agreement_id" minimum:"0" doc:"Only the statements of this agreement."`
	Overdue     bool  `query:"overdue" doc:"Only approved statements past their due day with something left to pay."`
}

type paymentInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		StatementID int64  `json:"statement_id" minimum:"1"`
		AmountFen   int64  `json:"amount_fen" doc:"Partial payments add up; never more than is open."`
		PaidOn      string `json:"paid_on" maxLength:"10" doc:"YYYY-MM-DD, not after today."`
		Reference   string `json:"reference,omitempty" maxLength:"200"`
	}
}

type paymentOutput struct {
	Body settlement.Payment
}

type paymentListInput struct {
	StatementID int64 `query:"statement_id" minimum:"0" doc:"Only the payments of this statement; absent: every payment of the caller's organization, newest first (at most 500)."`
}

type paymentListOutput items[settlement.Payment]

type settlementListOutput struct {
	Body struct {
		Items []settlement.StatementHeader `json:"items" doc:"Newest period first, without lines (read one statement for them)."`
	}
}

type settlementGenerateInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		AgreementID int64  `json:"agreement_id" minimum:"1"`
		Period      string `json:"period" maxLength:"20" doc:"A month YYYY-MM or a quarter YYYY-Qn."`
	}
}

type settlementStepInput struct {
	CreateUnder
}

type settlementDisputeInput struct {
	ID             int64  `path:"id" minimum:"1"`
	Line           int64  `path:"line" minimum:"1"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Reason string `json:"reason" maxLength:"2000" doc:"Why the vendor disputes the line."`
	}
}

type settlementAnswerInput struct {
	ID             int64  `path:"id" minimum:"1"`
	Line           int64  `path:"line" minimum:"1"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Accept    bool   `json:"accept" doc:"Accept the dispute: the line is removed, or changed to amount_fen."`
		AmountFen *int64 `json:"amount_fen,omitempty" doc:"With accept: the line's new amount before tax (a deduction's new amount), lower than now."`
		Text      string `json:"text,omitempty" maxLength:"2000" doc:"The explanation; required when the dispute is not accepted."`
	}
}

func (h *handlers) registerSettlements(a huma.API) {
	const tag = "Settlements"
	register(h, a, op("list-settlements", http.MethodGet, "/settlements", "List settlement statements, newest period first", tag), h.listSettlements)

	register(h, a, withErrors(described(op("generate-settlement", http.MethodPost, "/settlements", "Generate the draft statement of an agreement for a period", tag),
		"Prices every sealed record of the period with the terms in force at its check-out and applies the breach rules. "+
			"A draft is generated again with each call; a submitted statement is not (409)."), 409), h.generateSettlement)

	register(h, a, op("get-settlement", http.MethodGet, "/settlements/{id}", "A settlement statement with its lines and totals", tag), h.getSettlement)

	exp := withErrors(described(op("export-settlement", http.MethodGet, "/settlements/{id}/export", "A statement as a business document: an A4 PDF or an XLSX workbook", tag),
		"The PDF embeds the CJK font and numbers its pages; the workbook holds the same lines, amounts in yuan. "+
			"Both name the parties, the lines with their evidence, the tax per rate, the total in figures and in 金额大写, and the due day."), http.StatusServiceUnavailable)
	exp.Responses = map[string]*huma.Response{"200": {Description: "The document.",
		Content: map[string]*huma.MediaType{
			"application/pdf": {Schema: &huma.Schema{Type: "string", Format: "binary"}},
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}
	register(h, a, exp, h.exportSettlement)

	for _, s := range []struct{ id, path, summary string }{
		{"submit-settlement", "/settlements/{id}/submit", "Submit a draft statement to the vendor (provider)"},
		{"approve-settlement", "/settlements/{id}/approve", "Approve a submitted statement with no open dispute; it is locked (vendor)"},
	} {
		o := withErrors(op(s.id, http.MethodPost, s.path, s.summary, tag), 409)
		if s.id == "submit-settlement" {
			register(h, a, o, h.submitSettlement)
		} else {
			register(h, a, o, h.approveSettlement)
		}
	}
	register(h, a, withErrors(op("dispute-settlement-line", http.MethodPost, "/settlements/{id}/lines/{line}/dispute", "Dispute one line of a submitted statement (vendor)", tag), 409), h.disputeSettlementLine)
	register(h, a, withErrors(op("answer-settlement-line", http.MethodPost, "/settlements/{id}/lines/{line}/answer", "Answer a disputed line: accept (remove or lower it) or explain (provider)", tag), 409), h.answerSettlementLine)

	register(h, a, withErrors(created(op("record-settlement-invoice", http.MethodPost, "/settlements/{id}/invoice", "Record the invoice (发票) issued for an approved statement (provider)", tag)), 409), h.recordInvoice)

	register(h, a, withErrors(created(op("record-payment", http.MethodPost, "/payments", "Record a payment of an approved statement (vendor)", tag)), 409), h.recordPayment)
	register(h, a, op("list-payments", http.MethodGet, "/payments", "The payments of a statement", tag), h.listPayments)
}

func (h *handlers) recordPayment(ctx context.Context, ac policy.Actor, in *paymentInput) (*paymentOutput, error) {
	b := in.Body
	return bodyAs[paymentOutput](h.Settlements.Pay(ctx, ac, settlement.NewPayment{StatementID: b.StatementID, AmountFen: b.AmountFen, PaidOn: b.PaidOn, Reference: b.Reference}))
}

func (h *handlers) listPayments(ctx context.Context, ac policy.Actor, in *paymentListInput) (*paymentListOutput, error) {
	return listAs[paymentListOutput](h.Settlements.Payments(ctx, ac, in.StatementID))
}

func (h *handlers) listSettlements(ctx context.Context, ac policy.Actor, in *settlementListInput) (*settlementListOutput, error) {
	list, err := h.Settlements.List(ctx, ac, in.AgreementID)
	if in.Overdue && err == nil {
		list, err = h.Settlements.Overdue(ctx, ac)
	}
	if err != nil {
		return nil, err
	}
	out := &settlementListOutput{}
	out.Body.Items = list
	if out.Body.Items == nil {
		out.Body.Items = []settlement.StatementHeader{}
	}
	return out, nil
}

func (h *handlers) generateSettlement(ctx context.Context, ac policy.Actor, in *settlementGenerateInput) (*settlementOutput, error) {
	st, err := h.Settlements.Generate(ctx, ac, in.Body.AgreementID, in.Body.Period)
	return h.rereadSettlement(ctx, ac, st, err)
}

// rereadSettlement answers the statement st as read afresh, unless err is
// set.
func (h *handlers) rereadSettlement(ctx context.Context, ac policy.Actor, st settlement.Statement, err error) (*settlementOutput, error) {
	if err != nil {
		return nil, err
	}
	return settlementAnswer(h.Settlements.Get(ctx, ac, st.ID))
}

func (h *handlers) getSettlement(ctx context.Context, ac policy.Actor, in *idPath) (*settlementOutput, error) {
	return settlementAnswer(h.Settlements.Get(ctx, ac, in.ID))
}

func (h *handlers) submitSettlement(ctx context.Context, ac policy.Actor, in *settlementStepInput) (*settlementOutput, error) {
	st, err := h.Settlements.Submit(ctx, ac, in.ID)
	return h.rereadSettlement(ctx, ac, st, err)
}

func (h *handlers) approveSettlement(ctx context.Context, ac policy.Actor, in *settlementStepInput) (*settlementOutput, error) {
	return settlementAnswer(h.Settlements.Approve(ctx, ac, in.ID))
}

func (h *handlers) disputeSettlementLine(ctx context.Context, ac policy.Actor, in *settlementDisputeInput) (*settlementOutput, error) {
	return settlementAnswer(h.Settlements.Dispute(ctx, ac, in.ID, in.Line, in.Body.Reason))
}

func (h *handlers) answerSettlementLine(ctx context.Context, ac policy.Actor, in *settlementAnswerInput) (*settlementOutput, error) {
	b := in.Body
	return settlementAnswer(h.Settlements.AnswerDispute(ctx, ac, in.ID, in.Line, settlement.Answer{Accept: b.Accept, AmountFen: b.AmountFen, Text: b.Text}))
}

type invoiceInput struct {
	CreateUnder
	Body struct {
		Code      string `json:"code,omitempty" maxLength:"20" doc:"A legacy invoice's code; empty for a fully digital invoice."`
		Number    string `json:"number" maxLength:"30"`
		IssuedOn  string `json:"issued_on" maxLength:"10" doc:"YYYY-MM-DD."`
		AmountFen int64  `json:"amount_fen" doc:"Must equal the statement's fees with tax."`
	}
}

type invoiceOutput struct {
	Body settlement.Invoice
}

func (h *handlers) recordInvoice(ctx context.Context, ac policy.Actor, in *invoiceInput) (*invoiceOutput, error) {
	b := in.Body
	return bodyAs[invoiceOutput](h.Settlements.RecordInvoice(ctx, ac, in.ID, settlement.Invoice{Code: b.Code, Number: b.Number, IssuedOn: b.IssuedOn, AmountFen: b.AmountFen}))
}

type settlementExportInput struct {
	ID     int64  `path:"id" minimum:"1"`
	Format string `query:"format" enum:"pdf,xlsx" default:"pdf" doc:"pdf: A4, the CJK font embedded; xlsx: a workbook written row by row."`
	Lang   string `query:"lang" enum:"zh-CN,en" default:"zh-CN" doc:"The language of the document's texts."`
}

type settlementExportOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	Body               []byte
}

func (h *handlers) exportSettlement(ctx context.Context, ac policy.Actor, in *settlementExportInput) (*settlementExportOutput, error) {
	format, lang := cmp.Or(in.Format, settlement.ExportPDF), cmp.Or(in.Lang, "zh-CN")
	bundle := i18n.Default()
	t := func(id string, args ...any) string {
		if len(args) == 0 {
			return bundle.T(lang, id)
		}
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
		return bundle.T(lang, id, data)
	}
	doc, err := h.Settlements.Document(ctx, ac, in.ID, t)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := doc.Write(&buf, format, h.Labels); err != nil {
		return nil, queryFields(err)
	}
	return &settlementExportOutput{ContentType: settlement.ContentType(format), CacheControl: "private, no-store",
		ContentDisposition: fmt.Sprintf(`attachment; filename="%s.%s"`, doc.S.Number, format), Body: buf.Bytes()}, nil
}
