package escalationweb

import (
	"mutual/app/web"

	"github.com/gin-gonic/gin"
)

// Routes registers the pages and API routes for the agent console,
// escalations and the supervisor page. Who may do what is in
// moderation/policy.csv: members "request" (the domain checks asker or
// trusted), agents "read" and "work", moderators "read" and "supervise".
// /metrics and the request timings are mounted by app/ (Metrics,
// RequestMetrics), outside the brand's routes.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	work := h.site.Throttle(h.agents, web.UserKey)
	posts := h.site.Throttle(h.limits.PostAuthor, web.UserKey)

	b.GET("/console", h.site.Need("escalation", "read"), h.consolePage)
	b.POST("/console/shift", h.site.Need("escalation", "work"), work, h.shiftForm)
	b.GET("/escalations/supervisor", h.site.Need("escalation", "supervise"), h.supervisorPage)
	b.GET("/escalations/webhooks", h.site.Need("escalation", "supervise"), h.webhooksPage)
	b.GET("/escalations/:id", h.site.Need("escalation", "read"), h.detailPage)
	b.POST("/escalations/:id/:act", h.site.Need("escalation", "work"), work, h.actForm)
	b.POST("/t/:id/escalate", h.site.Need("escalation", "request"), posts, h.escalateForm)
	b.POST("/t/:id/still-need-help", h.site.Need("escalation", "request"), posts, h.stillNeedHelpForm)

	api.GET("/escalations", h.site.Need("escalation", "read"), h.listAPI)
	api.GET("/escalations/stats", h.site.Need("escalation", "supervise"), h.statsAPI)
	api.GET("/escalations/:id", h.site.Need("escalation", "read"), h.getAPI)
	api.POST("/escalations/:id/claim", h.site.Need("escalation", "work"), work, h.actAPI("claim"))
	api.POST("/escalations/:id/release", h.site.Need("escalation", "work"), work, h.actAPI("release"))
	api.POST("/escalations/:id/handover", h.site.Need("escalation", "work"), work, h.actAPI("handover"))
	api.POST("/escalations/:id/close", h.site.Need("escalation", "work"), work, h.actAPI("close"))
	api.PUT("/agents/me/shift", h.site.Need("escalation", "work"), work, h.shiftAPI)
	api.POST("/threads/:id/escalate", h.site.Need("escalation", "request"), posts, h.escalateAPI)
	api.POST("/threads/:id/still-need-help", h.site.Need("escalation", "request"), posts, h.stillNeedHelpAPI)

	// Answers from the brand's ticketing system. The callback's credential
	// is its signature (checked by the domain), not a member.
	b.GET("/admin/ticketing", h.site.Need("ticketing", "manage"), h.ticketingPage)
	b.POST("/admin/ticketing", h.site.Need("ticketing", "manage"), h.ticketingForm)
	api.POST("/ticketing/callback", h.site.Throttle(h.callbacks, web.ClientIP), h.ticketingCallback)
}
