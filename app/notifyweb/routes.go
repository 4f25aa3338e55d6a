package notifyweb

import (
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"mutual/app/web"
	"mutual/ratelimit"
)

// limits protect the notification writes: toggles and mark-read are
// cheap but still writes; a verification mail costs a message; signed links
// are tried per address.
type limits struct{ write, verify, link *ratelimit.Keyed }

func newLimits() limits {
	return limits{write: ratelimit.NewKeyed(rate.Every(100*time.Millisecond), 30),
		verify: ratelimit.NewKeyed(rate.Every(2*time.Minute), 5), link: ratelimit.NewKeyed(rate.Every(2*time.Second), 30)}
}

// unsubscribeRoute is the route whose signed token in the URL is the
// credential, so it needs no CSRF token: mail clients POST one-click
// unsubscribes (RFC 8058) without any page or cookie.
const unsubscribeRoute = "/unsubscribe/:token"

// Routes registers the notification pages and API.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	lim := h.limits
	w := h.site.Throttle(lim.write, web.UserKey)
	watches, follows := h.watches(), h.follows()
	b.GET("/notifications", h.site.Need("notification", "read"), h.page)
	b.GET("/notifications/:id", h.site.Need("notification", "read"), h.open)
	b.POST("/notifications/read", h.site.Need("notification", "manage"), w, h.readPage)
	b.POST("/t/:id/watch", h.site.Need("watch", "manage"), w, h.setSubscription(watches, true, true))
	b.POST("/t/:id/unwatch", h.site.Need("watch", "manage"), w, h.setSubscription(watches, false, true))
	b.POST("/b/:id/follow", h.site.Need("watch", "manage"), w, h.setSubscription(follows, true, true))
	b.POST("/b/:id/unfollow", h.site.Need("watch", "manage"), w, h.setSubscription(follows, false, true))
	b.GET("/settings/notifications", h.site.Need("notification", "manage"), h.settings)
	b.POST("/settings/notifications", h.site.Need("notification", "manage"), w, h.saveSettings)
	b.POST("/settings/email", h.site.Need("notification", "manage"), h.site.Throttle(lim.verify, web.UserKey), h.changeEmail)
	b.POST("/settings/email/verify", h.site.Need("notification", "manage"), h.site.Throttle(lim.verify, web.UserKey), h.resendVerify)
	b.GET("/verify-email/:token", h.site.Need("email", "verify"), h.site.Throttle(lim.link, web.ClientIP), h.verifyEmail)
	h.site.SignedLink(unsubscribeRoute)
	b.GET(unsubscribeRoute, h.site.Need("notification", "unsubscribe"), h.unsubscribeForm)
	b.POST(unsubscribeRoute, h.site.Need("notification", "unsubscribe"), h.site.Throttle(lim.link, web.ClientIP), h.unsubscribe)

	api.GET("/notifications", h.site.Need("notification", "read"), h.apiNotifications)
	api.POST("/notifications/read", h.site.Need("notification", "manage"), w, h.apiRead)
	api.GET("/notifications/preferences", h.site.Need("notification", "manage"), h.apiPrefs)
	api.PUT("/notifications/preferences", h.site.Need("notification", "manage"), w, h.apiSetPrefs)
	api.GET("/threads/:id/watch", h.site.Need("watch", "manage"), h.apiSubscription(watches))
	api.PUT("/threads/:id/watch", h.site.Need("watch", "manage"), w, h.setSubscription(watches, true, false))
	api.DELETE("/threads/:id/watch", h.site.Need("watch", "manage"), w, h.setSubscription(watches, false, false))
	api.GET("/boards/:id/follow", h.site.Need("watch", "manage"), h.apiSubscription(follows))
	api.PUT("/boards/:id/follow", h.site.Need("watch", "manage"), w, h.setSubscription(follows, true, false))
	api.DELETE("/boards/:id/follow", h.site.Need("watch", "manage"), w, h.setSubscription(follows, false, false))
}
