package app

import (
	"encoding/json"
	"net/http"
	"strings"

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
	r.Use(a.requestLog, a.recoverer, securityHeaders, limitBody, a.escRequestMetrics())

	r.GET("/healthz", a.healthz)
	r.GET("/metrics", a.metrics)
	r.GET("/static/*file", a.static)

	b := r.Group("/", a.brand, a.authenticate, a.csrf)
	b.GET("/brand.css", a.brandCSS)

	// Pages anyone may read.
	b.GET("/", a.need("board", "read"), a.cached, a.home)
	b.GET("/b/:id", a.need("board", "read"), a.board)
	b.GET("/b/:id/:slug", a.need("board", "read"), a.cached, a.board)
	b.GET("/t/:id", a.need("thread", "read"), a.reportCountView, a.thread)
	b.GET("/t/:id/:slug", a.need("thread", "read"), a.reportCountView, a.cached, a.thread)
	b.GET("/p/:id/history", a.need("thread", "read"), a.history)
	b.GET("/u/:username", a.need("profile", "read"), a.profile)
	b.GET("/search", a.need("thread", "read"), a.search)

	// Accounts.
	b.GET("/signup", a.need("account", "create"), a.signupForm)
	b.POST("/signup", a.need("account", "create"), a.throttle(a.limits.signupAddr, clientIP), a.signup)
	b.GET("/login", a.need("session", "create"), a.loginForm)
	b.POST("/login", a.need("session", "create"), a.throttleShared(a.limits.loginAddr, clientIP), a.login)
	b.POST("/logout", a.logout)

	// Members.
	b.GET("/ask", a.need("thread", "create"), a.askForm)
	b.POST("/ask", a.need("thread", "create"), a.throttlePosts(), a.ask)
	b.POST("/t/:id/reply", a.need("post", "create"), a.throttlePosts(), a.reply)
	b.GET("/p/:id/edit", a.need("post", "edit"), a.editForm)
	b.POST("/p/:id/edit", a.need("post", "edit"), a.edit)
	b.POST("/t/:id/accept", a.need("answer", "accept"), a.accept)
	b.POST("/t/:id/unaccept", a.need("answer", "accept"), a.unaccept)
	b.POST("/p/:id/kudos", a.need("kudos", "give"), a.kudos)

	api := b.Group("/api/v1")
	api.GET("/boards", a.need("board", "read"), a.apiBoards)
	api.GET("/boards/:id/threads", a.need("board", "read"), a.apiThreads)
	api.POST("/threads", a.need("thread", "create"), a.throttlePosts(), a.apiAsk)
	api.GET("/threads/:id", a.need("thread", "read"), a.apiThread)
	api.POST("/threads/:id/posts", a.need("post", "create"), a.throttlePosts(), a.apiReply)
	api.PATCH("/posts/:id", a.need("post", "edit"), a.apiEdit)
	api.GET("/posts/:id/revisions", a.need("thread", "read"), a.apiRevisions)
	api.POST("/posts/:id/kudos", a.need("kudos", "give"), a.apiKudos(true))
	api.DELETE("/posts/:id/kudos", a.need("kudos", "give"), a.apiKudos(false))
	api.POST("/threads/:id/accept", a.need("answer", "accept"), a.apiAccept)
	api.DELETE("/threads/:id/accept", a.need("answer", "accept"), a.apiUnaccept)
	api.GET("/me", a.need("me", "read"), a.apiMe)
	api.GET("/search", a.need("thread", "read"), a.apiSearch)
	api.POST("/preview", a.need("post", "create"), a.throttle(a.limits.previewUser, userKey), a.apiPreview)

	// Each capability registers its pages and API routes in its own file.
	a.reputationRoutes(b, api)
	a.moderationRoutes(b, api)
	a.escalationRoutes(b, api)
	a.reportRoutes(b, api)
	a.discoveryRoutes(b, api)
	a.notifyRoutes(b, api)

	r.NoRoute(a.brand, a.authenticate, a.notFound)
	r.NoMethod(a.brand, a.authenticate, a.methodNotAllowed)

	// Go's cross-origin protection rejects state changes whose Sec-Fetch-Site
	// or Origin says they came from another site; the token check above backs
	// it up for older browsers.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(crossOriginDenied))
	return cop.Handler(r)
}

// crossOriginDenied answers a refused cross-origin request; API clients get
// the same JSON error shape as every other API error.
func crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	const msg = "Cross-origin requests that change data are not allowed."
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "cross_origin", "message": msg}})
		return
	}
	http.Error(w, msg, http.StatusForbidden)
}

// maxBody caps request bodies; a post is at most 20,000 characters, which is
// at most 80 KB of UTF-8, plus form overhead.
const maxBody = 256 << 10

func limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBody)
	}
	c.Next()
}

func clientIP(c *gin.Context) string { return c.ClientIP() }

func userKey(c *gin.Context) string {
	if a := actorOf(c); a.SignedIn() {
		return "u" + itoa(a.UserID)
	}
	return ""
}

func (a *App) throttlePosts() gin.HandlerFunc { return a.throttle(a.limits.postAuthor, userKey) }

func (a *App) healthz(c *gin.Context) {
	if err := a.db.QueryRow(c.Request.Context(), "SELECT 1").Scan(new(int)); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "database unreachable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
