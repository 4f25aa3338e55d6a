package reportweb

import (
	"mutual/app/web"

	"github.com/gin-gonic/gin"
)

// Routes registers the report pages and API. Thread views are counted by
// CountView, which app/ puts on the thread routes.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	// Client managers and admins of the brand; anyone else signed in gets 404.
	b.GET("/reports/deflection", h.need("report", "read"), h.page)
	api.GET("/reports/deflection", h.need("report", "read"), h.api)
	// The brand's admin.
	b.GET("/reports/deflection/settings", h.need("brand", "manage"), h.settingsForm)
	b.POST("/reports/deflection/settings", h.need("brand", "manage"), h.settingsSave)
	// The holdout: its share (the admin) and its raw events (the report's readers).
	b.POST("/reports/deflection/holdout", h.need("brand", "manage"), h.holdoutSave)
	api.GET("/reports/deflection/holdout.csv", h.need("report", "read"), h.holdoutCSV)
	// Readers of solved threads, signed in or not.
	b.GET("/survey/:id", h.site.Need("survey", "answer"), h.surveyForm)
	b.POST("/survey/:id", h.site.Need("survey", "answer"), h.site.Throttle(h.limits.PostAuthor, surveyKey), h.surveySave)
	b.GET("/contact", h.site.Need("contact", "visit"), h.contact)
}

// surveyKey rate-limits survey answers per member or per address.
func surveyKey(c *gin.Context) string {
	if k := web.UserKey(c); k != "" {
		return k
	}
	return "ip" + c.ClientIP()
}
