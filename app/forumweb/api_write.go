package forumweb

import (
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
)

func (h *Handlers) apiAsk(c *gin.Context) {
	var in struct {
		BoardID   int64  `json:"board_id"`
		Title     string `json:"title"`
		Body      string `json:"body"`
		ClientKey string `json:"client_key"`
		Language  string `json:"language"` // optional: detected from the title and body when not given
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	if k := c.GetHeader("Idempotency-Key"); k != "" && in.ClientKey == "" {
		in.ClientKey = k
	}
	t, err := h.forum.Ask(c.Request.Context(), web.ActorOf(c), forum.NewThread{BoardID: in.BoardID, Title: in.Title, Body: in.Body,
		ClientKey: in.ClientKey, Language: in.Language})
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	out, err := h.apiThreadBody(c, t.ID, forum.Cursor{})
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/threads/"+web.Itoa(t.ID))
	c.JSON(http.StatusCreated, out)
}

func (h *Handlers) apiReply(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var in struct {
		Body      string `json:"body"`
		ClientKey string `json:"client_key"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	if k := c.GetHeader("Idempotency-Key"); k != "" && in.ClientKey == "" {
		in.ClientKey = k
	}
	p, err := h.forum.Reply(c.Request.Context(), web.ActorOf(c), id, forum.NewReply{Body: in.Body, ClientKey: in.ClientKey})
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if p.Repeated {
		// The earlier reply, which may be accepted by now.
		h.apiPostOut(c, http.StatusCreated, p)
		return
	}
	rk, ok := h.site.Ladder(c)
	if !ok {
		return
	}
	c.JSON(http.StatusCreated, web.ToPostJSON(p, 0, rk)) // a new reply is never the accepted one yet
}

func (h *Handlers) apiEdit(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var in struct {
		Body  string `json:"body"`
		Title string `json:"title"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	p, err := h.forum.Edit(c.Request.Context(), web.ActorOf(c), id, in.Title, in.Body)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.apiPostOut(c, http.StatusOK, p)
}

// apiPostOut answers with a post as it stands in its thread, so "accepted"
// is true for the accepted answer (after an edit or kudos, say).
func (h *Handlers) apiPostOut(c *gin.Context, code int, p forum.Post) {
	accepted, err := h.forum.AcceptedOf(c.Request.Context(), p.BrandID, p.ThreadID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	rk, ok := h.site.Ladder(c)
	if !ok {
		return
	}
	c.JSON(code, web.ToPostJSON(p, accepted, rk))
}

func (h *Handlers) apiKudos(give bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := web.IDParam(c, "id")
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		var p forum.Post
		if give {
			p, err = h.forum.GiveKudos(c.Request.Context(), web.ActorOf(c), id)
		} else {
			p, err = h.forum.TakeKudos(c.Request.Context(), web.ActorOf(c), id)
		}
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		h.apiPostOut(c, http.StatusOK, p)
	}
}

func (h *Handlers) apiAccept(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var in struct {
		PostID int64 `json:"post_id"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	if in.PostID <= 0 {
		h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"post_id": web.T(c, "apimsg.post_id")}})
		return
	}
	t, err := h.forum.Accept(c.Request.Context(), web.ActorOf(c), id, in.PostID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.apiThreadOut(c, t)
}

func (h *Handlers) apiUnaccept(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Unaccept(c.Request.Context(), web.ActorOf(c), id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.apiThreadOut(c, t)
}

// apiThreadOut answers 200 with a thread, without its posts.
func (h *Handlers) apiThreadOut(c *gin.Context, t forum.Thread) {
	rk, ok := h.site.Ladder(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, web.ToThreadJSON(t, rk))
}

func (h *Handlers) apiPreview(c *gin.Context) {
	var in struct {
		Body string `json:"body"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	if utf8.RuneCountInString(in.Body) > forum.MaxBodyLen {
		h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"body": web.T(c, "aw.preview_too_long")}})
		return
	}
	html, err := h.md.Render(c.Request.Context(), in.Body)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"html": html})
}
