package kbweb

import (
	"github.com/gin-gonic/gin"

	"mutual/app/web"
)

// Routes registers the knowledge base. Reading is everyone's (a draft only
// its proposer's and editors': the domain answers 404 to anyone else);
// trusted members and staff propose; editors review; members report an
// article out of date, as often as they may flag.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	count := h.CountView
	if count == nil {
		count = func(c *gin.Context) { c.Next() }
	}
	b.GET("/kb", h.site.Need("article", "read"), h.site.Cached, h.index)
	b.GET("/kb/queue", h.site.Need("article", "review"), h.queue)
	b.GET("/kb/propose", h.site.Need("article", "propose"), h.proposePage)
	b.POST("/kb/propose", h.site.Need("article", "propose"), h.site.Throttle(h.limits.PostAuthor, web.UserKey), h.propose)
	// An article's own pages sit beside its address, whose last part is a
	// slug any title can make ("history"...).
	b.GET("/kb/:id", h.site.Need("article", "read"), h.bare)
	b.GET("/kb/:id/:slug", h.site.Need("article", "read"), count, h.site.Cached, h.article)
	b.GET("/kb/history/:id", h.site.Need("article", "read"), h.history)
	b.GET("/kb/edit/:id", h.site.Need("article", "propose"), h.editPage)
	b.POST("/kb/edit/:id", h.site.Need("article", "propose"), h.edit)
	b.POST("/kb/:id/submit", h.site.Need("article", "propose"), h.submit)
	b.POST("/kb/:id/publish", h.site.Need("article", "review"), h.publish)
	b.POST("/kb/:id/return", h.site.Need("article", "review"), h.sendBack)
	b.POST("/kb/:id/reviewed", h.site.Need("article", "review"), h.reviewed)
	b.POST("/kb/:id/report", h.site.Need("article", "report"), h.site.Throttle(h.limits.PostAuthor, web.UserKey), h.report)

	api.GET("/articles", h.site.Need("article", "read"), h.apiList)
	api.GET("/articles/:id", h.site.Need("article", "read"), h.apiArticle)
}
