package forum_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"mutual/forum"
	"mutual/internal/testkit"
)

func ids(ts []forum.Thread) []int64 {
	out := make([]int64, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// TestBoardPageBothWays walks a board forward page by page, with ties in
// last activity, then back from the last page: every page going back is the
// page that came before it going forward, and the way back ends on the
// first page.
func TestBoardPageBothWays(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker, helper := f.actor(t, f.brand.ID, "asker"), f.actor(t, f.brand.ID, "helper")
		for i := range 23 {
			if i%4 == 0 {
				f.clock.Add(time.Second)
			}
			th := f.ask(t, asker, fmt.Sprintf("Question number %02d", i))
			if i%3 == 0 {
				testkit.Reply(t, f.svc, helper, th.ID, "An answer")
			}
		}
		for _, filter := range []forum.Filter{forum.FilterAll, forum.FilterUnanswered} {
			for _, limit := range []int{1, 4, 7, 30} {
				var pages []forum.BoardList
				var after forum.Cursor
				for {
					l, err := f.svc.BoardPage(ctx, f.brand.ID, f.board.ID, filter, "", after, forum.Cursor{}, limit)
					if err != nil {
						t.Fatal(err)
					}
					if l.First != (len(pages) == 0) {
						t.Fatalf("%s limit %d page %d: First = %v", filter, limit, len(pages), l.First)
					}
					pages = append(pages, l)
					if l.Older.ID == 0 {
						break
					}
					after = l.Older
				}
				for k := len(pages) - 1; k > 0; k-- {
					l := pages[k]
					if (l.Newer.ID == 0) != (k == 1) {
						t.Errorf("%s limit %d page %d: newer cursor %v, want one unless the page before is the first", filter, limit, k, l.Newer)
					}
					back, err := f.svc.BoardPage(ctx, f.brand.ID, f.board.ID, filter, "", forum.Cursor{}, l.Newer, limit)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(ids(back.Threads), ids(pages[k-1].Threads)) || back.First != (k == 1) || back.Older != pages[k-1].Older {
						t.Errorf("%s limit %d: back from page %d gives %v (first %v), want %v", filter, limit, k, ids(back.Threads), back.First, ids(pages[k-1].Threads))
					}
				}
			}
		}
	})
}
