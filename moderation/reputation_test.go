package moderation_test

import (
	"testing"

	"mutual/forum"
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
	if err := f.db.InTx(ctx, func(tx *sqldb.Tx) error { return reputation.SaveConfig(ctx, tx, f.brand.ID, 0, cfg, f.clock()) }); err != nil {
		t.Fatal(err)
	}
}

// points reads each member's reputation from the ledger, checking the
// cached total agrees.
func points(t *testing.T, f *modFixture, who ...forum.Actor) []int64 {
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
		diffs, err = reputation.RebuildReport(ctx, tx, f.brand.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("cache differs from the ledger: %s", d)
	}
}

func (f *modFixture) ask(t *testing.T, a forum.Actor, title string) forum.Thread {
	t.Helper()
	th, err := f.svc.Ask(ctx, a, forum.NewThread{BoardID: f.boards[0].ID, Title: title, Body: "Details about " + title})
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func (f *modFixture) reply(t *testing.T, a forum.Actor, th forum.Thread, body string) forum.Post {
	t.Helper()
	p, err := f.svc.Reply(ctx, a, th.ID, forum.NewReply{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return p
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
