package forum_test

import (
	"testing"

	"mutual/forum"
	"mutual/internal/testkit"
)

// TestThreadsCarryAuthorReputation: every way of reading threads brings the
// asker's reputation with it (one join), so lists can show ranks without a
// query per row.
func TestThreadsCarryAuthorReputation(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")
		th := f.ask(t, asker, "Which plan should I pick?")
		r := testkit.Reply(t, f.svc, helper, th.ID, "Pick the 10GB plan")
		if _, err := f.svc.Accept(ctx, asker, th.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		want := int64(2) // accepting an answer
		check := func(where string, ts []forum.Thread, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if len(ts) != 1 || ts[0].AuthorName != "asker" || ts[0].AuthorReputation != want {
				t.Errorf("%s = %+v, want asker with %d reputation", where, ts, want)
			}
		}
		list, _, err := f.svc.ListThreads(ctx, f.brand.ID, f.board.ID, forum.FilterAll, "", forum.Cursor{}, 10)
		check("ListThreads", list, err)
		recent, err := f.svc.RecentThreads(ctx, f.brand.ID, 10)
		check("RecentThreads", recent, err)
		by, err := f.svc.ThreadsBy(ctx, f.brand.ID, asker.UserID, 10)
		check("ThreadsBy", by, err)
		one, err := f.svc.Thread(ctx, f.brand.ID, th.ID)
		check("Thread", []forum.Thread{one}, err)
	})
}
