package kbweb

import (
	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
	"mutual/kb"
)

// threadSlot is the thread page's knowledge-base line.
type threadSlot struct {
	ThreadID   int64
	Articles   []kb.Article // published articles drafted from the thread
	CanPropose bool         // the viewer may propose this solved thread as an article
}

// ThreadSlot is the thread page's knowledge-base line: "This answer is now
// an article: …", and for those who may propose, a link to do so from a
// solved thread. Nil when there is nothing to show.
func (h *Handlers) ThreadSlot(c *gin.Context, t forum.Thread) (any, error) {
	arts, err := h.kb.ForThread(c.Request.Context(), t.BrandID, t.ID)
	if err != nil {
		return nil, err
	}
	s := threadSlot{ThreadID: t.ID, Articles: arts,
		CanPropose: t.Solved() && h.site.Authz().Can(web.ActorOf(c), "article", "propose")}
	if len(arts) == 0 && !s.CanPropose {
		return nil, nil
	}
	return s, nil
}
