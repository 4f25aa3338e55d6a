// Package accountweb serves joining, signing in and signing out: the forms,
// the browser session cookie, and the sign-in limits per address and per
// account; resetting a forgotten password (reset.go); and a member's API
// tokens, as pages and API (tokens.go).
package accountweb

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
)

// Handlers are the account pages.
type Handlers struct {
	site    *web.Site
	limits  *web.Limits
	members *account.Members

	// Joined, when set, runs once a new member's account exists, before
	// their first session starts (the notifications capability mails the
	// address confirmation link).
	Joined func(c *gin.Context, userID int64)
	// ResetMail, when set, queues a password reset mail (the
	// notifications outbox); without it the community sends no email and
	// the forgot-password page says so.
	ResetMail account.QueueMail
	// MayReset, when set, decides who is mailed a reset link: single
	// sign-on's rule, where members who sign in with a provider have no
	// password to reset (sso.NeedsPassword).
	MayReset account.ResetPolicy

	// SSO, when set, gives the sign-in and join pages the brand's single
	// sign-on: its buttons (each returning to next), and whether password
	// sign-up is off.
	SSO func(ctx context.Context, brandID int64, next string) (Federation, error)
}

// Federation is how else a brand signs members in.
type Federation struct {
	Buttons []FederatedButton
	// PasswordOff: people join only through Buttons, and only admins sign
	// in with a password (a break-glass way in if a provider fails).
	PasswordOff bool
}

// FederatedButton is one provider's sign-in button.
type FederatedButton struct{ Label, URL string }

// federation is the brand's single sign-on, or none; on failure it has
// answered the error and returns false.
func (h *Handlers) federation(c *gin.Context, next string) (Federation, bool) {
	if h.SSO == nil {
		return Federation{}, true
	}
	f, err := h.SSO(c.Request.Context(), web.BrandOf(c).ID, next)
	if err != nil {
		h.site.Fail(c, err)
		return Federation{}, false
	}
	return f, true
}

// New builds the account handlers.
func New(site *web.Site, limits *web.Limits, members *account.Members) *Handlers {
	return &Handlers{site: site, limits: limits, members: members}
}

// Routes registers the account pages and API.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	b.GET("/signup", h.site.Need("account", "create"), h.signupForm)
	b.POST("/signup", h.site.Need("account", "create"), h.site.Throttle(h.limits.SignupAddr, web.ClientIP), h.signup)
	b.GET("/login", h.site.Need("session", "create"), h.loginForm)
	b.POST("/login", h.site.Need("session", "create"), h.site.ThrottleWindow(h.limits.LoginAddr, web.ClientIP), h.login)
	b.POST("/logout", h.logout)
	h.resetRoutes(b)
	h.tokenRoutes(b, api)
	h.languageRoutes(b)
}

type loginView struct {
	Login, Next string
	Errors      map[string]string
	SSO         Federation
	// Password shows the password form: always, unless password sign-up is
	// off and the visitor did not ask for the administrators' form.
	Password bool
}

