package forumweb

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
)

func (h *Handlers) accept(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	postID, err := strconv.ParseInt(c.PostForm("post_id"), 10, 64)
	if err != nil || postID <= 0 {
		h.site.Refuse(c, web.Form{Page: "thread", At: id, Name: "accept"}, &fault.ValidationError{Fields: map[string]string{"post_id": web.T(c, "aw.choose_reply")}})
		return
	}
	t, err := h.forum.Accept(c.Request.Context(), web.ActorOf(c), id, postID)
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "thread", At: id, Name: "accept", ID: postID}, err)
		return
	}
	h.site.Flash(c, "accepted")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}

func (h *Handlers) unaccept(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Unaccept(c.Request.Context(), web.ActorOf(c), id)
	if err != nil {
		postID, _ := strconv.ParseInt(c.PostForm("post_id"), 10, 64)
		h.site.Refuse(c, web.Form{Page: "thread", At: id, Name: "accept", ID: postID}, err)
		return
	}
	h.site.Flash(c, "withdrawn")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}

func (h *Handlers) kudos(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var p forum.Post
	if c.PostForm("action") == "take" {
		p, err = h.forum.TakeKudos(c.Request.Context(), web.ActorOf(c), id)
	} else {
		p, err = h.forum.GiveKudos(c.Request.Context(), web.ActorOf(c), id)
		if errors.Is(err, fault.ErrConflict) { // given already (a double click): show the post
			p, err = h.forum.Post(c.Request.Context(), web.ActorOf(c).BrandID, id)
		}
	}
	if err != nil {
		h.refuseKudos(c, id, err)
		return
	}
	t, err := h.forum.Thread(c.Request.Context(), p.BrandID, p.ThreadID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"#p"+web.Itoa(p.ID))
}

// refuseKudos says why kudos were refused beside the post's kudos button.
func (h *Handlers) refuseKudos(c *gin.Context, postID int64, err error) {
	p, perr := h.forum.Post(c.Request.Context(), web.ActorOf(c).BrandID, postID)
	if perr != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Refuse(c, web.Form{Page: "thread", At: p.ThreadID, Name: "kudos", ID: postID}, err)
}
