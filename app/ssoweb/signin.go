package ssoweb

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/sso"
)

// The cookies that carry a sign-in's secrets between our pages and the
// provider's: HTTP-only, same-site lax (the provider's redirect back is a
// top-level GET, which carries them), gone once used.
const (
	flowCookie = "mutual_sso"
	linkCookie = "mutual_sso_link"
)

func (h *Handlers) cookieName(c *gin.Context, name string) string {
	if h.site.Secure(c) {
		return "__Host-" + name
	}
	return name
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// redirectURL is the callback the provider sends the browser back to; the
// admin registers it at the provider.
func (h *Handlers) redirectURL(c *gin.Context, id int64) string {
	return h.site.Origin(c) + "/sso/" + web.Itoa(id) + "/callback"
}

func (h *Handlers) start(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.failed(c, err, 0)
		return
	}
	next := web.SafeNext(c.Query("next"))
	if web.ActorOf(c).SignedIn() {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	st, err := h.sso.Begin(c.Request.Context(), web.BrandOf(c).ID, id, h.redirectURL(c, id), next)
	if err != nil {
		h.failed(c, err, id)
		return
	}
	h.site.SetCookie(c, h.cookieName(c, flowCookie), st.Secret, int(sso.StartTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, st.URL)
}

func (h *Handlers) callback(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.failed(c, err, 0)
		return
	}
	name := h.cookieName(c, flowCookie)
	secret, _ := c.Cookie(name)
	h.site.SetCookie(c, name, "", -1)
	out, err := h.sso.Finish(c.Request.Context(), sso.Callback{
		BrandID: web.BrandOf(c).ID, ProviderID: id, Secret: secret,
		State: c.Query("state"), Code: c.Query("code"), Error: c.Query("error"), Description: c.Query("error_description"),
		RedirectURL: h.redirectURL(c, id),
	})
	if err != nil {
		h.failed(c, err, id)
		return
	}
	if out.LinkSecret != "" {
		h.site.SetCookie(c, h.cookieName(c, linkCookie), out.LinkSecret, int(sso.LinkTTL.Seconds()))
		c.Redirect(http.StatusSeeOther, "/sso/link")
		return
	}
	if out.EmailToConfirm && h.Joined != nil {
		h.Joined(c, out.UserID)
	}
	if !h.SignIn(c, out.UserID) {
		return
	}
	flash := "signedin"
	if out.Joined {
		flash = "welcome"
	}
	h.site.Flash(c, flash)
	c.Redirect(http.StatusSeeOther, web.SafeNext(out.Next))
}

// linkView is the page where a member confirms their password to connect
// a provider's sign-in to their account.
type linkView struct {
	Provider, Username, Email string
	CSRF                      string // visitors' pages carry no token of their own
	Error                     string
}

func (h *Handlers) linkForm(c *gin.Context) {
	secret, _ := c.Cookie(h.cookieName(c, linkCookie))
	pl, err := h.sso.Link(c.Request.Context(), web.BrandOf(c).ID, secret)
	if err != nil {
		h.failed(c, err, 0)
		return
	}
	h.renderLink(c, http.StatusOK, pl, "")
}

func (h *Handlers) renderLink(c *gin.Context, code int, pl sso.PendingLink, msg string) {
	h.site.Render(c, code, "sso_link", web.T(c, "title.connect_account"), linkView{Provider: pl.Provider, Username: pl.Member.Username,
		Email: pl.Member.Email, CSRF: h.site.CSRFToken(c), Error: msg})
}

func (h *Handlers) link(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	name := h.cookieName(c, linkCookie)
	secret, _ := c.Cookie(name)
	if c.PostForm("action") == "cancel" {
		if err := h.sso.CancelLink(ctx, b.ID, secret); err != nil {
			h.site.Fail(c, err)
			return
		}
		h.site.SetCookie(c, name, "", -1)
		c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	pl, err := h.sso.Link(ctx, b.ID, secret)
	if err != nil {
		h.failed(c, err, 0)
		return
	}
	ok, wait, err := h.limits.LoginUser.Allow(ctx, strings.ToLower(pl.Member.Username)+"@"+web.Itoa(b.ID))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if !ok {
		h.site.TooMany(c, wait)
		return
	}
	_, err = h.sso.ConfirmLink(ctx, b.ID, secret, c.PostForm("password"))
	if errors.Is(err, fault.ErrBadCredentials) {
		h.renderLink(c, http.StatusUnauthorized, pl, web.T(c, "ssomsg.wrong_password", "Name", pl.Member.Username))
		return
	}
	if err != nil {
		h.failed(c, err, 0)
		return
	}
	h.site.SetCookie(c, name, "", -1)
	if !h.SignIn(c, pl.Member.ID) {
		return
	}
	h.site.Flash(c, "signedin")
	c.Redirect(http.StatusSeeOther, web.SafeNext(pl.Next))
}
