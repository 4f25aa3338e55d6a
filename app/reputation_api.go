package app

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/reputation"
	"mutual/sqldb"
)

// JSON shapes of the reputation API.

type repAPIUser struct {
	ID         int64     `json:"id"`
	Username   string    `json:"username"`
	Reputation int64     `json:"reputation"`
	Rank       string    `json:"rank"`
	NextRank   *string   `json:"next_rank"`
	NextRankAt *int64    `json:"next_rank_at"`
	CreatedAt  time.Time `json:"created_at"`
	URL        string    `json:"url"`
}

type repAPIEntry struct {
	ID          int64      `json:"id"`
	Delta       int64      `json:"delta"`
	Reason      string     `json:"reason"`
	Origin      string     `json:"origin"`
	Description string     `json:"description"`
	PostID      *int64     `json:"post_id"`
	Actor       *apiUser   `json:"actor"`
	Thread      *repThread `json:"thread"`
	CreatedAt   time.Time  `json:"created_at"`
}

type repThread struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

type repAPILeader struct {
	Position   int    `json:"position"`
	UserID     int64  `json:"user_id"`
	Username   string `json:"username"`
	Points     int64  `json:"points"`
	Reputation int64  `json:"reputation"`
	Rank       string `json:"rank"`
}

func (a *App) repUserByName(c *gin.Context) (forum.User, reputation.Config, bool) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	u, err := a.members.ByUsername(ctx, b.ID, c.Param("username"))
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			err = &fault.Error{Kind: fault.ErrNotFound, Msg: "There is no member with that name here."}
		}
		a.site.Fail(c, err)
		return forum.User{}, reputation.Config{}, false
	}
	cfg, err := a.repConfig(ctx, b.ID)
	if err != nil {
		a.site.Fail(c, err)
		return forum.User{}, reputation.Config{}, false
	}
	return u, cfg, true
}

// repAPIUserGet is GET /api/v1/users/:username.
func (a *App) repAPIUserGet(c *gin.Context) {
	u, cfg, ok := a.repUserByName(c)
	if !ok {
		return
	}
	out := repAPIUser{ID: u.ID, Username: u.Username, Reputation: u.Reputation, Rank: cfg.Rank(u.Reputation).Name,
		CreatedAt: u.CreatedAt, URL: "/u/" + u.Username}
	if next, ok := cfg.NextRank(u.Reputation); ok {
		out.NextRank, out.NextRankAt = &next.Name, &next.Min
	}
	c.JSON(http.StatusOK, out)
}

