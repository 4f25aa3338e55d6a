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

// JSON shapes of the API. Times are RFC 3339 UTC; absent values are null.

type apiBoard struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Slug           string     `json:"slug"`
	Description    string     `json:"description"`
	ThreadCount    int64      `json:"thread_count"`
	PostCount      int64      `json:"post_count"`
	LastActivityAt *time.Time `json:"last_activity_at"`
	URL            string     `json:"url"`
}

type apiUser struct {
	ID         int64  `json:"id"`
	Username   string `json:"username"`
	Reputation *int64 `json:"reputation,omitempty"`
	Rank       string `json:"rank,omitempty"` // with reputation: authors of threads and posts
}

// apiAuthor is a thread's or post's author: their reputation and, from the
// brand's ladder, their rank.
func apiAuthor(id int64, name string, rep int64, rk reputation.Ladder) apiUser {
	return apiUser{ID: id, Username: name, Reputation: &rep, Rank: rk.Name(rep)}
}

type apiThread struct {
	ID             int64      `json:"id"`
	BoardID        int64      `json:"board_id"`
	Title          string     `json:"title"`
	Slug           string     `json:"slug"`
	Author         apiUser    `json:"author"`
	CreatedAt      time.Time  `json:"created_at"`
	LastActivityAt time.Time  `json:"last_activity_at"`
	ReplyCount     int64      `json:"reply_count"`
	AcceptedPostID *int64     `json:"accepted_post_id"`
	Solved         bool       `json:"solved"`
	Answered       bool       `json:"answered"`
	URL            string     `json:"url"`
	Posts          []apiPost  `json:"posts,omitempty"`
	Next           *string    `json:"next,omitempty"`
	FirstReplyAt   *time.Time `json:"first_reply_at"`
	Status         string     `json:"status"`
	Locked         bool       `json:"locked"`
	Pinned         bool       `json:"pinned"`
	MergedInto     *int64     `json:"merged_into,omitempty"`
}

type apiPost struct {
	ID            int64      `json:"id"`
	ThreadID      int64      `json:"thread_id"`
	Author        apiUser    `json:"author"`
	IsQuestion    bool       `json:"is_question"`
	Body          string     `json:"body"`
	BodyHTML      string     `json:"body_html"`
	CreatedAt     time.Time  `json:"created_at"`
	EditedAt      *time.Time `json:"edited_at"`
	RevisionCount int        `json:"revision_count"`
	KudosCount    int64      `json:"kudos_count"`
	Accepted      bool       `json:"accepted"`
	Status        string     `json:"status"`
	IsStaff       bool       `json:"is_staff"`
}

type apiList[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func optCursor(c forum.Cursor) *string {
	if s := c.String(); s != "" {
		return &s
	}
	return nil
}

func toAPIBoard(b forum.Board) apiBoard {
	return apiBoard{ID: b.ID, Name: b.Name, Slug: b.Slug, Description: b.Description, ThreadCount: b.ThreadCount,
		PostCount: b.PostCount, LastActivityAt: optTime(b.LastActivityAt), URL: "/b/" + web.Itoa(b.ID) + "/" + b.Slug}
}

func toAPIThread(t forum.Thread, rk reputation.Ladder) apiThread {
	out := apiThread{ID: t.ID, BoardID: t.BoardID, Title: t.Title, Slug: t.Slug, Author: apiAuthor(t.AuthorID, t.AuthorName, t.AuthorReputation, rk),
		CreatedAt: t.CreatedAt, LastActivityAt: t.LastActivityAt, ReplyCount: t.ReplyCount, Solved: t.Solved(), Answered: t.Answered(),
		URL: web.ThreadURL(t), FirstReplyAt: optTime(t.FirstReplyAt), Status: t.Status, Locked: t.Locked(), Pinned: t.Pinned}
	if t.MergedInto != 0 {
		into := t.MergedInto
		out.MergedInto = &into
	}
	if t.AcceptedPostID != 0 {
		id := t.AcceptedPostID
		out.AcceptedPostID = &id
	}
	return out
}

// threadList is a page of threads as the API lists them.
func threadList(threads []forum.Thread, next forum.Cursor, rk reputation.Ladder) apiList[apiThread] {
	out := apiList[apiThread]{Items: make([]apiThread, 0, len(threads)), Next: optCursor(next)}
	for _, t := range threads {
		out.Items = append(out.Items, toAPIThread(t, rk))
	}
	return out
}

func toAPIPost(p forum.Post, acceptedID int64, rk reputation.Ladder) apiPost {
	return apiPost{ID: p.ID, ThreadID: p.ThreadID, Author: apiAuthor(p.AuthorID, p.AuthorName, p.AuthorReputation, rk),
		IsQuestion: p.IsQuestion, Body: p.BodyMD, BodyHTML: p.BodyHTML, CreatedAt: p.CreatedAt, EditedAt: optTime(p.EditedAt),
		RevisionCount: p.RevisionCount, KudosCount: p.KudosCount, Accepted: acceptedID != 0 && p.ID == acceptedID,
		Status: p.Status, IsStaff: p.IsStaff}
}

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
		out[i] = toAPIThread(t, rk)
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
		out[i] = toAPIPost(p, 0, rk)
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
	out := apiList[apiBoard]{Items: make([]apiBoard, 0, len(boards))}
	for _, b := range boards {
		out.Items = append(out.Items, toAPIBoard(b))
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
	c.JSON(http.StatusOK, threadList(threads, next, rk))
}

func (a *App) apiThreadBody(c *gin.Context, id int64, after forum.Cursor) (apiThread, error) {
	actor := web.ActorOf(c)
	pg, err := a.forum.PageAs(c.Request.Context(), actor, id, after)
	if err != nil {
		return apiThread{}, err
	}
	rk, err := a.rep.Ranks(c.Request.Context(), actor.BrandID)
	if err != nil {
		return apiThread{}, err
	}
	out := toAPIThread(pg.Thread, rk)
	if pg.Thread.MergedInto != 0 {
		return out, nil // merged: merged_into says where its posts went
	}
	out.Posts = make([]apiPost, 0, len(pg.Replies)+1)
	if after.ID == 0 {
		out.Posts = append(out.Posts, toAPIPost(pg.Question, pg.Thread.AcceptedPostID, rk))
	}
	for _, p := range pg.Replies {
		out.Posts = append(out.Posts, toAPIPost(p, pg.Thread.AcceptedPostID, rk))
	}
	out.Next = optCursor(pg.Next)
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
	c.JSON(http.StatusCreated, toAPIPost(p, 0, rk)) // a new reply is never the accepted one yet
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
	c.JSON(code, toAPIPost(p, accepted, rk))
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
		Revision  int       `json:"revision"`
		Editor    apiUser   `json:"editor"`
		Title     string    `json:"title,omitempty"`
		Body      string    `json:"body"`
		BodyHTML  string    `json:"body_html"`
		CreatedAt time.Time `json:"created_at"`
	}
	out := apiList[apiRev]{Items: make([]apiRev, 0, len(revs))}
	for _, r := range revs {
		out.Items = append(out.Items, apiRev{Revision: r.Revision, Editor: apiUser{ID: r.EditorID, Username: r.EditorName},
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
	c.JSON(http.StatusOK, toAPIThread(t, rk))
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
