package notifyweb

import (
	"context"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
)

// bell gives templates the signed-in member's notification state. It
// queries lazily and once: a page without the bell or a watch button costs
// nothing, and anonymous (cached) pages never get one.
type bell struct {
	h       *Handlers
	ctx     context.Context
	reqID   string
	brandID int64
	userID  int64
	unread  int
	counted bool
}

// Bell is web.Site.Bell: the signed-in member's bell and watch buttons.
func (h *Handlers) Bell(c *gin.Context, act account.Actor) any {
	if h == nil {
		return nil // an untyped nil: templates test .Notify
	}
	return &bell{h: h, ctx: c.Request.Context(), reqID: web.RequestID(c), brandID: act.BrandID, userID: act.UserID}
}

func (v *bell) logErr(what string, err error) {
	v.h.log.Error("notify view", "request_id", v.reqID, "what", what, "err", err)
}

// Unread is the number of unread notifications (capped at 100).
func (v *bell) Unread() int {
	if !v.counted {
		n, err := v.h.store.Unread(v.ctx, v.brandID, v.userID)
		if err != nil {
			v.logErr("unread", err)
		}
		v.unread, v.counted = n, true
	}
	return v.unread
}

// UnreadLabel is the count as the bell shows it.
func (v *bell) UnreadLabel() string {
	if n := v.Unread(); n >= 100 {
		return "99+"
	} else {
		return strconv.Itoa(n)
	}
}

// Watching reports whether the member watches the thread.
func (v *bell) Watching(threadID int64) bool {
	ok, err := v.h.store.Watching(v.ctx, v.brandID, v.userID, threadID)
	if err != nil {
		v.logErr("watching", err)
	}
	return ok
}

// Following reports whether the member follows the board.
func (v *bell) Following(boardID int64) bool {
	ok, err := v.h.store.Following(v.ctx, v.brandID, v.userID, boardID)
	if err != nil {
		v.logErr("following", err)
	}
	return ok
}
