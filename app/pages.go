package app

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/discoveryweb"
	"mutual/app/escalationweb"
	"mutual/app/reputationweb"
	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
)

func (a *App) home(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	boards, err := a.forum.Boards(ctx, b.ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	recent, err := a.forum.RecentThreads(ctx, b.ID, 10)
	if err == nil {
		err = a.rep.RankThreads(ctx, b.ID, recent)
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, http.StatusOK, "home", "Home", struct {
		Boards []forum.Board
		Recent []forum.Thread
	}{boards, recent})
}

func (a *App) board(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	bd, err := a.forum.Board(ctx, web.BrandOf(c).ID, id)
	if err != nil {
		a.site.Fail(c, err)
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
		a.site.Fail(c, err)
		return
	}
	cur, err := forum.ParseCursor(c.Query("after"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	threads, next, err := a.forum.ListThreads(ctx, bd.BrandID, bd.ID, f, cur, 30)
	if err == nil {
		err = a.rep.RankThreads(ctx, bd.BrandID, threads)
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, http.StatusOK, "board", bd.Name, struct {
		Board      forum.Board
		Threads    []forum.Thread
		Filter     forum.Filter
		Next       string
		TopHelpers []reputationweb.LeaderRow
	}{bd, threads, f, next.String(), a.rep.TopHelpers(ctx, bd)})
}

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
	Rep            reputationweb.ThreadInfo
	Escalation     *escalationweb.ThreadSlot // the escalation slot: state and buttons (signed-in viewers)
	Bars           map[int64]postBar         // each post's action bar, by post id
}

// QuestionPage is the thread and its posts, for discoveryweb's head.
func (v threadView) QuestionPage() forum.ThreadPage { return v.Page }

func (a *App) loadThreadView(c *gin.Context, id int64) (threadView, error) {
	ctx := c.Request.Context()
	actor := web.ActorOf(c)
	cur, err := forum.ParseCursor(c.Query("after"))
	if err != nil {
		return threadView{}, err
	}
	pg, rep, err := a.rep.ThreadPage(c, id, cur)
	if err != nil {
		return threadView{}, err
	}
	if pg.Thread.MergedInto != 0 {
		return threadView{Page: pg}, nil // thread() redirects
	}
	bd, err := a.forum.Board(ctx, actor.BrandID, pg.Thread.BoardID)
	if err != nil {
		return threadView{}, err
	}
	canAccept := actor.SignedIn() && (actor.UserID == pg.Thread.AuthorID || actor.CanModerate())
	blocked, err := a.mod.PostingBlock(ctx, actor)
	if err != nil {
		return threadView{}, err
	}
	tv := threadView{Page: pg, Board: bd, CanAccept: canAccept, Kudoed: pg.Kudoed, ClientKey: newClientKey(), PostingBlocked: blocked, Rep: rep}
	tv.Escalation = a.esc.ThreadInfo(c, pg.Thread)
	csrf := ""
	if actor.SignedIn() {
		csrf = a.site.CSRFToken(c)
	}
	tv.Bars = postBars(tv, actor, csrf)
	return tv, nil
}

func newClientKey() string {
	return strconv.FormatInt(time.Now().UnixNano(), 36) + randomPassword()[:8]
}

func (a *App) thread(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	tv, err := a.loadThreadView(c, id)
	if err != nil {
		a.site.Fail(c, err)
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
	a.site.Render(c, http.StatusOK, "thread", tv.Page.Thread.Title, tv)
}

func (a *App) reply(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	body, key := c.PostForm("body"), c.PostForm("client_key")
	showForm := func(code int, errs map[string]string, preview string) {
		tv, err := a.loadThreadView(c, id)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		tv.Body, tv.Errors, tv.Preview = body, errs, preview
		if key != "" {
			tv.ClientKey = key
		}
		a.site.Render(c, code, "thread", tv.Page.Thread.Title, tv)
	}
	if c.PostForm("preview") != "" {
		html, err := a.md.Render(body)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		showForm(http.StatusOK, nil, html)
		return
	}
	p, err := a.forum.Reply(c.Request.Context(), web.ActorOf(c), id, forum.NewReply{Body: body, ClientKey: key})
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		showForm(http.StatusUnprocessableEntity, ve.Fields, "")
		return
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	t, err := a.forum.Thread(c.Request.Context(), p.BrandID, p.ThreadID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "replied")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"#p"+web.Itoa(p.ID))
}

type askView struct {
	Boards    []forum.Board
	BoardID   int64
	Title     string
	Body      string
	ClientKey string
	Errors    map[string]string
	Preview   string // sanitised HTML; the template marks it safe with sanitized

	Similar        []forum.Thread // similar solved questions (discoveryweb's check)
	CheckedSimilar bool

	PostingHint string // what new members may post, while it applies (reputationweb.Handlers.PostingHint)
}

func (a *App) askPage(c *gin.Context, code int, v askView) {
	boards, err := a.forum.Boards(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	v.Boards = boards
	if v.PostingHint, err = a.rep.PostingHint(c.Request.Context(), web.ActorOf(c)); err != nil {
		a.site.Fail(c, err)
		return
	}
	if v.ClientKey == "" {
		v.ClientKey = newClientKey()
	}
	a.site.Render(c, code, "ask", "Ask a question", v)
}

// askAgain shows the Ask form as typed, with similar solved questions
// (discoveryweb's check without JavaScript).
func (a *App) askAgain(c *gin.Context, d discoveryweb.Draft) {
	a.askPage(c, http.StatusOK, askView{BoardID: d.BoardID, Title: d.Title, Body: d.Body, ClientKey: d.ClientKey,
		Similar: d.Similar, CheckedSimilar: true})
}

func (a *App) askForm(c *gin.Context) {
	bid, _ := strconv.ParseInt(c.Query("board"), 10, 64)
	a.askPage(c, http.StatusOK, askView{BoardID: bid})
}

func (a *App) ask(c *gin.Context) {
	bid, _ := strconv.ParseInt(c.PostForm("board_id"), 10, 64)
	v := askView{BoardID: bid, Title: c.PostForm("title"), Body: c.PostForm("body"), ClientKey: c.PostForm("client_key")}
	if c.PostForm("preview") != "" {
		html, err := a.md.Render(v.Body)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		v.Preview = html
		a.askPage(c, http.StatusOK, v)
		return
	}
	t, err := a.forum.Ask(c.Request.Context(), web.ActorOf(c), forum.NewThread{BoardID: bid, Title: v.Title, Body: v.Body, ClientKey: v.ClientKey})
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		a.askPage(c, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "asked")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}

type editView struct {
	Post        forum.Post
	Thread      forum.Thread
	Title       string
	Body        string
	Errors      map[string]string
	PostingHint string // what new members may post, while it applies (reputationweb.Handlers.PostingHint)
}

func (a *App) loadEdit(c *gin.Context) (editView, error) {
	ctx := c.Request.Context()
	actor := web.ActorOf(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return editView{}, err
	}
	p, err := a.forum.Post(ctx, actor.BrandID, id)
	if err != nil {
		return editView{}, err
	}
	if err := a.forum.CanEdit(ctx, actor, p); err != nil {
		return editView{}, err
	}
	t, err := a.forum.Thread(ctx, actor.BrandID, p.ThreadID)
	if err != nil {
		return editView{}, err
	}
	hint, err := a.rep.PostingHint(ctx, actor)
	if err != nil {
		return editView{}, err
	}
	return editView{Post: p, Thread: t, Title: t.Title, Body: p.BodyMD, PostingHint: hint}, nil
}

func (a *App) editForm(c *gin.Context) {
	v, err := a.loadEdit(c)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, http.StatusOK, "edit", "Edit", v)
}

func (a *App) edit(c *gin.Context) {
	v, err := a.loadEdit(c)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	v.Title, v.Body = c.PostForm("title"), c.PostForm("body")
	p, err := a.forum.Edit(c.Request.Context(), web.ActorOf(c), v.Post.ID, v.Title, v.Body)
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		a.site.Render(c, http.StatusUnprocessableEntity, "edit", "Edit", v)
		return
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	t, err := a.forum.Thread(c.Request.Context(), p.BrandID, p.ThreadID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "edited")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"#p"+web.Itoa(p.ID))
}

func (a *App) history(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	revs, err := a.forum.Revisions(ctx, b.ID, id)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	p, err := a.forum.Post(ctx, b.ID, id)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	t, err := a.forum.Thread(ctx, b.ID, p.ThreadID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	// Newest first, as people read history.
	for i, j := 0, len(revs)-1; i < j; i, j = i+1, j-1 {
		revs[i], revs[j] = revs[j], revs[i]
	}
	a.site.Render(c, http.StatusOK, "history", "Edit history", struct {
		Post      forum.Post
		Thread    forum.Thread
		Revisions []forum.Revision
	}{p, t, revs})
}

func (a *App) accept(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	postID, err := strconv.ParseInt(c.PostForm("post_id"), 10, 64)
	if err != nil || postID <= 0 {
		a.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"post_id": "Choose which reply to accept."}})
		return
	}
	t, err := a.forum.Accept(c.Request.Context(), web.ActorOf(c), id, postID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "accepted")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}

