package kb_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/kb"
)

func TestADraftQuotesTheQuestionTheAnswerAndLikedRepliesAndCreditsTheirAuthors(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		p, err := f.kb.Draft(ctx, f.trusted, []int64{f.solved.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"**Question**\n\nIt keeps dropping the line.", "**Answer**\n\nHold the reset button",
			"**Also helpful**\n\n> Note your wifi password first.\n>\n> — @fan"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("draft lacks %q:\n%s", want, p.Body)
			}
		}
		if p.Title != f.solved.Title || p.BoardID != f.board.ID {
			t.Errorf("draft title %q board %d", p.Title, p.BoardID)
		}
		got := map[string]string{}
		for _, c := range p.Credits {
			got[c.Username] = c.Role
		}
		if got["helper"] != kb.RoleAnswerer || got["asker"] != kb.RoleAsker || got["fan"] != kb.RoleReplier || len(got) != 3 {
			t.Errorf("credits = %v", got)
		}
	})
}

func TestOnlySolvedThreadsAndTrustedPeopleMakeArticles(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		open := testkit.Ask(t, f.forum, f.plain, forum.NewThread{BoardID: f.board.ID, Title: "Is there an outage in the north?", Body: "Nothing works."})
		if _, err := f.kb.Draft(ctx, f.trusted, []int64{f.solved.ID, open.ID}); testkit.Fields(err)["thread"] == "" {
			t.Errorf("an unsolved thread was drafted: %v", err)
		}
		if _, err := f.kb.Draft(ctx, f.plain, []int64{f.solved.ID}); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("a plain member drafted: %v", err)
		}
		if _, err := f.kb.Draft(ctx, f.trusted, nil); testkit.Fields(err)["thread"] == "" {
			t.Errorf("a draft from nothing: %v", err)
		}
		_, err := f.kb.Propose(ctx, f.trusted, kb.NewArticle{ThreadIDs: []int64{f.solved.ID}, BoardID: 999999, Title: " ", Body: ""})
		fields := testkit.Fields(err)
		if fields["title"] == "" || fields["body"] == "" || fields["board_id"] == "" {
			t.Errorf("bad fields accepted: %v", err)
		}
	})
}

func TestAnArticleMovesFromDraftThroughReviewToPublishedAndKeepsItsRevisions(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a, err := f.kb.Propose(ctx, f.trusted, kb.NewArticle{ThreadIDs: []int64{f.solved.ID}, BoardID: f.board.ID,
			Title: "Resetting your router", Body: "Hold the button.", Tags: "Router, reset router"})
		if err != nil {
			t.Fatal(err)
		}
		if a.State != kb.Draft || a.RevisionCount != 1 || strings.Join(a.Tags, " ") != "router reset" || a.ProposerID != f.trusted.UserID {
			t.Fatalf("proposed: %+v", a)
		}
		// Nobody but its proposer and editors sees a draft.
		for _, who := range []account.Actor{account.Anonymous(f.brand.ID), f.plain} {
			if _, err := f.kb.Article(ctx, who, a.ID); !errors.Is(err, fault.ErrNotFound) {
				t.Errorf("%q sees a draft: %v", who.Username, err)
			}
		}
		if _, err := f.kb.Publish(ctx, f.trusted, a.ID); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("the proposer published: %v", err)
		}
		f.clock.Add(time.Minute)
		if a, err = f.kb.Edit(ctx, f.trusted, a.ID, kb.Change{BoardID: f.board.ID, Title: "Resetting your router", Body: "Hold the reset button for ten seconds."}); err != nil {
			t.Fatal(err)
		}
		if a.RevisionCount != 2 {
			t.Errorf("revisions after an edit: %d", a.RevisionCount)
		}
		if a, err = f.kb.Submit(ctx, f.trusted, a.ID); err != nil || a.State != kb.Review {
			t.Fatalf("submit: %v %s", err, a.State)
		}
		if _, err = f.kb.Submit(ctx, f.trusted, a.ID); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("submitted twice: %v", err)
		}
		if a, err = f.kb.Publish(ctx, f.editor, a.ID); err != nil || a.State != kb.Published || a.PublishedAt.IsZero() {
			t.Fatalf("publish: %v %+v", err, a)
		}
		if !a.ReviewBy.Equal(f.clock.Now().Add(kb.ReviewPeriod)) {
			t.Errorf("review by %v", a.ReviewBy)
		}
		if _, err = f.kb.Article(ctx, account.Anonymous(f.brand.ID), a.ID); err != nil {
			t.Errorf("a visitor cannot read a published article: %v", err)
		}
		// Published, the proposer may no longer change it; an editor may.
		ch := kb.Change{BoardID: f.board.ID, Title: "Resetting your router", Body: "Changed."}
		if _, err = f.kb.Edit(ctx, f.trusted, a.ID, ch); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("the proposer edited a published article: %v", err)
		}
		if _, err = f.kb.Edit(ctx, f.editor, a.ID, ch); err != nil {
			t.Fatal(err)
		}
		revs, err := f.kb.Revisions(ctx, f.plain, a.ID)
		if err != nil || len(revs) != 3 || revs[0].BodyMD != "Hold the button." || revs[2].EditorName != "editor" {
			t.Errorf("revisions: %v %+v", err, revs)
		}
		if a, err = f.kb.Return(ctx, f.editor, a.ID, "Needs the new model"); err != nil || a.State != kb.Draft || a.ReviewNote != "Needs the new model" {
			t.Errorf("return: %v %+v", err, a)
		}
	})
}

