package app

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
)

// discoveryHead is what the head-discovery slot prints on a thread page.
type discoveryHead struct {
	Canonical   string
	Title       string
	Description string
	SiteName    string
	JSONLD      map[string]any // printed inside <script type="application/ld+json">; html/template escapes it as JSON
}

// discoveryHeadFor returns the thread page's canonical URL, OpenGraph
// fields and schema.org QAPage data, or nil on other pages (web.Site.Head).
func discoveryHeadFor(v web.PageInfo) any {
	tv, ok := v.Page.(threadView)
	if !ok {
		return nil
	}
	pg := tv.Page
	t := pg.Thread
	canonical := v.Origin + web.ThreadURL(t)
	person := func(name string) map[string]any {
		return map[string]any{"@type": "Person", "name": name, "url": v.Origin + "/u/" + name}
	}
	answer := func(p forum.Post) map[string]any {
		return map[string]any{"@type": "Answer", "text": discoveryClip(forum.PlainText(p.BodyHTML), 5000),
			"dateCreated": p.CreatedAt.UTC().Format(time.RFC3339), "upvoteCount": p.KudosCount,
			"url": canonical + "#p" + web.Itoa(p.ID), "author": person(p.AuthorName)}
	}
	question := map[string]any{
		"@type": "Question", "name": t.Title, "text": discoveryClip(forum.PlainText(pg.Question.BodyHTML), 5000),
		"answerCount": t.ReplyCount, "upvoteCount": pg.Question.KudosCount,
		"dateCreated": t.CreatedAt.UTC().Format(time.RFC3339), "author": person(t.AuthorName),
	}
	if pg.Accepted != nil {
		question["acceptedAnswer"] = answer(*pg.Accepted)
	}
	var suggested []map[string]any
	for _, r := range pg.Replies {
		if r.ID != t.AcceptedPostID {
			suggested = append(suggested, answer(r))
		}
	}
	if len(suggested) > 0 {
		question["suggestedAnswer"] = suggested
	}
	return &discoveryHead{
		Canonical:   canonical,
		Title:       t.Title,
		Description: discoveryClip(forum.PlainText(pg.Question.BodyHTML), 200),
		SiteName:    v.Brand.Name,
		JSONLD:      map[string]any{"@context": "https://schema.org", "@type": "QAPage", "mainEntity": question},
	}
}

// discoveryClip shortens text to at most n runes, at a word boundary.
func discoveryClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

func (a *App) discoveryRobots(c *gin.Context) {
	body := "User-agent: *\n" +
		"Disallow: /api/\n" +
		"Disallow: /search\n" +
		"Disallow: /ask\n" +
		"Disallow: /login\n" +
		"Disallow: /signup\n" +
		"Disallow: /p/\n" +
		"Allow: /\n\n" +
		"Sitemap: " + a.site.Origin(c) + "/sitemap.xml\n"
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(body))
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapRef `xml:"sitemap"`
}

type sitemapRef struct {
	Loc string `xml:"loc"`
}

type urlSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

func writeXML(c *gin.Context, contentType string, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		c.String(http.StatusInternalServerError, "could not write XML")
		return
	}
	c.Header("Cache-Control", "public, max-age=600")
	c.Data(http.StatusOK, contentType, append([]byte(xml.Header), out...))
}

