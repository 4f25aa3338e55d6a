package reportweb

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/report/deflection"
)

// CountView counts a thread page view as a viewer-day. It runs before
// the page cache so cached pages are counted too, and only notes the view in
// memory once the page was served (200, or 304 to a revalidating reader); the batch is written every few
// seconds (and at shutdown) by deflection.Views.Run.
func (h *Handlers) CountView(c *gin.Context) { h.count(c, h.views.Record) }

// CountArticleView counts a knowledge-base article page view as a
// viewer-day, under the same rules as CountView: article readers count
// toward self-service deflection as solved threads' readers do.
func (h *Handlers) CountArticleView(c *gin.Context) { h.count(c, h.views.RecordArticle) }

func (h *Handlers) count(c *gin.Context, record func(brandID, id int64, viewer string)) {
	c.Next()
	// 304 is a revalidated cached page: still a read.
	if st := c.Writer.Status(); (st != http.StatusOK && st != http.StatusNotModified) || c.Request.Method != http.MethodGet {
		return
	}
	ua := c.Request.UserAgent()
	if deflection.IsCrawler(ua) {
		return
	}
	id, err := web.IDParam(c, "id")
	if err != nil {
		return
	}
	key, err := h.viewerKey(c)
	if err != nil {
		h.log.Error("deflection: viewer key", "request_id", web.RequestID(c), "err", err)
		return
	}
	record(web.BrandOf(c).ID, id, key)
}

// viewerKey is the member id, or for a visitor a salted daily hash of
// address and user agent (never the address itself).
func (h *Handlers) viewerKey(c *gin.Context) (string, error) {
	if act := web.ActorOf(c); act.SignedIn() {
		return deflection.MemberKey(act.UserID), nil
	}
	return h.views.AnonKey(c.Request.Context(), c.ClientIP(), c.Request.UserAgent())
}

func (h *Handlers) reader(c *gin.Context) (deflection.Reader, error) {
	key, err := h.viewerKey(c)
	return deflection.Reader{Key: key, UserID: web.ActorOf(c).UserID}, err
}
