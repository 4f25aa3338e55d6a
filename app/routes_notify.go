package app

import (
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// notifyLimits protect the notification writes: toggles and mark-read are
// cheap but still writes; a verification mail costs a message; signed links
// are tried per address.
type notifyLimits struct{ write, verify, link *keyed }

func newNotifyLimits() notifyLimits {
	return notifyLimits{write: newKeyed(rate.Every(100*time.Millisecond), 30),
		verify: newKeyed(rate.Every(2*time.Minute), 5), link: newKeyed(rate.Every(2*time.Second), 30)}
}

// notifySignedLinks are the routes whose signed token in the URL is the
// credential, so they need no CSRF token: mail clients POST one-click
// unsubscribes (RFC 8058) without any page or cookie.
var notifySignedLinks = map[string]bool{"/unsubscribe/:token": true}

// notifyRoutes registers the notification pages and API.
func (a *App) notifyRoutes(b *gin.RouterGroup, api *gin.RouterGroup) {
	lim := a.nf.limits
	w := a.throttle(lim.write, userKey)

	b.GET("/notifications", a.need("notification", "read"), a.notifyPage)
	b.GET("/notifications/:id", a.need("notification", "read"), a.notifyOpen)
	b.POST("/notifications/read", a.need("notification", "manage"), w, a.notifyReadPage)
	b.POST("/t/:id/watch", a.need("watch", "manage"), w, a.notifyWatchPage(true))
	b.POST("/t/:id/unwatch", a.need("watch", "manage"), w, a.notifyWatchPage(false))
	b.POST("/b/:id/follow", a.need("watch", "manage"), w, a.notifyFollowPage(true))
	b.POST("/b/:id/unfollow", a.need("watch", "manage"), w, a.notifyFollowPage(false))
	b.GET("/settings/notifications", a.need("notification", "manage"), a.notifySettings)
	b.POST("/settings/notifications", a.need("notification", "manage"), w, a.notifySaveSettings)
	b.POST("/settings/email", a.need("notification", "manage"), a.throttle(lim.verify, userKey), a.notifyChangeEmail)
	b.POST("/settings/email/verify", a.need("notification", "manage"), a.throttle(lim.verify, userKey), a.notifyResendVerify)
	b.GET("/verify-email/:token", a.need("email", "verify"), a.throttle(lim.link, clientIP), a.notifyVerifyEmail)
	b.GET("/unsubscribe/:token", a.need("notification", "unsubscribe"), a.notifyUnsubscribeForm)
	b.POST("/unsubscribe/:token", a.need("notification", "unsubscribe"), a.throttle(lim.link, clientIP), a.notifyUnsubscribe)

	api.GET("/notifications", a.need("notification", "read"), a.apiNotifications)
	api.POST("/notifications/read", a.need("notification", "manage"), w, a.apiNotificationsRead)
	api.GET("/notifications/preferences", a.need("notification", "manage"), a.apiNotifyPrefs)
	api.PUT("/notifications/preferences", a.need("notification", "manage"), w, a.apiNotifySetPrefs)
	api.GET("/threads/:id/watch", a.need("watch", "manage"), a.apiWatch)
	api.PUT("/threads/:id/watch", a.need("watch", "manage"), w, a.apiSetWatch(true))
	api.DELETE("/threads/:id/watch", a.need("watch", "manage"), w, a.apiSetWatch(false))
	api.GET("/boards/:id/follow", a.need("watch", "manage"), a.apiFollow)
	api.PUT("/boards/:id/follow", a.need("watch", "manage"), w, a.apiSetFollow(true))
	api.DELETE("/boards/:id/follow", a.need("watch", "manage"), w, a.apiSetFollow(false))
}
