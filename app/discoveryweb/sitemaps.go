package discoveryweb

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mutual/app/web"
	"mutual/forum"

	"github.com/gin-gonic/gin"
)

func (h *Handlers) robots(c *gin.Context) {
	body := "User-agent: *\n" +
		"Disallow: /api/\n" +
		"Disallow: /search\n" +
		"Disallow: /ask\n" +
		"Disallow: /login\n" +
		"Disallow: /signup\n" +
		"Disallow: /p/\n" +
		"Allow: /\n\n" +
		"Sitemap: " + h.site.Origin(c) + "/sitemap.xml\n"
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

// sitemaps lists the brand's sitemap files: one for the home
// page and boards, then one per SitemapPageSize thread ids, so each file stays
// far under the protocol's 50,000 URLs however large the forum grows.
func (h *Handlers) sitemaps(c *gin.Context) {
	maxID, err := h.forum.MaxThreadID(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	origin := h.site.Origin(c)
	idx := sitemapIndex{Sitemaps: []sitemapRef{{Loc: origin + "/sitemaps/boards.xml"}}}
	if h.with.Articles != nil {
		idx.Sitemaps = append(idx.Sitemaps, sitemapRef{Loc: origin + "/sitemaps/articles.xml"})
	}
	for n := int64(1); (n-1)*forum.SitemapPageSize < maxID; n++ {
		idx.Sitemaps = append(idx.Sitemaps, sitemapRef{Loc: fmt.Sprintf("%s/sitemaps/threads-%d.xml", origin, n)})
	}
	writeXML(c, "application/xml; charset=utf-8", idx)
}

// sitemapFile serves boards.xml or threads-N.xml.
func (h *Handlers) sitemapFile(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	origin := h.site.Origin(c)
	file := c.Param("file")
	set := urlSet{}
	if file == "boards.xml" {
		boards, err := h.forum.Boards(ctx, b.ID)
		if err != nil {
			h.site.Fail(c, err)
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
	if file == "articles.xml" && h.with.Articles != nil {
		h.articlesSitemap(c)
		return
	}
	num, ok := strings.CutPrefix(file, "threads-")
	num, ok2 := strings.CutSuffix(num, ".xml")
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || !ok2 || err != nil || n < 1 || n > 1<<40 {
		h.site.NotFound(c)
		return
	}
	entries, err := h.forum.SitemapThreads(ctx, b.ID, (n-1)*forum.SitemapPageSize, n*forum.SitemapPageSize)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	set.URLs = make([]sitemapURL, 0, len(entries))
	for _, e := range entries {
		set.URLs = append(set.URLs, sitemapURL{Loc: origin + "/t/" + web.Itoa(e.ID) + "/" + e.Slug, LastMod: e.LastMod.UTC().Format(time.RFC3339)})
	}
	writeXML(c, "application/xml; charset=utf-8", set)
}
