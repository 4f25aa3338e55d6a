package escalationweb

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"mutual/escalation"
	"mutual/forum"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is the Prometheus registry of one App: request latency, the
// detector's ticks, and escalation figures read from the database at scrape
// time (so every instance reports the same truth).
type metrics struct {
	reg      *prometheus.Registry
	latency  *prometheus.HistogramVec
	tick     prometheus.Histogram
	tickErrs prometheus.Counter
	handler  http.Handler
}

func newMetrics(col *collector) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "mutual_http_request_duration_seconds", Help: "HTTP request latency by route pattern, method and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route", "code"})
	m.tick = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "mutual_escalation_detector_tick_seconds", Help: "Duration of one escalation detector run over every brand.",
		Buckets: []float64{.001, .005, .01, .02, .05, .1, .25, .5, 1, 5},
	})
	m.tickErrs = prometheus.NewCounter(prometheus.CounterOpts{Name: "mutual_escalation_detector_errors_total", Help: "Detector runs that failed."})
	m.reg.MustRegister(m.latency, m.tick, m.tickErrs, col,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// RequestMetrics times every request by its route pattern (bounded
// label values: never the raw path). app/ puts it first in the chain.
func (h *Handlers) RequestMetrics() gin.HandlerFunc {
	m := h.metrics
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.latency.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Observe(time.Since(start).Seconds())
	}
}

// ObserveTick records one run of the escalation detector.
func (h *Handlers) ObserveTick(d time.Duration, err error) {
	h.metrics.tick.Observe(d.Seconds())
	if err != nil {
		h.metrics.tickErrs.Inc()
	}
}

// Metrics serves /metrics to loopback callers that did not come through a
// proxy, or to anyone with the bearer token in MUTUAL_METRICS_TOKEN (then
// required from everyone): the figures name agents and brands, so they stay
// off the public internet by default.
func (h *Handlers) Metrics(c *gin.Context) {
	if tok := h.metricsToken; tok != "" {
		got := c.GetHeader("Authorization")
		if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+tok)) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
			c.String(http.StatusUnauthorized, "metrics need the bearer token (MUTUAL_METRICS_TOKEN)\n")
			return
		}
	} else if !loopback(c.Request) {
		c.String(http.StatusForbidden, "metrics are served to loopback only; set MUTUAL_METRICS_TOKEN to scrape from elsewhere\n")
		return
	}
	h.metrics.handler.ServeHTTP(c.Writer, c.Request)
}

func loopback(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != "" {
		return false // came through a proxy: the real caller may be anyone
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// collector reads the escalation figures per brand at scrape time.
type collector struct {
	brands      *forum.Brands
	escalations *escalation.Service
	log         *slog.Logger
}

var (
	descQueue    = prometheus.NewDesc("mutual_escalation_queue_depth", "Escalations waiting for an agent to claim them.", []string{"brand"}, nil)
	descBreached = prometheus.NewDesc("mutual_escalation_sla_breaches", "Open escalations past the agent SLA without an answer.", []string{"brand"}, nil)
	descState    = prometheus.NewDesc("mutual_escalations", "Escalations by state.", []string{"brand", "state"}, nil)
	descLoad     = prometheus.NewDesc("mutual_escalation_agent_load", "Escalations assigned to or claimed by an agent.", []string{"brand", "agent", "on_shift"}, nil)
	descOldest   = prometheus.NewDesc("mutual_escalation_oldest_unclaimed_seconds", "How long the oldest unclaimed escalation has waited.", []string{"brand"}, nil)
	descHooks    = prometheus.NewDesc("mutual_escalation_webhooks", "Webhook deliveries by outcome.", []string{"brand", "outcome"}, nil)
)

func (e *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueue, descBreached, descState, descLoad, descOldest, descHooks} {
		ch <- d
	}
}

func (e *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	brands, err := e.brands.All(ctx)
	if err != nil {
		e.log.Error("metrics: brands", "err", err)
		return
	}
	for _, b := range brands {
		st, err := e.escalations.Stats(ctx, b.ID)
		if err != nil {
			e.log.Error("metrics: escalation stats", "brand", b.ID, "err", err)
			continue
		}
		g := func(d *prometheus.Desc, v float64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{b.Host}, labels...)...)
		}
		g(descQueue, float64(st.Queue))
		g(descBreached, float64(st.Breached))
		g(descOldest, st.Oldest.Seconds())
		for _, s := range []string{"escalated", "assigned", "claimed", "answered", "resolved", "cancelled"} {
			g(descState, float64(st.ByStatus[s]), s)
		}
		for _, ag := range st.Agents {
			g(descLoad, float64(ag.Load), ag.Username, strconv.FormatBool(ag.OnShift))
		}
		g(descHooks, float64(st.Delivered), "delivered")
		g(descHooks, float64(st.Pending), "pending")
		g(descHooks, float64(st.Failed), "failed")
	}
}
