package app

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/report/deflection"
)

// reportWire sets up deflection reporting: the viewer-day counter and the
// hook that notes when answers are accepted and keeps the view roll-up in
// step with moderation.
func (a *App) reportWire() {
	a.reportViews = deflection.NewViews(a.db, a.cfg.Now, a.log)
	a.forum.Subscribe(deflection.Hook)
}

// ReportFlushViews writes the viewer-days noted so far (tests and shutdown).
func (a *App) ReportFlushViews(ctx context.Context) (int, error) { return a.reportViews.Flush(ctx) }

// reportCountView counts a thread page view as a viewer-day. It runs before
// the page cache so cached pages are counted too, and only notes the view in
// memory once the page was served (200, or 304 to a revalidating reader); the batch is written every few
// seconds (and at shutdown) by deflection.Views.Run.
func (a *App) reportCountView(c *gin.Context) {
	c.Next()
	// 304 is a revalidated cached page: still a read.
	if st := c.Writer.Status(); (st != http.StatusOK && st != http.StatusNotModified) || c.Request.Method != http.MethodGet {
		return
	}
	ua := c.Request.UserAgent()
	if deflection.IsCrawler(ua) {
		return
	}
	id, err := idParam(c, "id")
	if err != nil {
		return
	}
	key, err := a.reportViewerKey(c)
	if err != nil {
		a.log.Error("deflection: viewer key", "request_id", c.GetString(keyReqID), "err", err)
		return
	}
	a.reportViews.Record(brandOf(c).ID, id, key)
}

// reportViewerKey is the member id, or for a visitor a salted daily hash of
// address and user agent (never the address itself).
func (a *App) reportViewerKey(c *gin.Context) (string, error) {
	if act := actorOf(c); act.SignedIn() {
		return deflection.MemberKey(act.UserID), nil
	}
	return a.reportViews.AnonKey(c.Request.Context(), c.ClientIP(), c.Request.UserAgent())
}

func (a *App) reportReader(c *gin.Context) (deflection.Reader, error) {
	key, err := a.reportViewerKey(c)
	return deflection.Reader{Key: key, UserID: actorOf(c).UserID}, err
}
