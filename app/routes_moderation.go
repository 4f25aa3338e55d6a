package app

import (
	"mutual/app/web"

	"github.com/gin-gonic/gin"
)

// moderationRoutes registers flags, the review queue, acts on content and
// people, roles and the audit log. Every route names its permission here.
func (a *App) moderationRoutes(b *gin.RouterGroup, api *gin.RouterGroup) {
	// Pages.
	b.POST("/p/:id/flag", a.site.Need("flag", "create"), a.site.Throttle(a.limits.PostAuthor, web.UserKey), a.modFlagPage)
	b.POST("/p/:id/mod", a.site.Need("post", "moderate"), a.modPostPage)
	b.POST("/t/:id/mod", a.site.Need("thread", "moderate"), a.modThreadPage)
	b.GET("/mod/queue", a.site.Need("modqueue", "read"), a.modQueuePage)
	b.POST("/mod/queue/:id", a.site.Need("modqueue", "decide"), a.modDecidePage)
	b.GET("/mod/users/:username", a.site.Need("member", "moderate"), a.modMemberPage)
	b.POST("/mod/users/:username", a.site.Need("member", "moderate"), a.modMemberAct)
	b.GET("/mod/audit", a.site.Need("audit", "read"), a.modAuditPage)
	b.GET("/mod/audit.csv", a.site.Need("audit", "read"), a.modAuditCSV)
	b.GET("/admin/roles", a.site.Need("role", "manage"), a.modRolesPage)
	b.POST("/admin/roles", a.site.Need("role", "manage"), a.modRolesSet)

	// API.
	api.POST("/posts/:id/flags", a.site.Need("flag", "create"), a.site.Throttle(a.limits.PostAuthor, web.UserKey), a.apiModFlag)
	api.GET("/moderation/queue", a.site.Need("modqueue", "read"), a.apiModQueue)
	api.POST("/moderation/queue/:id", a.site.Need("modqueue", "decide"), a.apiModDecide)
	api.POST("/posts/:id/hide", a.site.Need("post", "moderate"), a.apiModPost("hide"))
	api.POST("/posts/:id/unhide", a.site.Need("post", "moderate"), a.apiModPost("unhide"))
	api.POST("/posts/:id/delete", a.site.Need("post", "moderate"), a.apiModPost("delete"))
	api.POST("/posts/:id/restore", a.site.Need("post", "moderate"), a.apiModPost("restore"))
	api.POST("/posts/:id/revise", a.site.Need("post", "moderate"), a.apiModRevise)
	api.POST("/threads/:id/lock", a.site.Need("thread", "moderate"), a.apiModThread("lock"))
	api.POST("/threads/:id/unlock", a.site.Need("thread", "moderate"), a.apiModThread("unlock"))
	api.POST("/threads/:id/pin", a.site.Need("thread", "moderate"), a.apiModThread("pin"))
	api.POST("/threads/:id/unpin", a.site.Need("thread", "moderate"), a.apiModThread("unpin"))
	api.POST("/threads/:id/move", a.site.Need("thread", "moderate"), a.apiModThread("move"))
	api.POST("/threads/:id/merge", a.site.Need("thread", "moderate"), a.apiModThread("merge"))
	api.GET("/users/:username/standing", a.site.Need("member", "moderate"), a.apiModStanding)
	api.POST("/users/:username/warn", a.site.Need("member", "moderate"), a.apiModPerson("warn"))
	api.POST("/users/:username/suspend", a.site.Need("member", "moderate"), a.apiModPerson("suspend"))
	api.POST("/users/:username/unsuspend", a.site.Need("member", "moderate"), a.apiModPerson("unsuspend"))
	api.POST("/users/:username/ban", a.site.Need("member", "moderate"), a.apiModPerson("ban"))
	api.POST("/users/:username/unban", a.site.Need("member", "moderate"), a.apiModPerson("unban"))
	api.POST("/users/:username/roles", a.site.Need("role", "manage"), a.apiModRole(true))
	api.DELETE("/users/:username/roles/:role", a.site.Need("role", "manage"), a.apiModRole(false))
	api.GET("/audit", a.site.Need("audit", "read"), a.apiModAudit)
	api.GET("/moderation/settings", a.site.Need("brand", "manage"), a.apiModSettings)
	api.PUT("/moderation/settings", a.site.Need("brand", "manage"), a.apiModSettingsPut)
}
