package app

import "github.com/gin-gonic/gin"

// discoveryRoutes registers the pages and API routes for search, similar
// questions, sitemaps, robots.txt and feeds (issue 9). The search page and
// GET /api/v1/search are registered in routes.go; their handlers live in
// discovery_search.go.
func (a *App) discoveryRoutes(b, api *gin.RouterGroup) {
	// Found by search engines: anyone who may read threads may read these.
	b.GET("/robots.txt", a.need("thread", "read"), a.discoveryRobots)
	b.GET("/sitemap.xml", a.need("thread", "read"), a.discoverySitemapIndex)
	b.GET("/sitemaps/:file", a.need("thread", "read"), a.discoverySitemap)
	b.GET("/feeds/latest.atom", a.need("thread", "read"), a.discoveryLatestFeed)
	b.GET("/feeds/unanswered.atom", a.need("thread", "read"), a.discoveryUnansweredFeed)
	b.GET("/feeds/boards/:file", a.need("thread", "read"), a.discoveryBoardFeed)

	// Similar questions while asking.
	b.GET("/ask/similar/:id", a.need("suggestion", "open"), a.discoveryOpenSuggestion)
	b.POST("/ask/similar", a.need("thread", "create"), a.throttle(a.limits.previewUser, userKey), a.discoveryCheckSimilar)
	api.GET("/similar", a.need("thread", "read"), a.apiSimilar)
}
