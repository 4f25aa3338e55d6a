package radarweb

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/radar"
)

type trendsView struct {
	T          radar.Trends
	BoardNames map[int64]string
	Volume     template.HTML
	Groups     template.HTML
	Legend     []legend
}

type legend struct{ Name, Colour string }

func (h *Handlers) trends(c *gin.Context) {
	ctx := c.Request.Context()
	brand := web.BrandOf(c)
	tr, err := h.radar.Trends(ctx, brand.ID, h.now())
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	boards, err := h.forum.Boards(ctx, brand.ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	names := map[int64]string{}
	var order []int64
	var key []legend
	for i, b := range boards {
		names[b.ID] = b.Name
		order = append(order, b.ID)
		key = append(key, legend{b.Name, boardColours[i%len(boardColours)]})
	}
	loc := web.LocalizerOf(c)
	v := trendsView{T: tr, BoardNames: names,
		Volume: volumeChart(loc, tr.Volume, order, names),
		Groups: groupsChart(loc, tr.Groups), Legend: key}
	h.site.Render(c, http.StatusOK, "radar_trends", web.T(c, "radar.title"), v)
}
