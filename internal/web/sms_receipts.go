package web

import (
	"errors"
	"io"
	"net/http"

	"aftersales/internal/notify"
)

// smsReceipt takes the SMS gateway's delivery receipt of one message: a
// JSON notify.SMSReceipt signed with the gateway secret like the requests
// the gateway receives. It needs no session; the signature is the gateway's
// credential. Answers: 204 recorded (or repeated), 400 not a receipt, 401
// bad or stale signature, 404 no such message sent, 413 too large.
func (s *Server) smsReceipt(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<10))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		http.Error(w, "receipt larger than 16 KiB", http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	err = s.Delivery.Receipt(r.Context(), r.Header.Get(notify.SignatureHeader), body)
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, notify.ErrReceiptInvalid):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.Is(err, notify.ErrSignatureMalformed), errors.Is(err, notify.ErrSignatureMismatch), errors.Is(err, notify.ErrSignatureExpired):
		http.Error(w, err.Error(), http.StatusUnauthorized)
	case errors.Is(err, notify.ErrReceiptUnknown):
		http.Error(w, err.Error(), http.StatusNotFound)
	default:
		s.Log.Error("sms receipt", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
