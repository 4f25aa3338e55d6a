package accountweb

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/i18n"
)

// languageRoutes registers a member's language setting: the language of
// the pages (wherever they sign in) and of the mail the community sends
// them.
func (h *Handlers) languageRoutes(b *gin.RouterGroup) {
	need := h.site.Need("language", "manage")
	b.GET("/settings/language", need, h.languagePage)
	b.POST("/settings/language", need, h.saveLanguage)
	h.site.Redraws("settings_language", func(c *gin.Context, code int, _ int64) { h.renderLanguage(c, code) })
}

type languageView struct {
	Current string // the member's saved language, "" for the browser's
	Choices []web.Language
}

func (h *Handlers) languagePage(c *gin.Context) { h.renderLanguage(c, http.StatusOK) }

func (h *Handlers) renderLanguage(c *gin.Context, code int) {
	act := web.ActorOf(c)
	u, err := h.members.ByID(c.Request.Context(), act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v := languageView{Current: u.Language}
	for _, l := range h.site.Offered(c) {
		v.Choices = append(v.Choices, web.Language{Tag: l, Name: i18n.Name(l), Current: l == u.Language})
	}
	h.site.Render(c, code, "settings_language", web.T(c, "lang.settings_title"), v)
}

// saveLanguage keeps the member's choice, and this browser's with it, so
// the next page is already in it.
func (h *Handlers) saveLanguage(c *gin.Context) {
	act := web.ActorOf(c)
	lang := c.PostForm("language")
	if lang != "" && !slices.Contains(h.site.Offered(c), lang) {
		h.site.Refuse(c, web.Form{Page: "settings_language", Name: "language", Fields: []string{"language"}},
			fault.Invalid("language", web.T(c, "lang.not_offered")))
		return
	}
	if err := h.members.SetLanguage(c.Request.Context(), act.BrandID, act.UserID, lang); err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.RememberLanguage(c, lang)
	h.site.Flash(c, "lang-saved")
	c.Redirect(http.StatusSeeOther, "/settings/language")
}
