package kb_test

import (
	"testing"

	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/kb"
)

func TestPublishedArticlesMatchTheirQuestionAndDraftsDoNot(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		draft, err := f.kb.Propose(ctx, f.trusted, kb.NewArticle{ThreadIDs: []int64{f.solved.ID}, BoardID: f.board.ID,
			Title: "Router lights blinking red", Body: "A red light means the line is down."})
		if err != nil {
			t.Fatal(err)
		}
		if hits, _ := f.kb.Search(ctx, f.brand.ID, "router lights", 5); len(hits) != 0 {
			t.Errorf("a draft is found: %+v", hits)
		}
		// A second solved thread for a second article.
		q := testkit.Ask(t, f.forum, f.asker, forum.NewThread{BoardID: f.board.ID, Title: "Changing the wifi password", Body: "How do I change it?"})
		ans := testkit.Reply(t, f.forum, f.helper, q.ID, "Open the router's page and change it under Wireless.")
		if _, err := f.forum.Accept(ctx, f.asker, q.ID, ans.ID); err != nil {
			t.Fatal(err)
		}
		reset := f.publish(t, "Resetting your router to factory settings", "Hold the reset button for ten seconds. The lights blink. Then set it up again.", f.solved.ID)
		wifi := f.publish(t, "Changing your wifi password", "Open the router's page and change the password under Wireless.", q.ID)

		// Inflections meet: "resets" and "resetting" find "reset".
		hits, err := f.kb.Search(ctx, f.brand.ID, "how do I reset the router", 5)
		if err != nil || len(hits) == 0 || hits[0].Article.ID != reset.ID {
			t.Fatalf("search: %v %+v", err, hits)
		}
		if hits[0].Passage != "Hold the reset button for ten seconds." {
			t.Errorf("passage = %q", hits[0].Passage)
		}
		// "router" is in both; the one whose title carries the rest ranks first.
		if hits, _ = f.kb.Search(ctx, f.brand.ID, "router wifi password", 5); len(hits) == 0 || hits[0].Article.ID != wifi.ID {
			t.Errorf("wifi search: %+v", hits)
		}
		// A search sharing too few of its words finds nothing.
		if hits, _ = f.kb.Search(ctx, f.brand.ID, "billing invoice roaming router", 5); len(hits) != 0 {
			t.Errorf("a one-word overlap of four matched: %+v", hits)
		}
		// Similar: a whole text, as a copilot or the Ask page sends it.
		sim, err := f.kb.Similar(ctx, f.brand.ID, "My router keeps dropping, I think I need to reset it to factory settings", 3)
		if err != nil || len(sim) == 0 || sim[0].Article.ID != reset.ID {
			t.Errorf("similar: %v %+v", err, sim)
		}
		// Returned to draft, it is no longer found.
		if _, err := f.kb.Return(ctx, f.editor, reset.ID, ""); err != nil {
			t.Fatal(err)
		}
		if hits, _ = f.kb.Search(ctx, f.brand.ID, "reset router", 5); len(hits) != 0 && hits[0].Article.ID == reset.ID {
			t.Error("an unpublished article is still found")
		}
		_ = draft
	})
}
