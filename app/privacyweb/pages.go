package privacyweb

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
	"mutual/privacy"
)

// ownView is the member's privacy page: what the archive holds, and the
// form that deletes the account (with what they typed, after a mistake).
type ownView struct {
	Username    string
	HasPassword bool
	Settings    privacy.Settings
	Confirm     string
	Errors      map[string]string
}

func (h *Handlers) ownPage(c *gin.Context) { h.ownRender(c, http.StatusOK, "", nil) }

func (h *Handlers) ownRender(c *gin.Context, code int, confirm string, errs map[string]string) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	u, err := h.privacy.Account(ctx, act)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	st, err := h.privacy.Settings(ctx, act.BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, code, "privacy_own", web.T(c, "title.your_data"), ownView{Username: u.Username, HasPassword: u.HasPassword,
		Settings: st, Confirm: confirm, Errors: errs})
}

func (h *Handlers) ownExport(c *gin.Context) {
	act := web.ActorOf(c)
	ar, err := h.privacy.ExportOwn(c.Request.Context(), act, web.BrandOf(c))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.download(c, ar, act.Username)
}

func (h *Handlers) deleteOwn(c *gin.Context) {
	confirm := c.PostForm("confirm_username")
	_, err := h.privacy.DeleteOwn(c.Request.Context(), web.ActorOf(c), confirm, c.PostForm("password"))
	if errs := formErrors(err, "confirm_username"); errs != nil {
		h.ownRender(c, http.StatusUnprocessableEntity, confirm, errs)
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	// The session went with the account; the cookie goes too.
	h.site.SetCookie(c, h.site.SessionCookieName(c), "", -1)
	h.site.Flash(c, "pv-deleted")
	c.Redirect(http.StatusSeeOther, "/")
}

// formErrors turns the errors a person can fix on the form (a field that
// does not match, a conflict such as being the only administrator) into
// the form's messages; nil for anything else.
func formErrors(err error, field string) map[string]string {
	var ve *fault.ValidationError
	var fe *fault.Error
	switch {
	case errors.As(err, &ve):
		return ve.Fields
	case errors.Is(err, fault.ErrConflict) && errors.As(err, &fe):
		return map[string]string{field: fe.Msg}
	}
	return nil
}

// adminView is the administrator's privacy page: the brand's policy and
// the search for a member.
type adminView struct {
	Settings    privacy.Settings
	Hold        string // the hold as typed, when it was not a number
	Member      string
	MemberError string
	Errors      map[string]string
}

func (h *Handlers) adminPage(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	if name := strings.TrimSpace(c.Query("member")); name != "" {
		_, err := h.privacy.Member(ctx, act.BrandID, name)
		if err == nil {
			c.Redirect(http.StatusSeeOther, "/admin/privacy/users/"+url.PathEscape(name))
			return
		}
		var fe *fault.Error
		if !errors.Is(err, fault.ErrNotFound) || !errors.As(err, &fe) {
			h.site.Fail(c, err)
			return
		}
		h.adminRender(c, http.StatusNotFound, adminView{Member: name, MemberError: fe.Msg})
		return
	}
	h.adminRender(c, http.StatusOK, adminView{})
}

func (h *Handlers) adminRender(c *gin.Context, code int, v adminView) {
	if v.Settings.ErasedPosts == "" {
		st, err := h.privacy.Settings(c.Request.Context(), web.ActorOf(c).BrandID)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		v.Settings = st
	}
	h.site.Render(c, code, "privacy_admin", web.T(c, "title.privacy"), v)
}

func (h *Handlers) adminSave(c *gin.Context) {
	st := privacy.Settings{ErasedPosts: privacy.PostsPolicy(c.PostForm("erased_posts"))}
	days, convErr := strconv.Atoi(strings.TrimSpace(c.PostForm("username_hold_days")))
	st.HoldDays = days
	var err error
	if convErr != nil {
		err = &fault.ValidationError{Fields: map[string]string{"username_hold_days": web.T(c, "pvmsg.hold_whole")}}
	} else {
		_, err = h.privacy.SetSettings(c.Request.Context(), web.ActorOf(c), st)
	}
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		h.adminRender(c, http.StatusUnprocessableEntity, adminView{Settings: st, Hold: c.PostForm("username_hold_days"), Errors: ve.Fields})
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "pv-saved")
	c.Redirect(http.StatusSeeOther, "/admin/privacy")
}

// memberView is an administrator's page about one member's data.
type memberView struct {
	User     account.User
	Self     bool
	Settings privacy.Settings
	Confirm  string
	Reason   string
	Errors   map[string]string
}

func (h *Handlers) memberPage(c *gin.Context) { h.memberRender(c, http.StatusOK, memberView{}) }

func (h *Handlers) memberRender(c *gin.Context, code int, v memberView) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	u, err := h.privacy.Member(ctx, act.BrandID, c.Param("username"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	st, err := h.privacy.Settings(ctx, act.BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v.User, v.Self, v.Settings = u, u.ID == act.UserID, st
	h.site.Render(c, code, "privacy_member", web.T(c, "title.data_rights", "Name", u.Username), v)
}

func (h *Handlers) memberExport(c *gin.Context) {
	ar, err := h.privacy.ExportMember(c.Request.Context(), web.ActorOf(c), web.BrandOf(c), c.Param("username"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.download(c, ar, ar.Account.Profile.Username)
}

func (h *Handlers) memberErase(c *gin.Context) {
	v := memberView{Confirm: c.PostForm("confirm_username"), Reason: c.PostForm("reason")}
	_, err := h.privacy.EraseMember(c.Request.Context(), web.ActorOf(c), c.Param("username"), v.Confirm, v.Reason)
	if v.Errors = formErrors(err, "confirm_username"); v.Errors != nil {
		h.memberRender(c, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "pv-erased")
	c.Redirect(http.StatusSeeOther, "/admin/privacy")
}
