package web

import (
	"context"
	"time"

	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
)

// qrFiledFor is how long after filing the QR page still confirms a request.
const qrFiledFor = 24 * time.Hour

// qrFiled is the number of a request filed from this product's label in
// the last day, as the server knows it, or "". The confirmation on the
// public page never prints the query parameter itself: a link with any
// text in it would otherwise show that text in the box customers trust.
func (s *Server) qrFiled(ctx context.Context, unitID int64, number string) string {
	if number == "" || len(number) > 40 {
		return ""
	}
	var found string
	err := store.Get(ctx, s.DB, &found, `SELECT number FROM service_requests
		WHERE number = ? AND unit_id = ? AND channel = ? AND received_at >= ?`,
		number, unitID, servicerequest.QRCode, s.Now().UTC().Add(-qrFiledFor))
	if err != nil {
		return ""
	}
	return found
}
