package app_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mutual/forum"
)

// discoverySolved asks a question and accepts a reply to it.
func (s *site) discoverySolved(asker, helper member, title, body, answer string) forum.Thread {
	s.t.Helper()
	ctx := context.Background()
	th, err := s.svc.Ask(ctx, asker.actor, forum.NewThread{BoardID: s.board.ID, Title: title, Body: body})
	if err != nil {
		s.t.Fatal(err)
	}
	p, err := s.svc.Reply(ctx, helper.actor, th.ID, forum.NewReply{Body: answer})
	if err != nil {
		s.t.Fatal(err)
	}
	if th, err = s.svc.Accept(ctx, asker.actor, th.ID, p.ID); err != nil {
		s.t.Fatal(err)
	}
	return th
}

// Search page and API: filters, snippets marked after escaping, pages, and
// person-friendly errors for bad parameters.
func TestDiscoverySearchPageAndAPI(t *testing.T) {
	s := newSite(t)
	asker, helper := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "helper")
	solved := s.discoverySolved(asker, helper, "Voicemail PIN reset <b>now</b>", "My voicemail asks for a PIN & I never set one.",
		"Dial 121 and choose option 4 to reset the voicemail PIN.")
	open, err := s.svc.Ask(context.Background(), asker.actor, forum.NewThread{BoardID: s.board.ID, Title: "Voicemail greeting plays twice", Body: "Odd echo on the voicemail greeting."})
	if err != nil {
		t.Fatal(err)
	}
	other := s.newBoard(s.brand.ID, "Devices")
	s.run([]scenario{
		{name: "page marks words and escapes text", method: http.MethodGet, path: "/search?q=voicemail+pin", status: http.StatusOK,
			contains:    []string{"1 result", "<mark>Voicemail</mark> <mark>PIN</mark> reset &lt;b&gt;now&lt;/b&gt;", "asks for a <mark>PIN</mark> &amp; I never"},
			notContains: []string{"<b>now</b>"}},
		{name: "page solved filter", method: http.MethodGet, path: "/search?q=voicemail&status=solved", status: http.StatusOK,
			contains: []string{"/t/" + itoa(solved.ID) + "/"}, notContains: []string{"/t/" + itoa(open.ID) + "/"}},
		{name: "page unanswered filter", method: http.MethodGet, path: "/search?q=voicemail&status=unanswered", status: http.StatusOK,
			contains: []string{"/t/" + itoa(open.ID) + "/"}, notContains: []string{"/t/" + itoa(solved.ID) + "/"}},
		{name: "page board filter", method: http.MethodGet, path: "/search?q=voicemail&board=" + itoa(other.ID), status: http.StatusOK,
			contains: []string{"0 results"}},
		{name: "page bad filter is 422", method: http.MethodGet, path: "/search?q=voicemail&since=decade", status: http.StatusUnprocessableEntity,
			contains: []string{"Since must be any, week, month or year."}},
		{name: "api items with snippet html", method: http.MethodGet, path: "/api/v1/search?q=pin&status=solved", status: http.StatusOK,
			contains: []string{`"items":[{"id":` + itoa(solved.ID), `"snippet_html":"My voicemail asks for a \u003cmark\u003ePIN\u003c/mark\u003e \u0026amp; I never set one."`, `"total":1`}},
		{name: "api pages", method: http.MethodGet, path: "/api/v1/search?q=voicemail&page=2", status: http.StatusOK,
			contains: []string{`"items":[]`, `"page":2`}},
		{name: "api bad status", method: http.MethodGet, path: "/api/v1/search?q=voicemail&status=closed", status: http.StatusUnprocessableEntity,
			contains: []string{`"status":"The status must be all, solved or unanswered."`}},
		{name: "api bad page", method: http.MethodGet, path: "/api/v1/search?q=voicemail&page=-1", status: http.StatusUnprocessableEntity,
			contains: []string{`"page"`}},
	})
	s.noErrorLogs()
}

