package moderation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/moderation"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// modFixture is a migrated store with a brand, two boards, a forum service
// and the moderation service on it.
type modFixture struct {
	db      *sqldb.DB
	clk     *testkit.Clock
	members *account.Members
	svc     *forum.Service
	mod     *moderation.Service
	brand   forum.Brand
	boards  [2]forum.Board
	events  []forum.Event
	mu      sync.Mutex
}

func eachModStore(t *testing.T, fn func(t *testing.T, f *modFixture)) {
	t.Helper()
	for _, d := range sqldbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			db := sqldbtest.Open(t, d)
			f := &modFixture{db: db, clk: testkit.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))}
			f.members = account.NewMembers(db, f.clk.Now)
			f.svc = forum.NewService(db, markup.NewRenderer(), f.clk.Now)
			f.mod = moderation.NewService(db, f.svc)
			f.svc.Subscribe(func(_ context.Context, _ *sqldb.Tx, ev forum.Event) error {
				f.mu.Lock()
				f.events = append(f.events, ev)
				f.mu.Unlock()
				return nil
			})
			f.brand = testkit.Brand(t, forum.NewBrands(db, f.clk.Now), forum.NewBrand{Host: "alpha.test", Name: "Alpha", Default: true})
			for i := range f.boards {
				f.boards[i] = testkit.Board(t, f.svc, f.brand.ID, forum.NewBoard{Name: fmt.Sprintf("Board %d", i)})
			}
			fn(t, f)
		})
	}
}

func (f *modFixture) actor(t *testing.T, name string, roles ...string) account.Actor {
	t.Helper()
	return testkit.Member(t, f.members, account.Unclaimed{BrandID: f.brand.ID, Username: name, CreatedAt: f.clk.Now()}, roles...)
}

