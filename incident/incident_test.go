package incident_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"mutual/account"
	"mutual/escalation"
	"mutual/forum"
	"mutual/incident"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

type fixture struct {
	db      *sqldb.DB
	clock   *testkit.Clock
	forum   *forum.Service
	esc     *escalation.Service
	svc     *incident.Service
	members *account.Members
	brand   forum.Brand
	board   forum.Board
	agent   account.Actor
	askers  int
}

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	clk := testkit.NewClock(time.Date(2025, 5, 6, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, clock: clk, forum: forum.NewService(db, markup.NewRenderer(), clk.Now), esc: escalation.New(db, clk.Now),
		members: account.NewMembers(db, clk.Now)}
	f.forum.Subscribe(f.esc.Hook)
	f.svc = incident.New(db, clk.Now, f.forum, f.esc, nil)
	f.brand = testkit.Brand(t, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "inc.example", Name: "Inc"})
	f.board = testkit.Board(t, f.forum, f.brand.ID, forum.NewBoard{Name: "Network", Description: "Signal and data"})
	f.agent = f.member(t, "agent1", "agent")
	return f
}

func (f *fixture) member(t *testing.T, name string, roles ...string) account.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := f.members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: f.brand.ID, Username: name, Email: name + "@example.com", CreatedAt: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		if err := f.members.Grant(ctx, f.brand.ID, u.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	return account.Actor{UserID: u.ID, BrandID: f.brand.ID, Username: name, Roles: roles}
}

func (f *fixture) ask(t *testing.T, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := 0; i < n; i++ {
		f.askers++
		a := f.member(t, "asker"+strconv.Itoa(f.askers))
		th := testkit.Ask(t, f.forum, a, forum.NewThread{BoardID: f.board.ID, Title: "No data in Leeds since nine this morning",
			Body: "My phone shows no bars and no data since nine."})
		ids = append(ids, th.ID)
	}
	return ids
}

// escalated runs the detector's first rule and reports which threads have
// an escalation.
func (f *fixture) escalated(t *testing.T, ids []int64) map[int64]string {
	t.Helper()
	if _, _, _, err := f.esc.Detect(context.Background(), f.brand.ID, 1, escalation.Cursor{}, 100, "test"); err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, id := range ids {
		x, ok, err := f.esc.ForThread(context.Background(), f.brand.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			out[id] = x.Status
		}
	}
	return out
}

// Raising the same group again adds threads to the open incident; its SLA
// breaches after 15 minutes; its threads' peer SLAs wait, and resuming does
// not count the pause against them.
func TestIncidentLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		first := f.ask(t, 2)
		r := incident.Raised{BrandID: f.brand.ID, GroupKey: "g1", Label: "No data in Leeds", ThreadIDs: first, Terms: []string{"data"}}
		id, created, err := f.svc.Raise(ctx, r)
		if err != nil || !created {
			t.Fatalf("raise: %d %v %v", id, created, err)
		}
		f.clock.Add(5 * time.Minute)
		more := f.ask(t, 1)
		r.ThreadIDs = append(first, more...)
		again, created, err := f.svc.Raise(ctx, r)
		if err != nil || created || again != id {
			t.Fatalf("raise again: %d %v %v, want the same incident", again, created, err)
		}
		x, err := f.svc.Get(ctx, f.brand.ID, id)
		if err != nil || len(x.Threads) != 3 || x.Breached(f.clock.Now()) {
			t.Fatalf("incident %+v %v", x, err)
		}
		f.clock.Add(11 * time.Minute)
		if st, err := f.svc.Stats(ctx, f.brand.ID); err != nil || st.Breached != 1 || st.BreachedOpen != 1 {
			t.Fatalf("stats after 16 minutes: %+v %v", st, err)
		}
		all := append(first, more...)
		if got := f.escalated(t, all); len(got) != 0 {
			t.Fatalf("paused threads escalated: %v", got)
		}
		if _, err := f.svc.Close(ctx, f.agent, id, "later", ""); err == nil {
			t.Fatal("closed with an unknown outcome")
		}
		if _, err := f.svc.Close(ctx, f.agent, id, incident.OutcomeResumed, "fixed"); err != nil {
			t.Fatal(err)
		}
		// The first threads are 16 minutes old but were paused for 16: their
		// 15-minute peer SLA has not run out yet.
		if got := f.escalated(t, all); len(got) != 0 {
			t.Fatalf("escalated at once after resuming: %v", got)
		}
		f.clock.Add(16 * time.Minute)
		if got := f.escalated(t, all); len(got) != 3 {
			t.Fatalf("after the SLA ran out again: %v, want all three escalated", got)
		}
		// A closed group raised again is a new incident.
		if id2, created, err := f.svc.Raise(ctx, r); err != nil || !created || id2 == id {
			t.Fatalf("raise after close: %d %v %v", id2, created, err)
		}
	})
}

// Only staff act on incidents; the staff reply goes once to each thread.
func TestIncidentRepliesOnceAndOnlyStaffAct(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		ids := f.ask(t, 3)
		id, _, err := f.svc.Raise(ctx, incident.Raised{BrandID: f.brand.ID, GroupKey: "g1", Label: "No data", ThreadIDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		member := f.member(t, "plainmember")
		if _, err := f.svc.Acknowledge(ctx, member, id); err == nil {
			t.Fatal("a member acknowledged an incident")
		}
		if _, _, err := f.svc.ReplyAll(ctx, f.agent, id, ""); err == nil {
			t.Fatal("replied before the status thread")
		}
		x, err := f.svc.PostStatus(ctx, f.agent, id, incident.StatusPost{BoardID: f.board.ID, Title: "Known issue: no data in Leeds",
			Body: "A mast is down; engineers are on it."})
		if err != nil || x.StatusThreadID == 0 || x.Status != incident.StatusAcknowledged {
			t.Fatalf("post status: %+v %v", x, err)
		}
		for range 2 {
			if _, _, err := f.svc.ReplyAll(ctx, f.agent, id, "Sorry about this."); err != nil {
				t.Fatal(err)
			}
		}
		for _, tid := range ids {
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE thread_id = ? AND is_staff = 1`, tid).Scan(&n); err != nil || n != 1 {
				t.Errorf("thread %d has %d staff replies (%v), want 1", tid, n, err)
			}
		}
		// The status thread itself is never gathered into the group.
		if _, _, err := f.svc.Raise(ctx, incident.Raised{BrandID: f.brand.ID, GroupKey: "g1", Label: "No data",
			ThreadIDs: []int64{x.StatusThreadID}}); err == nil {
			t.Error("the status thread joined its own incident")
		}
	})
}