func (a *App) unaccept(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	t, err := a.forum.Unaccept(c.Request.Context(), web.ActorOf(c), id)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "withdrawn")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}

func (a *App) kudos(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	var p forum.Post
	if c.PostForm("action") == "take" {
		p, err = a.forum.TakeKudos(c.Request.Context(), web.ActorOf(c), id)
	} else {
		p, err = a.forum.GiveKudos(c.Request.Context(), web.ActorOf(c), id)
		if errors.Is(err, fault.ErrConflict) { // given already (a double click): show the post
			p, err = a.forum.Post(c.Request.Context(), web.ActorOf(c).BrandID, id)
		}
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	t, err := a.forum.Thread(c.Request.Context(), p.BrandID, p.ThreadID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"#p"+web.Itoa(p.ID))
}

func (a *App) profile(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	u, err := a.members.ByUsername(ctx, b.ID, c.Param("username"))
	if err != nil {
		a.site.Fail(c, &fault.Error{Kind: fault.ErrNotFound, Msg: "There is no member with that name here."})
		return
	}
	threads, err := a.forum.ThreadsBy(ctx, b.ID, u.ID, 20)
	if err == nil {
		err = a.rep.RankThreads(ctx, b.ID, threads)
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	replies, err := a.forum.RepliesBy(ctx, b.ID, u.ID, 20)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	rp, err := a.rep.Profile(ctx, b.ID, u)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, http.StatusOK, "profile", u.Username, struct {
		User    forum.User
		Rank    string
		Threads []forum.Thread
		Replies []forum.AnswerRef
		Rep     reputationweb.ProfileView
	}{u, rp.Rank, threads, replies, rp})
}
