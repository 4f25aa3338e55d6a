package app

import (
	"context"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/reputation"
)

// apiRanks is the brand's rank ladder for authors in an answer; on failure
// it has answered the error and returns false.
func (a *App) apiRanks(c *gin.Context) (reputation.Ladder, bool) {
	rk, err := a.rep.Ranks(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		a.site.Fail(c, err)
		return nil, false
	}
	return rk, true
}

// apiThreadObjects is the API's thread objects, authors ranked (for
// discoveryweb); on failure it has answered the error and returns false.
func (a *App) apiThreadObjects(c *gin.Context, ts []forum.Thread) ([]any, bool) {
	rk, ok := a.apiRanks(c)
	if !ok {
		return nil, false
	}
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = web.ToThreadJSON(t, rk)
	}
	return out, true
}

// apiPosts are posts as the API shows them, for capabilities that answer
// with posts (moderation); on failure it has answered the error.
func (a *App) apiPosts(c *gin.Context, ps []forum.Post) ([]any, bool) {
	rk, ok := a.apiRanks(c)
	if !ok {
		return nil, false
	}
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = web.ToPostJSON(p, 0, rk)
	}
	return out, true
}

// rankNames names the rank of a reputation total in the brand's ladder, for
// capabilities that show authors (moderation's review queue).
func (a *App) rankNames(ctx context.Context, brandID int64) (func(rep int64) string, error) {
	rk, err := a.rep.Ranks(ctx, brandID)
	return rk.Name, err
}

