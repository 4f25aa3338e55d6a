package app

import "github.com/gin-gonic/gin"

// reportRoutes registers the pages and API routes for deflection reports
// (issue 8).
func (a *App) reportRoutes(b, api *gin.RouterGroup) {}
