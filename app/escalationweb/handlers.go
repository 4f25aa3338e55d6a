// Package escalationweb serves the escalation lifecycle over HTTP: the agent
// console, the escalation and supervisor pages, the webhook log, the
// escalation API, the thread page's escalation slot, and Prometheus
// /metrics with the request timings. It also delivers the escalation
// webhooks, which app/ runs as background work.
package escalationweb

import (
	"context"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"mutual/app/web"
	"mutual/escalation"
	"mutual/forum"
	"mutual/jobs"
	"mutual/ratelimit"
)

// Handlers are the escalation pages, API, metrics and webhook sender.
type Handlers struct {
	site         *web.Site
	limits       *web.Limits
	escalations  *escalation.Service
	ticketing    *escalation.Ticketing
	forum        *forum.Service
	jobs         *jobs.Leases
	agents       *ratelimit.Keyed // agent actions per account
	callbacks    *ratelimit.Keyed // ticketing callbacks per address
	metrics      *metrics
	metricsToken string
	changed      func(forum.Change)
	now          func() time.Time
	log          *slog.Logger

	// Incidents, when set, is the incident lane as the console, the
	// supervisor page and the stats API show it (app/ fits it).
	Incidents Incidents
}

// Incidents are the brand's open incidents, shown above everything on the
// console and the supervisor page, and their acknowledgement SLA figures.
type Incidents interface {
	// Banner is the view the "incident-banner" template draws, or nil.
	Banner(c *gin.Context) any
	Figures(ctx context.Context, brandID int64) (IncidentFigures, error)
}

// IncidentFigures are a brand's incidents counted like escalations.
type IncidentFigures struct {
	Open           int `json:"open"`
	Unacknowledged int `json:"unacknowledged"`
	Breached       int `json:"sla_breaches"`  // acknowledged late or still waiting past the SLA
	BreachedOpen   int `json:"breaching_now"` // open, unacknowledged and past the SLA
	AckSLASeconds  int `json:"ack_sla_seconds"`
}

// Deps are what the escalation handlers use.
type Deps struct {
	Site        *web.Site
	Limits      *web.Limits
	Escalations *escalation.Service
	Ticketing   *escalation.Ticketing // answers from the brand's ticketing system
	Forum       *forum.Service
	Brands      *forum.Brands // every brand's figures on /metrics
	Jobs        *jobs.Leases  // webhook delivery runs under a lease
	// Changed is told of a thread an agent or member escalated, so cached
	// pages drop it on every instance.
	Changed func(forum.Change)
	// MetricsToken, when set, is the bearer token /metrics requires from
	// everyone; otherwise only loopback callers are served.
	MetricsToken string
	Now          func() time.Time
}

// New builds the escalation handlers and their metrics registry.
func New(d Deps) *Handlers {
	log := d.Site.Log()
	h := &Handlers{
		site: d.Site, limits: d.Limits, escalations: d.Escalations, ticketing: d.Ticketing, forum: d.Forum, jobs: d.Jobs,
		// Generous for real work (two a second, bursts of 20), tight enough
		// to stop a runaway script.
		agents: ratelimit.NewKeyed(rate.Limit(2), 20),
		// A ticketing system sends in bursts when a batch of cases closes.
		callbacks:    ratelimit.NewKeyed(rate.Limit(20), 200),
		metrics:      newMetrics(&collector{brands: d.Brands, escalations: d.Escalations, log: log}),
		metricsToken: d.MetricsToken, changed: d.Changed, now: d.Now, log: log,
	}
	// A refused console form comes back to the console.
	d.Site.Redraws("console", func(c *gin.Context, code int, _ int64) { h.renderConsole(c, code) })
	return h
}
