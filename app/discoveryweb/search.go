package discoveryweb

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/lang"
	"mutual/search"
)

// since maps the search form's date filter to a start time.
var since = map[string]time.Duration{
	"week":  7 * 24 * time.Hour,
	"month": 31 * 24 * time.Hour,
	"year":  366 * 24 * time.Hour,
}

// query reads the search parameters shared by the page and the API:
// q, board, status (all|solved|unanswered), since (week|month|year), lang
// (a language code), page.
func (h *Handlers) query(c *gin.Context) (search.Query, error) {
	sq := search.Query{Q: strings.TrimSpace(c.Query("q"))}
	fields := map[string]string{}
	if v := c.Query("board"); v != "" && v != "0" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fields["board"] = "board must be a board id"
		}
		sq.BoardID = id
	}
	st, err := search.ParseStatus(c.Query("status"))
	if err != nil {
		fields["status"] = "status must be all, solved or unanswered"
	}
	sq.Status = st
	if v := c.Query("since"); v != "" && v != "any" {
		d, ok := since[v]
		if !ok {
			fields["since"] = "since must be any, week, month or year"
		}
		sq.Since = h.now().Add(-d)
	}
	language, err := forum.ParseLanguage(c.Query("lang"))
	if err != nil {
		fields["lang"] = "lang must be a language code such as en or es"
	}
	sq.Lang = language
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fields["page"] = "page must be a number from 1"
		}
		sq.Page = n
	}
	if len(fields) > 0 {
		return sq, &fault.ValidationError{Fields: fields}
	}
	return sq, nil
}

// searchView is the search page's data.
type searchView struct {
	Query  string
	Board  int64
	Status string
	Since  string
	Lang   string
	Boards []forum.Board
	// Languages are the language filter's choices; none when the brand's
	// threads are all in one language.
	Languages []lang.Language
	Result    search.Page
	Errors    map[string]string
	Prev      string // links to the neighbouring pages; empty at the ends
	Next      string
}

func (v searchView) pageLink(page int) string {
	q := url.Values{"q": {v.Query}}
	if v.Board != 0 {
		q.Set("board", strconv.FormatInt(v.Board, 10))
	}
	if v.Status != "" {
		q.Set("status", v.Status)
	}
	if v.Since != "" {
		q.Set("since", v.Since)
	}
	if v.Lang != "" {
		q.Set("lang", v.Lang)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return "/search?" + q.Encode()
}

// BoardName names a result's board for the template.
func (v searchView) BoardName(id int64) string {
	for _, b := range v.Boards {
		if b.ID == id {
			return b.Name
		}
	}
	return ""
}

func (h *Handlers) searchPage(c *gin.Context) {
	ctx := c.Request.Context()
	boards, err := h.forum.Boards(ctx, web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	langs, err := h.forum.Languages(ctx, web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v := searchView{Query: strings.TrimSpace(c.Query("q")), Status: c.Query("status"), Since: c.Query("since"), Boards: boards}
	code := http.StatusOK
	sq, err := h.query(c)
	v.Board, v.Lang = sq.BoardID, sq.Lang
	if len(langs) > 1 || v.Lang != "" {
		v.Languages = langs
	}
	if v.Query != "" || err != nil {
		if err == nil {
			v.Result, err = h.search.Threads(ctx, web.BrandOf(c).ID, sq)
		}
		if err == nil {
			err = h.rankResults(ctx, web.BrandOf(c).ID, v.Result.Results)
		}
		var ve *fault.ValidationError
		switch {
		case errors.As(err, &ve):
			v.Errors, code = ve.Fields, http.StatusUnprocessableEntity
		case err != nil:
			h.site.Fail(c, err)
			return
		}
		if v.Result.Page > 1 {
			v.Prev = v.pageLink(v.Result.Page - 1)
		}
		if v.Result.HasNext {
			v.Next = v.pageLink(v.Result.Page + 1)
		}
	}
	h.site.Render(c, code, "search", web.T(c, "title.search"), v)
}

// result is what a search result adds to the API's thread object.
type result struct {
	web.ThreadJSON
	Score       float64 `json:"score"`
	InReplies   bool    `json:"in_replies"`
	TitleHTML   string  `json:"title_html"`
	Snippet     string  `json:"snippet"`
	SnippetHTML string  `json:"snippet_html"`
}

type results struct {
	Items []result `json:"items"`
	Next  *string  `json:"next"`
	Total int      `json:"total"`
	Exact bool     `json:"total_exact"`
	Page  int      `json:"page"`
}

func (h *Handlers) apiSearch(c *gin.Context) {
	sq, err := h.query(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	pg, err := h.search.Threads(c.Request.Context(), web.BrandOf(c).ID, sq)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	rk, ok := h.site.Ladder(c)
	if !ok {
		return
	}
	out := results{Items: make([]result, 0, len(pg.Results)), Total: pg.Total, Exact: pg.Exact, Page: pg.Page}
	for _, r := range pg.Results {
		out.Items = append(out.Items, result{ThreadJSON: web.ToThreadJSON(r.Thread, rk), Score: r.Score, InReplies: r.InReplies,
			TitleHTML: search.FragmentsHTML(r.Title), Snippet: search.FragmentsText(r.Snippet), SnippetHTML: search.FragmentsHTML(r.Snippet)})
	}
	if pg.HasNext {
		next := strconv.Itoa(pg.Page + 1)
		out.Next = &next
	}
	c.JSON(http.StatusOK, out)
}

// similar is what a suggestion in GET /api/v1/similar adds to the API's
// thread object. open_url records that the asker opened it (see
// openSuggestion).
type similar struct {
	web.ThreadJSON
	OpenURL string `json:"open_url"`
}

func (h *Handlers) apiSimilar(c *gin.Context) {
	title := c.Query("title")
	if len(title) > 300 {
		h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"title": "title must be at most 300 characters"}})
		return
	}
	prefer, err := forum.ParseLanguage(c.Query("lang"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if prefer == "" {
		prefer = web.ContentLanguage(c)
	}
	var threads []forum.Thread
	if !h.heldOut(c) {
		threads, err = h.search.Similar(c.Request.Context(), web.BrandOf(c).ID, title, prefer, search.SimilarLimit)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
	}
	rk, ok := h.site.Ladder(c)
	if !ok {
		return
	}
	out := web.List[similar]{Items: make([]similar, 0, len(threads))}
	for _, t := range threads {
		out.Items = append(out.Items, similar{ThreadJSON: web.ToThreadJSON(t, rk), OpenURL: openURL(t)})
	}
	c.JSON(http.StatusOK, out)
}

func openURL(t forum.Thread) string { return "/ask/similar/" + web.Itoa(t.ID) }

// TotalCount is the result count as the template's plural wants it.
func (v searchView) TotalCount() int64 { return int64(v.Result.Total) }

// rankResults puts the brand's rank names on search results' authors.
func (h *Handlers) rankResults(ctx context.Context, brandID int64, rs []search.Result) error {
	if h.site.Ranks == nil {
		return nil
	}
	rk, err := h.site.Ranks(ctx, brandID)
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i].Thread.AuthorRank = rk.Name(rs[i].Thread.AuthorReputation)
	}
	return nil
}
