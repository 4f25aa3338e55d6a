package reputationweb

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/reputation"
)

// apiRules are the rules in the settings document; the same fields, in the
// same order, as reputation.Rules, so one converts to the other.
type apiRules struct {
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
}

// apiPrivileges mirror reputation.Privileges field for field.
type apiPrivileges struct {
	Links      int64 `json:"rep_links"`
	Images     int64 `json:"rep_images"`
	EditOthers int64 `json:"rep_edit_others"`
	Trusted    int64 `json:"rep_trusted"`
}

type apiRank struct {
	Name string `json:"name"`
	Min  int64  `json:"min"`
}

// apiConfig is the settings document of GET and PUT /api/v1/reputation/settings.
type apiConfig struct {
	Rules      apiRules      `json:"rules"`
	Privileges apiPrivileges `json:"privileges"`
	Ranks      []apiRank     `json:"ranks"`
}

func toAPIConfig(c reputation.Config) apiConfig {
	out := apiConfig{Rules: apiRules(c.Rules), Privileges: apiPrivileges(c.Privileges)}
	for _, k := range c.Ranks {
		out.Ranks = append(out.Ranks, apiRank(k))
	}
	return out
}

func (h *Handlers) apiSettingsGet(c *gin.Context) {
	cfg, err := reputation.LoadConfig(c.Request.Context(), h.db, web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIConfig(cfg))
}

// apiSettingsPut replaces the brand's settings; fields left out of the body
// keep their current values.
func (h *Handlers) apiSettingsPut(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	cur, err := reputation.LoadConfig(ctx, h.db, b.ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	in := toAPIConfig(cur)
	in.Ranks = nil
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	cfg := reputation.Config{Rules: reputation.Rules(in.Rules), Privileges: reputation.Privileges(in.Privileges), Ranks: cur.Ranks}
	if in.Ranks != nil {
		cfg.Ranks = nil
		for _, k := range in.Ranks {
			cfg.Ranks = append(cfg.Ranks, reputation.Rank(k))
		}
	}
	if err := h.saveConfig(ctx, b.ID, web.ActorOf(c).UserID, cfg); err != nil {
		h.site.Fail(c, err)
		return
	}
	h.apiSettingsGet(c)
}
