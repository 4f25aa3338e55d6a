package app

import (
	"net/http"

	"mutual/app/web"

	"github.com/gin-gonic/gin"
)

// routes builds the router. Middleware runs in the order DESIGN.md gives:
// request id and log, recover, brand, session or token, CSRF; then per route
// rate limits and the casbin permission, written in the table below.
//
// Only the proxies trusted by configuration may name the client in
// X-Forwarded-For, X-Real-IP or Forwarded (RFC 7239); from anyone else the connection's address
// is the client's, so a visitor cannot pick the address rate limits count.
func (a *App) routes(proxies []string) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	a.engine = r
	r.HandleMethodNotAllowed = true
	_ = r.SetTrustedProxies(proxies) // checked by Config.Proxies
	r.MaxMultipartMemory = 1 << 20
	r.Use(web.Forwarded, a.site.RequestLog, a.site.Recover, a.site.SecurityHeaders, web.LimitBody, a.esc.RequestMetrics())

	r.GET("/healthz", a.healthz)
	r.GET("/metrics", a.esc.Metrics)
	r.GET("/static/*file", a.site.Static)

	b := r.Group("/", a.site.ResolveBrand, a.site.Authenticate, a.site.Speak, a.site.CheckCSRF)
	b.GET("/brand.css", a.site.BrandCSS)
	b.GET("/language/:lang", a.site.SetLanguage)

	api := b.Group("/api/v1")
	a.accounts.Routes(b, api)
	a.forumweb.Routes(b, api, a.reports.CountView)
	// Each capability registers its pages and API routes in its own file.
	a.rep.Routes(b, api)
	a.modweb.Routes(b, api)
	a.esc.Routes(b, api)
	a.reports.Routes(b, api)
	a.discovery.Routes(b, api)
	a.notifications.Routes(b, api)
	a.brandweb.Routes(b)
	a.ssoweb.Routes(b)
	a.privacyweb.Routes(b, api)
	a.copilotweb.Routes(b, api)
	a.signalsweb.Routes(b, api)
	a.kbweb.Routes(b, api)
	a.radarweb.Routes(b)
	a.incidentweb.Routes(b, api)

	r.NoRoute(a.site.ResolveBrand, a.site.Authenticate, a.site.Speak, a.site.NotFound)
	r.NoMethod(a.site.ResolveBrand, a.site.Authenticate, a.site.Speak, a.site.MethodNotAllowed)

	// Go's cross-origin protection rejects state changes whose Sec-Fetch-Site
	// or Origin says they came from another site; the token check above backs
	// it up for older browsers.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(web.CrossOriginDenied))
	return cop.Handler(r)
}

func (a *App) healthz(c *gin.Context) {
	if err := a.db.Ping(c.Request.Context()); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": "database unreachable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