// discoverySitemapIndex lists the brand's sitemap files: one for the home
// page and boards, then one per SitemapPageSize thread ids, so each file stays
// far under the protocol's 50,000 URLs however large the forum grows.
func (a *App) discoverySitemapIndex(c *gin.Context) {
	maxID, err := a.forum.MaxThreadID(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	origin := a.site.Origin(c)
	idx := sitemapIndex{Sitemaps: []sitemapRef{{Loc: origin + "/sitemaps/boards.xml"}}}
	for n := int64(1); (n-1)*forum.SitemapPageSize < maxID; n++ {
		idx.Sitemaps = append(idx.Sitemaps, sitemapRef{Loc: fmt.Sprintf("%s/sitemaps/threads-%d.xml", origin, n)})
	}
	writeXML(c, "application/xml; charset=utf-8", idx)
}

// discoverySitemap serves boards.xml or threads-N.xml.
func (a *App) discoverySitemap(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	origin := a.site.Origin(c)
	file := c.Param("file")
	set := urlSet{}
	if file == "boards.xml" {
		boards, err := a.forum.Boards(ctx, b.ID)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		set.URLs = append(set.URLs, sitemapURL{Loc: origin + "/"})
		for _, bd := range boards {
			u := sitemapURL{Loc: origin + "/b/" + web.Itoa(bd.ID) + "/" + bd.Slug}
			if !bd.LastActivityAt.IsZero() {
				u.LastMod = bd.LastActivityAt.UTC().Format(time.RFC3339)
			}
			set.URLs = append(set.URLs, u)
		}
		writeXML(c, "application/xml; charset=utf-8", set)
		return
	}
	num, ok := strings.CutPrefix(file, "threads-")
	num, ok2 := strings.CutSuffix(num, ".xml")
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || !ok2 || err != nil || n < 1 || n > 1<<40 {
		a.site.NotFound(c)
		return
	}
	entries, err := a.forum.SitemapThreads(ctx, b.ID, (n-1)*forum.SitemapPageSize, n*forum.SitemapPageSize)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	set.URLs = make([]sitemapURL, 0, len(entries))
	for _, e := range entries {
		set.URLs = append(set.URLs, sitemapURL{Loc: origin + "/t/" + web.Itoa(e.ID) + "/" + e.Slug, LastMod: e.LastMod.UTC().Format(time.RFC3339)})
	}
	writeXML(c, "application/xml; charset=utf-8", set)
}

// Atom (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	Title     string      `xml:"title"`
	ID        string      `xml:"id"`
	Updated   string      `xml:"updated"`
	Published string      `xml:"published"`
	Link      atomLink    `xml:"link"`
	Author    atomAuthor  `xml:"author"`
	Content   atomContent `xml:"content"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

// atomContent carries the question's sanitised HTML; encoding/xml escapes
// it, and type="html" tells readers to unescape it once.
type atomContent struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

const discoveryFeedSize = 30

func (a *App) discoveryFeed(c *gin.Context, title, self string, boardID int64, unanswered bool) {
	b := web.BrandOf(c)
	entries, err := a.forum.FeedThreads(c.Request.Context(), b.ID, boardID, unanswered, discoveryFeedSize)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	origin := a.site.Origin(c)
	feed := atomFeed{Title: title, ID: origin + self, Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: origin + self}, {Href: origin + "/"}},
		Updated: b.CreatedAt.UTC().Format(time.RFC3339)}
	for i, e := range entries {
		t := e.Thread
		if i == 0 || t.CreatedAt.After(mustParse(feed.Updated)) {
			feed.Updated = t.CreatedAt.UTC().Format(time.RFC3339)
		}
		feed.Entries = append(feed.Entries, atomEntry{
			Title: t.Title, ID: origin + "/t/" + web.Itoa(t.ID), Updated: t.CreatedAt.UTC().Format(time.RFC3339),
			Published: t.CreatedAt.UTC().Format(time.RFC3339), Link: atomLink{Rel: "alternate", Href: origin + web.ThreadURL(t)},
			Author: atomAuthor{Name: t.AuthorName}, Content: atomContent{Type: "html", Body: e.QuestionHTML},
		})
	}
	writeXML(c, "application/atom+xml; charset=utf-8", feed)
}

func mustParse(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

func (a *App) discoveryLatestFeed(c *gin.Context) {
	a.discoveryFeed(c, web.BrandOf(c).Name+": latest questions", "/feeds/latest.atom", 0, false)
}

func (a *App) discoveryUnansweredFeed(c *gin.Context) {
	a.discoveryFeed(c, web.BrandOf(c).Name+": unanswered questions", "/feeds/unanswered.atom", 0, true)
}

// discoveryBoardFeed serves /feeds/boards/{id}.atom.
func (a *App) discoveryBoardFeed(c *gin.Context) {
	num, ok := strings.CutSuffix(c.Param("file"), ".atom")
	id, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || id <= 0 {
		a.site.NotFound(c)
		return
	}
	bd, err := a.forum.Board(c.Request.Context(), web.BrandOf(c).ID, id)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.discoveryFeed(c, web.BrandOf(c).Name+": "+bd.Name, "/feeds/boards/"+web.Itoa(bd.ID)+".atom", bd.ID, false)
}
