package app

import (
	"context"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
)

// notifyView gives templates the signed-in member's notification state. It
// queries lazily and once: a page without the bell or a watch button costs
// nothing, and anonymous (cached) pages never get one.
type notifyView struct {
	a       *App
	ctx     context.Context
	reqID   string
	brandID int64
	userID  int64
	unread  int
	counted bool
}

func (a *App) notifyViewFor(c *gin.Context, act forum.Actor) any {
	if a.nf == nil {
		return nil // an untyped nil: templates test .Notify
	}
	return &notifyView{a: a, ctx: c.Request.Context(), reqID: web.RequestID(c), brandID: act.BrandID, userID: act.UserID}
}

func (v *notifyView) logErr(what string, err error) {
	v.a.log.Error("notify view", "request_id", v.reqID, "what", what, "err", err)
}

// Unread is the number of unread notifications (capped at 100).
func (v *notifyView) Unread() int {
	if !v.counted {
		n, err := v.a.nf.store.Unread(v.ctx, v.brandID, v.userID)
		if err != nil {
			v.logErr("unread", err)
		}
		v.unread, v.counted = n, true
	}
	return v.unread
}

// UnreadLabel is the count as the bell shows it.
func (v *notifyView) UnreadLabel() string {
	if n := v.Unread(); n >= 100 {
		return "99+"
	} else {
		return strconv.Itoa(n)
	}
}

// Watching reports whether the member watches the thread.
func (v *notifyView) Watching(threadID int64) bool {
	ok, err := v.a.nf.store.Watching(v.ctx, v.brandID, v.userID, threadID)
	if err != nil {
		v.logErr("watching", err)
	}
	return ok
}

// Following reports whether the member follows the board.
func (v *notifyView) Following(boardID int64) bool {
	ok, err := v.a.nf.store.Following(v.ctx, v.brandID, v.userID, boardID)
	if err != nil {
		v.logErr("following", err)
	}
	return ok
}
