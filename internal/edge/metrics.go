package edge

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"aftersales/internal/store"
)

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry, db *store.DB) *metrics {
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aftersales_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aftersales_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if _, ok := db.WriterStats(); ok {
		reg.MustRegister(writerCollector{db})
	}
	return m
}

// writerCollector exports what SQLite's single writer has done. The busy
// seconds growing nearly as fast as the clock mean that writes queue for
// their turn; writes per transaction show how much group commit saves.
type writerCollector struct{ db *store.DB }

var (
	writerTransactions = prometheus.NewDesc("aftersales_db_writer_transactions_total",
		"Transactions run by SQLite's writer; writes queued together share one.", nil, nil)
	writerWrites = prometheus.NewDesc("aftersales_db_writer_writes_total",
		"Writes (each a savepoint of its own) committed or refused by SQLite's writer.", nil, nil)
	writerBusy = prometheus.NewDesc("aftersales_db_writer_busy_seconds_total",
		"Time SQLite's writer spent running and committing writes.", nil, nil)
)

func (c writerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- writerTransactions
	ch <- writerWrites
	ch <- writerBusy
}

func (c writerCollector) Collect(ch chan<- prometheus.Metric) {
	st, _ := c.db.WriterStats()
	ch <- prometheus.MustNewConstMetric(writerTransactions, prometheus.CounterValue, float64(st.Groups))
	ch <- prometheus.MustNewConstMetric(writerWrites, prometheus.CounterValue, float64(st.Writes))
	ch <- prometheus.MustNewConstMetric(writerBusy, prometheus.CounterValue, st.Busy.Seconds())
}
