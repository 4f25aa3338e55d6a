package kbweb

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/kb"
)

// formView is the propose and edit form: what the article says (as drafted
// or as typed), where it came from and whom it credits.
type formView struct {
	Editing   bool
	Article   kb.Article // when editing
	ThreadIDs []int64    // when proposing
	BoardID   int64
	Title     string
	Body      string
	Tags      string
	ReviewBy  string // editors: the next review date
	Boards    []forum.Board
	Sources   []kb.Source
	Credits   []kb.Credit
	Errors    map[string]string
	Preview   string
	CanReview bool
}

// threadIDs reads the threads to draft from: thread=ID, repeated, and the
// "also" field, where a proposer lists more threads by id or address.
func threadIDs(c *gin.Context, values []string) []int64 {
	var ids []int64
	add := func(s string) {
		s = strings.TrimSpace(s)
		if i := strings.Index(s, "/t/"); i >= 0 {
			s = strings.SplitN(s[i+3:], "/", 2)[0]
		}
		if n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64); err == nil && n > 0 {
			ids = append(ids, n)
		}
	}
	for _, v := range values {
		add(v)
	}
	for _, f := range strings.FieldsFunc(c.PostForm("also"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		add(f)
	}
	return ids
}

func (h *Handlers) proposePage(c *gin.Context) {
	ctx := c.Request.Context()
	p, err := h.kb.Draft(ctx, web.ActorOf(c), threadIDs(c, c.QueryArray("thread")))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v := formView{ThreadIDs: p.ThreadIDs, BoardID: p.BoardID, Title: p.Title, Body: p.Body, Sources: p.Sources, Credits: p.Credits}
	h.renderForm(c, http.StatusOK, v)
}

func (h *Handlers) propose(c *gin.Context) {
	ctx := c.Request.Context()
	actor := web.ActorOf(c)
	ids := threadIDs(c, c.PostFormArray("thread"))
	board, _ := strconv.ParseInt(c.PostForm("board_id"), 10, 64)
	na := kb.NewArticle{ThreadIDs: ids, BoardID: board, Title: c.PostForm("title"), Body: c.PostForm("body"), Tags: c.PostForm("tags")}
	v := formView{ThreadIDs: ids, BoardID: board, Title: na.Title, Body: na.Body, Tags: na.Tags}
	if p, err := h.kb.Draft(ctx, actor, ids); err == nil {
		v.Sources, v.Credits, v.ThreadIDs = p.Sources, p.Credits, p.ThreadIDs
	}
	if c.PostForm("preview") != "" {
		h.preview(c, v)
		return
	}
	a, err := h.kb.Propose(ctx, actor, na)
	if h.refusedForm(c, v, err) {
		return
	}
	c.Redirect(http.StatusSeeOther, a.URL()+"?done=proposed")
}

func (h *Handlers) editPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	a, err := h.kb.ForEditing(c.Request.Context(), web.ActorOf(c), id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.renderForm(c, http.StatusOK, formView{Editing: true, Article: a, BoardID: a.BoardID, Title: a.Title, Body: a.BodyMD,
		Tags: strings.Join(a.Tags, " "), ReviewBy: a.ReviewBy.Format(time.DateOnly), Sources: a.Sources, Credits: a.Credits})
}

func (h *Handlers) edit(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	a, err := h.kb.ForEditing(ctx, web.ActorOf(c), id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	board, _ := strconv.ParseInt(c.PostForm("board_id"), 10, 64)
	ch := kb.Change{BoardID: board, Title: c.PostForm("title"), Body: c.PostForm("body"), Tags: c.PostForm("tags")}
	v := formView{Editing: true, Article: a, BoardID: board, Title: ch.Title, Body: ch.Body, Tags: ch.Tags,
		ReviewBy: c.PostForm("review_by"), Sources: a.Sources, Credits: a.Credits}
	if c.PostForm("preview") != "" {
		h.preview(c, v)
		return
	}
	if s := strings.TrimSpace(v.ReviewBy); s != "" && s != a.ReviewBy.Format(time.DateOnly) {
		if ch.ReviewBy, err = parseDate(ctx, s); h.refusedForm(c, v, err) {
			return
		}
	}
	a, err = h.kb.Edit(ctx, web.ActorOf(c), id, ch)
	if h.refusedForm(c, v, err) {
		return
	}
	c.Redirect(http.StatusSeeOther, a.URL()+"?done=edited")
}

// preview shows the form again with the body as it will read.
func (h *Handlers) preview(c *gin.Context, v formView) {
	html, err := h.kb.Render(c.Request.Context(), v.Body)
	if h.refusedForm(c, v, err) {
		return
	}
	v.Preview = html
	h.renderForm(c, http.StatusOK, v)
}

// refusedForm shows the form again, as typed, with what was wrong (422), or
// for any other error the error page; it reports whether it answered.
func (h *Handlers) refusedForm(c *gin.Context, v formView, err error) bool {
	if err == nil {
		return false
	}
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		h.renderForm(c, http.StatusUnprocessableEntity, v)
		return true
	}
	h.site.Fail(c, err)
	return true
}

func (h *Handlers) renderForm(c *gin.Context, code int, v formView) {
	boards, err := h.forum.Boards(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v.Boards = boards
	v.CanReview = h.site.Authz().Can(web.ActorOf(c), "article", "review")
	title := web.T(c, "kb.title_propose")
	if v.Editing {
		title = web.T(c, "kb.title_edit")
	}
	h.site.Render(c, code, "kb_form", title, v)
}

// parseDate reads a YYYY-MM-DD date (a date field's value) as UTC midnight.
func parseDate(ctx context.Context, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fault.Invalid("review_by", tr(ctx, "kb.bad_date"))
	}
	return t.UTC(), nil
}