func (a *App) apiBoards(c *gin.Context) {
	boards, err := a.forum.Boards(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	out := web.List[web.BoardJSON]{Items: make([]web.BoardJSON, 0, len(boards))}
	for _, b := range boards {
		out.Items = append(out.Items, web.ToBoardJSON(b))
	}
	c.JSON(http.StatusOK, out)
}

func (a *App) apiThreads(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	bd, err := a.forum.Board(ctx, web.BrandOf(c).ID, id)
	if err != nil {
		a.site.Fail(c, &fault.Error{Kind: fault.ErrNotFound, Msg: "That board does not exist."})
		return
	}
	f, err := forum.ParseFilter(c.Query("filter"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	cur, err := forum.ParseCursor(c.Query("cursor"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	limit := 30
	if l := c.Query("limit"); l != "" {
		n, err := web.ParseLimit(l)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		limit = n
	}
	threads, next, err := a.forum.ListThreads(ctx, bd.BrandID, bd.ID, f, cur, limit)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	rk, ok := a.apiRanks(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, web.ThreadListJSON(threads, next, rk))
}

func (a *App) apiThreadBody(c *gin.Context, id int64, after forum.Cursor) (web.ThreadJSON, error) {
	actor := web.ActorOf(c)
	pg, err := a.forum.PageAs(c.Request.Context(), actor, id, after)
	if err != nil {
		return web.ThreadJSON{}, err
	}
	rk, err := a.rep.Ranks(c.Request.Context(), actor.BrandID)
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

func (a *App) apiThread(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	cur, err := forum.ParseCursor(c.Query("cursor"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	out, err := a.apiThreadBody(c, id, cur)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (a *App) apiAsk(c *gin.Context) {
	var in struct {
		BoardID   int64  `json:"board_id"`
		Title     string `json:"title"`
		Body      string `json:"body"`
		ClientKey string `json:"client_key"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	if k := c.GetHeader("Idempotency-Key"); k != "" && in.ClientKey == "" {
		in.ClientKey = k
	}
	t, err := a.forum.Ask(c.Request.Context(), web.ActorOf(c), forum.NewThread{BoardID: in.BoardID, Title: in.Title, Body: in.Body, ClientKey: in.ClientKey})
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	out, err := a.apiThreadBody(c, t.ID, forum.Cursor{})
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/threads/"+web.Itoa(t.ID))
	c.JSON(http.StatusCreated, out)
}

func (a *App) apiReply(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	var in struct {
		Body      string `json:"body"`
		ClientKey string `json:"client_key"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	if k := c.GetHeader("Idempotency-Key"); k != "" && in.ClientKey == "" {
		in.ClientKey = k
	}
	p, err := a.forum.Reply(c.Request.Context(), web.ActorOf(c), id, forum.NewReply{Body: in.Body, ClientKey: in.ClientKey})
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	if in.ClientKey != "" {
		// A repeated key returns the earlier reply, which may be accepted by now.
		a.apiPostOut(c, http.StatusCreated, p)
		return
	}
	rk, ok := a.apiRanks(c)
	if !ok {
		return
	}
	c.JSON(http.StatusCreated, web.ToPostJSON(p, 0, rk)) // a new reply is never the accepted one yet
}

func (a *App) apiEdit(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	var in struct {
		Body  string `json:"body"`
		Title string `json:"title"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	p, err := a.forum.Edit(c.Request.Context(), web.ActorOf(c), id, in.Title, in.Body)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.apiPostOut(c, http.StatusOK, p)
}

// apiPostOut answers with a post as it stands in its thread, so "accepted"
// is true for the accepted answer (after an edit or kudos, say).
func (a *App) apiPostOut(c *gin.Context, code int, p forum.Post) {
	accepted, err := a.forum.AcceptedOf(c.Request.Context(), p.BrandID, p.ThreadID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	rk, ok := a.apiRanks(c)
	if !ok {
		return
	}
	c.JSON(code, web.ToPostJSON(p, accepted, rk))
}

func (a *App) apiRevisions(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	revs, err := a.forum.Revisions(c.Request.Context(), web.BrandOf(c).ID, id)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	type apiRev struct {
		Revision  int          `json:"revision"`
		Editor    web.UserJSON `json:"editor"`
		Title     string       `json:"title,omitempty"`
		Body      string       `json:"body"`
		BodyHTML  string       `json:"body_html"`
		CreatedAt time.Time    `json:"created_at"`
	}
	out := web.List[apiRev]{Items: make([]apiRev, 0, len(revs))}
	for _, r := range revs {
		out.Items = append(out.Items, apiRev{Revision: r.Revision, Editor: web.UserJSON{ID: r.EditorID, Username: r.EditorName},
			Title: r.Title, Body: r.BodyMD, BodyHTML: r.BodyHTML, CreatedAt: r.CreatedAt})
	}
	c.JSON(http.StatusOK, out)
}

func (a *App) apiKudos(give bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := web.IDParam(c, "id")
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		var p forum.Post
		if give {
			p, err = a.forum.GiveKudos(c.Request.Context(), web.ActorOf(c), id)
		} else {
			p, err = a.forum.TakeKudos(c.Request.Context(), web.ActorOf(c), id)
		}
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		a.apiPostOut(c, http.StatusOK, p)
	}
}

func (a *App) apiAccept(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	var in struct {
		PostID int64 `json:"post_id"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	if in.PostID <= 0 {
		a.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"post_id": "post_id must be the id of a reply in this thread"}})
		return
	}
	t, err := a.forum.Accept(c.Request.Context(), web.ActorOf(c), id, in.PostID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.apiThreadOut(c, t)
}

func (a *App) apiUnaccept(c *gin.Context) {
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
	a.apiThreadOut(c, t)
}

// apiThreadOut answers 200 with a thread, without its posts.
func (a *App) apiThreadOut(c *gin.Context, t forum.Thread) {
	rk, ok := a.apiRanks(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, web.ToThreadJSON(t, rk))
}

func (a *App) apiMe(c *gin.Context) {
	actor := web.ActorOf(c)
	u, err := a.members.ByID(c.Request.Context(), actor.BrandID, actor.UserID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{
		"id": u.ID, "username": u.Username, "email": u.Email, "reputation": u.Reputation,
		"rank": a.rep.RankName(c.Request.Context(), actor.BrandID, u.Reputation), "roles": actor.Roles, "created_at": u.CreatedAt,
	})
}

func (a *App) apiPreview(c *gin.Context) {
	var in struct {
		Body string `json:"body"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	if utf8.RuneCountInString(in.Body) > forum.MaxBodyLen {
		a.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"body": "Body is too long to preview."}})
		return
	}
	html, err := a.md.Render(in.Body)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"html": html})
}
