package app_test

import (
	"context"
	"net/http"
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
