package app

import "github.com/gin-gonic/gin"

// moderationRoutes registers flags, the review queue, acts on content and
// people, roles and the audit log. Every route names its permission here.
func (a *App) moderationRoutes(b *gin.RouterGroup, api *gin.RouterGroup) {
	// Pages.
	b.POST("/p/:id/flag", a.need("flag", "create"), a.throttle(a.limits.postAuthor, userKey), a.modFlagPage)
	b.POST("/p/:id/mod", a.need("post", "moderate"), a.modPostPage)
	b.POST("/t/:id/mod", a.need("thread", "moderate"), a.modThreadPage)
	b.GET("/mod/queue", a.need("modqueue", "read"), a.modQueuePage)
	b.POST("/mod/queue/:id", a.need("modqueue", "decide"), a.modDecidePage)
	b.GET("/mod/users/:username", a.need("member", "moderate"), a.modMemberPage)
	b.POST("/mod/users/:username", a.need("member", "moderate"), a.modMemberAct)
	b.GET("/mod/audit", a.need("audit", "read"), a.modAuditPage)
	b.GET("/mod/audit.csv", a.need("audit", "read"), a.modAuditCSV)
	b.GET("/admin/roles", a.need("role", "manage"), a.modRolesPage)
	b.POST("/admin/roles", a.need("role", "manage"), a.modRolesSet)

	// API.
	api.POST("/posts/:id/flags", a.need("flag", "create"), a.throttle(a.limits.postAuthor, userKey), a.apiModFlag)
	api.GET("/moderation/queue", a.need("modqueue", "read"), a.apiModQueue)
	api.POST("/moderation/queue/:id", a.need("modqueue", "decide"), a.apiModDecide)
	api.POST("/posts/:id/hide", a.need("post", "moderate"), a.apiModPost("hide"))
	api.POST("/posts/:id/unhide", a.need("post", "moderate"), a.apiModPost("unhide"))
	api.POST("/posts/:id/delete", a.need("post", "moderate"), a.apiModPost("delete"))
	api.POST("/posts/:id/restore", a.need("post", "moderate"), a.apiModPost("restore"))
	api.POST("/posts/:id/revise", a.need("post", "moderate"), a.apiModRevise)
	api.POST("/threads/:id/lock", a.need("thread", "moderate"), a.apiModThread("lock"))
	api.POST("/threads/:id/unlock", a.need("thread", "moderate"), a.apiModThread("unlock"))
	api.POST("/threads/:id/pin", a.need("thread", "moderate"), a.apiModThread("pin"))
	api.POST("/threads/:id/unpin", a.need("thread", "moderate"), a.apiModThread("unpin"))
	api.POST("/threads/:id/move", a.need("thread", "moderate"), a.apiModThread("move"))
	api.POST("/threads/:id/merge", a.need("thread", "moderate"), a.apiModThread("merge"))
	api.GET("/users/:username/standing", a.need("member", "moderate"), a.apiModStanding)
	api.POST("/users/:username/warn", a.need("member", "moderate"), a.apiModPerson("warn"))
	api.POST("/users/:username/suspend", a.need("member", "moderate"), a.apiModPerson("suspend"))
	api.POST("/users/:username/unsuspend", a.need("member", "moderate"), a.apiModPerson("unsuspend"))
	api.POST("/users/:username/ban", a.need("member", "moderate"), a.apiModPerson("ban"))
	api.POST("/users/:username/unban", a.need("member", "moderate"), a.apiModPerson("unban"))
	api.POST("/users/:username/roles", a.need("role", "manage"), a.apiModRole(true))
	api.DELETE("/users/:username/roles/:role", a.need("role", "manage"), a.apiModRole(false))
	api.GET("/audit", a.need("audit", "read"), a.apiModAudit)
	api.GET("/moderation/settings", a.need("brand", "manage"), a.apiModSettings)
	api.PUT("/moderation/settings", a.need("brand", "manage"), a.apiModSettingsPut)
}
