package notifyweb

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
)

// subscription is a member's watch on a thread or follow of a board. The
// page buttons and the API set it through the same handler; only the
// answer differs (a redirect with a flash, or JSON).
type subscription struct {
	idKey, stateKey string // JSON names: "thread_id"/"watching", "board_id"/"following"
	flashOn         string // flash keys after a page's button
	flashOff        string
	// honourNext sends the page back to the form's "next" (the settings
	// page lists boards) rather than to the board itself.
	honourNext bool
	// find looks the thread (or board) up, not found in another brand, and
	// gives its page's URL.
	find func(ctx context.Context, brandID, id int64) (string, error)
	get  func(ctx context.Context, brandID, userID, id int64) (bool, error)
	set  func(ctx context.Context, brandID, userID, id int64, on bool) error
}

func (h *Handlers) watches() subscription {
	return subscription{idKey: "thread_id", stateKey: "watching", flashOn: "nf-watching", flashOff: "nf-unwatched",
		find: func(ctx context.Context, brandID, id int64) (string, error) {
			t, err := h.forum.Thread(ctx, brandID, id)
			return web.ThreadURL(t), err
		},
		get: h.store.Watching,
		set: func(ctx context.Context, brandID, userID, id int64, on bool) error {
			if on {
				return h.store.Watch(ctx, brandID, userID, id)
			}
			return h.store.Unwatch(ctx, brandID, userID, id)
		}}
}

func (h *Handlers) follows() subscription {
	return subscription{idKey: "board_id", stateKey: "following", flashOn: "nf-following", flashOff: "nf-unfollowed", honourNext: true,
		find: func(ctx context.Context, brandID, id int64) (string, error) {
			bd, err := h.forum.Board(ctx, brandID, id)
			return "/b/" + web.Itoa(bd.ID) + "/" + bd.Slug, err
		},
		get: h.store.Following,
		set: func(ctx context.Context, brandID, userID, id int64, on bool) error {
			if on {
				return h.store.Follow(ctx, brandID, userID, id)
			}
			return h.store.Unfollow(ctx, brandID, userID, id)
		}}
}

// apiSubscription answers whether the member watches (or follows) the thread
// (or board) named by :id; one of another brand is not found.
func (h *Handlers) apiSubscription(s subscription) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := web.IDParam(c, "id")
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		act := web.ActorOf(c)
		if _, err := s.find(c.Request.Context(), act.BrandID, id); err != nil {
			h.site.Fail(c, err)
			return
		}
		on, err := s.get(c.Request.Context(), act.BrandID, act.UserID, id)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{s.idKey: id, s.stateKey: on})
	}
}

// setSubscription starts or stops the member's watch (or follow) of :id.
// A page's button is sent back to the thread (or board), which it looks up
// first for its URL; the API answers the new state.
func (h *Handlers) setSubscription(s subscription, on, page bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		id, err := web.IDParam(c, "id")
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		act := web.ActorOf(c)
		back := ""
		if page {
			if back, err = s.find(ctx, act.BrandID, id); err != nil {
				h.site.Fail(c, err)
				return
			}
		}
		if err := s.set(ctx, act.BrandID, act.UserID, id, on); err != nil {
			h.site.Fail(c, err)
			return
		}
		if !page {
			c.JSON(http.StatusOK, gin.H{s.idKey: id, s.stateKey: on})
			return
		}
		flash := s.flashOff
		if on {
			flash = s.flashOn
		}
		h.site.Flash(c, flash)
		if next := web.SafeNext(c.PostForm("next")); s.honourNext && next != "/" {
			back = next
		}
		c.Redirect(http.StatusSeeOther, back)
	}
}
