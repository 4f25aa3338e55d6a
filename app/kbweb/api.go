package kbweb

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/kb"
)

// articleJSON is an article as the API gives it.
type articleJSON struct {
	ID          int64        `json:"id"`
	URL         string       `json:"url"`
	Title       string       `json:"title"`
	BoardID     int64        `json:"board_id"`
	Tags        []string     `json:"tags"`
	State       string       `json:"state"`
	Body        string       `json:"body,omitempty"`      // markdown; on one article
	BodyHTML    string       `json:"body_html,omitempty"` // sanitised HTML; on one article
	Revision    int          `json:"revision"`
	PublishedAt *time.Time   `json:"published_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	ReviewBy    time.Time    `json:"review_by"`
	Stale       bool         `json:"stale"`
	Sources     []sourceJSON `json:"sources,omitempty"`
	Credits     []creditJSON `json:"credits,omitempty"`
}

type sourceJSON struct {
	ThreadID int64  `json:"thread_id"`
	Title    string `json:"title"`
	URL      string `json:"url"`
}

type creditJSON struct {
	Username string `json:"username"` // "" for an erased account
	Role     string `json:"role"`
	PostID   int64  `json:"post_id"`
}

func toJSON(a kb.Article, now time.Time, full bool) articleJSON {
	tags := a.Tags
	if tags == nil {
		tags = []string{}
	}
	out := articleJSON{ID: a.ID, URL: a.URL(), Title: a.Title, BoardID: a.BoardID, Tags: tags, State: string(a.State),
		Revision: a.RevisionCount, PublishedAt: web.OptTime(a.PublishedAt), UpdatedAt: a.UpdatedAt, ReviewBy: a.ReviewBy, Stale: a.Stale(now)}
	if full {
		out.Body, out.BodyHTML = a.BodyMD, a.BodyHTML
		for _, s := range a.Sources {
			out.Sources = append(out.Sources, sourceJSON{ThreadID: s.ThreadID, Title: s.Title, URL: s.URL()})
		}
		for _, cr := range a.Credits {
			out.Credits = append(out.Credits, creditJSON{Username: cr.Username, Role: cr.Role, PostID: cr.PostID})
		}
	}
	return out
}

// apiList lists published articles, most recently updated first; with q,
// those matching the words, best first.
func (h *Handlers) apiList(c *gin.Context) {
	ctx := c.Request.Context()
	brand := web.BrandOf(c).ID
	limit := 20
	if v := c.Query("limit"); v != "" {
		n, err := web.ParseLimit(c, v)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		limit = n
	}
	page, err := pageParam(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	now := h.forum.Now()
	type list struct {
		Items []articleJSON `json:"items"`
		Page  int           `json:"page"`
		More  bool          `json:"more"`
	}
	out := list{Items: []articleJSON{}, Page: page}
	if q := strings.TrimSpace(c.Query("q")); q != "" {
		hits, err := h.kb.Search(ctx, brand, q, limit)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		for _, x := range hits {
			out.Items = append(out.Items, toJSON(x.Article, now, false))
		}
		c.JSON(http.StatusOK, out)
		return
	}
	arts, err := h.kb.Published(ctx, brand, (page-1)*limit, limit+1)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if len(arts) > limit {
		arts, out.More = arts[:limit], true
	}
	for _, a := range arts {
		out.Items = append(out.Items, toJSON(a, now, false))
	}
	c.JSON(http.StatusOK, out)
}

func (h *Handlers) apiArticle(c *gin.Context) {
	if a, ok := h.articleParam(c); ok {
		c.JSON(http.StatusOK, toJSON(a, h.forum.Now(), true))
	}
}
