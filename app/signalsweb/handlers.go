// Package signalsweb serves what the signals read in members' posts to the
// brand's people who act on them: the signals report for client managers
// (negative sentiment by board and week, churn phrases, the leads KPI), the
// leads list and its CSV for the sales team, and a member's choice whether
// the sales team may contact them.
package signalsweb

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/forum"
	"mutual/signals"
)

// Handlers are the signals pages.
type Handlers struct {
	site    *web.Site
	signals *signals.Service
	members *account.Members
	forum   *forum.Service
	now     func() time.Time
}

// New builds the signals handlers.
func New(site *web.Site, sig *signals.Service, members *account.Members, fs *forum.Service, now func() time.Time) *Handlers {
	return &Handlers{site: site, signals: sig, members: members, forum: fs, now: now}
}

// Routes registers the signals pages: the report for client managers, the
// leads for the sales team, and each member's marketing choice; and the
// intake of mentions from other channels, for listening tools' tokens.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	api.POST("/intake/mentions", h.site.Need("mention", "create"), h.intake)
	b.GET("/reports/signals", h.site.Need("signals", "read"), h.report)
	b.GET("/leads", h.site.Need("lead", "read"), h.leads)
	b.GET("/leads.csv", h.site.Need("lead", "read"), h.leadsCSV)
	need := h.site.Need("marketing", "manage")
	b.GET("/settings/marketing", need, h.marketingPage)
	b.POST("/settings/marketing", need, h.saveMarketing)
}

// periods are the weeks a page may look back over; 8 unless asked.
var periods = []int{4, 8, 13, 26}

// period is the weeks asked for and the Monday the period starts on.
func (h *Handlers) period(c *gin.Context) (int, time.Time) {
	weeks := 8
	if n, err := strconv.Atoi(c.Query("weeks")); err == nil {
		for _, p := range periods {
			if p == n {
				weeks = n
			}
		}
	}
	return weeks, signals.WeekStart(h.now()).AddDate(0, 0, -7*(weeks-1))
}
