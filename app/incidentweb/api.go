package incidentweb

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/incident"
)

// listAPI is GET /api/v1/incidents?state=open|closed|all&before=ID&limit=N.
func (h *Handlers) listAPI(c *gin.Context) {
	limit := 50
	if s := c.Query("limit"); s != "" {
		n, err := web.ParseLimit(c, s)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		limit = n
	}
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	list, err := h.incidents.List(c.Request.Context(), web.ActorOf(c).BrandID, c.Query("state"), before, limit)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	now := h.now()
	items := make([]incident.JSON, 0, len(list))
	for _, x := range list {
		items = append(items, x.JSON(now))
	}
	out := gin.H{"items": items}
	if len(list) == limit {
		out["next_before"] = list[len(list)-1].ID
	}
	c.JSON(http.StatusOK, out)
}

// getAPI is GET /api/v1/incidents/:id, with its threads.
func (h *Handlers) getAPI(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	x, err := h.incidents.Get(c.Request.Context(), web.ActorOf(c).BrandID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	threads := make([]gin.H, 0, len(x.Threads))
	for _, t := range x.Threads {
		threads = append(threads, gin.H{"id": t.ID, "board_id": t.BoardID, "title": t.Title, "url": "/t/" + web.Itoa(t.ID) + "/" + t.Slug,
			"added_at": t.AddedAt, "reply_post_id": t.ReplyPostID})
	}
	c.JSON(http.StatusOK, gin.H{"incident": x.JSON(h.now()), "threads": threads})
}

func (h *Handlers) acknowledgeAPI(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	x, err := h.incidents.Acknowledge(c.Request.Context(), web.ActorOf(c), id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"incident": x.JSON(h.now())})
}

// closeAPI takes {"outcome": "resolved"|"resumed", "note": "..."}.
func (h *Handlers) closeAPI(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var body struct {
		Outcome string `json:"outcome"`
		Note    string `json:"note"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		h.site.Fail(c, err)
		return
	}
	x, err := h.incidents.Close(c.Request.Context(), web.ActorOf(c), id, body.Outcome, body.Note)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"incident": x.JSON(h.now())})
}
