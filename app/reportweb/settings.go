package reportweb

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/report/deflection"
)

type settingsView struct {
	Form   deflection.SettingsForm
	Errors map[string]string
	Saved  bool
	// ContactPage is the markdown of the page served at /contact; Contact
	// says where "Contact us" leads now.
	ContactPage string
	Contact     deflection.Contact
}

func (h *Handlers) settingsForm(c *gin.Context) {
	s, err := deflection.LoadSettings(c.Request.Context(), h.db, web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ct, err := deflection.LoadContact(c.Request.Context(), h.db, web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "report_settings", "Report settings", settingsView{Form: deflection.FormOf(s), Saved: c.Query("saved") == "1",
		ContactPage: ct.PageMD, Contact: ct})
}

func (h *Handlers) settingsSave(c *gin.Context) {
	f := deflection.SettingsForm{ContactURL: c.PostForm("contact_url"), CostPerContact: c.PostForm("cost"), Currency: c.PostForm("currency"),
		AssumedRatePct: c.PostForm("rate"), MinSurveyAnswers: c.PostForm("min_answers"), EscalationSLAMin: c.PostForm("escalation_sla"),
		AgentSLAHours: c.PostForm("agent_sla")}
	page := c.PostForm("contact_page")
	// The page is checked first, so a bad one saves nothing.
	_, err := deflection.RenderContactPage(h.md, page)
	if err == nil {
		_, err = deflection.SaveSettings(c.Request.Context(), h.db, web.BrandOf(c).ID, f, h.now())
	}
	if err == nil {
		err = deflection.SaveContactPage(c.Request.Context(), h.db, h.md, web.BrandOf(c).ID, page, h.now())
	}
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		h.site.Render(c, http.StatusUnprocessableEntity, "report_settings", "Report settings", settingsView{Form: f, Errors: ve.Fields, ContactPage: page})
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/reports/deflection/settings?saved=1")
}
