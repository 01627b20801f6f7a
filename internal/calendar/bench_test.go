package calendar

import (
	"testing"
	"time"
)

// benchInstants spreads receipt instants over 2025-2026 at odd minutes, so
// that every case (night, weekend, holiday, lunch) is hit.
func benchInstants() []time.Time {
	out := make([]time.Time, 4096)
	start := cst(2025, 1, 1, 0, 0)
	for i := range out {
		out[i] = start.Add(time.Duration(i) * 257 * time.Minute)
	}
	return out
}

func BenchmarkWorkingDaysDeadline(b *testing.B) {
	cn := CN()
	ins := benchInstants()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		cn.WorkingDaysDeadline(ins[i&4095], i%30+1)
		i++
	}
}

func BenchmarkAddWorkingHours(b *testing.B) {
	cn := CN()
	ins := benchInstants()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		cn.AddWorkingDuration(ins[i&4095], time.Duration(i%100+1)*time.Hour)
		i++
	}
}

func BenchmarkWorkingTimeBetween(b *testing.B) {
	cn := CN()
	ins := benchInstants()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		cn.WorkingTimeBetween(ins[i&4095], ins[(i+37)&4095])
		i++
	}
}

// BenchmarkRecomputeDeadlines100k recomputes 100,000 deadlines per operation
// (half "N working hours", half "N working days"); the goal is well under 1 s.
func BenchmarkRecomputeDeadlines100k(b *testing.B) {
	cn := CN()
	ins := benchInstants()
	b.ReportAllocs()
	for b.Loop() {
		for i := range 100_000 {
			from := ins[i&4095]
			if i&1 == 0 {
				cn.AddWorkingDuration(from, time.Duration(i%100+1)*time.Hour)
			} else {
				cn.WorkingDaysDeadline(from, i%30+1)
			}
		}
	}
}

func BenchmarkBuildCN(b *testing.B) {
	spec := CN().Spec()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(spec); err != nil {
			b.Fatal(err)
		}
	}
}
