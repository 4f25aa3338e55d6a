package app

import "github.com/gin-gonic/gin"

// reputationRoutes registers the pages and API routes for kudos, the ledger, ranks, leaderboards
// (issue 5).
func (a *App) reputationRoutes(b, api *gin.RouterGroup) {}
