package demo

import (
	"time"

	"aftersales/internal/app"
	"aftersales/internal/servicerequest"
)

// receivedAgo is the requests service, silent, with its clock set back by
// ago: the demo's stories file a request before the visit that answers it,
// as happens, rather than after the visit's window has opened.
func receivedAgo(a *app.App, ago time.Duration) *servicerequest.Service {
	s := silentRequests(a)
	now := a.Now
	s.Now = func() time.Time { return now().Add(-ago) }
	return s
}
