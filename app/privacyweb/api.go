package privacyweb

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/privacy"
)

func (h *Handlers) ownExportAPI(c *gin.Context) {
	ar, err := h.privacy.ExportOwn(c.Request.Context(), web.ActorOf(c), web.BrandOf(c))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, ar)
}

func (h *Handlers) memberExportAPI(c *gin.Context) {
	ar, err := h.privacy.ExportMember(c.Request.Context(), web.ActorOf(c), web.BrandOf(c), c.Param("username"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, ar)
}

// erasureJSON is what an erasure did, as the API says it.
type erasureJSON struct {
	Erased            bool       `json:"erased"`
	Posts             int64      `json:"posts"`
	PostsPolicy       string     `json:"posts_policy"`
	UsernameHeldUntil *time.Time `json:"username_held_until"`
}

func toErasureJSON(e privacy.Erasure) erasureJSON {
	return erasureJSON{Erased: true, Posts: e.Posts, PostsPolicy: string(e.Policy), UsernameHeldUntil: web.OptTime(e.HeldUntil)}
}

func (h *Handlers) deleteOwnAPI(c *gin.Context) {
	var in struct {
		Confirm  string `json:"confirm_username"`
		Password string `json:"password"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	e, err := h.privacy.DeleteOwn(c.Request.Context(), web.ActorOf(c), in.Confirm, in.Password)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if _, ok := web.SessionOf(c); ok {
		h.site.SetCookie(c, h.site.SessionCookieName(c), "", -1)
	}
	c.JSON(http.StatusOK, toErasureJSON(e))
}

func (h *Handlers) memberEraseAPI(c *gin.Context) {
	var in struct {
		Confirm string `json:"confirm_username"`
		Reason  string `json:"reason"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	e, err := h.privacy.EraseMember(c.Request.Context(), web.ActorOf(c), c.Param("username"), in.Confirm, in.Reason)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toErasureJSON(e))
}

func (h *Handlers) settingsAPI(c *gin.Context) {
	st, err := h.privacy.Settings(c.Request.Context(), web.ActorOf(c).BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *Handlers) settingsPutAPI(c *gin.Context) {
	var in privacy.Settings
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	st, err := h.privacy.SetSettings(c.Request.Context(), web.ActorOf(c), in)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}
