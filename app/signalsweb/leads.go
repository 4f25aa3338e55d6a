package signalsweb

import (
	"encoding/csv"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/signals"
)

// leadsShown bounds the leads page and its CSV alike, so the file holds
// exactly the rows the page shows.
const leadsShown = 500

type leadsView struct {
	Weeks     int
	Periods   []int
	Since     time.Time
	Leads     []signals.Found
	Total     int
	ThisWeek  int
	Truncated bool
	CSV       string
}

// leads is the sales team's list: posts that read as buying intent, by
// members who agreed to hear from sales, with the KPI above it.
func (h *Handlers) leads(c *gin.Context) {
	ctx := c.Request.Context()
	brand := web.BrandOf(c).ID
	weeks, since := h.period(c)
	v := leadsView{Weeks: weeks, Periods: periods, Since: since, CSV: "/leads.csv?weeks=" + web.Itoa(int64(weeks))}
	var err error
	if v.Leads, err = h.signals.Leads(ctx, brand, since, leadsShown); err != nil {
		h.site.Fail(c, err)
		return
	}
	if v.Total, err = h.signals.LeadCount(ctx, brand, since); err != nil {
		h.site.Fail(c, err)
		return
	}
	if v.ThisWeek, err = h.signals.LeadCount(ctx, brand, signals.WeekStart(h.now())); err != nil {
		h.site.Fail(c, err)
		return
	}
	v.Truncated = v.Total > len(v.Leads)
	h.site.Render(c, http.StatusOK, "signals_leads", web.T(c, "signals.leads_title"), v)
}

// leadsCSV is the leads page's rows as a spreadsheet: the same period,
// order and bound.
func (h *Handlers) leadsCSV(c *gin.Context) {
	brand := web.BrandOf(c)
	_, since := h.period(c)
	leads, err := h.signals.Leads(c.Request.Context(), brand.ID, since, leadsShown)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="leads-`+brand.Host+`.csv"`)
	c.Header("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"posted_at", "member", "phrase", "thread", "thread_url"})
	origin := h.site.Origin(c)
	for _, l := range leads {
		_ = w.Write([]string{l.At.Format(time.RFC3339), l.Member, l.Phrase, csvSafe(l.Title), origin + "/t/" + web.Itoa(l.ThreadID) + "#p" + web.Itoa(l.PostID)})
	}
	w.Flush()
}

// csvSafe keeps a cell from being read as a formula by spreadsheets.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
