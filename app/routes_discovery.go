package app

import (
	"mutual/app/web"

	"github.com/gin-gonic/gin"
)

// discoveryRoutes registers the pages and API routes for search, similar
// questions, sitemaps, robots.txt and feeds (issue 9). The search page and
// GET /api/v1/search are registered in routes.go; their handlers live in
// discovery_search.go.
func (a *App) discoveryRoutes(b, api *gin.RouterGroup) {
	// Found by search engines: anyone who may read threads may read these.
	b.GET("/robots.txt", a.site.Need("thread", "read"), a.discoveryRobots)
	b.GET("/sitemap.xml", a.site.Need("thread", "read"), a.discoverySitemapIndex)
	b.GET("/sitemaps/:file", a.site.Need("thread", "read"), a.discoverySitemap)
	b.GET("/feeds/latest.atom", a.site.Need("thread", "read"), a.discoveryLatestFeed)
	b.GET("/feeds/unanswered.atom", a.site.Need("thread", "read"), a.discoveryUnansweredFeed)
	b.GET("/feeds/boards/:file", a.site.Need("thread", "read"), a.discoveryBoardFeed)

	// Similar questions while asking.
	b.GET("/ask/similar/:id", a.site.Need("suggestion", "open"), a.discoveryOpenSuggestion)
	b.POST("/ask/similar", a.site.Need("thread", "create"), a.site.Throttle(a.limits.PreviewUser, web.UserKey), a.discoveryCheckSimilar)
	api.GET("/similar", a.site.Need("thread", "read"), a.apiSimilar)
}
