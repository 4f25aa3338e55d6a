package forumweb

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
)

// relabel is the language form on a question's edit page (POST
// /t/{id}/language): it changes the language the thread is labelled with,
// for whoever may edit the question; a refused choice comes back on that
// page.
func (h *Handlers) relabel(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Relabel(ctx, web.ActorOf(c), id, c.PostForm("language"))
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		q, err := h.forum.Question(ctx, web.ActorOf(c).BrandID, id)
		var v editView
		if err == nil {
			v, err = h.loadEditOf(c, q)
		}
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		v.Errors = ve.Fields
		h.editPage(c, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "language")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}

// apiRelabel is PUT /api/v1/threads/{id}/language {"language": "es"}: the
// thread, as accepting answers with it.
func (h *Handlers) apiRelabel(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var in struct {
		Language string `json:"language"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Relabel(c.Request.Context(), web.ActorOf(c), id, in.Language)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.apiThreadOut(c, t)
}
