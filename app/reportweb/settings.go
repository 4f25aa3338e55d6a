package reportweb

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/report/deflection"
)

type settingsView struct {
	Form deflection.SettingsForm
	// PeerSLA (minutes) and AgentSLA (hours) are the escalation settings'
	// own values, as the form shows them.
	PeerSLA, AgentSLA string
	Errors            map[string]string
	Saved             bool
	// ContactPage is the markdown of the page served at /contact; Contact
	// says where "Contact us" leads now.
	ContactPage string
	Contact     deflection.Contact
	// Holdout is the share of askers shown no suggestions, in percent.
	Holdout      string
	HoldoutError string
	HoldoutSaved bool
}

func (h *Handlers) settingsForm(c *gin.Context) {
	h.renderSettings(c, http.StatusOK, settingsView{Saved: c.Query("saved") == "1", HoldoutSaved: c.Query("holdout") == "saved"})
}

// renderSettings draws the settings page with the brand's saved values,
// keeping v's flags, errors and the holdout share as typed.
func (h *Handlers) renderSettings(c *gin.Context, code int, v settingsView) {
	ctx, brandID := c.Request.Context(), web.BrandOf(c).ID
	s, err := deflection.LoadSettings(ctx, h.db, brandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	slas, err := h.SLAs.SLAs(ctx, brandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ct, err := deflection.LoadContact(ctx, h.db, brandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	bp, err := deflection.HoldoutBP(ctx, h.db, brandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v.Form, v.PeerSLA, v.AgentSLA, v.ContactPage, v.Contact = deflection.FormOf(s), decimal(slas.Peer.Minutes()), decimal(slas.Agent.Hours()), ct.PageMD, ct
	if v.Holdout == "" {
		v.Holdout = decimal(float64(bp) / 100)
	}
	h.site.Render(c, code, "report_settings", web.T(c, "title.report_settings"), v)
}

// settingsSave checks the report's settings, the contact page and the SLAs
// together, then stores the SLAs with the escalation settings and the rest
// with the report.
func (h *Handlers) settingsSave(c *gin.Context) {
	ctx, brandID := c.Request.Context(), web.BrandOf(c).ID
	f := deflection.SettingsForm{ContactURL: c.PostForm("contact_url"), CostPerContact: c.PostForm("cost"), Currency: c.PostForm("currency"),
		AssumedRatePct: c.PostForm("rate"), MinSurveyAnswers: c.PostForm("min_answers")}
	v := settingsView{Form: f, PeerSLA: c.PostForm("escalation_sla"), AgentSLA: c.PostForm("agent_sla"), Errors: map[string]string{},
		ContactPage: c.PostForm("contact_page")}
	slas := deflection.SLAs{Peer: parseAmount(v.PeerSLA, time.Minute), Agent: parseAmount(v.AgentSLA, time.Hour)}
	if slas.Peer <= 0 {
		v.Errors["escalation_sla"] = web.T(c, "rset.peer_sla_bad")
	}
	if slas.Agent <= 0 {
		v.Errors["agent_sla"] = web.T(c, "rset.agent_sla_bad")
	}
	_, err := deflection.CheckSettings(brandID, f)
	if !h.collect(c, v.Errors, err) {
		return
	}
	_, err = deflection.RenderContactPage(h.md, v.ContactPage)
	if !h.collect(c, v.Errors, err) {
		return
	}
	if len(v.Errors) == 0 {
		err = h.SLAs.SetSLAs(ctx, brandID, slas)
		if !h.collect(c, v.Errors, err) {
			return
		}
	}
	if len(v.Errors) > 0 {
		if bp, err := deflection.HoldoutBP(ctx, h.db, brandID); err == nil {
			v.Holdout = decimal(float64(bp) / 100)
		}
		h.site.Render(c, http.StatusUnprocessableEntity, "report_settings", web.T(c, "title.report_settings"), v)
		return
	}
	if _, err := deflection.SaveSettings(ctx, h.db, brandID, f, h.now()); err != nil {
		h.site.Fail(c, err)
		return
	}
	if err := deflection.SaveContactPage(ctx, h.db, h.md, brandID, v.ContactPage, h.now()); err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/reports/deflection/settings?saved=1")
}

// collect adds a validation error's messages to bad, under the form's own
// field names; any other error fails the request and collect says false.
func (h *Handlers) collect(c *gin.Context, bad map[string]string, err error) bool {
	var ve *fault.ValidationError
	if err != nil && !errors.As(err, &ve) {
		h.site.Fail(c, err)
		return false
	}
	if ve != nil {
		for k, msg := range ve.Fields {
			bad[slaField(k)] = msg
		}
	}
	return true
}

// slaField is the form's name for a field the escalation settings name.
func slaField(k string) string {
	switch k {
	case "peer-sla":
		return "escalation_sla"
	case "agent-sla":
		return "agent_sla"
	}
	return k
}

// parseAmount reads a positive decimal number of units; 0 when it is not one.
func parseAmount(s string, unit time.Duration) time.Duration {
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(n > 0 && n <= 1e6) { // false for NaN too
		return 0
	}
	return time.Duration(n * float64(unit)).Round(time.Second)
}

func decimal(n float64) string { return strconv.FormatFloat(n, 'f', -1, 64) }
