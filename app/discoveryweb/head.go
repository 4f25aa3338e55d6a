package discoveryweb

import (
	"strings"
	"time"
	"unicode/utf8"

	"mutual/account"
	"mutual/app/web"
	"mutual/forum"
	"mutual/markup"
)

// head is what the head-discovery slot prints on a thread page.
type head struct {
	Canonical   string
	Title       string
	Description string
	SiteName    string
	JSONLD      map[string]any // printed inside <script type="application/ld+json">; html/template escapes it as JSON
}

// ThreadPage is the thread page's data as the head reads it; the thread
// page's view implements it.
type ThreadPage interface {
	QuestionPage() forum.ThreadPage
}

// Head is web.Site.Head: the thread page's canonical URL, OpenGraph fields
// and schema.org QAPage data, or nil on other pages.
func Head(v web.PageInfo) any {
	if ap, ok := v.Page.(ArticlePage); ok {
		return articleHead(v, ap.KnowledgeArticle())
	}
	tv, ok := v.Page.(ThreadPage)
	if !ok {
		return nil
	}
	pg := tv.QuestionPage()
	t := pg.Thread
	canonical := v.Origin + web.ThreadURL(t)
	person := func(name string) map[string]any {
		if name == account.FormerMember {
			return map[string]any{"@type": "Person", "name": name} // an erased account: no profile
		}
		return map[string]any{"@type": "Person", "name": name, "url": v.Origin + "/u/" + name}
	}
	answer := func(p forum.Post) map[string]any {
		return map[string]any{"@type": "Answer", "text": clip(markup.PlainText(p.BodyHTML), 5000),
			"dateCreated": p.CreatedAt.UTC().Format(time.RFC3339), "upvoteCount": p.KudosCount,
			"url": canonical + "#p" + web.Itoa(p.ID), "author": person(p.AuthorName)}
	}
	question := map[string]any{
		"@type": "Question", "name": t.Title, "text": clip(markup.PlainText(pg.Question.BodyHTML), 5000),
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
	return &head{
		Canonical:   canonical,
		Title:       t.Title,
		Description: clip(markup.PlainText(pg.Question.BodyHTML), 200),
		SiteName:    v.Brand.Name,
		JSONLD:      map[string]any{"@context": "https://schema.org", "@type": "QAPage", "mainEntity": question},
	}
}

// clip shortens text to at most n runes, at a word boundary.
func clip(s string, n int) string {
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
