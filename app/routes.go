package app

import (
	"mutual/app/web"
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes builds the router. Middleware runs in the order DESIGN.md gives:
// request id and log, recover, brand, session or token, CSRF; then per route
// rate limits and the casbin permission, written in the table below.
func (a *App) routes() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	a.engine = r
	r.HandleMethodNotAllowed = true
	_ = r.SetTrustedProxies(nil)
	r.MaxMultipartMemory = 1 << 20
	r.Use(a.site.RequestLog, a.site.Recover, web.SecurityHeaders, web.LimitBody, a.esc.RequestMetrics())

	r.GET("/healthz", a.healthz)
	r.GET("/metrics", a.esc.Metrics)
	r.GET("/static/*file", a.site.Static)

	b := r.Group("/", a.site.ResolveBrand, a.site.Authenticate, a.site.CheckCSRF)
	b.GET("/brand.css", a.site.BrandCSS)

	// Pages anyone may read.
	b.GET("/", a.site.Need("board", "read"), a.site.Cached, a.home)
	b.GET("/b/:id", a.site.Need("board", "read"), a.board)
	b.GET("/b/:id/:slug", a.site.Need("board", "read"), a.site.Cached, a.board)
	b.GET("/t/:id", a.site.Need("thread", "read"), a.reports.CountView, a.thread)
	b.GET("/t/:id/:slug", a.site.Need("thread", "read"), a.reports.CountView, a.site.Cached, a.thread)
	b.GET("/p/:id/history", a.site.Need("thread", "read"), a.history)
	b.GET("/u/:username", a.site.Need("profile", "read"), a.profile)

	// Accounts.
	a.accounts.Routes(b)

	// Members.
	b.GET("/ask", a.site.Need("thread", "create"), a.askForm)
	b.POST("/ask", a.site.Need("thread", "create"), a.throttlePosts(), a.ask)
	b.POST("/t/:id/reply", a.site.Need("post", "create"), a.throttlePosts(), a.reply)
	b.GET("/p/:id/edit", a.site.Need("post", "edit"), a.editForm)
	b.POST("/p/:id/edit", a.site.Need("post", "edit"), a.edit)
	b.POST("/t/:id/accept", a.site.Need("answer", "accept"), a.accept)
	b.POST("/t/:id/unaccept", a.site.Need("answer", "accept"), a.unaccept)
	b.POST("/p/:id/kudos", a.site.Need("kudos", "give"), a.kudos)

	api := b.Group("/api/v1")
	api.GET("/boards", a.site.Need("board", "read"), a.apiBoards)
	api.GET("/boards/:id/threads", a.site.Need("board", "read"), a.apiThreads)
	api.POST("/threads", a.site.Need("thread", "create"), a.throttlePosts(), a.apiAsk)
	api.GET("/threads/:id", a.site.Need("thread", "read"), a.apiThread)
	api.POST("/threads/:id/posts", a.site.Need("post", "create"), a.throttlePosts(), a.apiReply)
	api.PATCH("/posts/:id", a.site.Need("post", "edit"), a.apiEdit)
	api.GET("/posts/:id/revisions", a.site.Need("thread", "read"), a.apiRevisions)
	api.POST("/posts/:id/kudos", a.site.Need("kudos", "give"), a.apiKudos(true))
	api.DELETE("/posts/:id/kudos", a.site.Need("kudos", "give"), a.apiKudos(false))
	api.POST("/threads/:id/accept", a.site.Need("answer", "accept"), a.apiAccept)
	api.DELETE("/threads/:id/accept", a.site.Need("answer", "accept"), a.apiUnaccept)
	api.GET("/me", a.site.Need("me", "read"), a.apiMe)
	api.POST("/preview", a.site.Need("post", "create"), a.site.Throttle(a.limits.PreviewUser, web.UserKey), a.apiPreview)

	// Each capability registers its pages and API routes in its own file.
	a.rep.Routes(b, api)
	a.modweb.Routes(b, api)
	a.esc.Routes(b, api)
	a.reports.Routes(b, api)
	a.discovery.Routes(b, api)
	a.notifications.Routes(b, api)

	r.NoRoute(a.site.ResolveBrand, a.site.Authenticate, a.site.NotFound)
	r.NoMethod(a.site.ResolveBrand, a.site.Authenticate, a.site.MethodNotAllowed)

	// Go's cross-origin protection rejects state changes whose Sec-Fetch-Site
	// or Origin says they came from another site; the token check above backs
	// it up for older browsers.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(web.CrossOriginDenied))
	return cop.Handler(r)
}

func (a *App) throttlePosts() gin.HandlerFunc {
	return a.site.Throttle(a.limits.PostAuthor, web.UserKey)
}

func (a *App) healthz(c *gin.Context) {
	if err := a.db.QueryRow(c.Request.Context(), "SELECT 1").Scan(new(int)); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "database unreachable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
