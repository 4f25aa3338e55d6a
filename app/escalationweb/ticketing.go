package escalationweb

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/escalation"
	"mutual/fault"
)

// maxCallbackBody bounds what a ticketing callback may send.
const maxCallbackBody = 64 << 10

// ticketingCallback receives a signed callback from the brand's ticketing
// system (docs/ticketing.md). Nobody signs in: the signature is the
// credential, so the route asks casbin nothing.
func (h *Handlers) ticketingCallback(c *gin.Context) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxCallbackBody+1))
	if err != nil || len(body) > maxCallbackBody {
		h.site.Fail(c, &fault.Error{Kind: fault.ErrBadRequest, Msg: web.T(c, "loop.body_too_big", "N", maxCallbackBody)})
		return
	}
	r := escalation.Signed{Scheme: escalation.SchemeMutual, Timestamp: c.GetHeader("X-Mutual-Timestamp"),
		Signature: c.GetHeader("X-Mutual-Signature"), Body: body}
	if r.Signature == "" && c.GetHeader("X-Zendesk-Webhook-Signature") != "" {
		r = escalation.Signed{Scheme: escalation.SchemeZendesk, Timestamp: c.GetHeader("X-Zendesk-Webhook-Signature-Timestamp"),
			Signature: c.GetHeader("X-Zendesk-Webhook-Signature"), Body: body}
	}
	out, err := h.ticketing.Receive(c.Request.Context(), web.BrandOf(c).ID, r)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"escalation": out.Escalation.JSON(h.now()), "post_id": out.PostID, "duplicate": out.Duplicate})
}

// ticketingView is the administrator's page for the callback: its address,
// whether a secret is set, and the secret itself once, right after it is made.
type ticketingView struct {
	Settings    escalation.TicketingSettings
	CallbackURL string
	Secret      string // shown once
	Author      string
	Errors      map[string]string
	Agents      []escalation.Agent
}

func (h *Handlers) ticketingPage(c *gin.Context) {
	h.renderTicketing(c, http.StatusOK, ticketingView{})
}

func (h *Handlers) renderTicketing(c *gin.Context, code int, v ticketingView) {
	ctx, brand := c.Request.Context(), web.BrandOf(c)
	st, err := h.escalations.TicketingSettings(ctx, brand.ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if v.Agents, err = h.escalations.Agents(ctx, brand.ID); err != nil {
		h.site.Fail(c, err)
		return
	}
	v.Settings = st
	if v.Author == "" {
		v.Author = st.AuthorName
	}
	v.CallbackURL = h.site.Origin(c) + "/api/v1/ticketing/callback"
	h.site.Render(c, code, "escalation_ticketing", web.T(c, "loop.ticketing_title"), v)
}

// ticketingForm sets the secret (generated, or pasted from the ticketing
// system) and the staff account answers are posted under.
func (h *Handlers) ticketingForm(c *gin.Context) {
	secret := ""
	if c.PostForm("op") == "paste" {
		secret = c.PostForm("secret")
		if secret == "" {
			secret = " " // pasting nothing is a mistake, not a request to generate
		}
	}
	author := c.PostForm("author")
	made, err := h.escalations.SetTicketing(c.Request.Context(), web.ActorOf(c), author, secret)
	var ve *fault.ValidationError
	switch {
	case errors.As(err, &ve):
		h.renderTicketing(c, http.StatusUnprocessableEntity, ticketingView{Author: author, Errors: ve.Fields})
	case err != nil:
		h.site.Fail(c, err)
	case c.PostForm("op") == "paste":
		h.renderTicketing(c, http.StatusOK, ticketingView{Author: author})
	default:
		c.Header("Cache-Control", "no-store")
		h.renderTicketing(c, http.StatusOK, ticketingView{Author: author, Secret: made})
	}
}
