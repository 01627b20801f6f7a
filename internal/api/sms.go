package api

import (
	"cmp"
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/notify"
	"aftersales/internal/policy"
)

type smsListInput struct {
	State  string `query:"state" enum:"pending,sent,delivered,undelivered,failed" doc:"Only messages in this delivery state."`
	Kind   string `query:"kind" enum:"survey.sent,complaint.filed,suggestion.filed" doc:"Only messages of this kind."`
	Before int64  `query:"before" minimum:"0" doc:"The next page: messages older than this id (next_before of the page before)."`
	Limit  int    `query:"limit" minimum:"0" maximum:"200" doc:"At most this many (default 50)."`
}

// smsOut is a text message as the office list shows it: the mobile
// masked, the text never.
type smsOut struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind" doc:"survey.sent, complaint.filed or suggestion.filed."`
	Ref        string     `json:"ref" doc:"What it is about: survey:<id> or complaint:<id>."`
	Phone      string     `json:"phone" doc:"The mobile it went to, its middle hidden (+86 138****5678)."`
	State      string     `json:"state" doc:"pending, sent, delivered, undelivered or failed."`
	Attempts   int        `json:"attempts"`
	LastStatus int        `json:"last_status,omitempty" doc:"The gateway's last HTTP status."`
	LastError  string     `json:"last_error,omitempty" doc:"The gateway's reason for a failed or undelivered message."`
	GatewayID  string     `json:"gateway_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at,omitempty"`
	ReceiptAt  *time.Time `json:"receipt_at,omitempty" doc:"When the gateway reported delivery (or its failure)."`
}

type smsListOutput struct {
	Body struct {
		Items []smsOut `json:"items"`
		// NextBefore is the before of the next page; absent on the last.
		NextBefore int64 `json:"next_before,omitempty" doc:"Pass as before for the next page; absent on the last page."`
	}
}

func (h *handlers) registerSMS(a huma.API) {
	register(h, a, op("list-sms", http.MethodGet, "/sms",
		"The text messages sent about the organization's surveys and complaints, newest first, with their delivery states", "Satisfaction"), h.listSMS)
}

func (h *handlers) listSMS(ctx context.Context, ac policy.Actor, in *smsListInput) (*smsListOutput, error) {
	f := notify.SMSFilter{State: in.State, Kind: in.Kind, Before: in.Before, Limit: cmp.Or(in.Limit, 50)}
	list, err := notify.ListSMS(ctx, h.DB, ac, f)
	if err != nil {
		return nil, err
	}
	out := &smsListOutput{}
	out.Body.Items = []smsOut{}
	for _, m := range list {
		out.Body.Items = append(out.Body.Items, smsOut{ID: m.ID, Kind: m.Kind, Ref: m.Ref, Phone: notify.MaskPhone(m.Phone), State: m.State,
			Attempts: m.Attempts, LastStatus: m.LastStatus, LastError: m.LastError, GatewayID: m.GatewayID, CreatedAt: m.CreatedAt,
			SentAt: m.SentAt, ReceiptAt: m.ReceiptAt})
	}
	out.Body.NextBefore = nextBefore(list, f.Limit, func(m notify.SMSMessage) int64 { return m.ID })
	return out, nil
}
