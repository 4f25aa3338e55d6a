package app

import (
	"mutual/app/web"

	"github.com/gin-gonic/gin"
)

// escalationRoutes registers the pages and API routes for the agent console, escalations, the supervisor page
// (issue 7). Who may do what is in moderation/policy.csv: members "request"
// (the domain checks asker or trusted), agents "read" and "work", moderators
// "read" and "supervise".
func (a *App) escalationRoutes(b, api *gin.RouterGroup) {
	work := a.site.Throttle(a.escLimiter(), web.UserKey)

	b.GET("/console", a.site.Need("escalation", "read"), a.escConsolePage)
	b.POST("/console/shift", a.site.Need("escalation", "work"), work, a.escShiftForm)
	b.GET("/escalations/supervisor", a.site.Need("escalation", "supervise"), a.escSupervisorPage)
	b.GET("/escalations/webhooks", a.site.Need("escalation", "supervise"), a.escWebhooksPage)
	b.GET("/escalations/:id", a.site.Need("escalation", "read"), a.escDetailPage)
	b.POST("/escalations/:id/:act", a.site.Need("escalation", "work"), work, a.escActForm)
	b.POST("/t/:id/escalate", a.site.Need("escalation", "request"), a.throttlePosts(), a.escEscalateForm)
	b.POST("/t/:id/still-need-help", a.site.Need("escalation", "request"), a.throttlePosts(), a.escStillNeedHelpForm)

	api.GET("/escalations", a.site.Need("escalation", "read"), a.apiEscList)
	api.GET("/escalations/stats", a.site.Need("escalation", "supervise"), a.apiEscStats)
	api.GET("/escalations/:id", a.site.Need("escalation", "read"), a.apiEscGet)
	api.POST("/escalations/:id/claim", a.site.Need("escalation", "work"), work, a.apiEscAct("claim"))
	api.POST("/escalations/:id/release", a.site.Need("escalation", "work"), work, a.apiEscAct("release"))
	api.POST("/escalations/:id/handover", a.site.Need("escalation", "work"), work, a.apiEscAct("handover"))
	api.POST("/escalations/:id/close", a.site.Need("escalation", "work"), work, a.apiEscAct("close"))
	api.PUT("/agents/me/shift", a.site.Need("escalation", "work"), work, a.apiEscShift)
	api.POST("/threads/:id/escalate", a.site.Need("escalation", "request"), a.throttlePosts(), a.apiEscEscalate)
	api.POST("/threads/:id/still-need-help", a.site.Need("escalation", "request"), a.throttlePosts(), a.apiEscStillNeedHelp)
}