func TestPublishingCreditsTheContributorsOnceOnTheLedger(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a := f.publish(t, "Resetting your router", "Hold the button.", f.solved.ID)
		if on, err := f.kb.ForThread(ctx, f.brand.ID, f.solved.ID); err != nil || len(on) != 1 || on[0].ID != a.ID {
			t.Errorf("the thread's articles: %v %+v", err, on)
		}
		if _, err := f.kb.Return(ctx, f.editor, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		if on, _ := f.kb.ForThread(ctx, f.brand.ID, f.solved.ID); len(on) != 0 {
			t.Errorf("an unpublished article is still on its thread: %+v", on)
		}
		if _, err := f.kb.Publish(ctx, f.editor, a.ID); err != nil {
			t.Fatal(err)
		}
		for _, who := range []account.Actor{f.helper, f.asker, f.fan} {
			var n, pts int64
			if err := f.db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(delta), 0) FROM reputation_events WHERE user_id = ? AND origin = 'article_credit'`,
				who.UserID).Scan(&n, &pts); err != nil {
				t.Fatal(err)
			}
			if n != 1 || pts != 10 {
				t.Errorf("%s: %d credits worth %d, want 1 worth 10", who.Username, n, pts)
			}
		}
	})
}

func TestStaleArticlesAndReportsWaitInTheEditorsQueue(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a := f.publish(t, "Resetting your router", "Hold the button.", f.solved.ID)
		if _, err := f.kb.EditorQueue(ctx, f.trusted); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("a trusted member read the editors' queue: %v", err)
		}
		q, err := f.kb.EditorQueue(ctx, f.editor)
		if err != nil || len(q.Stale) != 0 {
			t.Fatalf("fresh queue: %v %+v", err, q.Stale)
		}
		added, err := f.kb.ReportOutdated(ctx, f.plain, a.ID, "The new model has no button")
		if err != nil || !added {
			t.Fatalf("report: %v %v", added, err)
		}
		if added, _ = f.kb.ReportOutdated(ctx, f.plain, a.ID, "again"); added {
			t.Error("a second open report from one reader was added")
		}
		if q, _ = f.kb.EditorQueue(ctx, f.editor); len(q.Stale) != 1 || len(q.Reports) != 1 || q.Reports[0].Note != "The new model has no button" {
			t.Errorf("after a report: %d stale, %+v", len(q.Stale), q.Reports)
		}
		if _, err := f.kb.MarkReviewed(ctx, f.editor, a.ID, f.clock.Now().Add(-time.Hour)); testkit.Fields(err)["review_by"] == "" {
			t.Errorf("a past review date: %v", err)
		}
		if _, err := f.kb.MarkReviewed(ctx, f.editor, a.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if q, _ = f.kb.EditorQueue(ctx, f.editor); len(q.Stale) != 0 || len(q.Reports) != 0 {
			t.Errorf("after review: %d stale, %d reports", len(q.Stale), len(q.Reports))
		}
		f.clock.Add(kb.ReviewPeriod + time.Hour)
		if q, _ = f.kb.EditorQueue(ctx, f.editor); len(q.Stale) != 1 {
			t.Errorf("past its review date: %d stale", len(q.Stale))
		}
		art, _ := f.kb.Article(ctx, f.plain, a.ID)
		if !art.Stale(f.clock.Now()) || !art.Overdue(f.clock.Now()) {
			t.Error("an overdue article does not say so")
		}
	})
}

func TestAMembersDataNamesTheirArticlesCreditsAndReportsAndErasureRemovesThem(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a := f.publish(t, "Resetting your router", "Hold the button.", f.solved.ID)
		if _, err := f.kb.ReportOutdated(ctx, f.helper, a.ID, "old"); err != nil {
			t.Fatal(err)
		}
		d, err := kb.ExportMember(ctx, f.db, f.brand.ID, f.helper.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Credits) != 1 || d.Credits[0].Role != kb.RoleAnswerer || d.Credits[0].CreditedAt == nil || len(d.Reports) != 1 {
			t.Errorf("helper's export: %+v", d)
		}
		p, _ := kb.ExportMember(ctx, f.db, f.brand.ID, f.trusted.UserID)
		if len(p.Proposed) != 1 || len(p.Revisions) != 1 {
			t.Errorf("proposer's export: %+v", p)
		}
		for _, u := range []int64{f.helper.UserID, f.trusted.UserID} {
			if err := kb.EraseMember(ctx, f.db, f.brand.ID, u); err != nil {
				t.Fatal(err)
			}
		}
		art, err := f.kb.Article(ctx, f.plain, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range art.Credits {
			if c.UserID == f.helper.UserID {
				t.Error("an erased member is still credited")
			}
		}
		if art.ProposerID != 0 || art.OpenReports != 0 {
			t.Errorf("after erasure: proposer %d, open reports %d", art.ProposerID, art.OpenReports)
		}
		if d, _ = kb.ExportMember(ctx, f.db, f.brand.ID, f.helper.UserID); len(d.Credits)+len(d.Reports) != 0 {
			t.Errorf("an erased member's data remains: %+v", d)
		}
	})
}

func TestSeveralSolvedThreadsMakeOneArticle(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		q := testkit.Ask(t, f.forum, f.plain, forum.NewThread{BoardID: f.board.ID, Title: "Router reset button does nothing", Body: "Pressing it does nothing at all."})
		ans := testkit.Reply(t, f.forum, f.helper, q.ID, "Use a paper clip: the button is recessed.")
		if _, err := f.forum.Accept(ctx, f.plain, q.ID, ans.ID); err != nil {
			t.Fatal(err)
		}
		a, err := f.kb.Propose(ctx, f.trusted, kb.NewArticle{ThreadIDs: []int64{f.solved.ID, q.ID, f.solved.ID}, BoardID: f.board.ID,
			Title: "Resetting your router", Body: "Both answers, in one."})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Sources) != 2 {
			t.Errorf("sources = %+v", a.Sources)
		}
		roles := map[string]string{}
		for _, c := range a.Credits {
			roles[c.Username] = c.Role
		}
		if roles["plain"] != kb.RoleAsker || roles["helper"] != kb.RoleAnswerer || len(a.Credits) != 4 {
			t.Errorf("credits = %v", roles)
		}
		p, _ := f.kb.Draft(ctx, f.trusted, []int64{f.solved.ID, q.ID})
		if !strings.Contains(p.Body, "\n\n---\n\n") || !strings.Contains(p.Body, "paper clip") {
			t.Errorf("merged draft:\n%s", p.Body)
		}
	})
}

func TestOnlyAnEditorChoosesTheNextReviewDate(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a, err := f.kb.Propose(ctx, f.trusted, kb.NewArticle{ThreadIDs: []int64{f.solved.ID}, BoardID: f.board.ID, Title: "Resetting", Body: "Hold it."})
		if err != nil {
			t.Fatal(err)
		}
		soon := f.clock.Now().Add(30 * 24 * time.Hour).Truncate(time.Millisecond)
		ch := kb.Change{BoardID: f.board.ID, Title: "Resetting", Body: "Hold it.", ReviewBy: soon}
		if a, err = f.kb.Edit(ctx, f.trusted, a.ID, ch); err != nil || a.ReviewBy.Equal(soon) {
			t.Errorf("the proposer set the review date: %v %v", err, a.ReviewBy)
		}
		if a, err = f.kb.Edit(ctx, f.editor, a.ID, ch); err != nil || !a.ReviewBy.Equal(soon) {
			t.Errorf("the editor's review date: %v %v", err, a.ReviewBy)
		}
		if a.RevisionCount != 1 {
			t.Errorf("an edit that changed no words made a revision: %d", a.RevisionCount)
		}
		// Published, the editor's date holds.
		if a, err = f.kb.Publish(ctx, f.editor, a.ID); err != nil || !a.ReviewBy.Equal(soon) {
			t.Errorf("after publishing: %v %v", err, a.ReviewBy)
		}
		ch.ReviewBy = f.clock.Now().Add(-time.Hour)
		if _, err = f.kb.Edit(ctx, f.editor, a.ID, ch); testkit.Fields(err)["review_by"] == "" {
			t.Errorf("a past review date: %v", err)
		}
	})
}
