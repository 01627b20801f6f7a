package sla

import (
	"testing"
	"time"
)

// BenchmarkCompute100k computes the clocks of 100,000 requests (one per
// operation is reported by BenchmarkCompute); the goal is well under 1 s.
func BenchmarkCompute100k(b *testing.B) {
	logs := benchLogs(100_000)
	now := time.Date(2025, 12, 31, 12, 0, 0, 0, shanghai)
	b.ReportAllocs()
	for b.Loop() {
		for _, events := range logs {
			if _, err := Compute(terms, events, lookup, now); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkCompute(b *testing.B) {
	logs := benchLogs(4096)
	now := time.Date(2025, 12, 31, 12, 0, 0, 0, shanghai)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Compute(terms, logs[i&4095], lookup, now); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// benchLogs makes n typical logs: received, responded, a pause for the
// customer, resumed, on site for emergencies, resolved for most.
func benchLogs(n int) [][]Event {
	logs := make([][]Event, n)
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, shanghai)
	for i := range logs {
		recv := start.Add(time.Duration(i*5) * time.Minute) // 100,000 requests fill 2025
		p := General
		if i%3 == 0 {
			p = Emergency
		}
		events := []Event{
			received(recv, p),
			ev(Responded, recv.Add(90*time.Minute)),
			pause(recv.Add(3*time.Hour), WaitingCustomer),
			ev(Resumed, recv.Add(20*time.Hour)),
		}
		if p == Emergency {
			events = append(events, ev(CheckedIn, recv.Add(3*time.Hour+30*time.Minute)))
		}
		if i%4 != 0 {
			events = append(events, ev(Resolved, recv.Add(40*time.Hour)))
		}
		logs[i] = log(events...)
	}
	return logs
}
