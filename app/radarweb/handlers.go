// Package radarweb serves the emerging-issue radar's pages: the brand's
// trends (rising terms per board, volume, the largest groups of look-alike
// threads, and the bursts the radar raised), for its client managers.
package radarweb

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/radar"
)

// Handlers are the radar's pages.
type Handlers struct {
	site  *web.Site
	radar *radar.Service
	forum *forum.Service
	now   func() time.Time
}

// New builds the radar's handlers.
func New(site *web.Site, r *radar.Service, fs *forum.Service, now func() time.Time) *Handlers {
	return &Handlers{site: site, radar: r, forum: fs, now: now}
}

// Routes registers the trends page.
func (h *Handlers) Routes(b *gin.RouterGroup) {
	// Client managers and admins of the brand; anyone else signed in gets 404.
	b.GET("/reports/trends", h.need("trends", "read"), h.trends)
}

// need is the casbin check, answering 404 rather than 403 to a signed-in
// account without the right, as the brand's other reports do.
func (h *Handlers) need(obj, act string) gin.HandlerFunc {
	return func(c *gin.Context) {
		actor := web.ActorOf(c)
		if h.site.Authz().Can(actor, obj, act) {
			c.Next()
			return
		}
		if !actor.SignedIn() && c.Request.Method == http.MethodGet {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		} else {
			h.site.Fail(c, fault.ErrNotFound)
		}
		c.Abort()
	}
}
