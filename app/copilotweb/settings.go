package copilotweb

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/copilot"
	"mutual/fault"
)

// settingsView is the brand's model settings page. The key is never shown:
// KeySet says one is saved.
type settingsView struct {
	Endpoint, Model string
	KeySet          bool
	Saved           bool
	Errors          map[string]string
}

func (h *Handlers) settingsPage(c *gin.Context) {
	set, err := h.copilot.Settings(c.Request.Context(), web.ActorOf(c).BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.renderSettings(c, http.StatusOK, settingsView{Endpoint: set.Endpoint, Model: set.Model, KeySet: set.APIKey != "", Saved: c.Query("done") == "saved"})
}

func (h *Handlers) renderSettings(c *gin.Context, code int, v settingsView) {
	h.site.Render(c, code, "copilot_settings", web.T(c, "copilot.title_settings"), v)
}

func (h *Handlers) saveSettings(c *gin.Context) {
	set := copilot.Settings{Endpoint: c.PostForm("endpoint"), Model: c.PostForm("model"), APIKey: c.PostForm("api_key")}
	if c.PostForm("op") == "off" {
		set = copilot.Settings{}
	}
	_, err := h.copilot.SaveSettings(c.Request.Context(), web.ActorOf(c), set)
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		// What was typed stays, but the key: it is never written back into a page.
		h.renderSettings(c, http.StatusUnprocessableEntity, settingsView{Endpoint: set.Endpoint, Model: set.Model, Errors: ve.Fields})
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/copilot?done=saved")
}
