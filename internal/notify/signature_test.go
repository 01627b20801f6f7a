package notify_test

import (
	"errors"
	"testing"
	"time"

	"aftersales/internal/notify"
)

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	sent := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	body := []byte(`{"event":"clock.breached"}`)
	header := notify.Sign("whsec_a", sent, body)
	for _, tc := range []struct {
		name   string
		secret string
		header string
		body   string
		now    time.Time
		want   error
	}{
		{"valid", "whsec_a", header, string(body), sent.Add(time.Minute), nil},
		{"valid, rotated secret listed second", "whsec_a", "t=" + header[2:12] + ",v1=00," + header[13:], string(body), sent, nil},
		{"body changed", "whsec_a", header, `{"event":"clock.met"}`, sent, notify.ErrSignatureMismatch},
		{"wrong secret", "whsec_b", header, string(body), sent, notify.ErrSignatureMismatch},
		{"too old", "whsec_a", header, string(body), sent.Add(6 * time.Minute), notify.ErrSignatureExpired},
		{"from the future", "whsec_a", header, string(body), sent.Add(-6 * time.Minute), notify.ErrSignatureExpired},
		{"no v1", "whsec_a", "t=1", string(body), sent, notify.ErrSignatureMalformed},
		{"not hex", "whsec_a", "t=1,v1=zz", string(body), sent, notify.ErrSignatureMalformed},
		{"empty", "whsec_a", "", string(body), sent, notify.ErrSignatureMalformed},
		{"timestamp changed", "whsec_a", "t=2" + header[3:], string(body), sent, notify.ErrSignatureMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := notify.VerifySignature(tc.secret, tc.header, []byte(tc.body), tc.now, 5*time.Minute)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
