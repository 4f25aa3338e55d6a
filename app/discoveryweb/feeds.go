package discoveryweb

import (
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"mutual/app/web"

	"github.com/gin-gonic/gin"
)

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

const feedSize = 30

func (h *Handlers) serveFeed(c *gin.Context, title, self string, boardID int64, unanswered bool) {
	b := web.BrandOf(c)
	entries, err := h.forum.FeedThreads(c.Request.Context(), b.ID, boardID, unanswered, feedSize)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	origin := h.site.Origin(c)
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

func (h *Handlers) latestFeed(c *gin.Context) {
	h.serveFeed(c, web.BrandOf(c).Name+": latest questions", "/feeds/latest.atom", 0, false)
}

func (h *Handlers) unansweredFeed(c *gin.Context) {
	h.serveFeed(c, web.BrandOf(c).Name+": unanswered questions", "/feeds/unanswered.atom", 0, true)
}

// boardFeed serves /feeds/boards/{id}.atom.
func (h *Handlers) boardFeed(c *gin.Context) {
	num, ok := strings.CutSuffix(c.Param("file"), ".atom")
	id, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || id <= 0 {
		h.site.NotFound(c)
		return
	}
	bd, err := h.forum.Board(c.Request.Context(), web.BrandOf(c).ID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.serveFeed(c, web.BrandOf(c).Name+": "+bd.Name, "/feeds/boards/"+web.Itoa(bd.ID)+".atom", bd.ID, false)
}
