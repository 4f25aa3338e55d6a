package forumweb

import (
	"net/http"
	"net/url"

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
	after, err := forum.ParseCursor(c.Query("after"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	before, err := forum.ParseCursor(c.Query("before"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	list, err := h.forum.BoardPage(ctx, bd.BrandID, bd.ID, f, after, before, 30)
	if err == nil {
		err = h.rep.RankThreads(ctx, bd.BrandID, list.Threads)
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "board", bd.Name, boardView{Board: bd, Threads: list.Threads, Filter: f,
		Pages: boardPages(bd, f, list), TopHelpers: h.rep.TopHelpers(ctx, bd)})
}

type boardView struct {
	Board      forum.Board
	Threads    []forum.Thread
	Filter     forum.Filter
	Pages      pageLinks
	TopHelpers any
}

// pageLinks are a list's links to the pages around it; "" for none.
type pageLinks struct {
	First, Newer, Older string
}

// boardPages links a board page to the first page, the page before it and
// the page after it, in the same filter. The first page of "all" is the
// board's plain address, as every other link to the board.
func boardPages(bd forum.Board, f forum.Filter, l forum.BoardList) pageLinks {
	base := "/b/" + web.Itoa(bd.ID) + "/" + bd.Slug
	first := base
	if f != forum.FilterAll {
		first += "?filter=" + string(f)
	}
	at := func(key string, cur forum.Cursor) string {
		return base + "?" + url.Values{"filter": {string(f)}, key: {cur.String()}}.Encode()
	}
	var p pageLinks
	if !l.First {
		p.First, p.Newer = first, first
		if l.Newer.ID != 0 {
			p.Newer = at("before", l.Newer)
		}
	}
	if l.Older.ID != 0 {
		p.Older = at("after", l.Older)
	}
	return p
}
