package kbweb

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
	"mutual/kb"
)

// articleView is an article's page: the article, its board, and what the
// viewer may do with it.
type articleView struct {
	Article   kb.Article
	Board     forum.Board
	Stale     bool // published and due for an editor's look
	Overdue   bool // its review date has passed
	CanEdit   bool
	CanReview bool
	Done      string // the act just done, for its confirmation line
	ReviewBy  string // the review date as a date field shows it
}

// KnowledgeArticle is the article, for the discovery head's Article data.
func (v articleView) KnowledgeArticle() kb.Article { return v.Article }

// done are the confirmations an article page shows after an act.
var done = map[string]bool{"proposed": true, "edited": true, "submitted": true, "published": true, "returned": true,
	"reviewed": true, "reported": true, "already-reported": true}

func (h *Handlers) bare(c *gin.Context) {
	if a, ok := h.articleParam(c); ok {
		c.Redirect(http.StatusMovedPermanently, a.URL())
	}
}

// articleParam is the article named by the route's id, as the actor may
// see it; a refusal has been answered when ok is false.
func (h *Handlers) articleParam(c *gin.Context) (kb.Article, bool) {
	id, err := web.IDParam(c, "id")
	if err == nil {
		var a kb.Article
		if a, err = h.kb.Article(c.Request.Context(), web.ActorOf(c), id); err == nil {
			return a, true
		}
	}
	h.site.Fail(c, err)
	return kb.Article{}, false
}

func (h *Handlers) article(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v, err := h.articleView(c, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if c.Param("slug") != v.Article.Slug {
		c.Redirect(http.StatusMovedPermanently, v.Article.URL())
		return
	}
	h.site.Render(c, http.StatusOK, "kb_article", v.Article.Title, v)
}

// redrawArticle draws an article's page again for a refused form on it.
func (h *Handlers) redrawArticle(c *gin.Context, code int, id int64) {
	v, err := h.articleView(c, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, code, "kb_article", v.Article.Title, v)
}

func (h *Handlers) articleView(c *gin.Context, id int64) (articleView, error) {
	ctx := c.Request.Context()
	actor := web.ActorOf(c)
	a, err := h.kb.Article(ctx, actor, id)
	if err != nil {
		return articleView{}, err
	}
	bd, err := h.forum.Board(ctx, a.BrandID, a.BoardID)
	if err != nil {
		return articleView{}, err
	}
	now := h.forum.Now()
	review := h.site.Authz().Can(actor, "article", "review")
	v := articleView{Article: a, Board: bd, Stale: a.Stale(now), Overdue: a.Overdue(now), CanReview: review,
		CanEdit:  kb.MayEdit(actor, a),
		ReviewBy: a.ReviewBy.Format("2006-01-02")}
	if d := c.Query("done"); done[d] {
		v.Done = d
	}
	return v, nil
}

// index lists the published articles, newest first, and the viewer's own
// drafts.
func (h *Handlers) index(c *gin.Context) {
	ctx := c.Request.Context()
	page, err := pageParam(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	arts, err := h.kb.Published(ctx, web.BrandOf(c).ID, (page-1)*perPage, perPage+1)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	mine, err := h.kb.Mine(ctx, web.ActorOf(c))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v := struct {
		Articles   []kb.Article
		Mine       []kb.Article
		Prev, Next string
	}{Articles: arts, Mine: mine}
	if len(arts) > perPage {
		v.Articles, v.Next = arts[:perPage], "/kb?page="+strconv.Itoa(page+1)
	}
	if page > 1 {
		v.Prev = "/kb?page=" + strconv.Itoa(page-1)
	}
	h.site.Render(c, http.StatusOK, "kb_index", web.T(c, "kb.title_index"), v)
}

const perPage = 30

func pageParam(c *gin.Context) (int, error) {
	s := c.Query("page")
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 10000 {
		return 0, invalid(c, "page", "kb.bad_page")
	}
	return n, nil
}

// history shows an article's revisions, newest first, each compared with
// the one before.
func (h *Handlers) history(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	a, err := h.kb.Article(ctx, web.ActorOf(c), id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	revs, err := h.kb.Revisions(ctx, web.ActorOf(c), id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	type revisionView struct {
		kb.Revision
		Label     string
		TitleDiff []forum.DiffPart
		BodyDiff  []forum.DiffPart
	}
	out := make([]revisionView, len(revs))
	for i, r := range revs {
		v := revisionView{Revision: r, Label: web.T(c, "kb.revision_n", "N", r.Revision)}
		if i == len(revs)-1 {
			v.Label = web.T(c, "kb.revision_current", "N", r.Revision)
		}
		if i > 0 {
			v.BodyDiff = forum.WordDiff(revs[i-1].BodyMD, r.BodyMD)
			if revs[i-1].Title != r.Title {
				v.TitleDiff = forum.WordDiff(revs[i-1].Title, r.Title)
			}
		}
		out[len(revs)-1-i] = v
	}
	h.site.Render(c, http.StatusOK, "kb_history", web.T(c, "kb.title_history"), struct {
		Article   kb.Article
		Revisions []revisionView
	}{a, out})
}
