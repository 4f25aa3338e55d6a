package forumweb

import (
	"github.com/gin-gonic/gin"

	"mutual/app/web"
)

// Routes registers the forum's pages and API. countView runs on the thread
// page before the page cache, so that cached views count too (the reports
// capability counts viewer-days).
func (h *Handlers) Routes(b, api *gin.RouterGroup, countView gin.HandlerFunc) {
	posts := h.site.Throttle(h.limits.PostAuthor, web.UserKey)

	// Pages anyone may read.
	b.GET("/", h.site.Need("board", "read"), h.site.Cached, h.home)
	b.GET("/b/:id", h.site.Need("board", "read"), h.board)
	b.GET("/b/:id/:slug", h.site.Need("board", "read"), h.site.Cached, h.board)
	b.GET("/t/:id", h.site.Need("thread", "read"), countView, h.thread)
	b.GET("/t/:id/:slug", h.site.Need("thread", "read"), countView, h.site.Cached, h.thread)
	b.GET("/p/:id/history", h.site.Need("thread", "read"), h.history)
	b.GET("/u/:username", h.site.Need("profile", "read"), h.profile)

	// Members.
	b.GET("/ask", h.site.Need("thread", "create"), h.askForm)
	b.POST("/ask", h.site.Need("thread", "create"), posts, h.ask)
	b.POST("/t/:id/reply", h.site.Need("post", "create"), posts, h.reply)
	b.GET("/p/:id/edit", h.site.Need("post", "edit"), h.editForm)
	b.POST("/p/:id/edit", h.site.Need("post", "edit"), h.edit)
	b.POST("/t/:id/language", h.site.Need("post", "edit"), h.relabel)
	b.POST("/t/:id/accept", h.site.Need("answer", "accept"), h.accept)
	b.POST("/t/:id/unaccept", h.site.Need("answer", "accept"), h.unaccept)
	b.POST("/p/:id/kudos", h.site.Need("kudos", "give"), h.kudos)

	api.GET("/boards", h.site.Need("board", "read"), h.apiBoards)
	api.GET("/boards/:id/threads", h.site.Need("board", "read"), h.apiThreads)
	api.POST("/threads", h.site.Need("thread", "create"), posts, h.apiAsk)
	api.GET("/threads/:id", h.site.Need("thread", "read"), h.site.Cached, h.apiThread)
	api.POST("/threads/:id/posts", h.site.Need("post", "create"), posts, h.apiReply)
	api.PATCH("/posts/:id", h.site.Need("post", "edit"), h.apiEdit)
	api.PUT("/threads/:id/language", h.site.Need("post", "edit"), h.apiRelabel)
	api.GET("/posts/:id/revisions", h.site.Need("thread", "read"), h.apiRevisions)
	api.POST("/posts/:id/kudos", h.site.Need("kudos", "give"), h.apiKudos(true))
	api.DELETE("/posts/:id/kudos", h.site.Need("kudos", "give"), h.apiKudos(false))
	api.POST("/threads/:id/accept", h.site.Need("answer", "accept"), h.apiAccept)
	api.DELETE("/threads/:id/accept", h.site.Need("answer", "accept"), h.apiUnaccept)
	api.GET("/me", h.site.Need("me", "read"), h.apiMe)
	api.POST("/preview", h.site.Need("post", "create"), h.site.Throttle(h.limits.PreviewUser, web.UserKey), h.apiPreview)
}
