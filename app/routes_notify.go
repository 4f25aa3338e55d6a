package app

import (
	"mutual/app/web"
	"mutual/ratelimit"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// notifyLimits protect the notification writes: toggles and mark-read are
// cheap but still writes; a verification mail costs a message; signed links
// are tried per address.
type notifyLimits struct{ write, verify, link *ratelimit.Keyed }

func newNotifyLimits() notifyLimits {
	return notifyLimits{write: ratelimit.NewKeyed(rate.Every(100*time.Millisecond), 30),
		verify: ratelimit.NewKeyed(rate.Every(2*time.Minute), 5), link: ratelimit.NewKeyed(rate.Every(2*time.Second), 30)}
}

// notifySignedLink is the route whose signed token in the URL is the
// credential, so they need no CSRF token: mail clients POST one-click
// unsubscribes (RFC 8058) without any page or cookie.
const notifySignedLink = "/unsubscribe/:token"

// notifyRoutes registers the notification pages and API.
func (a *App) notifyRoutes(b *gin.RouterGroup, api *gin.RouterGroup) {
	lim := a.nf.limits
	w := a.site.Throttle(lim.write, web.UserKey)

	b.GET("/notifications", a.site.Need("notification", "read"), a.notifyPage)
	b.GET("/notifications/:id", a.site.Need("notification", "read"), a.notifyOpen)
	b.POST("/notifications/read", a.site.Need("notification", "manage"), w, a.notifyReadPage)
	b.POST("/t/:id/watch", a.site.Need("watch", "manage"), w, a.notifyWatchPage(true))
	b.POST("/t/:id/unwatch", a.site.Need("watch", "manage"), w, a.notifyWatchPage(false))
	b.POST("/b/:id/follow", a.site.Need("watch", "manage"), w, a.notifyFollowPage(true))
	b.POST("/b/:id/unfollow", a.site.Need("watch", "manage"), w, a.notifyFollowPage(false))
	b.GET("/settings/notifications", a.site.Need("notification", "manage"), a.notifySettings)
	b.POST("/settings/notifications", a.site.Need("notification", "manage"), w, a.notifySaveSettings)
	b.POST("/settings/email", a.site.Need("notification", "manage"), a.site.Throttle(lim.verify, web.UserKey), a.notifyChangeEmail)
	b.POST("/settings/email/verify", a.site.Need("notification", "manage"), a.site.Throttle(lim.verify, web.UserKey), a.notifyResendVerify)
	b.GET("/verify-email/:token", a.site.Need("email", "verify"), a.site.Throttle(lim.link, web.ClientIP), a.notifyVerifyEmail)
	b.GET("/unsubscribe/:token", a.site.Need("notification", "unsubscribe"), a.notifyUnsubscribeForm)
	b.POST("/unsubscribe/:token", a.site.Need("notification", "unsubscribe"), a.site.Throttle(lim.link, web.ClientIP), a.notifyUnsubscribe)

	api.GET("/notifications", a.site.Need("notification", "read"), a.apiNotifications)
	api.POST("/notifications/read", a.site.Need("notification", "manage"), w, a.apiNotificationsRead)
	api.GET("/notifications/preferences", a.site.Need("notification", "manage"), a.apiNotifyPrefs)
	api.PUT("/notifications/preferences", a.site.Need("notification", "manage"), w, a.apiNotifySetPrefs)
	api.GET("/threads/:id/watch", a.site.Need("watch", "manage"), a.apiWatch)
	api.PUT("/threads/:id/watch", a.site.Need("watch", "manage"), w, a.apiSetWatch(true))
	api.DELETE("/threads/:id/watch", a.site.Need("watch", "manage"), w, a.apiSetWatch(false))
	api.GET("/boards/:id/follow", a.site.Need("watch", "manage"), a.apiFollow)
	api.PUT("/boards/:id/follow", a.site.Need("watch", "manage"), w, a.apiSetFollow(true))
	api.DELETE("/boards/:id/follow", a.site.Need("watch", "manage"), w, a.apiSetFollow(false))
}
