package signalsweb

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/signals"
)

// weekView is one week of the report: each board's sentiment, the week's
// totals and its churn count.
type weekView struct {
	Week      time.Time
	Boards    []boardRow
	Scored    int
	Negatives int
	Churn     int
}

// boardRow is a board's sentiment in the week.
type boardRow struct {
	Board             string
	Scored, Negatives int
	Percent           float64 // negative share
}

// Span is how many rows the week takes: its total and each board.
func (w weekView) Span() int { return len(w.Boards) + 1 }

// Share is the week's negative share, in percent.
func (w weekView) Share() float64 {
	if w.Scored == 0 {
		return 0
	}
	return 100 * float64(w.Negatives) / float64(w.Scored)
}

type reportView struct {
	Weeks      int
	Periods    []int
	Since      time.Time
	ByWeek     []weekView
	Churn      []signals.Found
	ChurnTotal int
	Leads      int // in the period
	LeadsWeek  int // this week
}

// report is the signals report: negative share by board and week, churn
// phrases counted and listed, and the leads KPI.
func (h *Handlers) report(c *gin.Context) {
	ctx := c.Request.Context()
	brand := web.BrandOf(c).ID
	weeks, since := h.period(c)
	v := reportView{Weeks: weeks, Periods: periods, Since: since}
	sentiment, err := h.signals.Sentiment(ctx, brand, since)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	churn, err := h.signals.ChurnWeeks(ctx, brand, since)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v.ByWeek = byWeek(since, h.now(), sentiment, churn)
	for _, w := range v.ByWeek {
		v.ChurnTotal += w.Churn
	}
	if v.Churn, err = h.signals.Churn(ctx, brand, since, 100); err != nil {
		h.site.Fail(c, err)
		return
	}
	if v.Leads, err = h.signals.LeadCount(ctx, brand, since); err != nil {
		h.site.Fail(c, err)
		return
	}
	if v.LeadsWeek, err = h.signals.LeadCount(ctx, brand, signals.WeekStart(h.now())); err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "signals_report", web.T(c, "signals.report_title"), v)
}

// byWeek lays the boards' weeks and the churn counts out week by week,
// newest first, every week of the period present even when quiet.
func byWeek(since, now time.Time, boards []signals.BoardWeek, churn []signals.WeekCount) []weekView {
	var out []weekView
	index := map[int64]int{}
	for wk := signals.WeekStart(now); !wk.Before(since); wk = wk.AddDate(0, 0, -7) {
		index[wk.UnixMilli()] = len(out)
		out = append(out, weekView{Week: wk})
	}
	for _, b := range boards {
		if i, ok := index[b.Week.UnixMilli()]; ok {
			out[i].Boards = append(out[i].Boards, boardRow{Board: b.Board, Scored: b.Scored, Negatives: b.Negatives, Percent: 100 * b.NegativeShare()})
			out[i].Scored += b.Scored
			out[i].Negatives += b.Negatives
		}
	}
	for _, ch := range churn {
		if i, ok := index[ch.Week.UnixMilli()]; ok {
			out[i].Churn = ch.Count
		}
	}
	return out
}
