package discoveryweb

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
	"mutual/search"
)

// openSuggestion records that the asker opened a suggested similar
// thread from the Ask page, then sends them to it. Suggestion links (live
// ones from app.js and the no-JavaScript list) all point here, so every open
// is counted the same way; see docs/discovery.md for what the count means.
func (h *Handlers) openSuggestion(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.search.RecordSuggestionOpen(c.Request.Context(), web.ActorOf(c), id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}

// checkSimilar is the Ask form's "Check for similar questions"
// step without JavaScript: the form comes back as typed, with the similar
// solved questions listed above the buttons.
func (h *Handlers) checkSimilar(c *gin.Context) {
	bid, _ := strconv.ParseInt(c.PostForm("board_id"), 10, 64)
	d := Draft{BoardID: bid, Title: c.PostForm("title"), Body: c.PostForm("body"), ClientKey: c.PostForm("client_key"),
		Language: c.PostForm("language")}
	prefer, err := forum.ParseLanguage(d.Language)
	if err != nil || prefer == "" {
		prefer = web.ContentLanguage(c) // the form's own check reports a bad choice when it is posted
	}
	if !h.heldOut(c) {
		similar, err := h.search.Similar(c.Request.Context(), web.BrandOf(c).ID, d.Title, prefer, search.SimilarLimit)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		d.Similar = similar
	}
	h.with.AskAgain(c, d)
}