// checkCounters recomputes every counter from the rows and compares: reply
// counts are visible replies, boards count visible (unmerged) threads and
// the visible posts in them.
func checkCounters(t *testing.T, f *modFixture, step string) {
	t.Helper()
	rows, err := f.db.Query(ctx, `SELECT t.id, t.reply_count, (SELECT COUNT(*) FROM posts p WHERE p.thread_id = t.id AND p.is_question = 0 AND p.status = 'visible')
FROM threads t WHERE t.merged_into IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, stored, real int64
		if err := rows.Scan(&id, &stored, &real); err != nil {
			t.Fatal(err)
		}
		if stored != real {
			t.Errorf("%s: thread %d reply_count %d, visible replies %d", step, id, stored, real)
		}
	}
	rows.Close()
	rows, err = f.db.Query(ctx, `SELECT b.id, b.thread_count, b.post_count,
 (SELECT COUNT(*) FROM threads t WHERE t.board_id = b.id AND t.status = 'visible'),
 (SELECT COUNT(*) FROM posts p JOIN threads t ON t.id = p.thread_id WHERE t.board_id = b.id AND t.status = 'visible' AND p.status = 'visible')
FROM boards b`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, threads, posts, realThreads, realPosts int64
		if err := rows.Scan(&id, &threads, &posts, &realThreads, &realPosts); err != nil {
			t.Fatal(err)
		}
		if threads != realThreads || posts != realPosts {
			t.Errorf("%s: board %d counts %d threads/%d posts, rows say %d/%d", step, id, threads, posts, realThreads, realPosts)
		}
	}
}

// TestCountersStayHonest walks every act on content and checks the stored
// counters against the rows after each.
func TestCountersStayHonest(t *testing.T) {
	eachModStore(t, func(t *testing.T, f *modFixture) {
		asker, helper, mod := f.actor(t, "asker"), f.actor(t, "helper"), f.actor(t, "moddy", "moderator")
		th, err := f.svc.Ask(ctx, asker, forum.NewThread{BoardID: f.boards[0].ID, Title: "Roaming charges abroad", Body: "Why was I charged?"})
		if err != nil {
			t.Fatal(err)
		}
		var replies []forum.Post
		for i := range 3 {
			p, err := f.svc.Reply(ctx, helper, th.ID, forum.NewReply{Body: fmt.Sprintf("Answer number %d", i)})
			if err != nil {
				t.Fatal(err)
			}
			replies = append(replies, p)
		}
		dup, err := f.svc.Ask(ctx, helper, forum.NewThread{BoardID: f.boards[1].ID, Title: "Roaming charges while abroad", Body: "Charged abroad too."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Reply(ctx, asker, dup.ID, forum.NewReply{Body: "Same here"}); err != nil {
			t.Fatal(err)
		}
		pg, err := f.svc.Page(ctx, f.brand.ID, dup.ID, 0, forum.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		dupQ := pg.Question.ID
		checkCounters(t, f, "start")
		steps := []struct {
			name string
			do   func() error
		}{
			{"hide reply", func() error { _, err := f.mod.ActOnPost(ctx, mod, replies[0].ID, moderation.Hide, "spam"); return err }},
			{"delete hidden reply", func() error { _, err := f.mod.ActOnPost(ctx, mod, replies[0].ID, moderation.Delete, ""); return err }},
			{"delete reply", func() error { _, err := f.mod.ActOnPost(ctx, mod, replies[1].ID, moderation.Delete, ""); return err }},
			{"restore reply", func() error { _, err := f.mod.ActOnPost(ctx, mod, replies[1].ID, moderation.Restore, ""); return err }},
			{"hide question", func() error { _, err := f.mod.ActOnPost(ctx, mod, dupQ, moderation.Hide, ""); return err }},
			{"unhide question", func() error { _, err := f.mod.ActOnPost(ctx, mod, dupQ, moderation.Unhide, ""); return err }},
			{"move", func() error {
				_, err := f.mod.ActOnThread(ctx, mod, th.ID, moderation.Move, f.boards[1].ID, "")
				return err
			}},
			{"merge", func() error {
				_, err := f.mod.ActOnThread(ctx, mod, dup.ID, moderation.Merge, th.ID, "duplicate")
				return err
			}},
			{"restore deleted reply after merge", func() error {
				_, err := f.mod.ActOnPost(ctx, mod, replies[0].ID, moderation.Restore, "")
				return err
			}},
		}
		for _, s := range steps {
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			checkCounters(t, f, s.name)
		}
		// Wrong states are conflicts, and change nothing.
		if _, err := f.mod.ActOnPost(ctx, mod, replies[2].ID, moderation.Restore, ""); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("restoring a visible post: %v", err)
		}
		// Events carry the affected member and the reason.
		var hidden *forum.Event
		for i := range f.events {
			if f.events[i].Kind == "moderation.post_hidden" {
				hidden = &f.events[i]
				break
			}
		}
		if hidden == nil || hidden.AuthorID != helper.UserID || hidden.Note != "spam" || hidden.ActorID != mod.UserID {
			t.Errorf("moderation.post_hidden event = %+v", hidden)
		}
	})
}

// TestAuditIsAppendOnly: the database itself refuses changes to the log.
func TestAuditIsAppendOnly(t *testing.T) {
	eachModStore(t, func(t *testing.T, f *modFixture) {
		mod := f.actor(t, "moddy", "moderator")
		f.actor(t, "victim")
		if _, err := f.mod.ActOnPerson(ctx, mod, "victim", moderation.Warn, time.Time{}, "be nice"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Exec(ctx, `UPDATE moderation_actions SET reason = 'nothing'`); err == nil {
			t.Error("UPDATE of the audit log succeeded")
		}
		if _, err := f.db.Exec(ctx, `DELETE FROM moderation_actions`); err == nil {
			t.Error("DELETE from the audit log succeeded")
		}
		rows, _, err := f.mod.Audit(ctx, f.brand.ID, moderation.AuditFilter{}, 10)
		if err != nil || len(rows) != 1 || rows[0].Reason != "be nice" || rows[0].ActorName != "moddy" {
			t.Errorf("audit = %+v, %v", rows, err)
		}
	})
}

// TestNewMemberBurst: parallel posts from one new member give exactly one
// post on both stores (the checks run inside the write transaction).
func TestNewMemberBurst(t *testing.T) {
	eachModStore(t, func(t *testing.T, f *modFixture) {
		f.svc.Limits = forum.DefaultPostLimits()
		asker := f.actor(t, "asker")
		f.clk.Add(48 * time.Hour) // the asker is no longer new
		th, err := f.svc.Ask(ctx, asker, forum.NewThread{BoardID: f.boards[0].ID, Title: "Parallel question here", Body: "Who answers first?"})
		if err != nil {
			t.Fatal(err)
		}
		fresh := f.actor(t, "fresh")
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, limited := 0, 0
		for i := range 8 {
			wg.Go(func() {
				_, err := f.svc.Reply(ctx, fresh, th.ID, forum.NewReply{Body: fmt.Sprintf("parallel reply %d", i)})
				var rl *fault.RateLimitError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.As(err, &rl) && rl.RetryAfter > 0:
					limited++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			})
		}
		wg.Wait()
		if ok != 1 || limited != 7 {
			t.Errorf("burst: %d posted, %d limited", ok, limited)
		}
		// First-day caps: 3 questions.
		for i := range 4 {
			f.clk.Add(31 * time.Second)
			_, err := f.svc.Ask(ctx, fresh, forum.NewThread{BoardID: f.boards[0].ID, Title: fmt.Sprintf("Fresh question %d", i), Body: fmt.Sprintf("Body number %d here", i)})
			var rl *fault.RateLimitError
			if i < 3 && err != nil || i == 3 && !errors.As(err, &rl) {
				t.Errorf("question %d: %v", i+1, err)
			}
		}
	})
}

// TestSuspendedAndLocked: the domain refuses posts from suspended and banned
// members and replies to locked threads, saying why.
func TestSuspendedAndLocked(t *testing.T) {
	eachModStore(t, func(t *testing.T, f *modFixture) {
		asker, mod := f.actor(t, "asker"), f.actor(t, "moddy", "moderator")
		th, err := f.svc.Ask(ctx, asker, forum.NewThread{BoardID: f.boards[0].ID, Title: "Locked thread test", Body: "Please lock me."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.mod.ActOnThread(ctx, mod, th.ID, moderation.Lock, 0, "done"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Reply(ctx, asker, th.ID, forum.NewReply{Body: "one more"}); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("reply to locked thread: %v", err)
		}
		if _, err := f.svc.Reply(ctx, mod, th.ID, forum.NewReply{Body: "staff note"}); err != nil {
			t.Errorf("moderator reply to locked thread: %v", err)
		}
		until := f.clk.Now().Add(24 * time.Hour)
		if _, err := f.mod.ActOnPerson(ctx, mod, "asker", moderation.Suspend, until, "rude"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Ask(ctx, asker, forum.NewThread{BoardID: f.boards[0].ID, Title: "Suspended question", Body: "Can I ask?"})
		var fe *fault.Error
		if !errors.As(err, &fe) || !errors.Is(err, fault.ErrForbidden) || fe.Msg == "" {
			t.Fatalf("suspended ask: %v", err)
		}
		for _, want := range []string{"suspended until", "rude", "read"} {
			if !containsFold(fe.Msg, want) {
				t.Errorf("message %q lacks %q", fe.Msg, want)
			}
		}
		if _, err := f.mod.ActOnPerson(ctx, mod, "moddy", moderation.Ban, time.Time{}, "self"); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("moderator banning themselves: %v", err)
		}
	})
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// TestSpamBurstIsHeld: the same text from a third account within minutes is
// held for review; different text is not.
func TestSpamBurstIsHeld(t *testing.T) {
	eachModStore(t, func(t *testing.T, f *modFixture) {
		f.svc.Limits = forum.DefaultPostLimits()
		asker := f.actor(t, "asker")
		f.clk.Add(48 * time.Hour)
		th, err := f.svc.Ask(ctx, asker, forum.NewThread{BoardID: f.boards[0].ID, Title: "Spam run target", Body: "An honest question."})
		if err != nil {
			t.Fatal(err)
		}
		var last forum.Post
		for i := range 3 {
			a := f.actor(t, fmt.Sprintf("bot%d", i))
			if last, err = f.svc.Reply(ctx, a, th.ID, forum.NewReply{Body: "Visit cheap-pills dot example now"}); err != nil {
				t.Fatal(err)
			}
		}
		if last.Status != forum.StatusPending {
			t.Errorf("third identical post from another account: %s, want pending", last.Status)
		}
		p, err := f.svc.Reply(ctx, f.actor(t, "human"), th.ID, forum.NewReply{Body: "A genuine answer"})
		if err != nil || p.Status != forum.StatusVisible {
			t.Errorf("a different post: %v %v", p.Status, err)
		}
		checkCounters(t, f, "after the burst")
	})
}