// Similar questions: the API, the no-JavaScript check, and recording opens.
func TestDiscoverySimilarAndOpens(t *testing.T) {
	s := newSite(t)
	asker, helper := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "helper")
	solved := s.discoverySolved(asker, helper, "eSIM activation stuck on Pixel", "It has said activating for a day.", "Restart after 10 minutes; it finishes.")
	m := s.user(s.brand.ID, "newbie")
	b := s.signedIn(m)
	s.run([]scenario{
		{name: "api similar", method: http.MethodGet, path: "/api/v1/similar?title=" + url.QueryEscape("Pixel eSIM activation never ends"), status: http.StatusOK,
			contains: []string{`"items":[{"id":` + itoa(solved.ID), `"open_url":"/ask/similar/` + itoa(solved.ID) + `"`}},
		{name: "api similar with no topic words", method: http.MethodGet, path: "/api/v1/similar?title=how+do+I", status: http.StatusOK,
			contains: []string{`"items":[]`}},
		{name: "no-js check lists suggestions and keeps the draft", method: http.MethodPost, path: "/ask/similar", as: b,
			form:   url.Values{"title": {"Pixel eSIM activation never ends"}, "body": {"Draft & details"}, "board_id": {itoa(s.board.ID)}},
			status: http.StatusOK, contains: []string{`href="/ask/similar/` + itoa(solved.ID) + `"`, "eSIM activation stuck on Pixel", "Draft &amp; details"}},
		{name: "visitor cannot open through the ask flow", method: http.MethodGet, path: "/ask/similar/" + itoa(solved.ID), status: http.StatusSeeOther,
			location: "/login"},
		{name: "member opens and is sent to the thread", method: http.MethodGet, path: "/ask/similar/" + itoa(solved.ID), as: b,
			status: http.StatusSeeOther, location: "/t/" + itoa(solved.ID) + "/" + solved.Slug},
		{name: "unknown thread is 404", method: http.MethodGet, path: "/ask/similar/999999", as: b, status: http.StatusNotFound},
	})
	opens, err := s.search.SuggestionOpens(context.Background(), s.brand.ID, m.actor.UserID)
	if err != nil || len(opens) != 1 || opens[0].ThreadID != solved.ID {
		t.Fatalf("opens = %+v, %v", opens, err)
	}
	s.noErrorLogs()
}

var ldJSON = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

// Thread pages carry a canonical link, OpenGraph tags and QAPage data that
// member text cannot break out of; old slugs redirect permanently.
func TestDiscoveryThreadHead(t *testing.T) {
	s := newSite(t)
	asker, helper := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "helper")
	th := s.discoverySolved(asker, helper, `Title </script><script>alert(1)</script> "quoted"`, "Question body with <b>markup</b>.",
		"The accepted answer </script> here.")
	page := s.browser().get("/t/" + itoa(th.ID) + "/" + th.Slug)
	if page.code != http.StatusOK {
		t.Fatalf("thread page = %d", page.code)
	}
	for _, w := range []string{`<link rel="canonical" href="http://localhost/t/` + itoa(th.ID) + "/" + th.Slug + `">`,
		`<meta property="og:type" content="article">`, `<meta property="og:title" content="Title &lt;/script&gt;`} {
		if !strings.Contains(page.body, w) {
			t.Errorf("thread page lacks %q", w)
		}
	}
	m := ldJSON.FindAllStringSubmatch(page.body, -1)
	if len(m) != 1 {
		t.Fatalf("want one JSON-LD block, found %d", len(m))
	}
	var ld struct {
		Type       string `json:"@type"`
		MainEntity struct {
			Name           string `json:"name"`
			AnswerCount    int    `json:"answerCount"`
			AcceptedAnswer struct {
				Text string `json:"text"`
				URL  string `json:"url"`
			} `json:"acceptedAnswer"`
		} `json:"mainEntity"`
	}
	if err := json.Unmarshal([]byte(m[0][1]), &ld); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, m[0][1])
	}
	if ld.Type != "QAPage" || ld.MainEntity.Name != th.Title || ld.MainEntity.AnswerCount != 1 ||
		ld.MainEntity.AcceptedAnswer.Text != "The accepted answer here." || !strings.Contains(ld.MainEntity.AcceptedAnswer.URL, "#p") {
		t.Fatalf("JSON-LD = %+v", ld)
	}
	s.run([]scenario{
		{name: "old slug redirects", method: http.MethodGet, path: "/t/" + itoa(th.ID) + "/old-title", status: http.StatusMovedPermanently,
			location: "/t/" + itoa(th.ID) + "/" + th.Slug},
		{name: "no slug redirects", method: http.MethodGet, path: "/t/" + itoa(th.ID), status: http.StatusMovedPermanently,
			location: "/t/" + itoa(th.ID) + "/" + th.Slug},
		{name: "home has no QAPage", method: http.MethodGet, path: "/", status: http.StatusOK,
			contains: []string{`type="application/atom+xml"`}, notContains: []string{"ld+json"}},
	})
	s.noErrorLogs()
}

