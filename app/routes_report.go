package app

import (
	"mutual/app/web"

	"github.com/gin-gonic/gin"
)

// reportRoutes registers the pages and API routes for deflection reports
// (issue 8). Thread views are counted by reportCountView on the thread
// routes in routes.go.
func (a *App) reportRoutes(b, api *gin.RouterGroup) {
	// Client managers and admins of the brand; anyone else signed in gets 404.
	b.GET("/reports/deflection", a.reportNeed("report", "read"), a.reportPage)
	api.GET("/reports/deflection", a.reportNeed("report", "read"), a.reportAPI)
	// The brand's admin.
	b.GET("/reports/deflection/settings", a.reportNeed("brand", "manage"), a.reportSettingsForm)
	b.POST("/reports/deflection/settings", a.reportNeed("brand", "manage"), a.reportSettingsSave)
	// Readers of solved threads, signed in or not.
	b.GET("/survey/:id", a.site.Need("survey", "answer"), a.reportSurveyForm)
	b.POST("/survey/:id", a.site.Need("survey", "answer"), a.site.Throttle(a.limits.PostAuthor, reportSurveyKey), a.reportSurveySave)
	b.GET("/contact", a.site.Need("contact", "visit"), a.reportContact)
}

// reportSurveyKey rate-limits survey answers per member or per address.
func reportSurveyKey(c *gin.Context) string {
	if k := web.UserKey(c); k != "" {
		return k
	}
	return "ip" + c.ClientIP()
}