// repAPILedger is GET /api/v1/users/:username/reputation.
func (a *App) repAPILedger(c *gin.Context) {
	u, _, ok := a.repUserByName(c)
	if !ok {
		return
	}
	cur, err := reputation.ParseCursor(c.Query("cursor"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	limit := 30
	if l := c.Query("limit"); l != "" {
		if limit, err = web.ParseLimit(l); err != nil {
			a.site.Fail(c, err)
			return
		}
	}
	entries, next, err := reputation.Ledger(c.Request.Context(), a.db, u.BrandID, u.ID, cur, limit)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	out := apiList[repAPIEntry]{Items: make([]repAPIEntry, 0, len(entries))}
	if s := next.String(); s != "" {
		out.Next = &s
	}
	for _, e := range entries {
		item := repAPIEntry{ID: e.ID, Delta: e.Delta, Reason: string(e.Reason), Origin: string(e.Origin), Description: e.Describe(), CreatedAt: e.At}
		if e.PostID != 0 {
			id := e.PostID
			item.PostID = &id
		}
		if e.ActorID != 0 {
			item.Actor = &apiUser{ID: e.ActorID, Username: e.ActorName}
		}
		if e.ThreadTitle != "" {
			item.Thread = &repThread{ID: e.ThreadID, Title: e.ThreadTitle, URL: "/t/" + web.Itoa(e.ThreadID) + "/" + e.ThreadSlug + "#p" + web.Itoa(e.PostID)}
		}
		out.Items = append(out.Items, item)
	}
	c.JSON(http.StatusOK, out)
}

func (a *App) repLeadersJSON(c *gin.Context, leaders []reputation.Leader, p reputation.Period) {
	cfg, err := a.repConfig(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	items := make([]repAPILeader, 0, len(leaders))
	for _, l := range leaders {
		items = append(items, repAPILeader{Position: l.Position, UserID: l.UserID, Username: l.Username, Points: l.Points,
			Reputation: l.Reputation, Rank: cfg.Rank(l.Reputation).Name})
	}
	var since *time.Time
	if s := p.Since(a.cfg.Now()); !s.IsZero() {
		since = &s
	}
	c.JSON(http.StatusOK, gin.H{"period": p, "since": since, "items": items})
}

func repLimit(c *gin.Context, def int) (int, error) {
	if l := c.Query("limit"); l != "" {
		return web.ParseLimit(l)
	}
	return def, nil
}

// repAPILeaderboard is GET /api/v1/leaderboard?period=week|month|all.
func (a *App) repAPILeaderboard(c *gin.Context) {
	p, err := reputation.ParsePeriod(c.Query("period"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	limit, err := repLimit(c, 25)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	leaders, err := reputation.Leaderboard(c.Request.Context(), a.db, web.BrandOf(c).ID, p, a.cfg.Now(), limit)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.repLeadersJSON(c, leaders, p)
}

// repAPITopHelpers is GET /api/v1/boards/:id/top-helpers?period=month|all.
func (a *App) repAPITopHelpers(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	bd, err := a.forum.Board(ctx, web.BrandOf(c).ID, id)
	if err != nil {
		a.site.Fail(c, &fault.Error{Kind: fault.ErrNotFound, Msg: "That board does not exist."})
		return
	}
	p := reputation.Month
	if q := c.Query("period"); q != "" {
		if p, err = reputation.ParsePeriod(q); err != nil || p == reputation.Week {
			a.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"period": "period must be month or all"}})
			return
		}
	}
	limit, err := repLimit(c, 10)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	leaders, err := reputation.TopHelpers(ctx, a.db, bd.BrandID, bd.ID, p, a.cfg.Now(), limit)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.repLeadersJSON(c, leaders, p)
}

// repAPIConfig is the settings document of GET and PUT /api/v1/reputation/settings.
type repAPIConfig struct {
	Rules struct {
		KudosPoints         int64 `json:"kudos_points"`
		AcceptedPoints      int64 `json:"accepted_points"`
		AcceptingPoints     int64 `json:"accepting_points"`
		RescuePoints        int64 `json:"rescue_points"`
		DailyCap            int64 `json:"daily_cap"`
		KudosPerDay         int64 `json:"kudos_per_day"`
		GiverMinAgeMinutes  int64 `json:"giver_min_age_minutes"`
		GiverMinPosts       int64 `json:"giver_min_posts"`
		SerialWindowMinutes int64 `json:"serial_window_minutes"`
		SerialThreshold     int64 `json:"serial_threshold"`
		RingWindowDays      int64 `json:"ring_window_days"`
		RingMinKudos        int64 `json:"ring_min_kudos"`
		RingSharePct        int64 `json:"ring_share_pct"`
		RingMaxSize         int64 `json:"ring_max_size"`
	} `json:"rules"`
	Privileges struct {
		Links      int64 `json:"rep_links"`
		Images     int64 `json:"rep_images"`
		EditOthers int64 `json:"rep_edit_others"`
		Trusted    int64 `json:"rep_trusted"`
	} `json:"privileges"`
	Ranks []struct {
		Name string `json:"name"`
		Min  int64  `json:"min"`
	} `json:"ranks"`
}

func repToAPIConfig(c reputation.Config) repAPIConfig {
	var out repAPIConfig
	out.Rules = struct {
		KudosPoints         int64 `json:"kudos_points"`
		AcceptedPoints      int64 `json:"accepted_points"`
		AcceptingPoints     int64 `json:"accepting_points"`
		RescuePoints        int64 `json:"rescue_points"`
		DailyCap            int64 `json:"daily_cap"`
		KudosPerDay         int64 `json:"kudos_per_day"`
		GiverMinAgeMinutes  int64 `json:"giver_min_age_minutes"`
		GiverMinPosts       int64 `json:"giver_min_posts"`
		SerialWindowMinutes int64 `json:"serial_window_minutes"`
		SerialThreshold     int64 `json:"serial_threshold"`
		RingWindowDays      int64 `json:"ring_window_days"`
		RingMinKudos        int64 `json:"ring_min_kudos"`
		RingSharePct        int64 `json:"ring_share_pct"`
		RingMaxSize         int64 `json:"ring_max_size"`
	}(c.Rules)
	out.Privileges = struct {
		Links      int64 `json:"rep_links"`
		Images     int64 `json:"rep_images"`
		EditOthers int64 `json:"rep_edit_others"`
		Trusted    int64 `json:"rep_trusted"`
	}(c.Privileges)
	for _, k := range c.Ranks {
		out.Ranks = append(out.Ranks, struct {
			Name string `json:"name"`
			Min  int64  `json:"min"`
		}{k.Name, k.Min})
	}
	return out
}

func (a *App) repAPISettingsGet(c *gin.Context) {
	cfg, err := reputation.LoadConfig(c.Request.Context(), a.db, web.BrandOf(c).ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, repToAPIConfig(cfg))
}

// repAPISettingsPut replaces the brand's settings; fields left out of the
// body keep their current values.
func (a *App) repAPISettingsPut(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	cur, err := reputation.LoadConfig(ctx, a.db, b.ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	in := repToAPIConfig(cur)
	in.Ranks = nil
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	cfg := reputation.Config{Rules: reputation.Rules(in.Rules), Privileges: reputation.Privileges(in.Privileges), Ranks: cur.Ranks}
	if in.Ranks != nil {
		cfg.Ranks = nil
		for _, k := range in.Ranks {
			cfg.Ranks = append(cfg.Ranks, reputation.Rank{Name: k.Name, Min: k.Min})
		}
	}
	err = a.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return reputation.SaveConfig(ctx, forum.LedgerTx(tx), b.ID, web.ActorOf(c).UserID, cfg, a.cfg.Now())
	})
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.repForget(b.ID)
	a.onChange(forum.Change{BrandID: b.ID, Lists: true})
	a.repAPISettingsGet(c)
}

// repAPIExport is GET /api/v1/reputation/export?from=&to= (CSV).
func (a *App) repAPIExport(c *gin.Context) {
	from, to, err := repExportRange(c)
	a.repWriteExport(c, from, to, err)
}

type repAPIRing struct {
	ID          int64      `json:"id"`
	Status      string     `json:"status"`
	Members     []apiUser  `json:"members"`
	KudosInside int64      `json:"kudos_inside"`
	KudosGiven  int64      `json:"kudos_given"`
	SharePct    int64      `json:"share_pct"`
	FirstAt     time.Time  `json:"first_at"`
	LastAt      time.Time  `json:"last_at"`
	DetectedAt  time.Time  `json:"detected_at"`
	ReviewedBy  *string    `json:"reviewed_by"`
	ReviewedAt  *time.Time `json:"reviewed_at"`
	Note        string     `json:"note"`
}

// repAPIRings is GET /api/v1/reputation/rings?status=open|dismissed|confirmed|all.
func (a *App) repAPIRings(c *gin.Context) {
	status := c.DefaultQuery("status", reputation.RingOpen)
	switch status {
	case "all":
		status = ""
	case reputation.RingOpen, reputation.RingDismissed, reputation.RingConfirmed:
	default:
		a.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"status": "status must be open, dismissed, confirmed or all"}})
		return
	}
	rings, err := reputation.Rings(c.Request.Context(), a.db, web.BrandOf(c).ID, status, 100)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	out := apiList[repAPIRing]{Items: make([]repAPIRing, 0, len(rings))}
	for _, g := range rings {
		r := repAPIRing{ID: g.ID, Status: g.Status, KudosInside: g.KudosInside, KudosGiven: g.KudosGiven, SharePct: g.SharePct(),
			FirstAt: g.FirstAt, LastAt: g.LastAt, DetectedAt: g.DetectedAt, ReviewedAt: optTime(g.ReviewedAt), Note: g.Note}
		if g.ReviewedBy != "" {
			by := g.ReviewedBy
			r.ReviewedBy = &by
		}
		for _, m := range g.Members {
			rep := m.Reputation
			r.Members = append(r.Members, apiUser{ID: m.UserID, Username: m.Username, Reputation: &rep})
		}
		out.Items = append(out.Items, r)
	}
	c.JSON(http.StatusOK, out)
}

// repAPIRingReview is PATCH /api/v1/reputation/rings/:id {"status", "note"}.
func (a *App) repAPIRingReview(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	var in struct {
		Status string `json:"status"`
		Note   string `json:"note"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	b := web.BrandOf(c)
	if err := reputation.ReviewRing(c.Request.Context(), a.db, b.ID, id, web.ActorOf(c).UserID, in.Status, in.Note, a.cfg.Now()); err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "status": in.Status, "note": in.Note})
}

// repAPIRingScan is POST /api/v1/reputation/rings/scan: look for rings now.
func (a *App) repAPIRingScan(c *gin.Context) {
	n, err := reputation.DetectRings(c.Request.Context(), a.db, web.BrandOf(c).ID, a.cfg.Now())
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"rings": n, "scanned_at": a.cfg.Now().UTC().Format(time.RFC3339)})
}
