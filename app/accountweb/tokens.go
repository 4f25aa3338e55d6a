package accountweb

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
	"mutual/i18n"
)

// tokenRoutes registers a member's API tokens: the settings page and the
// API. Each member sees and revokes only their own; another member's token
// is not found.
func (h *Handlers) tokenRoutes(b, api *gin.RouterGroup) {
	need := h.site.Need("token", "manage")
	b.GET("/settings/tokens", need, h.tokensPage)
	b.POST("/settings/tokens", need, h.createTokenPage)
	b.POST("/settings/tokens/:id/revoke", need, h.revokeTokenPage)
	api.GET("/tokens", need, h.apiTokens)
	api.POST("/tokens", need, h.apiCreateToken)
	api.DELETE("/tokens/:id", need, h.apiRevokeToken)
}

// expiryChoices are the settings page's expiry choices (Label is a
// message); the API and the
// command line take any account.ParseExpiry form.
var expiryChoices = []struct{ Value, Label string }{
	{"7d", "tk.d7"}, {"30d", "tk.d30"}, {"90d", "tk.d90"}, {"365d", "tk.d365"}, {"never", "tk.dnever"},
}

type tokensView struct {
	Tokens        []account.Token
	Created       *account.Token // the token just made, shown with Secret once
	Secret        string
	Name, Expires string // what was typed
	Choices       []struct{ Value, Label string }
	Errors        map[string]string
}

func (h *Handlers) tokensPage(c *gin.Context) {
	h.renderTokens(c, http.StatusOK, tokensView{Expires: "90d"})
}

func (h *Handlers) renderTokens(c *gin.Context, code int, v tokensView) {
	act := web.ActorOf(c)
	toks, err := h.members.Tokens(c.Request.Context(), act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v.Tokens, v.Choices = toks, expiryChoices
	h.site.Render(c, code, "settings_tokens", web.T(c, "title.api_tokens"), v)
}

// createTokenPage makes a token and shows it on the page it answers with:
// the token is never put in a cookie or a URL, so it is shown this once.
func (h *Handlers) createTokenPage(c *gin.Context) {
	act := web.ActorOf(c)
	v := tokensView{Name: c.PostForm("name"), Expires: c.PostForm("expires")}
	if on := c.PostForm("expires_on"); on != "" {
		v.Expires = on
	}
	t, secret, err := h.members.IssueToken(c.Request.Context(), act.BrandID, act.UserID, account.NewToken{Name: v.Name, Expires: v.Expires})
	var ve *fault.ValidationError
	switch {
	case errors.As(err, &ve):
		v.Errors = ve.Fields
		h.renderTokens(c, http.StatusUnprocessableEntity, v)
		return
	case errors.Is(err, fault.ErrConflict):
		_, _, msg := web.StatusIn(web.LocalizerOf(c), err)
		v.Errors = map[string]string{"name": msg}
		h.renderTokens(c, http.StatusConflict, v)
		return
	case err != nil:
		h.site.Fail(c, err)
		return
	}
	h.renderTokens(c, http.StatusOK, tokensView{Created: &t, Secret: secret, Expires: "90d"})
}

func (h *Handlers) revokeTokenPage(c *gin.Context) {
	if h.revoke(c) {
		h.site.Flash(c, "tk-revoked")
		c.Redirect(http.StatusSeeOther, "/settings/tokens")
	}
}

// revoke revokes the actor's token named by :id; on failure it has answered.
func (h *Handlers) revoke(c *gin.Context) bool {
	act := web.ActorOf(c)
	id, err := web.IDParam(c, "id")
	if err == nil {
		err = h.members.RevokeToken(c.Request.Context(), act.BrandID, act.UserID, id)
	}
	if err != nil {
		h.site.Fail(c, err)
		return false
	}
	return true
}

// TokenJSON is an API token in the API: never the token itself, except as
// "token" in the answer that made it.
type TokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	Expired    bool       `json:"expired"`
	Token      string     `json:"token,omitempty"`
}

func tokenJSON(t account.Token) TokenJSON {
	return TokenJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: web.OptTime(t.LastUsedAt),
		ExpiresAt: web.OptTime(t.ExpiresAt), Expired: t.Expired}
}

func (h *Handlers) apiTokens(c *gin.Context) {
	act := web.ActorOf(c)
	toks, err := h.members.Tokens(c.Request.Context(), act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	out := web.List[TokenJSON]{Items: make([]TokenJSON, 0, len(toks))}
	for _, t := range toks {
		out.Items = append(out.Items, tokenJSON(t))
	}
	c.JSON(http.StatusOK, out)
}

// errTokenFromToken refuses making a token with a token: a leaked token
// could otherwise mint others and outlive its own revocation.
var errTokenFromToken = &fault.Error{Kind: fault.ErrForbidden, ID: "nfx.token_from_token", Msg: i18n.T(context.Background(), "nfx.token_from_token")}

func (h *Handlers) apiCreateToken(c *gin.Context) {
	if web.IsBearer(c) {
		h.site.Fail(c, errTokenFromToken)
		return
	}
	var in struct {
		Name    string `json:"name"`
		Expires string `json:"expires"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	act := web.ActorOf(c)
	t, secret, err := h.members.IssueToken(c.Request.Context(), act.BrandID, act.UserID, account.NewToken{Name: in.Name, Expires: in.Expires})
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	out := tokenJSON(t)
	out.Token = secret
	c.JSON(http.StatusCreated, out)
}

func (h *Handlers) apiRevokeToken(c *gin.Context) {
	if h.revoke(c) {
		c.Status(http.StatusNoContent)
	}
}
