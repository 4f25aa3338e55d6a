package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"mutual/forum"
)

// Search as a page and as an API call: matches in titles and replies, only in
// the request's brand, with person-friendly errors for an empty query.
func TestSearchPageAndAPI(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	asker := s.user(s.brand.ID, "asker")
	th, err := s.svc.Ask(ctx, asker.actor, forum.NewThread{BoardID: s.board.ID, Title: "Porting <b>my</b> number to eSIM", Body: "How long does a port take?"})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := s.brands.Create(ctx, forum.NewBrand{Host: "other.test", Name: "Other"})
	ob := s.newBoard(other.ID, "Other board")
	stranger := s.user(other.ID, "stranger")
	if _, err := s.svc.Ask(ctx, stranger.actor, forum.NewThread{BoardID: ob.ID, Title: "Porting in the other brand", Body: "Never visible from localhost."}); err != nil {
		t.Fatal(err)
	}
	s.run([]scenario{
		{name: "page finds title words", method: http.MethodGet, path: "/search?q=porting", status: http.StatusOK,
			contains: []string{"1 result", "/t/" + itoa(th.ID) + "/", "<mark>Porting</mark> &lt;b&gt;my&lt;/b&gt; number"}, notContains: []string{"other brand", "<b>my</b>"}},
		{name: "page without query shows the form", method: http.MethodGet, path: "/search", status: http.StatusOK,
			contains: []string{`name="q"`}, notContains: []string{"result"}},
		{name: "page with only punctuation explains", method: http.MethodGet, path: "/search?q=%3F%21", status: http.StatusUnprocessableEntity,
			contains: []string{"Type a word or two"}},
		{name: "page keeps the query escaped", method: http.MethodGet, path: "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", status: http.StatusOK,
			contains: []string{"&lt;script&gt;"}, notContains: []string{"<script>alert"}},
		{name: "api finds reply-free thread by body", method: http.MethodGet, path: "/api/v1/search?q=port+take", status: http.StatusOK,
			contains: []string{`"items":[{"id":` + itoa(th.ID)}, notContains: []string{"other brand"}},
		{name: "api no match is an empty list", method: http.MethodGet, path: "/api/v1/search?q=zzzzqqq", status: http.StatusOK,
			contains: []string{`"items":[]`}},
		{name: "api empty query is 422 JSON", method: http.MethodGet, path: "/api/v1/search?q=", status: http.StatusUnprocessableEntity,
			contains: []string{`"code":"invalid"`, `"q"`}},
	})
	s.noErrorLogs()
}

// Search pages are cached for visitors, and any change to what a result
// shows is seen by the next one: a new question, an edit of the accepted
// answer its snippet comes from, a moderator hiding the question.
func TestSearchPageCacheNeverStale(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	visitor := s.browser()
	page := func(q string) string {
		t.Helper()
		r := visitor.get("/search?q=" + q)
		if r.code != http.StatusOK {
			t.Fatalf("search %q = %d", q, r.code)
		}
		return r.body
	}
	first := visitor.get("/search?q=roaming")
	if first.header.Get("ETag") == "" || !strings.Contains(first.body, "/t/"+itoa(c.solved.ID)+"/") {
		t.Fatalf("first search: ETag %q, finds the solved thread: %v", first.header.Get("ETag"), strings.Contains(first.body, "/t/"+itoa(c.solved.ID)+"/"))
	}

	asker := s.bearerClient(c.other)
	asked := apiObject(t, asker.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID, "title": "Roaming pass not applied in Spain", "body": "The pass shows as active but I was charged."}), http.StatusCreated)
	if !strings.Contains(page("roaming"), "/t/"+itoa(num(asked["id"]))+"/") {
		t.Errorf("a new question is missing from the search the visitor saw before")
	}

	mod := s.bearerClient(c.mod)
	apiObject(t, mod.api(http.MethodPatch, "/api/v1/posts/"+itoa(c.answer.ID), map[string]any{"body": "Check the roaming charges section, under extras abroad."}), http.StatusOK)
	if !strings.Contains(page("roaming"), "extras abroad") {
		t.Errorf("the snippet still shows the accepted answer before its edit")
	}

	apiObject(t, mod.api(http.MethodPost, "/api/v1/posts/"+itoa(c.question.ID)+"/hide", map[string]any{"reason": "testing"}), http.StatusOK)
	if strings.Contains(page("roaming"), "/t/"+itoa(c.solved.ID)+"/") {
		t.Errorf("a hidden thread is still in the cached search results")
	}
	s.noErrorLogs()
}
