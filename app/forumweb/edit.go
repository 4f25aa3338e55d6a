package forumweb

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
)

type editView struct {
	Post        forum.Post
	Thread      forum.Thread
	Title       string
	Body        string
	Errors      map[string]string
	PostingHint string // what new members may post, while it applies
}

func (h *Handlers) loadEdit(c *gin.Context) (editView, error) {
	ctx := c.Request.Context()
	actor := web.ActorOf(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return editView{}, err
	}
	p, err := h.forum.Post(ctx, actor.BrandID, id)
	if err != nil {
		return editView{}, err
	}
	if err := h.forum.CanEdit(ctx, actor, p); err != nil {
		return editView{}, err
	}
	t, err := h.forum.Thread(ctx, actor.BrandID, p.ThreadID)
	if err != nil {
		return editView{}, err
	}
	hint, err := h.rep.PostingHint(ctx, actor)
	if err != nil {
		return editView{}, err
	}
	return editView{Post: p, Thread: t, Title: t.Title, Body: p.BodyMD, PostingHint: hint}, nil
}

func (h *Handlers) editForm(c *gin.Context) {
	v, err := h.loadEdit(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "edit", "Edit", v)
}

func (h *Handlers) edit(c *gin.Context) {
	v, err := h.loadEdit(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v.Title, v.Body = c.PostForm("title"), c.PostForm("body")
	p, err := h.forum.Edit(c.Request.Context(), web.ActorOf(c), v.Post.ID, v.Title, v.Body)
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		h.site.Render(c, http.StatusUnprocessableEntity, "edit", "Edit", v)
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Thread(c.Request.Context(), p.BrandID, p.ThreadID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "edited")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"#p"+web.Itoa(p.ID))
}

func (h *Handlers) history(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	revs, err := h.forum.Revisions(ctx, b.ID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	p, err := h.forum.Post(ctx, b.ID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Thread(ctx, b.ID, p.ThreadID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	// Newest first, as people read history.
	for i, j := 0, len(revs)-1; i < j; i, j = i+1, j-1 {
		revs[i], revs[j] = revs[j], revs[i]
	}
	h.site.Render(c, http.StatusOK, "history", "Edit history", struct {
		Post      forum.Post
		Thread    forum.Thread
		Revisions []forum.Revision
	}{p, t, revs})
}
