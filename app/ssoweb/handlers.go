// Package ssoweb serves single sign-on: the provider buttons' start and
// callback, the page where a member confirms their password to connect a
// provider to their existing account, and the admin page that configures
// the brand's providers and whether people may still join with a password.
package ssoweb

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"mutual/app/web"
	"mutual/fault"
	"mutual/ratelimit"
	"mutual/sso"
)

// Handlers are the single sign-on pages.
type Handlers struct {
	site   *web.Site
	limits *web.Limits
	sso    *sso.Service
	starts *ratelimit.Keyed // sign-ins started per address

	// SignIn starts a session for a member (the account capability's), and
	// answers the error itself when it returns false.
	SignIn func(c *gin.Context, userID int64) bool
	// Joined, when set, runs for a member made by a sign-in whose address
	// the provider did not verify (notifications mail a confirmation link).
	Joined func(c *gin.Context, userID int64)
}

// New builds the single sign-on handlers.
func New(site *web.Site, limits *web.Limits, svc *sso.Service) *Handlers {
	// Generous: a whole office behind one address signs in each morning.
	return &Handlers{site: site, limits: limits, sso: svc, starts: ratelimit.NewKeyed(rate.Every(time.Second), 120)}
}

// Routes registers the sign-in flow and the admin page.
func (h *Handlers) Routes(b *gin.RouterGroup) {
	b.GET("/sso/:id/start", h.site.Need("session", "create"), h.site.Throttle(h.starts, web.ClientIP), h.start)
	b.GET("/sso/:id/callback", h.site.Need("session", "create"), h.callback)
	b.GET("/sso/link", h.site.Need("session", "create"), h.linkForm)
	b.POST("/sso/link", h.site.Need("session", "create"), h.site.ThrottleWindow(h.limits.LoginAddr, web.ClientIP), h.link)

	b.GET("/admin/sso", h.site.Need("brand", "manage"), h.adminPage)
	b.POST("/admin/sso/providers", h.site.Need("brand", "manage"), h.addProvider)
	b.POST("/admin/sso/providers/:id", h.site.Need("brand", "manage"), h.editProvider)
	b.POST("/admin/sso/providers/:id/remove", h.site.Need("brand", "manage"), h.removeProvider)
	b.POST("/admin/sso/password-signup", h.site.Need("brand", "manage"), h.setPasswordSignup)
}

// Button is one provider's sign-in button.
type Button struct{ Label, URL string }

// Buttons are the brand's sign-in buttons, each returning to next, and
// whether password sign-up is off (members then sign in only through them).
func (h *Handlers) Buttons(ctx context.Context, brandID int64, next string) ([]Button, bool, error) {
	ps, err := h.sso.Providers(ctx, brandID)
	if err != nil {
		return nil, false, err
	}
	open, err := h.sso.PasswordSignup(ctx, brandID)
	if err != nil {
		return nil, false, err
	}
	out := make([]Button, 0, len(ps))
	for _, p := range ps {
		out = append(out, Button{Label: p.Label, URL: startURL(p.ID, next)})
	}
	return out, !open, nil
}

func startURL(id int64, next string) string {
	u := "/sso/" + web.Itoa(id) + "/start"
	if next != "" && next != "/" {
		u += "?next=" + urlQueryEscape(next)
	}
	return u
}

// failedView is the page for a sign-in that did not work.
type failedView struct {
	Heading, Message string
	Retry            string // the button's start URL, when trying again may help
}

// failed shows why a sign-in did not work, with a way to try again. A
// provider that cannot be reached is a 502: the fault is upstream.
func (h *Handlers) failed(c *gin.Context, err error, providerID int64) {
	code, _, msg := web.StatusIn(web.LocalizerOf(c), err)
	var fe *fault.Error
	if errors.Is(err, sso.ErrUnavailable) && errors.As(err, &fe) {
		code, msg = http.StatusBadGateway, fe.Msg
	}
	if code >= 500 && code != http.StatusBadGateway {
		h.site.Fail(c, err)
		return
	}
	// The provider's failure is for the admin to see; a person's refusal
	// (it may name their address) stays on their page.
	if code == http.StatusBadGateway {
		h.site.Log().Warn("sso provider unavailable", "request_id", web.RequestID(c), "provider", providerID, "why", msg)
	}
	v := failedView{Heading: web.T(c, "pv.sso_failed"), Message: msg}
	switch {
	case code == http.StatusBadGateway:
		v.Heading = web.T(c, "pv.sso_down")
	case errors.Is(err, fault.ErrNotFound):
		v.Heading = web.T(c, "pv.sso_none")
		providerID = 0
	}
	if providerID > 0 {
		v.Retry = startURL(providerID, "")
	}
	h.site.Render(c, code, "sso_failed", v.Heading, v)
}
