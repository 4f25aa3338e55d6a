package ssoweb

import (
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/sso"
)

// adminView is the brand's single sign-on settings page.
type adminView struct {
	Providers      []providerRow
	PasswordSignup bool
	CallbackBase   string     // Origin + "/sso/"; a provider's callback adds ID + "/callback"
	Notice         string     // which change was just made: added, saved, removed, signup
	New            sso.Config // what was typed into the add form (never the secret)
	EditID         int64      // the provider whose edit form failed
	Edit           sso.Config
	Errors         map[string]string
	Problem        string // a refusal about the page as a whole (the last way to join)
}

// NewErrors are the add form's field messages.
func (v adminView) NewErrors() map[string]string {
	if v.EditID != 0 {
		return nil
	}
	return v.Errors
}

type providerRow struct {
	sso.Provider
	Callback string
}

// notices are the changes whose message (ssoadm.done_<change>) the page
// shows after a redirect.
var notices = []string{"added", "saved", "removed", "signup"}

func (h *Handlers) adminPage(c *gin.Context) {
	v := adminView{}
	if done := c.Query("done"); slices.Contains(notices, done) {
		v.Notice = done
	}
	h.renderAdmin(c, http.StatusOK, v)
}

func (h *Handlers) renderAdmin(c *gin.Context, code int, v adminView) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	ps, err := h.sso.Providers(ctx, b.ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if v.PasswordSignup, err = h.sso.PasswordSignup(ctx, b.ID); err != nil {
		h.site.Fail(c, err)
		return
	}
	v.CallbackBase = h.site.Origin(c) + "/sso/"
	for _, p := range ps {
		v.Providers = append(v.Providers, providerRow{Provider: p, Callback: h.redirectURL(c, p.ID)})
	}
	h.site.Render(c, code, "sso_admin", web.T(c, "title.sso"), v)
}

func configForm(c *gin.Context) sso.Config {
	return sso.Config{Label: c.PostForm("label"), Issuer: c.PostForm("issuer"), ClientID: c.PostForm("client_id"),
		ClientSecret: c.PostForm("client_secret"), UsernameClaim: c.PostForm("username_claim"), EmailClaim: c.PostForm("email_claim"),
		TrustEmail: c.PostForm("trust_email") == "on"}
}

// refused shows the page again with the field messages, or answers err.
func (h *Handlers) refused(c *gin.Context, err error, v adminView) {
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		v.New.ClientSecret, v.Edit.ClientSecret = "", ""
		h.renderAdmin(c, http.StatusUnprocessableEntity, v)
		return
	}
	if errors.Is(err, fault.ErrConflict) {
		_, _, msg := web.StatusIn(web.LocalizerOf(c), err)
		v.Problem = msg
		h.renderAdmin(c, http.StatusConflict, v)
		return
	}
	h.site.Fail(c, err)
}

func (h *Handlers) addProvider(c *gin.Context) {
	cfg := configForm(c)
	p, err := h.sso.Add(c.Request.Context(), web.ActorOf(c), cfg)
	if err != nil {
		h.refused(c, err, adminView{New: cfg})
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/sso?done=added#provider-"+web.Itoa(p.ID))
}

func (h *Handlers) editProvider(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	cfg := configForm(c)
	if _, err := h.sso.Update(c.Request.Context(), web.ActorOf(c), id, cfg); err != nil {
		h.refused(c, err, adminView{EditID: id, Edit: cfg})
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/sso?done=saved#provider-"+web.Itoa(id))
}

func (h *Handlers) removeProvider(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if err := h.sso.Remove(c.Request.Context(), web.ActorOf(c), id); err != nil {
		h.refused(c, err, adminView{})
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/sso?done=removed")
}

func (h *Handlers) setPasswordSignup(c *gin.Context) {
	on := c.PostForm("password_signup") == "on"
	if err := h.sso.SetPasswordSignup(c.Request.Context(), web.ActorOf(c), on); err != nil {
		h.refused(c, err, adminView{})
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/sso?done=signup")
}
