package incidentweb

import (
	"github.com/gin-gonic/gin"

	"mutual/app/web"
)

// Routes registers the incident pages and API. Who may do what is in
// moderation/policy.csv: agents and moderators "read" and "work" incidents,
// the brand's administrators "manage" its incident settings.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	work := h.site.Throttle(h.agents, web.UserKey)

	b.GET("/incidents", h.site.Need("incident", "read"), h.listPage)
	b.POST("/incidents", h.site.Need("incident", "work"), work, h.raiseForm)
	b.GET("/incidents/settings", h.site.Need("incident", "manage"), h.settingsPage)
	b.POST("/incidents/settings", h.site.Need("incident", "manage"), h.settingsForm)
	b.GET("/incidents/:id", h.site.Need("incident", "read"), h.detailPage)
	b.POST("/incidents/:id/acknowledge", h.site.Need("incident", "work"), work, h.acknowledgeForm)
	b.POST("/incidents/:id/status", h.site.Need("incident", "work"), work, h.statusForm)
	b.POST("/incidents/:id/reply-all", h.site.Need("incident", "work"), work, h.replyAllForm)
	b.POST("/incidents/:id/close", h.site.Need("incident", "work"), work, h.closeForm)

	api.GET("/incidents", h.site.Need("incident", "read"), h.listAPI)
	api.GET("/incidents/:id", h.site.Need("incident", "read"), h.getAPI)
	api.POST("/incidents/:id/acknowledge", h.site.Need("incident", "work"), work, h.acknowledgeAPI)
	api.POST("/incidents/:id/close", h.site.Need("incident", "work"), work, h.closeAPI)
}
