package discoveryweb

import (
	"github.com/gin-gonic/gin"

	"mutual/app/web"
)

// Routes registers search, similar questions while asking, and what search
// engines and feed readers fetch: robots.txt, sitemaps and Atom feeds.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	b.GET("/search", h.site.Need("thread", "read"), h.site.Cached, h.searchPage)
	api.GET("/search", h.site.Need("thread", "read"), h.apiSearch)

	// Found by search engines: anyone who may read threads may read these.
	b.GET("/robots.txt", h.site.Need("thread", "read"), h.robots)
	b.GET("/sitemap.xml", h.site.Need("thread", "read"), h.sitemaps)
	b.GET("/sitemaps/:file", h.site.Need("thread", "read"), h.sitemapFile)
	b.GET("/feeds/latest.atom", h.site.Need("thread", "read"), h.latestFeed)
	b.GET("/feeds/unanswered.atom", h.site.Need("thread", "read"), h.unansweredFeed)
	b.GET("/feeds/boards/:file", h.site.Need("thread", "read"), h.boardFeed)
	if h.with.Articles != nil {
		b.GET("/feeds/articles.atom", h.site.Need("article", "read"), h.articlesFeed)
	}

	// Similar questions while asking.
	b.GET("/ask/similar/:id", h.site.Need("suggestion", "open"), h.openSuggestion)
	b.POST("/ask/similar", h.site.Need("thread", "create"), h.site.Throttle(h.limits.PreviewUser, web.UserKey), h.checkSimilar)
	api.GET("/similar", h.site.Need("thread", "read"), h.apiSimilar)
}
