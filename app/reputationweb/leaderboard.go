package reputationweb

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/reputation"
)

// leaderboardPage shows the brand's top members by week, month or all time.
func (h *Handlers) leaderboardPage(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	p, err := reputation.ParsePeriod(c.Request.Context(), c.Query("period"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	now := h.now()
	leaders, err := reputation.Leaderboard(ctx, h.db, b.ID, p, now, 50)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	rk, err := h.Ranks(ctx, b.ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "reputation_leaderboard", web.T(c, "title.leaderboard"), struct {
		Period reputation.Period
		Since  time.Time
		Rows   []LeaderRow
	}{p, p.Since(now), leaderRows(rk, leaders)})
}

// TopHelpers lists a board's top helpers this month for its page; a failure
// is logged and the page shows none rather than failing.
func (h *Handlers) TopHelpers(ctx context.Context, bd forum.Board) []LeaderRow {
	l, err := reputation.TopHelpers(ctx, h.db, bd.BrandID, bd.ID, reputation.Month, h.now(), 5)
	if err != nil {
		h.log.Error("top helpers", "board", bd.ID, "err", err)
		return nil
	}
	rk, err := h.Ranks(ctx, bd.BrandID)
	if err != nil {
		h.log.Error("top helpers", "board", bd.ID, "err", err)
		return nil
	}
	return leaderRows(rk, l)
}

// apiLeader is one line of a leaderboard in the API.
type apiLeader struct {
	Position   int    `json:"position"`
	UserID     int64  `json:"user_id"`
	Username   string `json:"username"`
	Points     int64  `json:"points"`
	Reputation int64  `json:"reputation"`
	Rank       string `json:"rank"`
}

// apiLeaderboard is GET /api/v1/leaderboard?period=week|month|all.
func (h *Handlers) apiLeaderboard(c *gin.Context) {
	p, err := reputation.ParsePeriod(c.Request.Context(), c.Query("period"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	limit, err := queryLimit(c, 25)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	leaders, err := reputation.Leaderboard(c.Request.Context(), h.db, web.BrandOf(c).ID, p, h.now(), limit)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.leadersJSON(c, leaders, p)
}

// apiTopHelpers is GET /api/v1/boards/:id/top-helpers?period=month|all.
func (h *Handlers) apiTopHelpers(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	bd, err := h.forum.Board(ctx, web.BrandOf(c).ID, id)
	if err != nil {
		h.site.Fail(c, &fault.Error{Kind: fault.ErrNotFound, Msg: web.T(c, "aw.no_board")})
		return
	}
	p := reputation.Month
	if q := c.Query("period"); q != "" {
		if p, err = reputation.ParsePeriod(c.Request.Context(), q); err != nil || p == reputation.Week {
			h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"period": web.T(c, "apimsg.period_month_all")}})
			return
		}
	}
	limit, err := queryLimit(c, 10)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	leaders, err := reputation.TopHelpers(ctx, h.db, bd.BrandID, bd.ID, p, h.now(), limit)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.leadersJSON(c, leaders, p)
}

func (h *Handlers) leadersJSON(c *gin.Context, leaders []reputation.Leader, p reputation.Period) {
	rk, err := h.Ranks(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	items := make([]apiLeader, 0, len(leaders))
	for _, l := range leaders {
		items = append(items, apiLeader{Position: l.Position, UserID: l.UserID, Username: l.Username, Points: l.Points,
			Reputation: l.Reputation, Rank: rk.Name(l.Reputation)})
	}
	var since *time.Time
	if s := p.Since(h.now()); !s.IsZero() {
		since = &s
	}
	c.JSON(http.StatusOK, gin.H{"period": p, "since": since, "items": items})
}
