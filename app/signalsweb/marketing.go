package signalsweb

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
)

type marketingView struct {
	OptIn bool
	Saved bool
}

// marketingPage shows the member's choice whether the brand's sales team
// may contact them about what they ask. It is off until they turn it on.
func (h *Handlers) marketingPage(c *gin.Context) {
	act := web.ActorOf(c)
	on, err := h.members.MarketingOptIn(c.Request.Context(), act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "settings_marketing", web.T(c, "signals.marketing_title"), marketingView{OptIn: on, Saved: c.Query("saved") == "1"})
}

// saveMarketing keeps the member's choice: the box ticked is consent,
// anything else is none.
func (h *Handlers) saveMarketing(c *gin.Context) {
	if err := h.members.SetMarketingOptIn(c.Request.Context(), web.ActorOf(c), c.PostForm("marketing") == "yes"); err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/settings/marketing?saved=1")
}