func (h *Handlers) loginForm(c *gin.Context) {
	next := web.SafeNext(c.Query("next"))
	if web.ActorOf(c).SignedIn() {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	f, ok := h.federation(c, next)
	if !ok {
		return
	}
	h.site.Render(c, http.StatusOK, "login", web.T(c, "title.sign_in"), loginView{Next: next, SSO: f, Password: !f.PasswordOff || c.Query("password") != ""})
}

func (h *Handlers) login(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	v := loginView{Login: c.PostForm("login"), Next: web.SafeNext(c.PostForm("next")), Password: true}
	var ok bool
	if v.SSO, ok = h.federation(c, v.Next); !ok {
		return
	}
	key := strings.ToLower(strings.TrimSpace(v.Login))
	if len(key) > 100 {
		key = key[:100]
	}
	ok, wait, err := h.limits.LoginUser.Allow(ctx, key+"@"+web.Itoa(b.ID))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if !ok {
		h.site.TooMany(c, wait)
		return
	}
	u, err := h.members.Authenticate(ctx, b.ID, v.Login, c.PostForm("password"))
	if errors.Is(err, fault.ErrBadCredentials) {
		v.Errors = map[string]string{"login": web.T(c, "error.bad_credentials")}
		h.site.Render(c, http.StatusUnauthorized, "login", web.T(c, "title.sign_in"), v)
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if v.SSO.PasswordOff && !h.isAdmin(c, u.ID) {
		v.Errors = map[string]string{"login": web.T(c, "aw.password_admins_only")}
		h.site.Render(c, http.StatusForbidden, "login", web.T(c, "title.sign_in"), v)
		return
	}
	h.startSession(c, u.ID)
	h.site.Flash(c, "signedin")
	c.Redirect(http.StatusSeeOther, v.Next)
}

// isAdmin reports whether the member holds the admin role in the brand.
func (h *Handlers) isAdmin(c *gin.Context, userID int64) bool {
	roles, err := h.members.RolesOf(c.Request.Context(), web.BrandOf(c).ID, userID)
	return err == nil && slices.Contains(roles, "admin")
}

// SignIn starts a session for a member another capability vouched for
// (single sign-on), as a password sign-in does. On failure it has
// answered the error and returns false.
func (h *Handlers) SignIn(c *gin.Context, userID int64) bool { return h.startSession(c, userID) }

// startSession issues a fresh session id, revoking any the browser had.
func (h *Handlers) startSession(c *gin.Context, userID int64) bool {
	ctx := c.Request.Context()
	if old, ok := web.SessionOf(c); ok {
		_ = h.members.EndSession(ctx, old.Token)
	}
	s, err := h.members.StartSession(ctx, web.BrandOf(c).ID, userID)
	if err != nil {
		h.site.Fail(c, err)
		return false
	}
	h.site.SetCookie(c, h.site.SessionCookieName(c), s.Token, int(account.SessionTTL.Seconds()))
	return true
}

type signupView struct {
	Username, Email string
	Errors          map[string]string
	SSO             Federation
}

func (h *Handlers) signupForm(c *gin.Context) {
	f, ok := h.federation(c, "/")
	if !ok {
		return
	}
	h.site.Render(c, http.StatusOK, "signup", web.T(c, "title.join"), signupView{SSO: f})
}

func (h *Handlers) signup(c *gin.Context) {
	b := web.BrandOf(c)
	v := signupView{Username: c.PostForm("username"), Email: c.PostForm("email")}
	var ok bool
	if v.SSO, ok = h.federation(c, "/"); !ok {
		return
	}
	if v.SSO.PasswordOff {
		// The brand takes new members only through its sign-in providers.
		v.Errors = map[string]string{"signup": web.T(c, "aw.closed_signup")}
		h.site.Render(c, http.StatusForbidden, "signup", web.T(c, "title.join"), v)
		return
	}
	u, err := h.members.Create(c.Request.Context(), account.Signup{BrandID: b.ID, Username: v.Username, Email: v.Email, Password: c.PostForm("password")})
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		h.site.Render(c, http.StatusUnprocessableEntity, "signup", web.T(c, "title.join"), v)
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	// A new member reads, and is mailed, in the language they joined in.
	if err := h.members.SetLanguage(c.Request.Context(), b.ID, u.ID, web.LocalizerOf(c).Lang()); err != nil {
		h.site.Fail(c, err)
		return
	}
	if h.Joined != nil {
		h.Joined(c, u.ID)
	}
	if !h.startSession(c, u.ID) {
		return
	}
	h.site.Flash(c, "welcome")
	c.Redirect(http.StatusSeeOther, "/")
}

func (h *Handlers) logout(c *gin.Context) {
	if s, ok := web.SessionOf(c); ok {
		if err := h.members.EndSession(c.Request.Context(), s.Token); err != nil {
			h.site.Fail(c, err)
			return
		}
	}
	h.site.SetCookie(c, h.site.SessionCookieName(c), "", -1)
	h.site.Flash(c, "signedout")
	c.Redirect(http.StatusSeeOther, "/")
}
