package moderation_test

import (
	"errors"
	"testing"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/moderation"
	"mutual/reputation"
	"mutual/sqldb"
)

// relaxKudos lets anybody give kudos at once, without serial detection or a
// cap, so the tests below see every point.
func relaxKudos(t *testing.T, f *modFixture) {
	t.Helper()
	cfg, err := reputation.LoadConfig(ctx, f.db, f.brand.ID)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rules.GiverMinAgeMinutes, cfg.Rules.GiverMinPosts = 0, 0
	cfg.Rules.KudosPerDay, cfg.Rules.SerialThreshold, cfg.Rules.DailyCap = 10000, 1000, 1_000_000
	if err := f.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return reputation.SaveConfig(ctx, forum.LedgerTx(tx), f.brand.ID, 0, cfg, f.clk.Now())
	}); err != nil {
		t.Fatal(err)
	}
}

// points reads each member's reputation from the ledger, checking the
// cached total agrees.
func points(t *testing.T, f *modFixture, who ...account.Actor) []int64 {
	t.Helper()
	var out []int64
	for _, a := range who {
		sum, err := reputation.Total(ctx, f.db, a.UserID)
		if err != nil {
			t.Fatal(err)
		}
		u, err := f.members.ByID(ctx, f.brand.ID, a.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Reputation != sum {
			t.Errorf("%s: cached reputation %d, ledger %d", a.Username, u.Reputation, sum)
		}
		out = append(out, sum)
	}
	return out
}

// rebuildFindsNothing checks every reputation cache against the ledger.
func rebuildFindsNothing(t *testing.T, f *modFixture) {
	t.Helper()
	var diffs []reputation.Difference
	if err := f.db.InTx(ctx, func(tx *sqldb.Tx) (err error) {
		diffs, err = reputation.RebuildReport(ctx, forum.LedgerTx(tx), f.brand.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("cache differs from the ledger: %s", d)
	}
}

func (f *modFixture) ask(t *testing.T, a account.Actor, title string) forum.Thread {
	t.Helper()
	return testkit.Ask(t, f.svc, a, forum.NewThread{BoardID: f.boards[0].ID, Title: title, Body: "Details about " + title})
}

func (f *modFixture) reply(t *testing.T, a account.Actor, th forum.Thread, body string) forum.Post {
	t.Helper()
	return testkit.Reply(t, f.svc, a, th.ID, body)
}

// Merging a thread withdraws its accepted answer on the ledger, saying why,
// so the answer is paid once when the target's asker accepts it again.
func TestMergeWithdrawsAcceptedAnswer(t *testing.T) {
	eachModStore(t, func(t *testing.T, f *modFixture) {
		first, second, helper := f.actor(t, "first"), f.actor(t, "second"), f.actor(t, "helper")
		mod := f.actor(t, "moddy", "moderator")
		dup := f.ask(t, first, "Roaming charges in France")
		target := f.ask(t, second, "Roaming charges abroad")
		answer := f.reply(t, helper, dup, "Turn on the EU roaming pass")
		if _, err := f.svc.Accept(ctx, first, dup.ID, answer.ID); err != nil {
			t.Fatal(err)
		}
		if got := points(t, f, helper, first); got[0] != 15 || got[1] != 2 {
			t.Fatalf("after the accept helper, first = %v, want 15, 2", got)
		}
		if _, err := f.mod.ActOnThread(ctx, mod, dup.ID, moderation.Merge, target.ID, "duplicate"); err != nil {
			t.Fatal(err)
		}
		if got := points(t, f, helper, first); got[0] != 0 || got[1] != 0 {
			t.Errorf("after the merge helper, first = %v, want 0, 0", got)
		}
		var lines int64
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM reputation_events WHERE reason = 'thread_merged' AND post_id = ?
AND ((origin = 'answer_accepted' AND user_id = ? AND delta = -15) OR (origin = 'accepted_answer' AND user_id = ? AND delta = -2))`,
			answer.ID, helper.UserID, first.UserID).Scan(&lines); err != nil || lines != 2 {
			t.Errorf("%d thread_merged lines for the answer (%v), want 2", lines, err)
		}
		if _, err := f.svc.Accept(ctx, second, target.ID, answer.ID); err != nil {
			t.Fatal(err)
		}
		if got := points(t, f, helper, first, second); got[0] != 15 || got[1] != 0 || got[2] != 2 {
			t.Errorf("after the target's asker accepts helper, first, second = %v, want 15, 0, 2", got)
		}
		rebuildFindsNothing(t, f)
	})
}

// Hiding or deleting a post takes back every point it holds, once, and
// unhiding or restoring it gives back what still stands, once; the same for
// a whole thread, hidden or deleted with its question; and the same when
// flags hide the post. The ledger and every cache agree throughout.
func TestHidingTakesBackPoints(t *testing.T) {
	eachModStore(t, func(t *testing.T, f *modFixture) {
		relaxKudos(t, f)
		if _, err := f.db.Exec(ctx, `UPDATE brands SET flag_hide_at = 1 WHERE id = ?`, f.brand.ID); err != nil {
			t.Fatal(err)
		}
		asker, helper, fan := f.actor(t, "asker"), f.actor(t, "helper"), f.actor(t, "fan")
		flagger, mod := f.actor(t, "flagger", "trusted"), f.actor(t, "moddy", "moderator")
		th := f.ask(t, asker, "Why did my bill double?")
		pg, err := f.svc.Page(ctx, f.brand.ID, th.ID, 0, forum.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		question := pg.Question
		answer := f.reply(t, helper, th, "You were charged for roaming")
		f.reply(t, fan, th, "Same here")
		for _, give := range []struct {
			who  account.Actor
			post int64
		}{{fan, answer.ID}, {fan, question.ID}} {
			if _, err := f.svc.GiveKudos(ctx, give.who, give.post); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.Accept(ctx, asker, th.ID, answer.ID); err != nil {
			t.Fatal(err)
		}
		// helper: kudos 10 + accepted 15; asker: kudos on the question 10 + accepting 2.
		step := func(name string, wantHelper, wantAsker int64) {
			t.Helper()
			if got := points(t, f, helper, asker); got[0] != wantHelper || got[1] != wantAsker {
				t.Errorf("%s: helper, asker = %v, want %d, %d", name, got, wantHelper, wantAsker)
			}
		}
		act := func(post int64, a moderation.PostAct) {
			t.Helper()
			if _, err := f.mod.ActOnPost(ctx, mod, post, a, "test"); err != nil {
				t.Fatalf("%s post %d: %v", a, post, err)
			}
		}
		lines := func(reason string) int64 {
			t.Helper()
			var n int64
			if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM reputation_events WHERE reason = ?`, reason).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		step("start", 25, 12)

		// One post: hidden, then deleted too, restored.
		act(answer.ID, moderation.Hide)
		step("answer hidden", 0, 10)
		removed := lines("post_removed")
		if removed != 3 {
			t.Errorf("hiding the answer wrote %d post_removed lines, want 3 (kudos, accepted, accepting)", removed)
		}
		act(answer.ID, moderation.Delete)
		step("hidden answer deleted", 0, 10)
		if n := lines("post_removed"); n != removed {
			t.Errorf("deleting a hidden post wrote %d more post_removed lines", n-removed)
		}
		act(answer.ID, moderation.Restore)
		step("answer restored", 25, 12)
		act(answer.ID, moderation.Hide)
		act(answer.ID, moderation.Unhide)
		step("answer hidden and unhidden", 25, 12)
		if _, err := f.mod.ActOnPost(ctx, mod, answer.ID, moderation.Restore, ""); err == nil {
			t.Error("restoring a visible post succeeded")
		}
		step("restore after unhide refused", 25, 12)
		if n := lines("post_restored"); n != 6 {
			t.Errorf("%d post_restored lines, want 6 (two restorations of three acts)", n)
		}

		// Hidden by flags, then the flags dismissed.
		res, err := f.mod.FlagPost(ctx, flagger, answer.ID, "spam", "")
		if err != nil || !res.AutoHidden {
			t.Fatalf("flag = %+v, %v; want the answer hidden", res, err)
		}
		step("answer hidden by flags", 0, 10)
		if _, err := f.mod.Decide(ctx, mod, answer.ID, moderation.Dismiss, "", "", ""); err != nil {
			t.Fatal(err)
		}
		step("flags dismissed", 25, 12)

		// The whole thread, hidden with its question: nothing in it counts,
		// and nobody accepts in it meanwhile.
		act(question.ID, moderation.Hide)
		step("thread hidden", 0, 0)
		if _, err := f.svc.Unaccept(ctx, asker, th.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Accept(ctx, asker, th.ID, answer.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("accepting in a hidden thread = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.Accept(ctx, mod, th.ID, answer.ID); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("a moderator accepting in a hidden thread = %v, want ErrConflict", err)
		}
		step("accept withdrawn while hidden", 0, 0)
		act(answer.ID, moderation.Delete)
		act(question.ID, moderation.Unhide)
		step("thread unhidden, its answer deleted", 0, 10)
		act(answer.ID, moderation.Restore)
		step("answer restored, its accept withdrawn while hidden", 10, 10)
		if _, err := f.svc.Accept(ctx, asker, th.ID, answer.ID); err != nil {
			t.Fatal(err)
		}
		step("accepted again", 25, 12)

		// Deleting the question removes the thread; restoring brings it back.
		act(question.ID, moderation.Delete)
		step("question deleted", 0, 0)
		act(answer.ID, moderation.Hide)
		act(question.ID, moderation.Restore)
		step("question restored, answer still hidden", 0, 10)
		act(answer.ID, moderation.Unhide)
		step("answer unhidden", 25, 12)
		checkCounters(t, f, "after the acts")
		rebuildFindsNothing(t, f)
	})
}

// Merging moves points with what members see: replies of a hidden thread
// merged into a visible one get theirs back; those of a visible thread
// merged into a hidden one lose them until it is shown.
func TestMergeMovesPointsWithVisibility(t *testing.T) {
	eachModStore(t, func(t *testing.T, f *modFixture) {
		relaxKudos(t, f)
		asker, helper, fan := f.actor(t, "asker"), f.actor(t, "helper"), f.actor(t, "fan")
		mod := f.actor(t, "moddy", "moderator")
		hidden := f.ask(t, asker, "Hidden duplicate question")
		shown := f.ask(t, asker, "Visible question here")
		other := f.ask(t, asker, "Another visible question")
		f.reply(t, fan, shown, "Fan takes part")
		r1 := f.reply(t, helper, hidden, "Answer in the hidden thread")
		r2 := f.reply(t, helper, other, "Answer in the other thread")
		for _, p := range []forum.Post{r1, r2} {
			if _, err := f.svc.GiveKudos(ctx, fan, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		question := func(th forum.Thread) int64 {
			pg, err := f.svc.PageAs(ctx, mod, th.ID, forum.Cursor{})
			if err != nil {
				t.Fatal(err)
			}
			return pg.Question.ID
		}
		if _, err := f.mod.ActOnPost(ctx, mod, question(hidden), moderation.Hide, "spam"); err != nil {
			t.Fatal(err)
		}
		if got := points(t, f, helper)[0]; got != 10 {
			t.Fatalf("helper has %d with one thread hidden, want 10", got)
		}
		if _, err := f.mod.ActOnThread(ctx, mod, hidden.ID, moderation.Merge, shown.ID, "duplicate"); err != nil {
			t.Fatal(err)
		}
		if got := points(t, f, helper)[0]; got != 20 {
			t.Errorf("hidden thread merged into a visible one: helper has %d, want 20", got)
		}
		if _, err := f.mod.ActOnPost(ctx, mod, question(shown), moderation.Hide, "off topic"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.mod.ActOnThread(ctx, mod, other.ID, moderation.Merge, shown.ID, "duplicate"); err != nil {
			t.Fatal(err)
		}
		if got := points(t, f, helper)[0]; got != 0 {
			t.Errorf("merged into a hidden thread: helper has %d, want 0", got)
		}
		if _, err := f.mod.ActOnPost(ctx, mod, question(shown), moderation.Unhide, ""); err != nil {
			t.Fatal(err)
		}
		if got := points(t, f, helper)[0]; got != 20 {
			t.Errorf("target shown again: helper has %d, want 20", got)
		}
		checkCounters(t, f, "after the merges")
		rebuildFindsNothing(t, f)
	})
}
