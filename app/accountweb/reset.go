package accountweb

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
)

// resetRoutes registers the forgot-password pages. Asking for a link is
// limited per address across instances (the limit per account is the
// domain's, silent, so it says nothing of which accounts exist); opening
// and using links is limited per address too.
func (h *Handlers) resetRoutes(b *gin.RouterGroup) {
	need, link := h.site.Need("password", "reset"), h.site.Throttle(h.limits.ResetLink, web.ClientIP)
	b.GET("/password/forgot", need, h.forgotForm)
	b.POST("/password/forgot", need, h.site.ThrottleWindow(h.limits.ResetAddr, web.ClientIP), h.forgot)
	h.site.SecretPath(resetRoute) // the token opens the account for an hour: keep it out of logs
	b.GET(resetRoute, need, link, h.resetForm)
	b.POST(resetRoute, need, link, h.reset)
}

const resetRoute = "/password/reset/:token"

type forgotView struct {
	Login   string
	Sent    bool // the answer, the same whether or not the account exists
	MailOff bool // the community sends no email, so no link can reach anyone
	// SSO: when its PasswordOff is set, members sign in only with its
	// Buttons and only administrators are sent a link.
	SSO    Federation
	Errors map[string]string
}

func (h *Handlers) forgotForm(c *gin.Context) {
	f, ok := h.federation(c, "/")
	if !ok {
		return
	}
	h.site.Render(c, http.StatusOK, "password_forgot", web.T(c, "title.reset_password"), forgotView{MailOff: h.ResetMail == nil, SSO: f})
}

// forgot asks for a link. The answer is the same page whether or not the
// login names an account, and so is the work behind it (RequestReset); the
// mail goes later, from the outbox. MayReset decides who has a use for a
// password; when the brand signs members in only through its providers,
// the page tells everyone that those members have none to reset.
func (h *Handlers) forgot(c *gin.Context) {
	v := forgotView{Login: c.PostForm("login"), MailOff: h.ResetMail == nil}
	var ok bool
	if v.SSO, ok = h.federation(c, "/"); !ok {
		return
	}
	login := strings.TrimSpace(v.Login)
	switch {
	case v.MailOff:
		h.site.Render(c, http.StatusOK, "password_forgot", web.T(c, "title.reset_password"), v)
		return
	case login == "" || utf8.RuneCountInString(login) > 254:
		v.Errors = map[string]string{"login": web.T(c, "aw.enter_login")}
		h.site.Render(c, http.StatusUnprocessableEntity, "password_forgot", web.T(c, "title.reset_password"), v)
		return
	}
	if err := h.members.RequestResetIf(c.Request.Context(), web.BrandOf(c).ID, login, h.ResetMail, h.MayReset); err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "password_forgot", web.T(c, "title.check_email"), forgotView{Sent: true, SSO: v.SSO})
}

type resetView struct {
	Token, Username string
	Invalid         string // why the link does not work; the page offers a new one
	Errors          map[string]string
}

func (h *Handlers) resetForm(c *gin.Context) {
	tok := c.Param("token")
	u, err := h.members.ResetLink(c.Request.Context(), web.BrandOf(c).ID, tok)
	if h.badLink(c, err) {
		return
	}
	h.site.Render(c, http.StatusOK, "password_reset", web.T(c, "title.new_password"), resetView{Token: tok, Username: u.Username})
}

func (h *Handlers) reset(c *gin.Context) {
	ctx, b, tok := c.Request.Context(), web.BrandOf(c), c.Param("token")
	u, err := h.members.ResetLink(ctx, b.ID, tok)
	if h.badLink(c, err) {
		return
	}
	v := resetView{Token: tok, Username: u.Username}
	pw := c.PostForm("password")
	if pw != c.PostForm("confirm") {
		v.Errors = map[string]string{"confirm": web.T(c, "aw.passwords_differ")}
		h.site.Render(c, http.StatusUnprocessableEntity, "password_reset", web.T(c, "title.new_password"), v)
		return
	}
	_, err = h.members.ResetPassword(ctx, b.ID, tok, pw)
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		h.site.Render(c, http.StatusUnprocessableEntity, "password_reset", web.T(c, "title.new_password"), v)
		return
	}
	if h.badLink(c, err) {
		return
	}
	// Every session of the account has ended, this browser's too if it
	// had one: the member signs in with the new password.
	h.site.Flash(c, "pw-reset")
	c.Redirect(http.StatusSeeOther, "/login")
}

// badLink answers a reset link that does not work with a page that says why
// and offers a new one; other errors go to Site.Fail. It reports whether it
// answered.
func (h *Handlers) badLink(c *gin.Context, err error) bool {
	if err == nil {
		return false
	}
	var fe *fault.Error
	if errors.As(err, &fe) && (errors.Is(err, fault.ErrNotFound) || errors.Is(err, fault.ErrConflict)) {
		code, _, msg := web.StatusIn(web.LocalizerOf(c), err)
		h.site.Render(c, code, "password_reset", web.T(c, "title.link_broken"), resetView{Invalid: msg})
		return true
	}
	h.site.Fail(c, err)
	return true
}
