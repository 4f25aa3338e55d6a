package reputationweb

import (
	"github.com/gin-gonic/gin"

	"mutual/app/web"
)

// apiMember is a member named in an answer, as the rest of the API names
// them. Lists answer {"items": [...], "next": cursor or null}.
type apiMember struct {
	ID         int64  `json:"id"`
	Username   string `json:"username"`
	Reputation *int64 `json:"reputation,omitempty"`
}

// queryLimit reads ?limit=, def when absent.
func queryLimit(c *gin.Context, def int) (int, error) {
	if l := c.Query("limit"); l != "" {
		return web.ParseLimit(c, l)
	}
	return def, nil
}
