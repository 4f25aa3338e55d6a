package forumweb

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
)

// threadView is the thread page's data, including the reply form's state.
type threadView struct {
	Page      forum.ThreadPage
	Board     forum.Board
	CanAccept bool
	Kudoed    map[int64]bool
	ClientKey string
	Body      string
	Errors    map[string]string
	Preview   string // sanitised HTML; the template marks it safe with sanitized
	// PostingBlocked says why the viewer cannot post (suspended, banned).
	PostingBlocked string
	Rep            RepSlot           // the reputation slot
	Escalation     any               // the escalation slot: state and buttons (signed-in viewers), or nil
	Report         any               // the reports slot: survey and "Contact us", or nil
	Article        any               // the knowledge-base slot: "now an article", "propose", or nil
	Moderation     any               // the moderation slot: boards and threads to move or merge to (moderators), or nil
	Bars           map[int64]postBar // each post's action bar, by post id
	// Meta and Actions are the question's and the accepted answer's byline
	// and action bar, and Replies the other replies, as the site keeps them
	// for visitors (partsFor), printed in place of their templates; nil
	// when those are run.
	Meta, Actions, Replies map[int64]template.HTML
	// Here is the page's own query ("?after=…"): forms on the page post
	// with it, so a refused one draws this same page of replies again.
	Here string
}

// QuestionPage is the thread and its posts, for the discovery head.
func (v threadView) QuestionPage() forum.ThreadPage { return v.Page }

// OtherReplies are this page's replies but the accepted answer, which the
// page shows on its own under the question.
func (v threadView) OtherReplies() []forum.Post {
	out := make([]forum.Post, 0, len(v.Page.Replies))
	for _, p := range v.Page.Replies {
		if p.ID != v.Page.Thread.AcceptedPostID {
			out = append(out, p)
		}
	}
	return out
}

func (h *Handlers) loadThreadView(c *gin.Context, id int64) (threadView, error) {
	ctx := c.Request.Context()
	actor := web.ActorOf(c)
	cur, err := forum.ParseCursor(c.Request.Context(), c.Query("after"))
	if err != nil {
		return threadView{}, err
	}
	pg, rep, err := h.rep.ThreadPage(c, id, cur)
	if err != nil {
		return threadView{}, err
	}
	if pg.Thread.MergedInto != 0 {
		return threadView{Page: pg}, nil // thread() redirects
	}
	bd, err := h.forum.Board(ctx, actor.BrandID, pg.Thread.BoardID)
	if err != nil {
		return threadView{}, err
	}
	canAccept := actor.SignedIn() && (actor.UserID == pg.Thread.AuthorID || actor.CanModerate())
	blocked, err := h.mod.PostingBlock(ctx, actor)
	if err != nil {
		return threadView{}, err
	}
	tv := threadView{Page: pg, Board: bd, CanAccept: canAccept, Kudoed: pg.Kudoed, ClientKey: newClientKey(), PostingBlocked: blocked, Rep: rep,
		Here: pageQuery(c)}
	tv.Escalation = h.esc.ThreadSlot(c, pg.Thread)
	if h.ReportSlot != nil {
		tv.Report = h.ReportSlot(c, pg.Thread)
	}
	if h.ArticleSlot != nil {
		if tv.Article, err = h.ArticleSlot(c, pg.Thread); err != nil {
			return threadView{}, err
		}
	}
	if h.Moderation != nil {
		if tv.Moderation, err = h.Moderation.ThreadSlot(c, pg.Thread); err != nil {
			return threadView{}, err
		}
	}
	csrf := ""
	if actor.SignedIn() {
		csrf = h.site.CSRFToken(c)
	}
	tv.Bars = postBars(tv, actor, csrf, web.RefusedOf(c))
	if err := h.partsFor(c, &tv); err != nil {
		return threadView{}, err
	}
	return tv, nil
}

// replyView is one reply as the thread-reply template shows it.
type replyView struct {
	Post forum.Post
	Lang string // the thread's language, or ""
	Bar  postBar
}

// Reply is what the thread-reply template shows of p.
func (v threadView) Reply(p forum.Post) replyView {
	return replyView{Post: p, Lang: v.Page.Thread.Language, Bar: v.Bars[p.ID]}
}

// pageQuery is the part of the request's query that chooses which replies
// the page shows, as "?…", or "".
func pageQuery(c *gin.Context) string {
	q := url.Values{}
	for _, k := range []string{"after", "sort", "kafter"} {
		if v := c.Query(k); v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// redrawThread draws the thread page again for a form on it that was
// refused (Site.Refuse): the page of replies the form was sent from, the
// refusal shown beside the form.
func (h *Handlers) redrawThread(c *gin.Context, code int, id int64) {
	tv, err := h.loadThreadView(c, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if into := tv.Page.Thread.MergedInto; into != 0 {
		c.Redirect(http.StatusSeeOther, "/t/"+web.Itoa(into))
		return
	}
	h.site.Render(c, code, "thread", tv.Page.Thread.Title, tv)
}

func (h *Handlers) thread(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	tv, err := h.loadThreadView(c, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if into := tv.Page.Thread.MergedInto; into != 0 {
		c.Redirect(http.StatusMovedPermanently, "/t/"+web.Itoa(into)) // merged: the old URL keeps working
		return
	}
	if c.Param("slug") != tv.Page.Thread.Slug {
		q := ""
		if c.Request.URL.RawQuery != "" {
			q = "?" + c.Request.URL.RawQuery
		}
		c.Redirect(http.StatusMovedPermanently, web.ThreadURL(tv.Page.Thread)+q)
		return
	}
	if act := web.ActorOf(c); act.SignedIn() && h.Opened != nil {
		if err := h.Opened(c.Request.Context(), act, id); err != nil {
			h.site.Log().Error("thread opened", "request_id", web.RequestID(c), "thread", id, "err", err)
		}
	}
	h.site.Render(c, http.StatusOK, "thread", tv.Page.Thread.Title, tv)
}

func (h *Handlers) reply(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	body, key := c.PostForm("body"), c.PostForm("client_key")
	showForm := func(code int, errs map[string]string, preview string) {
		tv, err := h.loadThreadView(c, id)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		tv.Body, tv.Errors, tv.Preview = body, errs, preview
		if key != "" {
			tv.ClientKey = key
		}
		h.site.Render(c, code, "thread", tv.Page.Thread.Title, tv)
	}
	var ve *fault.ValidationError
	if c.PostForm("preview") != "" {
		html, err := h.md.Render(c.Request.Context(), body)
		switch {
		case errors.As(err, &ve): // shown on the form, with what was typed
			showForm(http.StatusUnprocessableEntity, ve.Fields, "")
		case err != nil:
			h.site.Fail(c, err)
		default:
			showForm(http.StatusOK, nil, html)
		}
		return
	}
	p, err := h.forum.Reply(c.Request.Context(), web.ActorOf(c), id, forum.NewReply{Body: body, ClientKey: key})
	if errors.As(err, &ve) {
		showForm(http.StatusUnprocessableEntity, ve.Fields, "")
		return
	}
	if err != nil {
		// Refused (locked meanwhile, suspended, too fast): said on the
		// form, with the reply kept, rather than on a page of its own.
		if code, _, msg := web.StatusIn(web.LocalizerOf(c), err); code == http.StatusForbidden || code == http.StatusConflict || code == http.StatusTooManyRequests {
			showForm(code, map[string]string{"body": msg}, "")
			return
		}
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Thread(c.Request.Context(), p.BrandID, p.ThreadID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "replied")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"#p"+web.Itoa(p.ID))
}