// Sitemaps, robots.txt and feeds: well-formed XML with only visible threads
// of the request's brand.
func TestDiscoverySitemapsAndFeeds(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	asker, helper := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "helper")
	solved := s.discoverySolved(asker, helper, "Roaming pass for Morocco", "Does the pass cover Morocco?", "Yes, zone 2.")
	open, err := s.svc.Ask(ctx, asker.actor, forum.NewThread{BoardID: s.board.ID, Title: "Unanswered <question> & more", Body: "Nobody replied yet."})
	if err != nil {
		t.Fatal(err)
	}
	hidden, err := s.svc.Ask(ctx, asker.actor, forum.NewThread{BoardID: s.board.ID, Title: "A hidden spam thread", Body: "Spam spam spam."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.DB().Exec(ctx, `UPDATE threads SET status = 'hidden' WHERE id = ?`, hidden.ID); err != nil {
		t.Fatal(err)
	}
	other, _ := s.brands.Create(ctx, forum.NewBrand{Host: "other.test", Name: "Other"})
	ob := s.newBoard(other.ID, "Elsewhere")
	stranger := s.user(other.ID, "stranger")
	if _, err := s.svc.Ask(ctx, stranger.actor, forum.NewThread{BoardID: ob.ID, Title: "Other brand thread", Body: "Never in localhost's sitemap."}); err != nil {
		t.Fatal(err)
	}
	tpath := func(th forum.Thread) string { return "/t/" + itoa(th.ID) + "/" + th.Slug }
	s.run([]scenario{
		{name: "robots", method: http.MethodGet, path: "/robots.txt", status: http.StatusOK,
			contains: []string{"Disallow: /api/", "Disallow: /search", "Sitemap: http://localhost/sitemap.xml"}},
		{name: "sitemap index", method: http.MethodGet, path: "/sitemap.xml", status: http.StatusOK,
			contains:    []string{"<sitemapindex", "http://localhost/sitemaps/boards.xml", "http://localhost/sitemaps/threads-1.xml"},
			notContains: []string{"threads-2.xml"}},
		{name: "boards sitemap", method: http.MethodGet, path: "/sitemaps/boards.xml", status: http.StatusOK,
			contains: []string{"<loc>http://localhost/</loc>", "/b/" + itoa(s.board.ID) + "/"}, notContains: []string{"Elsewhere", "/b/" + itoa(ob.ID) + "/"}},
		{name: "threads sitemap", method: http.MethodGet, path: "/sitemaps/threads-1.xml", status: http.StatusOK,
			contains: []string{tpath(solved), tpath(open), "<lastmod>"}, notContains: []string{tpath(hidden), "other-brand-thread"}},
		{name: "empty sitemap page is valid", method: http.MethodGet, path: "/sitemaps/threads-9.xml", status: http.StatusOK,
			contains: []string{"<urlset"}},
		{name: "bad sitemap name", method: http.MethodGet, path: "/sitemaps/threads-x.xml", status: http.StatusNotFound},
		{name: "latest feed", method: http.MethodGet, path: "/feeds/latest.atom", status: http.StatusOK,
			contains:    []string{`<feed xmlns="http://www.w3.org/2005/Atom">`, "Unanswered &lt;question&gt; &amp; more", tpath(solved), `type="html"`},
			notContains: []string{"hidden spam", "Other brand"}},
		{name: "unanswered feed", method: http.MethodGet, path: "/feeds/unanswered.atom", status: http.StatusOK,
			contains: []string{tpath(open)}, notContains: []string{tpath(solved)}},
		{name: "board feed", method: http.MethodGet, path: "/feeds/boards/" + itoa(s.board.ID) + ".atom", status: http.StatusOK,
			contains: []string{tpath(solved)}},
		{name: "other brand's board feed is 404", method: http.MethodGet, path: "/feeds/boards/" + itoa(ob.ID) + ".atom", status: http.StatusNotFound},
	})
	for _, p := range []string{"/sitemap.xml", "/sitemaps/threads-1.xml", "/feeds/latest.atom"} {
		body := s.browser().get(p).body
		if err := xml.Unmarshal([]byte(body), new(struct{})); err != nil {
			t.Errorf("%s is not well-formed XML: %v", p, err)
		}
	}
	s.noErrorLogs()
}
