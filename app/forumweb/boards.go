package forumweb

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
	"mutual/forum/lang"
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
	h.site.Render(c, http.StatusOK, "home", web.T(c, "title.home"), struct {
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
	f, err := forum.ParseFilter(c.Request.Context(), c.Query("filter"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	language, err := forum.ParseLanguage(c.Request.Context(), c.Query("lang"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	after, err := forum.ParseCursor(c.Request.Context(), c.Query("after"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	before, err := forum.ParseCursor(c.Request.Context(), c.Query("before"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	list, err := h.forum.BoardPage(ctx, bd.BrandID, bd.ID, f, language, after, before, 30)
	if err == nil {
		err = h.rep.RankThreads(ctx, bd.BrandID, list.Threads)
	}
	var langs []lang.Language
	if err == nil {
		langs, err = h.forum.Languages(ctx, bd.BrandID)
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if len(langs) < 2 && language == "" {
		langs = nil // one language: nothing to filter by
	}
	v := boardView{Board: bd, Threads: list.Threads, Filter: f, Lang: language, Languages: langs, TopHelpers: h.rep.TopHelpers(ctx, bd)}
	v.Pages = v.pages(list)
	h.site.Render(c, http.StatusOK, "board", bd.Name, v)
}

type boardView struct {
	Board      forum.Board
	Threads    []forum.Thread
	Filter     forum.Filter
	Lang       string          // the language the list is narrowed to; "" for all
	Languages  []lang.Language // the language filter's choices; none when the brand has one language
	Pages      pageLinks
	TopHelpers any
}

// Link is the board's address in filter f, keeping the language filter.
// The first page of "all" in every language is the board's plain address,
// as every other link to the board.
func (v boardView) Link(f forum.Filter) string {
	q := url.Values{}
	if f != forum.FilterAll {
		q.Set("filter", string(f))
	}
	if v.Lang != "" {
		q.Set("lang", v.Lang)
	}
	base := "/b/" + web.Itoa(v.Board.ID) + "/" + v.Board.Slug
	if len(q) == 0 {
		return base
	}
	return base + "?" + q.Encode()
}

// pageLinks are a list's links to the pages around it; "" for none.
type pageLinks struct {
	First, Newer, Older string
}

// pages links a board page to the first page, the page before it and the
// page after it, in the same filter and language.
func (v boardView) pages(l forum.BoardList) pageLinks {
	first := v.Link(v.Filter)
	at := func(key string, cur forum.Cursor) string {
		q := url.Values{"filter": {string(v.Filter)}, key: {cur.String()}}
		if v.Lang != "" {
			q.Set("lang", v.Lang)
		}
		return "/b/" + web.Itoa(v.Board.ID) + "/" + v.Board.Slug + "?" + q.Encode()
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
