package reputation_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/reputation"
	"mutual/sqldb"
)

// community is a fixture with the forum service on a clock tests move.
type community struct {
	*fixture
	svc   *forum.Service
	clk   *testkit.Clock
	board forum.Board
}

func newCommunity(t *testing.T, f *fixture) *community {
	t.Helper()
	c := &community{fixture: f, clk: testkit.NewClock(day1)}
	c.svc = forum.NewService(f.db, markup.NewRenderer(), c.clk.Now)
	c.board = testkit.Board(t, c.svc, f.brand.ID, forum.NewBoard{Name: "Help", Description: "Help"})
	return c
}

func (c *community) actor(t *testing.T, name string, roles ...string) account.Actor {
	t.Helper()
	return testkit.Member(t, c.members, account.Unclaimed{BrandID: c.brand.ID, Username: name, CreatedAt: c.clk.Now()}, roles...)
}

// configure saves the brand's rules after fn changes the defaults.
func (c *community) configure(t *testing.T, fn func(*reputation.Config)) {
	t.Helper()
	cfg, err := reputation.LoadConfig(ctx, c.db, c.brand.ID)
	if err != nil {
		t.Fatal(err)
	}
	fn(&cfg)
	if err := c.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return reputation.SaveConfig(ctx, forum.LedgerTx(tx), c.brand.ID, 0, cfg, c.clk.Now())
	}); err != nil {
		t.Fatal(err)
	}
}

// relaxed lets anybody give kudos at once, with no serial detection and a
// cap nobody reaches, so tests of other rules are not disturbed.
func relaxed(cfg *reputation.Config) {
	cfg.Rules.GiverMinAgeMinutes, cfg.Rules.GiverMinPosts = 0, 0
	cfg.Rules.KudosPerDay, cfg.Rules.SerialThreshold, cfg.Rules.DailyCap = 10000, 1000, 1_000_000
}

func (c *community) ask(t *testing.T, a account.Actor, title string) forum.Thread {
	t.Helper()
	return testkit.Ask(t, c.svc, a, forum.NewThread{BoardID: c.board.ID, Title: title, Body: "Details about " + title})
}

func (c *community) reply(t *testing.T, a account.Actor, th forum.Thread, body string) forum.Post {
	t.Helper()
	return testkit.Reply(t, c.svc, a, th.ID, body)
}

func (c *community) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := c.db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// consistent checks every cache against the ledger and the kudos rows:
// totals, roll-ups and kudos counts, through RebuildReport finding nothing.
func (c *community) consistent(t *testing.T) {
	t.Helper()
	var diffs []reputation.Difference
	err := c.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		diffs, err = reputation.RebuildReport(ctx, forum.LedgerTx(tx), c.brand.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("cache differs from the ledger: %s", d)
	}
}

