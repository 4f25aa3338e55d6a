package forumweb

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
)

func (h *Handlers) apiBoards(c *gin.Context) {
	boards, err := h.forum.Boards(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	out := web.List[web.BoardJSON]{Items: make([]web.BoardJSON, 0, len(boards))}
	for _, b := range boards {
		out.Items = append(out.Items, web.ToBoardJSON(b))
	}
	c.JSON(http.StatusOK, out)
}

func (h *Handlers) apiThreads(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	bd, err := h.forum.Board(ctx, web.BrandOf(c).ID, id)
	if err != nil {
		h.site.Fail(c, &fault.Error{Kind: fault.ErrNotFound, Msg: web.T(c, "aw.no_board")})
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
	cur, err := forum.ParseCursor(c.Request.Context(), c.Query("cursor"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	limit := 30
	if l := c.Query("limit"); l != "" {
		n, err := web.ParseLimit(c, l)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		limit = n
	}
	threads, next, err := h.forum.ListThreads(ctx, bd.BrandID, bd.ID, f, language, cur, limit)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	rk, ok := h.site.Ladder(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, web.ThreadListJSON(threads, next, rk))
}

func (h *Handlers) apiThreadBody(c *gin.Context, id int64, after forum.Cursor) (web.ThreadJSON, error) {
	actor := web.ActorOf(c)
	pg, err := h.forum.PageAs(c.Request.Context(), actor, id, after)
	if err != nil {
		return web.ThreadJSON{}, err
	}
	rk, err := h.rep.Ranks(c.Request.Context(), actor.BrandID)
	if err != nil {
		return web.ThreadJSON{}, err
	}
	out := web.ToThreadJSON(pg.Thread, rk)
	if pg.Thread.MergedInto != 0 {
		return out, nil // merged: merged_into says where its posts went
	}
	out.Posts = make([]web.PostJSON, 0, len(pg.Replies)+1)
	if after.ID == 0 {
		out.Posts = append(out.Posts, web.ToPostJSON(pg.Question, pg.Thread.AcceptedPostID, rk))
	}
	for _, p := range pg.Replies {
		out.Posts = append(out.Posts, web.ToPostJSON(p, pg.Thread.AcceptedPostID, rk))
	}
	out.Next = web.OptCursor(pg.Next)
	return out, nil
}

func (h *Handlers) apiThread(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	cur, err := forum.ParseCursor(c.Request.Context(), c.Query("cursor"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	out, err := h.apiThreadBody(c, id, cur)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	// Anonymous readers share one encoding per change of the thread, as
	// they share its page.
	h.site.CachedJSON(c, http.StatusOK, out)
}

func (h *Handlers) apiRevisions(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	revs, err := h.forum.Revisions(c.Request.Context(), web.BrandOf(c).ID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	type apiRev struct {
		Revision  int          `json:"revision"`
		Label     string       `json:"label"` // "Revision 3 (current)", as the history page names it
		Editor    web.UserJSON `json:"editor"`
		Title     string       `json:"title,omitempty"`
		Body      string       `json:"body"`
		BodyHTML  string       `json:"body_html"`
		CreatedAt time.Time    `json:"created_at"`
	}
	out := web.List[apiRev]{Items: make([]apiRev, 0, len(revs))}
	for i, r := range revs {
		out.Items = append(out.Items, apiRev{Revision: r.Revision, Label: revisionLabel(web.LocalizerOf(c), r.Revision, i == 0, i == len(revs)-1), Editor: web.UserJSON{ID: r.EditorID, Username: r.EditorName},
			Title: r.Title, Body: r.BodyMD, BodyHTML: r.BodyHTML, CreatedAt: r.CreatedAt})
	}
	c.JSON(http.StatusOK, out)
}

func (h *Handlers) apiMe(c *gin.Context) {
	actor := web.ActorOf(c)
	u, err := h.members.ByID(c.Request.Context(), actor.BrandID, actor.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{
		"id": u.ID, "username": u.Username, "email": u.Email, "reputation": u.Reputation,
		"rank": h.rep.RankName(c.Request.Context(), actor.BrandID, u.Reputation), "roles": actor.Roles, "created_at": u.CreatedAt,
	})
}
