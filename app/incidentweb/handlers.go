// Package incidentweb serves the brand-defence lane over HTTP: the incident
// list, where an agent also raises one by hand over threads they pick; the
// incident page, where an agent acknowledges it, posts the pinned "known
// issue" thread, replies once to every thread of the group and closes it;
// the brand's incident settings; the incident API; and the banner of open
// incidents that the console and the supervisor page show at their top.
package incidentweb

import (
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"mutual/app/web"
	"mutual/forum"
	"mutual/incident"
	"mutual/ratelimit"
)

// Handlers are the incident pages and API.
type Handlers struct {
	site      *web.Site
	incidents *incident.Service
	forum     *forum.Service
	agents    *ratelimit.Keyed // agent actions per account
	now       func() time.Time
}

// New builds the incident handlers.
func New(site *web.Site, incidents *incident.Service, f *forum.Service, now func() time.Time) *Handlers {
	h := &Handlers{site: site, incidents: incidents, forum: f, now: now, agents: ratelimit.NewKeyed(rate.Limit(2), 20)}
	// A refused form comes back to the page it was sent from.
	site.Redraws("incident", func(c *gin.Context, code int, id int64) { h.renderDetail(c, code, id) })
	site.Redraws("incidents", func(c *gin.Context, code int, _ int64) { h.renderList(c, code) })
	site.Redraws("incident_settings", func(c *gin.Context, code int, _ int64) { h.renderSettings(c, code) })
	return h
}