// Each refused kudos is a clear error and writes nothing.
func TestKudosRefusalsWriteNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		asker, helper := c.actor(t, "asker"), c.actor(t, "helper")
		th := c.ask(t, asker, "Refusals question")
		r := c.reply(t, helper, th, "A reply worth kudos")
		fresh := c.actor(t, "fresh")
		lurker := c.actor(t, "lurker")
		c.reply(t, fresh, th, "Me too")

		snapshot := func() string {
			return fmt.Sprint(c.count(t, `SELECT COUNT(*) FROM kudos`), c.count(t, `SELECT COUNT(*) FROM reputation_events`),
				c.count(t, `SELECT COALESCE(SUM(reputation), 0) FROM users`), c.count(t, `SELECT COALESCE(SUM(points), 0) FROM reputation_rollups`),
				c.count(t, `SELECT kudos_count FROM posts WHERE id = ?`, r.ID))
		}
		before := snapshot()
		for _, tt := range []struct {
			name string
			who  account.Actor
			kind error
			msg  string
		}{
			{"too new", fresh, fault.ErrForbidden, "New accounts can give kudos once they are 1 hour old"},
			{"own post", helper, fault.ErrForbidden, "your own post"},
		} {
			_, err := c.svc.GiveKudos(ctx, tt.who, r.ID)
			var fe *fault.Error
			if !errors.Is(err, tt.kind) || !errors.As(err, &fe) || !contains(fe.Msg, tt.msg) {
				t.Errorf("%s: %v, want %v saying %q", tt.name, err, tt.kind, tt.msg)
			}
		}
		c.clk.Add(2 * time.Hour)
		if _, err := c.svc.GiveKudos(ctx, lurker, r.ID); !errors.Is(err, fault.ErrForbidden) || !contains(err.Error(), "Ask a question or write a reply first") {
			t.Errorf("no activity: %v", err)
		}
		if snapshot() != before {
			t.Fatalf("refused kudos wrote something: %s -> %s", before, snapshot())
		}
		if _, err := c.svc.GiveKudos(ctx, fresh, r.ID); err != nil {
			t.Fatalf("eligible kudos: %v", err)
		}
		after := snapshot()
		if _, err := c.svc.GiveKudos(ctx, fresh, r.ID); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("duplicate kudos = %v, want ErrConflict", err)
		}
		// A hidden post takes no kudos.
		if _, err := c.db.Exec(ctx, `UPDATE posts SET status = 'hidden' WHERE id = ?`, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.GiveKudos(ctx, asker, r.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("kudos on a hidden post = %v, want ErrNotFound", err)
		}
		if snapshot() != after {
			t.Fatalf("refused kudos wrote something: %s -> %s", after, snapshot())
		}
		// Over the giver's daily allowance.
		if _, err := c.db.Exec(ctx, `UPDATE posts SET status = 'visible' WHERE id = ?`, r.ID); err != nil {
			t.Fatal(err)
		}
		c.configure(t, func(cfg *reputation.Config) { cfg.Rules.KudosPerDay = 1 })
		if _, err := c.svc.GiveKudos(ctx, fresh, th.ID); err == nil {
			t.Error("kudos over the daily allowance accepted")
		} else if !contains(err.Error(), "most this community allows in a day") {
			t.Errorf("over the allowance: %v", err)
		}
		// Over the receiver's daily cap: the helper's one kudos today earned
		// 10 points, the whole cap; the next kudos to them is refused.
		c.configure(t, func(cfg *reputation.Config) { cfg.Rules.KudosPerDay = 50; cfg.Rules.DailyCap = 10 })
		capped := snapshot()
		if _, err := c.svc.GiveKudos(ctx, asker, r.ID); !errors.Is(err, fault.ErrForbidden) || !contains(err.Error(), "helper has earned the most reputation from kudos a member can earn in a day (10)") {
			t.Errorf("kudos over the receiver's daily cap = %v, want ErrForbidden naming the cap", err)
		}
		if snapshot() != capped {
			t.Fatalf("kudos refused at the cap wrote something: %s -> %s", capped, snapshot())
		}
		c.consistent(t)
	})
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// Serial kudos (five from one member to another within a day, by default)
// are reversed on the ledger and stop counting on the posts; kudos spread
// over longer than the window are not.
func TestSerialKudosReversed(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		c.configure(t, func(cfg *reputation.Config) { cfg.Rules.GiverMinAgeMinutes, cfg.Rules.GiverMinPosts = 0, 0 })
		helper, fan, other := c.actor(t, "helper"), c.actor(t, "fan"), c.actor(t, "other")
		th := c.ask(t, other, "Serial question")
		var posts []forum.Post
		for i := range 6 {
			posts = append(posts, c.reply(t, helper, th, fmt.Sprintf("reply %d", i)))
		}
		pts := reputation.Points[reputation.KudosReceived]
		// Four within the window: they stand.
		for i := range 4 {
			if _, err := c.svc.GiveKudos(ctx, fan, posts[i].ID); err != nil {
				t.Fatal(err)
			}
			c.clk.Add(time.Minute)
		}
		if got := c.total(t, helper.UserID); got != 4*pts {
			t.Fatalf("after four kudos helper has %d, want %d", got, 4*pts)
		}
		// Another member's kudos are untouched by fan's reversal.
		if _, err := c.svc.GiveKudos(ctx, other, posts[0].ID); err != nil {
			t.Fatal(err)
		}
		// The fifth makes them serial: all five reversed.
		if _, err := c.svc.GiveKudos(ctx, fan, posts[4].ID); err != nil {
			t.Fatal(err)
		}
		if got := c.total(t, helper.UserID); got != pts {
			t.Errorf("after serial kudos helper has %d, want %d (only other's kudos)", got, pts)
		}
		if n := c.count(t, `SELECT COUNT(*) FROM reputation_events WHERE reason = 'serial_kudos_reversed' AND actor_id = ?`, fan.UserID); n != 5 {
			t.Errorf("%d serial reversals on the ledger, want 5", n)
		}
		if n := c.count(t, `SELECT COALESCE(SUM(kudos_count), 0) FROM posts WHERE thread_id = ?`, th.ID); n != 1 {
			t.Errorf("kudos counted on the posts = %d, want 1 (other's)", n)
		}
		// A sixth in the window is reversed at once; taking one back moves
		// nothing more, and the count never goes below the real one.
		if _, err := c.svc.GiveKudos(ctx, fan, posts[5].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.TakeKudos(ctx, fan, posts[1].ID); err != nil {
			t.Fatal(err)
		}
		if got := c.total(t, helper.UserID); got != pts {
			t.Errorf("helper has %d, want %d", got, pts)
		}
		c.consistent(t)

		// Kudos spread beyond the window are not serial.
		c.clk.Add(48 * time.Hour)
		th2 := c.ask(t, other, "Spread question")
		for i := range 5 {
			p := c.reply(t, helper, th2, fmt.Sprintf("later reply %d", i))
			if _, err := c.svc.GiveKudos(ctx, fan, p.ID); err != nil {
				t.Fatal(err)
			}
			c.clk.Add(7 * time.Hour)
		}
		if got := c.total(t, helper.UserID); got != 6*pts {
			t.Errorf("spread kudos: helper has %d, want %d", got, 6*pts)
		}
		c.consistent(t)
	})
}

