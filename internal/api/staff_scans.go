package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/staff"
)

// MaxScanBody bounds the body of a certificate's scan upload: the largest
// scan (10 MiB) in base64, and room for the rest.
const MaxScanBody = 15 << 20

type scanAttachInput struct {
	ID     int64 `path:"id" minimum:"1"`
	CertID int64 `path:"cert_id" minimum:"1"`
	Body   struct {
		Filename string `json:"filename" minLength:"1" maxLength:"200" doc:"The scan's file name, e.g. HC-CNC-0007.pdf."`
		Content  string `json:"content" minLength:"1" maxLength:"14000000" doc:"The file in base64: JPEG, PNG, WebP or PDF, at most 10 MiB."`
	}
}

func (h *handlers) registerStaffScans(a huma.API) {
	const tag = "Staff"
	put := described(op("attach-certification-scan", http.MethodPost, "/technicians/{id}/certifications/{cert_id}/scan",
		"Attach the scan of a certificate (replacing the previous one)", tag),
		"The provider's admin attaches a photo or PDF of the certificate; the certification's version goes up by one.")
	put.MaxBodyBytes = MaxScanBody
	register(h, a, put, h.attachScan)
	get := op("get-certification-scan", http.MethodGet, "/technicians/{id}/certifications/{cert_id}/scan", "The scan of a certificate", tag)
	get.Responses = map[string]*huma.Response{"200": {Description: "The scan", Content: map[string]*huma.MediaType{"image/*": {}, "application/pdf": {}}}}
	register(h, a, get, h.getScan)
}

func (h *handlers) attachScan(ctx context.Context, ac policy.Actor, in *scanAttachInput) (*tagged[staff.Certification], error) {
	data, err := fromBase64("body.content", in.Body.Content)
	if err != nil {
		return nil, err
	}
	return versioned(h.Staff.AttachScan(ctx, ac, in.ID, in.CertID, files.FromBytes(in.Body.Filename, data)))
}

func (h *handlers) getScan(ctx context.Context, ac policy.Actor, in *certPath) (*photoContentOutput, error) {
	f, data, err := h.Staff.Scan(ctx, ac, in.ID, in.CertID)
	if err != nil {
		return nil, err
	}
	return &photoContentOutput{ContentType: f.ContentType, ETag: `"` + f.SHA256 + `"`, CacheControl: "private, max-age=3600", Body: data}, nil
}
