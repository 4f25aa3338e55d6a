package kbweb

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/i18n"
	"mutual/kb"
)

// act runs one of an article page's forms: on success it goes back to the
// article with its confirmation, and a refusal draws the page again with
// the message beside the form and what was typed.
func (h *Handlers) act(c *gin.Context, form, done string, fn func(ctx context.Context, id int64) (kb.Article, error)) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	a, err := fn(c.Request.Context(), id)
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "kb_article", At: id, Name: form, ID: id, Fields: []string{"note", "review_by"}}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.URL()+"?done="+done)
}

func (h *Handlers) submit(c *gin.Context) {
	h.act(c, "submit", "submitted", func(ctx context.Context, id int64) (kb.Article, error) {
		return h.kb.Submit(ctx, web.ActorOf(c), id)
	})
}

func (h *Handlers) publish(c *gin.Context) {
	h.act(c, "review", "published", func(ctx context.Context, id int64) (kb.Article, error) {
		return h.kb.Publish(ctx, web.ActorOf(c), id)
	})
}

func (h *Handlers) sendBack(c *gin.Context) {
	h.act(c, "review", "returned", func(ctx context.Context, id int64) (kb.Article, error) {
		return h.kb.Return(ctx, web.ActorOf(c), id, c.PostForm("note"))
	})
}

func (h *Handlers) reviewed(c *gin.Context) {
	h.act(c, "reviewed", "reviewed", func(ctx context.Context, id int64) (kb.Article, error) {
		var next time.Time
		if s := strings.TrimSpace(c.PostForm("review_by")); s != "" {
			t, err := parseDate(ctx, s)
			if err != nil {
				return kb.Article{}, err
			}
			next = t
		}
		return h.kb.MarkReviewed(ctx, web.ActorOf(c), id, next)
	})
}

func (h *Handlers) report(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	added, err := h.kb.ReportOutdated(ctx, web.ActorOf(c), id, c.PostForm("note"))
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "kb_article", At: id, Name: "report", ID: id, Fields: []string{"note"}}, err)
		return
	}
	a, err := h.kb.Article(ctx, web.ActorOf(c), id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	d := "reported"
	if !added {
		d = "already-reported"
	}
	c.Redirect(http.StatusSeeOther, a.URL()+"?done="+d)
}

// queue is the editors' queue: drafts awaiting review, stale articles and
// readers' reports.
func (h *Handlers) queue(c *gin.Context) {
	q, err := h.kb.EditorQueue(c.Request.Context(), web.ActorOf(c))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "kb_queue", web.T(c, "kb.title_queue"), struct {
		Queue kb.Queue
		Now   time.Time
	}{q, h.forum.Now()})
}

func tr(ctx context.Context, key string, args ...any) string { return i18n.T(ctx, key, args...) }

func invalid(c *gin.Context, field, key string) error {
	return fault.Invalid(field, web.T(c, key))
}
