package forumweb

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
)

func (h *Handlers) home(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	boards, err := h.forum.Boards(ctx, b.ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	recent, err := h.forum.RecentThreads(ctx, b.ID, 10)
	if err == nil {
		err = h.rep.RankThreads(ctx, b.ID, recent)
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "home", "Home", struct {
		Boards []forum.Board
		Recent []forum.Thread
	}{boards, recent})
}

func (h *Handlers) board(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	bd, err := h.forum.Board(ctx, web.BrandOf(c).ID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if c.Param("slug") != bd.Slug {
		q := ""
		if c.Request.URL.RawQuery != "" {
			q = "?" + c.Request.URL.RawQuery
		}
		c.Redirect(http.StatusMovedPermanently, "/b/"+web.Itoa(bd.ID)+"/"+bd.Slug+q)
		return
	}
	f, err := forum.ParseFilter(c.Query("filter"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	cur, err := forum.ParseCursor(c.Query("after"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	threads, next, err := h.forum.ListThreads(ctx, bd.BrandID, bd.ID, f, cur, 30)
	if err == nil {
		err = h.rep.RankThreads(ctx, bd.BrandID, threads)
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "board", bd.Name, struct {
		Board      forum.Board
		Threads    []forum.Thread
		Filter     forum.Filter
		Next       string
		TopHelpers any
	}{bd, threads, f, next.String(), h.rep.TopHelpers(ctx, bd)})
}