// Taking back a kudos already reversed as serial is a no-op that writes
// nothing: the kudos stays recorded, so it can never be given again.
func TestReversedKudosCannotBeGivenAgain(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		c.configure(t, func(cfg *reputation.Config) { relaxed(cfg); cfg.Rules.SerialThreshold = 2 })
		helper, fan, other := c.actor(t, "helper"), c.actor(t, "fan"), c.actor(t, "other")
		th := c.ask(t, other, "Reversed kudos question")
		p1, p2 := c.reply(t, helper, th, "first reply"), c.reply(t, helper, th, "second reply")
		for _, p := range []forum.Post{p1, p2} {
			if _, err := c.svc.GiveKudos(ctx, fan, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		if n := c.count(t, `SELECT COUNT(*) FROM kudos WHERE user_id = ? AND reversed_at IS NOT NULL`, fan.UserID); n != 2 {
			t.Fatalf("%d kudos reversed as serial, want 2", n)
		}
		snapshot := func() string {
			return fmt.Sprint(c.count(t, `SELECT COUNT(*) FROM kudos`), c.count(t, `SELECT COUNT(*) FROM reputation_events`),
				c.total(t, helper.UserID), c.count(t, `SELECT kudos_count FROM posts WHERE id = ?`, p1.ID))
		}
		before := snapshot()
		got, err := c.svc.TakeKudos(ctx, fan, p1.ID)
		if err != nil || got.KudosCount != 0 {
			t.Fatalf("taking back a reversed kudos = %+v, %v; want the post, no error", got, err)
		}
		if after := snapshot(); after != before {
			t.Errorf("taking back a reversed kudos wrote something: %s -> %s", before, after)
		}
		if _, err := c.svc.GiveKudos(ctx, fan, p1.ID); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("kudos given again after a reversed one was taken back = %v, want ErrConflict", err)
		}
		if got := c.total(t, helper.UserID); got != 0 {
			t.Errorf("helper has %d, want 0", got)
		}
		c.consistent(t)
	})
}

