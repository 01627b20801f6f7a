// Package sla computes the clocks of a service request (response, on-site
// and resolution deadlines, 响应时限 / 到场时限 / 解决时限) from the agreement's
// terms and the request's event log.
//
// Clocks are never stored as counters that get patched: they are a pure
// function of the terms, the events and `now`, so they can be recomputed at
// any time (and for any past instant) with the same result. The package
// reads no clock, no storage and no network; calendars are passed in.
package sla
