package app

import "github.com/gin-gonic/gin"

// discoveryRoutes registers the pages and API routes for search, similar questions, sitemaps, feeds, notifications
// (issue 9).
func (a *App) discoveryRoutes(b, api *gin.RouterGroup) {}