// The trusted role comes with reputation and goes the moment it falls below.
func TestTrustedRoleFollowsReputation(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		c.configure(t, func(cfg *reputation.Config) { relaxed(cfg); cfg.Privileges.Trusted = 20 })
		helper, fan1, fan2 := c.actor(t, "helper"), c.actor(t, "fan1"), c.actor(t, "fan2")
		th := c.ask(t, fan1, "Trusted question")
		r := c.reply(t, helper, th, "Answer")
		has := func() bool {
			rs, err := c.members.RolesOf(ctx, c.brand.ID, helper.UserID)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range rs {
				if x == "trusted" {
					return true
				}
			}
			return false
		}
		if has() {
			t.Fatal("trusted at 0 reputation")
		}
		for _, a := range []account.Actor{fan1, fan2} {
			if _, err := c.svc.GiveKudos(ctx, a, r.ID); err != nil {
				t.Fatal(err)
			}
		}
		if !has() {
			t.Fatal("not trusted at 20 reputation with the threshold at 20")
		}
		if _, err := c.svc.TakeKudos(ctx, fan2, r.ID); err != nil {
			t.Fatal(err)
		}
		if has() {
			t.Fatal("still trusted after falling below the threshold")
		}
		// A role granted by an admin does not depend on reputation.
		if err := c.members.Grant(ctx, c.brand.ID, fan2.UserID, "trusted"); err != nil {
			t.Fatal(err)
		}
		rs, _ := c.members.RolesOf(ctx, c.brand.ID, fan2.UserID)
		if fmt.Sprint(rs) != "[member trusted]" {
			t.Errorf("granted roles = %v", rs)
		}
	})
}

// Editing others' posts unlocks at the brand's threshold, keeps revisions,
// and is explained when locked.
func TestEditOthersByReputation(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		c.configure(t, relaxed)
		author, editor := c.actor(t, "author"), c.actor(t, "editor")
		th := c.ask(t, author, "Edit privilege question")
		p := c.reply(t, author, th, "Original text")
		_, err := c.svc.Edit(ctx, editor, p.ID, "", "Improved text")
		if !errors.Is(err, fault.ErrForbidden) || !contains(err.Error(), "Editing others' posts unlocks at 1,000 reputation; you have 0.") {
			t.Fatalf("edit below the threshold = %v", err)
		}
		if _, err := c.db.Exec(ctx, `UPDATE brands SET rep_edit_others = 0 WHERE id = ?`, c.brand.ID); err != nil {
			t.Fatal(err)
		}
		got, err := c.svc.Edit(ctx, editor, p.ID, "", "Improved text")
		if err != nil || got.BodyMD != "Improved text" || got.RevisionCount != 2 {
			t.Fatalf("edit at the threshold = %+v, %v", got, err)
		}
		revs, err := c.svc.Revisions(ctx, c.brand.ID, p.ID)
		if err != nil || len(revs) != 2 || revs[1].EditorName != "editor" || revs[0].BodyMD != "Original text" {
			t.Errorf("revisions = %+v, %v", revs, err)
		}
	})
}

