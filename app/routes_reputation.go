package app

import "github.com/gin-gonic/gin"

// reputationRoutes registers the pages and API routes for kudos, the ledger, ranks, leaderboards
// (issue 5). Kudos themselves (POST/DELETE /api/v1/posts/:id/kudos, POST /p/:id/kudos) stay in the
// shared route table.
func (a *App) reputationRoutes(b, api *gin.RouterGroup) {
	b.GET("/leaderboard", a.site.Need("leaderboard", "read"), a.site.Cached, a.repLeaderboardPage)
	b.GET("/u/:username/reputation", a.site.Need("profile", "read"), a.repLedgerPage)
	b.GET("/admin/reputation", a.site.Need("brand", "manage"), a.repSettingsForm)
	b.POST("/admin/reputation", a.site.Need("brand", "manage"), a.repSettingsSave)
	b.GET("/admin/reputation/export", a.site.Need("reputation_export", "read"), a.repExportPage)
	b.GET("/mod/reputation/rings", a.site.Need("kudos_ring", "review"), a.repRingsPage)
	b.POST("/mod/reputation/rings/scan", a.site.Need("kudos_ring", "review"), a.throttlePosts(), a.repRingScan)
	b.POST("/mod/reputation/rings/:id", a.site.Need("kudos_ring", "review"), a.repRingReview)

	api.GET("/users/:username", a.site.Need("profile", "read"), a.repAPIUserGet)
	api.GET("/users/:username/reputation", a.site.Need("profile", "read"), a.repAPILedger)
	api.GET("/leaderboard", a.site.Need("leaderboard", "read"), a.repAPILeaderboard)
	api.GET("/boards/:id/top-helpers", a.site.Need("board", "read"), a.repAPITopHelpers)
	api.GET("/reputation/settings", a.site.Need("brand", "manage"), a.repAPISettingsGet)
	api.PUT("/reputation/settings", a.site.Need("brand", "manage"), a.repAPISettingsPut)
	api.GET("/reputation/export", a.site.Need("reputation_export", "read"), a.repAPIExport)
	api.GET("/reputation/rings", a.site.Need("kudos_ring", "review"), a.repAPIRings)
	api.POST("/reputation/rings/scan", a.site.Need("kudos_ring", "review"), a.throttlePosts(), a.repAPIRingScan)
	api.PATCH("/reputation/rings/:id", a.site.Need("kudos_ring", "review"), a.repAPIRingReview)
}
