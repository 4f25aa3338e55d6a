package reputationweb

import (
	"mutual/app/web"

	"github.com/gin-gonic/gin"
)

// Routes registers the pages and API for the ledger, ranks, leaderboards,
// settings, the export and kudos rings. Kudos themselves (POST/DELETE
// /api/v1/posts/:id/kudos, POST /p/:id/kudos) stay in the shared route table.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	need, throttle := h.site.Need, h.site.Throttle(h.limits.PostAuthor, web.UserKey)
	b.GET("/leaderboard", need("leaderboard", "read"), h.site.Cached, h.leaderboardPage)
	b.GET("/u/:username/reputation", need("profile", "read"), h.ledgerPage)
	b.GET("/admin/reputation", need("brand", "manage"), h.settingsForm)
	b.POST("/admin/reputation", need("brand", "manage"), h.settingsSave)
	b.GET("/admin/reputation/export", need("reputation_export", "read"), h.exportPage)
	b.GET("/mod/reputation/rings", need("kudos_ring", "review"), h.ringsPage)
	b.POST("/mod/reputation/rings/scan", need("kudos_ring", "review"), throttle, h.ringScan)
	b.POST("/mod/reputation/rings/:id", need("kudos_ring", "review"), h.ringReview)

	api.GET("/users/:username", need("profile", "read"), h.apiUserGet)
	api.GET("/users/:username/reputation", need("profile", "read"), h.apiLedger)
	api.GET("/leaderboard", need("leaderboard", "read"), h.apiLeaderboard)
	api.GET("/boards/:id/top-helpers", need("board", "read"), h.apiTopHelpers)
	api.GET("/reputation/settings", need("brand", "manage"), h.apiSettingsGet)
	api.PUT("/reputation/settings", need("brand", "manage"), h.apiSettingsPut)
	api.GET("/reputation/export", need("reputation_export", "read"), h.apiExport)
	api.GET("/reputation/rings", need("kudos_ring", "review"), h.apiRings)
	api.POST("/reputation/rings/scan", need("kudos_ring", "review"), throttle, h.apiRingScan)
	api.PATCH("/reputation/rings/:id", need("kudos_ring", "review"), h.apiRingReview)
}
