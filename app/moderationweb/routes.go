package moderationweb

import (
	"mutual/app/web"

	"github.com/gin-gonic/gin"
)

// Routes registers flags, the review queue, acts on content and
// people, roles and the audit log. Every route names its permission here.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	// Pages.
	b.POST("/p/:id/flag", h.site.Need("flag", "create"), h.site.Throttle(h.limits.PostAuthor, web.UserKey), h.flagPage)
	b.POST("/p/:id/mod", h.site.Need("post", "moderate"), h.postPage)
	b.POST("/t/:id/mod", h.site.Need("thread", "moderate"), h.threadPage)
	b.GET("/mod/queue", h.site.Need("modqueue", "read"), h.queuePage)
	b.POST("/mod/queue/:id", h.site.Need("modqueue", "decide"), h.decidePage)
	b.GET("/mod/users/:username", h.site.Need("member", "moderate"), h.memberPage)
	b.POST("/mod/users/:username", h.site.Need("member", "moderate"), h.memberAct)
	b.GET("/mod/audit", h.site.Need("audit", "read"), h.auditPage)
	b.GET("/mod/audit.csv", h.site.Need("audit", "read"), h.auditCSV)
	b.GET("/admin/roles", h.site.Need("role", "manage"), h.rolesPage)
	b.POST("/admin/roles", h.site.Need("role", "manage"), h.rolesSet)

	// API.
	api.POST("/posts/:id/flags", h.site.Need("flag", "create"), h.site.Throttle(h.limits.PostAuthor, web.UserKey), h.flagAPI)
	api.GET("/moderation/queue", h.site.Need("modqueue", "read"), h.queueAPI)
	api.POST("/moderation/queue/:id", h.site.Need("modqueue", "decide"), h.decideAPI)
	api.POST("/posts/:id/hide", h.site.Need("post", "moderate"), h.postAPI("hide"))
	api.POST("/posts/:id/unhide", h.site.Need("post", "moderate"), h.postAPI("unhide"))
	api.POST("/posts/:id/delete", h.site.Need("post", "moderate"), h.postAPI("delete"))
	api.POST("/posts/:id/restore", h.site.Need("post", "moderate"), h.postAPI("restore"))
	api.POST("/posts/:id/revise", h.site.Need("post", "moderate"), h.reviseAPI)
	api.POST("/threads/:id/lock", h.site.Need("thread", "moderate"), h.threadAPI("lock"))
	api.POST("/threads/:id/unlock", h.site.Need("thread", "moderate"), h.threadAPI("unlock"))
	api.POST("/threads/:id/pin", h.site.Need("thread", "moderate"), h.threadAPI("pin"))
	api.POST("/threads/:id/unpin", h.site.Need("thread", "moderate"), h.threadAPI("unpin"))
	api.POST("/threads/:id/move", h.site.Need("thread", "moderate"), h.threadAPI("move"))
	api.POST("/threads/:id/merge", h.site.Need("thread", "moderate"), h.threadAPI("merge"))
	api.GET("/users/:username/standing", h.site.Need("member", "moderate"), h.standingAPI)
	api.POST("/users/:username/warn", h.site.Need("member", "moderate"), h.personAPI("warn"))
	api.POST("/users/:username/suspend", h.site.Need("member", "moderate"), h.personAPI("suspend"))
	api.POST("/users/:username/unsuspend", h.site.Need("member", "moderate"), h.personAPI("unsuspend"))
	api.POST("/users/:username/ban", h.site.Need("member", "moderate"), h.personAPI("ban"))
	api.POST("/users/:username/unban", h.site.Need("member", "moderate"), h.personAPI("unban"))
	api.POST("/users/:username/roles", h.site.Need("role", "manage"), h.roleAPI(true))
	api.DELETE("/users/:username/roles/:role", h.site.Need("role", "manage"), h.roleAPI(false))
	api.GET("/audit", h.site.Need("audit", "read"), h.auditAPI)
	api.GET("/moderation/settings", h.site.Need("brand", "manage"), h.settingsAPI)
	api.PUT("/moderation/settings", h.site.Need("brand", "manage"), h.settingsPutAPI)
}
