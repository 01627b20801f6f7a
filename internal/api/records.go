package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/policy"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
)

// recordOut is a sealed service record as the API shows it: its place in
// its agreement's chain, its content read as the version it was sealed
// with, and the exact bytes the hash covers.
type recordOut struct {
	record.Record
	Content       *record.Content `json:"content,omitempty" doc:"The content, typed by kind; absent only when the sealed bytes cannot be read."`
	SealedContent string          `json:"sealed_content" doc:"The content exactly as sealed: the bytes the record's hash covers."`
}

func toRecordOut(r record.Record) recordOut {
	out := recordOut{Record: r, SealedContent: r.ContentJSON}
	if c, err := r.Content(); err == nil {
		out.Content = &c
	}
	return out
}

type recordListInput struct {
	AgreementID int64     `query:"agreement_id" minimum:"0"`
	From        time.Time `query:"from" doc:"Sealed at or after."`
	To          time.Time `query:"to" doc:"Sealed before."`
	Cursor      int64     `query:"cursor" minimum:"0" doc:"The next of the previous page."`
	Limit       int       `query:"limit" minimum:"0" maximum:"200"`
}

type recordListOutput cursorPage[recordOut, int64]

// recordDetail is a record with its corrections. It repeats recordOut's
// fields rather than embedding it: huma leaves an unexported embedded
// struct out of the schema, which encoding/json does not.
type recordDetail struct {
	record.Record
	Content       *record.Content `json:"content,omitempty" doc:"The content, typed by kind; absent only when the sealed bytes cannot be read."`
	SealedContent string          `json:"sealed_content" doc:"The content exactly as sealed: the bytes the record's hash covers."`
	Corrections   []recordOut     `json:"corrections" doc:"Records sealed later that correct this one, oldest first."`
}

type recordOutput struct {
	Body recordDetail
}

type recordCorrectInput struct {
	CreateUnder
	Body struct {
		Reason       string  `json:"reason" minLength:"1" maxLength:"2000" doc:"Why the record is corrected."`
		Diagnosis    *string `json:"diagnosis,omitempty" maxLength:"4000"`
		FaultCodes   *string `json:"fault_codes,omitempty" maxLength:"500"`
		ActionsTaken *string `json:"actions_taken,omitempty" maxLength:"4000"`
		Result       *string `json:"result,omitempty" enum:"fixed,not_fixed,needs_parts"`
	}
}

type recordCreatedOutput struct {
	Body recordOut
}

func (h *handlers) registerRecords(a huma.API) {
	const tag = "Service records"
	register(h, a, op("list-service-records", http.MethodGet, "/service-records", "List sealed service records, newest first", tag), h.listServiceRecords)

	register(h, a, op("get-service-record", http.MethodGet, "/service-records/{id}", "A sealed service record with its corrections", tag), h.getServiceRecord)

	register(h, a, withErrors(created(described(op("correct-service-record", http.MethodPost, "/service-records/{id}/corrections", "Correct a sealed record by sealing a new one that refers to it", tag),
		"The record itself never changes: the correction is sealed on the same chain, with the reason and the corrected fields.")), 409), h.correctServiceRecord)
}

func (h *handlers) listServiceRecords(ctx context.Context, ac policy.Actor, in *recordListInput) (*recordListOutput, error) {
	rs, next, err := record.List(ctx, h.DB, ac, record.Filter{AgreementID: in.AgreementID, From: in.From, To: in.To, Before: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	out := &recordListOutput{}
	out.Body.Items, out.Body.Next = each(rs, toRecordOut), next
	return out, nil
}

func (h *handlers) getServiceRecord(ctx context.Context, ac policy.Actor, in *idPath) (*recordOutput, error) {
	r, err := record.Read(ctx, h.DB, ac, in.ID)
	if err != nil {
		return nil, err
	}
	cs, err := record.Corrections(ctx, h.DB, r.ID)
	if err != nil {
		return nil, err
	}
	out := &recordOutput{}
	one := toRecordOut(r)
	out.Body = recordDetail{Record: r, Content: one.Content, SealedContent: one.SealedContent, Corrections: each(cs, toRecordOut)}
	return out, nil
}

func (h *handlers) correctServiceRecord(ctx context.Context, ac policy.Actor, in *recordCorrectInput) (*recordCreatedOutput, error) {
	b := in.Body
	r, err := h.Requests.CorrectRecord(ctx, ac, in.ID, servicerequest.Correction{Reason: b.Reason, Diagnosis: b.Diagnosis,
		FaultCodes: b.FaultCodes, Actions: b.ActionsTaken, Result: b.Result})
	return bodyAs[recordCreatedOutput](toRecordOut(r), err)
}
