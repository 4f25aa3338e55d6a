package forumweb

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
)

func (h *Handlers) profile(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	u, err := h.members.ByUsername(ctx, b.ID, c.Param("username"))
	if errors.Is(err, fault.ErrNotFound) {
		err = account.NoSuchMember(c.Param("username"))
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	threads, err := h.forum.ThreadsBy(ctx, b.ID, u.ID, 20)
	if err == nil {
		err = h.rep.RankThreads(ctx, b.ID, threads)
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	replies, err := h.forum.RepliesBy(ctx, b.ID, u.ID, 20)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	rank, rp, err := h.rep.Profile(ctx, b.ID, u)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "profile", u.Username, struct {
		User    account.User
		Rank    string
		Threads []forum.Thread
		Replies []forum.AnswerRef
		Rep     any
	}{u, rank, threads, replies, rp})
}
