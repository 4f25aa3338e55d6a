package markup_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"mutual/markup"
)

// @username becomes a profile link at write time, only where it is a
// mention: not in code, links, addresses or the middle of a word.
func TestMentionsRender(t *testing.T) {
	r := markup.NewRenderer()
	tests := []struct {
		src      string
		contains []string
		not      []string
		names    []string
	}{
		{src: "thanks @bob and @Alice_1.", contains: []string{`<a href="/u/bob" class="mention" rel="nofollow ugc noopener">@bob</a>`,
			`<a href="/u/Alice_1" class="mention" rel="nofollow ugc noopener">@Alice_1</a>.`}, names: []string{"bob", "alice_1"}},
		{src: "mail me at a@bob.com", not: []string{`class="mention"`}},
		{src: "`@bob` and\n\n    @carol in code", not: []string{`class="mention"`}},
		{src: "[@bob](https://example.com)", contains: []string{`<a href="https://example.com" rel="nofollow ugc noopener">@bob</a>`}, not: []string{`/u/bob`}},
		{src: "see https://example.com/@bob", not: []string{`/u/bob`}},
		{src: "**@bob** (@carol)\nnext line @dave", contains: []string{`<strong><a href="/u/bob"`, `(<a href="/u/carol"`, "next line <a href=\"/u/dave\""},
			names: []string{"bob", "carol", "dave"}},
		{src: "@ab is too short, @bob twice @BOB", names: []string{"bob"}},
		{src: `<a href="/u/x" class="mention">@x</a> raw html`, not: []string{`class="mention"`}},
	}
	for _, tt := range tests {
		html, err := r.Render(context.Background(), tt.src)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.contains {
			if !strings.Contains(html, w) {
				t.Errorf("%q renders %s; missing %s", tt.src, html, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(html, w) {
				t.Errorf("%q renders %s; must not contain %s", tt.src, html, w)
			}
		}
		if got := markup.Mentions(html); !slices.Equal(got, tt.names) && (len(got) != 0 || len(tt.names) != 0) {
			t.Errorf("%q mentions %v, want %v", tt.src, got, tt.names)
		}
	}
	many := ""
	for i := range 15 {
		many += " @user" + string(rune('a'+i)) + "x"
	}
	html, _ := r.Render(context.Background(), many)
	if n := len(markup.Mentions(html)); n != markup.MaxMentions {
		t.Errorf("15 mentions notify %d, want the cap %d", n, markup.MaxMentions)
	}
}
