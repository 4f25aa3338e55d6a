package discoveryweb

import (
	"time"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/kb"
	"mutual/markup"
)

// Knowledge-base articles in discovery: they rank first in search and in
// similar questions (an article that matches is listed above every thread),
// have their own sitemap file and feed, and Article structured data.

// articleLimit is how many matching articles a search or an Ask page lists
// above the threads.
const articleLimit = 3

// searchArticles finds published articles for a search: only on its first
// page, and not when it asks for unanswered threads (an article answers).
func (h *Handlers) searchArticles(c *gin.Context, q string, boardID int64, status string, page int) ([]kb.Hit, error) {
	if h.with.Articles == nil || page > 1 || status == "unanswered" {
		return nil, nil
	}
	hits, err := h.with.Articles.Search(c.Request.Context(), web.BrandOf(c).ID, q, articleLimit+5)
	if err != nil || boardID == 0 {
		return trim(hits), err
	}
	var in []kb.Hit
	for _, x := range hits {
		if x.Article.BoardID == boardID {
			in = append(in, x)
		}
	}
	return trim(in), nil
}

// similarArticles finds published articles close to a question's title.
func (h *Handlers) similarArticles(c *gin.Context, title string) ([]kb.Hit, error) {
	if h.with.Articles == nil {
		return nil, nil
	}
	return h.with.Articles.Similar(c.Request.Context(), web.BrandOf(c).ID, title, articleLimit)
}

func trim(hits []kb.Hit) []kb.Hit {
	if len(hits) > articleLimit {
		return hits[:articleLimit]
	}
	return hits
}

// articleHit is a matching article in the search and similar APIs.
type articleHit struct {
	ID      int64    `json:"id"`
	Title   string   `json:"title"`
	URL     string   `json:"url"`
	Tags    []string `json:"tags"`
	Score   float64  `json:"score"`
	Passage string   `json:"passage"`
}

func articleHits(hits []kb.Hit) []articleHit {
	out := make([]articleHit, 0, len(hits))
	for _, x := range hits {
		tags := x.Article.Tags
		if tags == nil {
			tags = []string{}
		}
		out = append(out, articleHit{ID: x.Article.ID, Title: x.Article.Title, URL: x.Article.URL(), Tags: tags, Score: x.Score, Passage: x.Passage})
	}
	return out
}

// articlesSitemap lists the published articles (sitemaps/articles.xml).
func (h *Handlers) articlesSitemap(c *gin.Context) {
	arts, err := h.with.Articles.Published(c.Request.Context(), web.BrandOf(c).ID, 0, 50000)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	origin := h.site.Origin(c)
	set := urlSet{URLs: []sitemapURL{{Loc: origin + "/kb"}}}
	for _, a := range arts {
		set.URLs = append(set.URLs, sitemapURL{Loc: origin + a.URL(), LastMod: a.UpdatedAt.UTC().Format(time.RFC3339)})
	}
	writeXML(c, "application/xml; charset=utf-8", set)
}

// articlesFeed is the newest published articles (feeds/articles.atom).
func (h *Handlers) articlesFeed(c *gin.Context) {
	b := web.BrandOf(c)
	arts, err := h.with.Articles.Published(c.Request.Context(), b.ID, 0, feedSize)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	origin, self := h.site.Origin(c), "/feeds/articles.atom"
	feed := atomFeed{Title: web.T(c, "kb.feed_title", "Brand", b.Name), ID: origin + self,
		Links:   []atomLink{{Rel: "self", Type: "application/atom+xml", Href: origin + self}, {Href: origin + "/kb"}},
		Updated: b.CreatedAt.UTC().Format(time.RFC3339)}
	for i, a := range arts {
		if i == 0 {
			feed.Updated = a.UpdatedAt.UTC().Format(time.RFC3339)
		}
		feed.Entries = append(feed.Entries, atomEntry{Title: a.Title, ID: origin + "/kb/" + web.Itoa(a.ID),
			Updated: a.UpdatedAt.UTC().Format(time.RFC3339), Published: a.PublishedAt.UTC().Format(time.RFC3339),
			Link: atomLink{Rel: "alternate", Href: origin + a.URL()}, Author: atomAuthor{Name: b.Name},
			Content: atomContent{Type: "html", Body: a.BodyHTML}})
	}
	writeXML(c, "application/atom+xml; charset=utf-8", feed)
}

// ArticlePage is an article's page data as the head reads it.
type ArticlePage interface {
	KnowledgeArticle() kb.Article
}

// articleHead is a published article's canonical URL, OpenGraph fields and
// schema.org Article data: the brand publishes it, the members it credits
// are its authors, and it is based on the threads it came from. (Not
// QAPage: that is for a page where members answer a question, which the
// source threads are and say.)
func articleHead(v web.PageInfo, a kb.Article) any {
	if a.State != kb.Published {
		return nil
	}
	canonical := v.Origin + a.URL()
	var authors, based []map[string]any
	for _, cr := range a.Credits {
		if cr.Username != "" && cr.Username != account.FormerMember {
			authors = append(authors, map[string]any{"@type": "Person", "name": cr.Username, "url": v.Origin + "/u/" + cr.Username})
		}
	}
	for _, s := range a.Sources {
		based = append(based, map[string]any{"@type": "QAPage", "name": s.Title, "url": v.Origin + s.URL()})
	}
	text := markup.PlainText(a.BodyHTML)
	ld := map[string]any{"@context": "https://schema.org", "@type": "Article", "headline": clip(a.Title, 110),
		"articleBody": clip(text, 5000), "datePublished": a.PublishedAt.UTC().Format(time.RFC3339),
		"dateModified": a.UpdatedAt.UTC().Format(time.RFC3339), "mainEntityOfPage": canonical, "url": canonical,
		"publisher": map[string]any{"@type": "Organization", "name": v.Brand.Name, "url": v.Origin + "/"}}
	if len(authors) > 0 {
		ld["author"] = authors
	}
	if len(based) > 0 {
		ld["isBasedOn"] = based
	}
	if len(a.Tags) > 0 {
		ld["keywords"] = a.Tags
	}
	return &head{Canonical: canonical, Title: a.Title, Description: clip(text, 200), SiteName: v.Brand.Name, JSONLD: ld}
}
