package brandweb

import "github.com/gin-gonic/gin"

// Routes registers the brand settings page: the brand's administrators only.
func (h *Handlers) Routes(b *gin.RouterGroup) {
	b.GET("/admin/brand", h.site.Need("brand", "manage"), h.page)
	b.POST("/admin/brand", h.site.Need("brand", "manage"), h.save)
}