// Replies sort by kudos, most first, ties oldest first, paged by cursor.
func TestRepliesByKudos(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		c.configure(t, relaxed)
		asker := c.actor(t, "asker")
		var fans []account.Actor
		for i := range 3 {
			fans = append(fans, c.actor(t, fmt.Sprintf("fan%d", i)))
		}
		th := c.ask(t, asker, "Sort question")
		var posts []forum.Post
		for i := range 4 {
			posts = append(posts, c.reply(t, fans[i%3], th, fmt.Sprintf("reply %d", i)))
			c.clk.Add(time.Minute)
		}
		give := func(p forum.Post, n int) {
			for _, a := range []account.Actor{asker, fans[0], fans[1], fans[2]}[:n] {
				if a.UserID != p.AuthorID {
					if _, err := c.svc.GiveKudos(ctx, a, p.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		give(posts[2], 3) // asker, fan0, fan1 (fan2 wrote it)
		give(posts[3], 1) // asker
		pg, next, err := c.svc.PageByKudos(ctx, c.brand.ID, th.ID, 0, forum.KudosCursor{})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, p := range pg.Replies {
			order = append(order, fmt.Sprintf("%s:%d", p.BodyMD, p.KudosCount))
		}
		if fmt.Sprint(order) != "[reply 2:3 reply 3:1 reply 0:0 reply 1:0]" || next.ID != 0 || pg.Question.ID == 0 {
			t.Errorf("by kudos = %v (next %v)", order, next)
		}
	})
}

// Sorted by kudos, the page labels staff posts with the brand's own badge,
// as the page in the usual order does.
func TestRepliesByKudosKeepStaffLabels(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		c.configure(t, relaxed)
		if _, err := c.db.Exec(ctx, `UPDATE brands SET staff_label = 'Team' WHERE id = ?`, c.brand.ID); err != nil {
			t.Fatal(err)
		}
		asker, peer, agent := c.actor(t, "asker"), c.actor(t, "peer"), c.actor(t, "agent", "agent")
		th := c.ask(t, asker, "Label question")
		c.reply(t, peer, th, "peer reply")
		staff := c.reply(t, agent, th, "staff reply")
		if _, err := c.svc.GiveKudos(ctx, asker, staff.ID); err != nil {
			t.Fatal(err)
		}
		labels := func(pg forum.ThreadPage) map[int64]string {
			out := map[int64]string{pg.Question.ID: pg.Question.StaffLabel}
			for _, p := range pg.Replies {
				out[p.ID] = p.StaffLabel
			}
			return out
		}
		pg, err := c.svc.Page(ctx, c.brand.ID, th.ID, 0, forum.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		sorted, _, err := c.svc.PageByKudos(ctx, c.brand.ID, th.ID, 0, forum.KudosCursor{})
		if err != nil {
			t.Fatal(err)
		}
		want, got := labels(pg), labels(sorted)
		if want[staff.ID] != "Team" || fmt.Sprint(got) != fmt.Sprint(want) || len(sorted.Replies) != 2 {
			t.Errorf("staff labels sorted by kudos = %v, in order = %v; want the brand's \"Team\" on post %d in both", got, want, staff.ID)
		}
	})
}

// After a random sequence of acts (kudos given and taken back, answers
// accepted and withdrawn, posts and threads hidden, deleted and shown again,
// threads merged) the ledger agrees with the forum, rebuild finds nothing to
// correct, and it corrects every cache after they are corrupted.
func TestRebuildMatchesAfterRandomActs(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		c.configure(t, func(cfg *reputation.Config) {
			cfg.Rules.GiverMinAgeMinutes, cfg.Rules.GiverMinPosts, cfg.Rules.DailyCap = 0, 0, 40
		})
		rng := rand.New(rand.NewPCG(5, 7))
		var people []account.Actor
		for i := range 6 {
			people = append(people, c.actor(t, fmt.Sprintf("pp%d", i)))
		}
		mod := c.actor(t, "moddy", "moderator")
		var threads []forum.Thread
		var posts []forum.Post
		for i := range 6 {
			threads = append(threads, c.ask(t, people[i], fmt.Sprintf("Random question %d", i)))
			pg, err := c.svc.Page(ctx, c.brand.ID, threads[i].ID, 0, forum.Cursor{})
			if err != nil {
				t.Fatal(err)
			}
			posts = append(posts, pg.Question)
		}
		for i := range 12 {
			posts = append(posts, c.reply(t, people[rng.IntN(6)], threads[i%6], fmt.Sprintf("random reply %d", i)))
		}
		statuses := []string{forum.StatusVisible, forum.StatusVisible, forum.StatusVisible, forum.StatusHidden, forum.StatusDeleted}
		for i := range 400 {
			a := people[rng.IntN(len(people))]
			p, err := c.svc.Post(ctx, c.brand.ID, posts[rng.IntN(len(posts))].ID) // in the thread it is in now
			if err != nil {
				t.Fatal(err)
			}
			th, err := c.svc.Thread(ctx, c.brand.ID, p.ThreadID)
			if err != nil {
				t.Fatal(err)
			}
			asker := account.Actor{UserID: th.AuthorID, BrandID: c.brand.ID, Roles: []string{"member"}}
			switch rng.IntN(12) {
			case 0, 1, 2:
				_, err = c.svc.GiveKudos(ctx, a, p.ID)
			case 3:
				_, err = c.svc.TakeKudos(ctx, a, p.ID)
			case 4, 5:
				_, err = c.svc.Accept(ctx, asker, th.ID, p.ID)
			case 6:
				_, err = c.svc.Unaccept(ctx, asker, th.ID)
			case 7:
				_, err = c.svc.Accept(ctx, mod, th.ID, p.ID)
			case 8, 9:
				// Hidden, deleted or shown again, a question with its thread.
				err = c.db.InTx(ctx, func(tx *sqldb.Tx) error {
					_, _, err := c.svc.SetPostStatus(ctx, tx, c.brand.ID, p.ID, statuses[rng.IntN(len(statuses))])
					return err
				})
			case 10:
				// Merges come once threads have gathered accepts and kudos.
				if i > 150 && rng.IntN(3) == 0 {
					into := threads[rng.IntN(len(threads))]
					err = c.db.InTx(ctx, func(tx *sqldb.Tx) error {
						_, _, err := c.svc.MergeThread(ctx, tx, c.brand.ID, th.ID, into.ID, 0)
						return err
					})
				}
			case 11:
				_, err = c.svc.Unaccept(ctx, mod, th.ID)
			}
			if err != nil && !errors.Is(err, fault.ErrForbidden) && !errors.Is(err, fault.ErrConflict) &&
				!errors.Is(err, fault.ErrNotFound) && testkit.Fields(err) == nil {
				t.Fatalf("act: %v", err)
			}
			c.clk.Add(time.Duration(rng.IntN(180)) * time.Minute)
			if i%20 == 19 {
				c.ledgerMatchesForum(t, fmt.Sprintf("after %d acts", i+1))
			}
		}
		for _, r := range []reputation.Reason{reputation.PostRemoved, reputation.PostRestored, reputation.ThreadMerged} {
			if n := c.count(t, `SELECT COUNT(*) FROM reputation_events WHERE reason = ?`, string(r)); n == 0 {
				t.Errorf("no %s lines: the sequence did too little", r)
			}
		}
		if n := c.count(t, `SELECT COUNT(*) FROM reputation_events`); n < 100 {
			t.Fatalf("only %d ledger events: the sequence did too little", n)
		}
		c.consistent(t)

		// Corrupt every kind of cache; the rebuild reports and repairs each.
		for _, q := range []string{`UPDATE users SET reputation = reputation + 7 WHERE id = ?`,
			`UPDATE reputation_rollups SET points = points + 3 WHERE user_id = ?`, `UPDATE posts SET kudos_count = kudos_count + 2 WHERE author_id = ?`} {
			if _, err := c.db.Exec(ctx, q, posts[0].AuthorID); err != nil {
				t.Fatal(err)
			}
		}
		var diffs []reputation.Difference
		if err := c.db.InTx(ctx, func(tx *sqldb.Tx) (err error) {
			diffs, err = reputation.RebuildReport(ctx, forum.LedgerTx(tx), c.brand.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, d := range diffs {
			kinds[d.What] = true
		}
		if !kinds["total"] || !kinds["rollup"] || !kinds["kudos_count"] {
			t.Errorf("rebuild reported %v", diffs)
		}
		c.consistent(t)
	})
}

// ledgerMatchesForum checks the ledger against the state of the forum: a
// post members do not see (it or its thread hidden, deleted or held) holds
// nothing; one they see holds its accepted-answer points if and only if its
// thread accepts it (and its asker the accepting bonus), and kudos points
// only for kudos still standing.
func (c *community) ledgerMatchesForum(t *testing.T, when string) {
	t.Helper()
	type post struct {
		id, accepted, asker int64
		status, thread      string
	}
	rows, err := c.db.Query(ctx, `SELECT p.id, p.status, t.status, COALESCE(t.accepted_post_id, 0), t.author_id
FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.brand_id = ? ORDER BY p.id`, c.brand.ID)
	if err != nil {
		t.Fatal(err)
	}
	var posts []post
	for rows.Next() {
		var p post
		if err := rows.Scan(&p.id, &p.status, &p.thread, &p.accepted, &p.asker); err != nil {
			t.Fatal(err)
		}
		posts = append(posts, p)
	}
	rows.Close()
	kudos := map[[2]int64]bool{} // (post, giver) -> standing
	rows, err = c.db.Query(ctx, `SELECT post_id, user_id FROM kudos WHERE reversed_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k [2]int64
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			t.Fatal(err)
		}
		kudos[k] = true
	}
	rows.Close()
	for _, p := range posts {
		seen := p.status == forum.StatusVisible && p.thread == forum.StatusVisible
		rows, err := c.db.Query(ctx, `SELECT user_id, COALESCE(actor_id, 0), origin, SUM(delta) FROM reputation_events
WHERE post_id = ? GROUP BY user_id, COALESCE(actor_id, 0), origin`, p.id)
		if err != nil {
			t.Fatal(err)
		}
		var accepted, accepting int64
		for rows.Next() {
			var user, actor, sum int64
			var origin string
			if err := rows.Scan(&user, &actor, &origin, &sum); err != nil {
				t.Fatal(err)
			}
			switch {
			case sum != 0 && !seen:
				t.Errorf("%s: post %d (%s, thread %s) holds %d for %s of member %d", when, p.id, p.status, p.thread, sum, origin, user)
			case origin == string(reputation.KudosReceived) && sum != 0 && !kudos[[2]int64{p.id, actor}]:
				t.Errorf("%s: post %d holds %d for kudos from %d that no longer stand", when, p.id, sum, actor)
			case origin == string(reputation.AnswerAccepted):
				accepted += sum
			case origin == string(reputation.AcceptedOther) && user == p.asker:
				accepting += sum
			case origin == string(reputation.AcceptedOther) && sum != 0:
				t.Errorf("%s: post %d holds %d for member %d, who is not its thread's asker, accepting it", when, p.id, sum, user)
			}
		}
		rows.Close()
		want, wantAsker := int64(0), int64(0)
		if seen && p.accepted == p.id {
			want, wantAsker = reputation.Points[reputation.AnswerAccepted], reputation.Points[reputation.AcceptedOther]
		}
		if accepted != want || accepting != wantAsker {
			t.Errorf("%s: post %d (%s, thread %s, accepted %v) holds %d for being accepted and %d for accepting it; want %d, %d",
				when, p.id, p.status, p.thread, p.accepted == p.id, accepted, accepting, want, wantAsker)
		}
	}
}

// The payback export equals the ledger: per member and in all, for the
// period asked, and nothing outside it.
func TestExportEqualsLedger(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		c.configure(t, relaxed)
		var people []account.Actor
		for i := range 4 {
			people = append(people, c.actor(t, fmt.Sprintf("xx%d", i)))
		}
		th := c.ask(t, people[0], "Export question")
		var posts []forum.Post
		for i := 1; i < 4; i++ {
			posts = append(posts, c.reply(t, people[i], th, fmt.Sprintf("export reply %d", i)))
		}
		for d := range 10 {
			for i, a := range people {
				p := posts[(d+i)%3]
				if d%3 == 2 {
					_, _ = c.svc.TakeKudos(ctx, a, p.ID)
				} else {
					_, _ = c.svc.GiveKudos(ctx, a, p.ID)
				}
			}
			if _, err := c.svc.Accept(ctx, people[0], th.ID, posts[d%3].ID); err != nil {
				t.Fatal(err)
			}
			c.clk.Add(20 * time.Hour)
		}
		from, to := day1.Add(24*time.Hour).Truncate(24*time.Hour), day1.Add(6*24*time.Hour).Truncate(24*time.Hour)
		rows, err := reputation.Export(ctx, c.db, c.brand.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, r := range rows {
			want := c.count(t, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events WHERE user_id = ? AND created_at >= ? AND created_at < ?`,
				r.UserID, from.UnixMilli(), to.UnixMilli())
			events := c.count(t, `SELECT COUNT(*) FROM reputation_events WHERE user_id = ? AND created_at >= ? AND created_at < ?`,
				r.UserID, from.UnixMilli(), to.UnixMilli())
			if r.Total != want || r.Kudos+r.Accepted+r.Accepting+r.Rescue+r.Articles+r.Other != r.Total || r.Events != events {
				t.Errorf("%s: export %+v, ledger %d in %d events", r.Username, r, want, events)
			}
			sum += r.Total
		}
		all := c.count(t, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events WHERE brand_id = ? AND created_at >= ? AND created_at < ?`,
			c.brand.ID, from.UnixMilli(), to.UnixMilli())
		if sum != all || len(rows) == 0 {
			t.Errorf("export sums to %d over %d members, ledger %d", sum, len(rows), all)
		}
		if _, err := reputation.Export(ctx, c.db, c.brand.ID, to, from); err == nil {
			t.Error("an inverted range was accepted")
		}
	})
}

// A small set of accounts kudosing each other is flagged; a popular helper
// thanked by many is not; a review sticks across scans.
func TestKudosRingsFlagged(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		c.configure(t, relaxed)
		ring := []account.Actor{c.actor(t, "rr1"), c.actor(t, "rr2"), c.actor(t, "rr3")}
		star := c.actor(t, "star")
		var crowd []account.Actor
		for i := range 6 {
			crowd = append(crowd, c.actor(t, fmt.Sprintf("crowd%d", i)))
		}
		th := c.ask(t, star, "Ring question")
		postsBy := map[int64][]forum.Post{}
		for _, a := range append(append([]account.Actor{}, ring...), star) {
			for i := range 4 {
				postsBy[a.UserID] = append(postsBy[a.UserID], c.reply(t, a, th, fmt.Sprintf("%s post %d", a.Username, i)))
			}
		}
		// The ring: each gives the others kudos on all their posts (12 each way).
		for _, a := range ring {
			for _, b := range ring {
				if a.UserID != b.UserID {
					for _, p := range postsBy[b.UserID] {
						if _, err := c.svc.GiveKudos(ctx, a, p.ID); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			c.clk.Add(time.Hour)
		}
		// The crowd thanks star; star thanks one of them back once.
		for _, a := range crowd {
			for _, p := range postsBy[star.UserID][:2] {
				if _, err := c.svc.GiveKudos(ctx, a, p.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		crowdPost := c.reply(t, crowd[0], th, "crowd post")
		if _, err := c.svc.GiveKudos(ctx, star, crowdPost.ID); err != nil {
			t.Fatal(err)
		}
		n, err := reputation.DetectRings(ctx, c.db, c.brand.ID, c.clk.Now())
		if err != nil || n != 1 {
			t.Fatalf("DetectRings = %d, %v; want 1", n, err)
		}
		rings, err := reputation.Rings(ctx, c.db, c.brand.ID, reputation.RingOpen, 10)
		if err != nil || len(rings) != 1 {
			t.Fatalf("rings = %+v, %v", rings, err)
		}
		g := rings[0]
		var names []string
		for _, m := range g.Members {
			names = append(names, m.Username)
		}
		if fmt.Sprint(names) != "[rr1 rr2 rr3]" || g.KudosInside != 24 || g.SharePct() != 100 {
			t.Errorf("ring = %v inside %d share %d", names, g.KudosInside, g.SharePct())
		}
		if err := c.db.InTx(ctx, func(tx *sqldb.Tx) error {
			return reputation.ReviewRing(ctx, tx, c.brand.ID, g.ID, star.UserID, reputation.RingDismissed, "friends from the same shop", c.clk.Now())
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := reputation.DetectRings(ctx, c.db, c.brand.ID, c.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if open, _ := reputation.Rings(ctx, c.db, c.brand.ID, reputation.RingOpen, 10); len(open) != 0 {
			t.Errorf("a dismissed ring reopened on the next scan: %+v", open)
		}
		if err := reputation.ReviewRing(ctx, c.db, c.brand.ID+1, g.ID, 0, reputation.RingOpen, "", c.clk.Now()); !errors.Is(err, reputation.ErrNoRing) {
			t.Errorf("review from another brand = %v", err)
		}
	})
}
