package escalation_test

import (
	"context"
	"testing"
	"time"

	"mutual/account"
	"mutual/escalation"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

var ctx = context.Background()

// fixture is a migrated database with a brand, a board, the forum service
// with the escalation hook subscribed, and the escalation service.
type fixture struct {
	t       *testing.T
	db      *sqldb.DB
	clock   *testkit.Clock
	members *account.Members
	forum   *forum.Service
	esc     *escalation.Service
	brand   forum.Brand
	board   forum.Board
	asker   account.Actor
	peer    account.Actor
}

func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newFixture(t, db)) })
}

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	clk := testkit.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) // a Monday
	f := &fixture{t: t, db: db, clock: clk, members: account.NewMembers(db, clk.Now),
		forum: forum.NewService(db, markup.NewRenderer(), clk.Now), esc: escalation.New(db, clk.Now)}
	f.forum.Subscribe(f.esc.Hook)
	f.brand = testkit.Brand(t, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "localhost", Name: "Alpha", Default: true})
	f.board = testkit.Board(t, f.forum, f.brand.ID, forum.NewBoard{Name: "Billing"})
	f.asker = f.user("asker")
	f.peer = f.user("peer")
	return f
}

func (f *fixture) user(name string, roles ...string) account.Actor {
	f.t.Helper()
	return testkit.Member(f.t, f.members, account.Unclaimed{BrandID: f.brand.ID, Username: name, Email: name + "@example.com", CreatedAt: f.clock.Now()}, roles...)
}

// agent makes an agent of the brand, on or off shift.
func (f *fixture) agent(name string, onShift bool, boards ...int64) account.Actor {
	f.t.Helper()
	return f.agentWith(name, escalation.NewAgent{Boards: boards, OnShift: onShift})
}

// agentWith makes an agent of the brand with na's skills and shift.
func (f *fixture) agentWith(name string, na escalation.NewAgent) account.Actor {
	f.t.Helper()
	a := f.user(name, "agent")
	na.BrandID, na.UserID, na.Person = f.brand.ID, a.UserID, name+"@example.com"
	if _, err := f.esc.AddAgent(ctx, na); err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *fixture) ask(title string) forum.Thread {
	f.t.Helper()
	return testkit.Ask(f.t, f.forum, f.asker, forum.NewThread{BoardID: f.board.ID, Title: title, Body: "Please can someone help me with this?"})
}

func (f *fixture) reply(a account.Actor, threadID int64, body string) forum.Post {
	f.t.Helper()
	return testkit.Reply(f.t, f.forum, a, threadID, body)
}

// detect runs the detector to the end over both rules, as the job does.
func (f *fixture) detect() int {
	f.t.Helper()
	return detectWith(f.t, f.esc, f.brand.ID)
}

func detectWith(t testing.TB, s *escalation.Service, brandID int64) int {
	t.Helper()
	made := 0
	for rule := 1; rule <= 2; rule++ {
		cur := escalation.Cursor{}
		for {
			tick, next, more, err := s.Detect(ctx, brandID, rule, cur, 50, "test")
			if err != nil {
				t.Fatal(err)
			}
			made += tick.Escalated
			if !more {
				break
			}
			cur = next
		}
	}
	return made
}

func (f *fixture) escalationOf(threadID int64) (escalation.Escalation, bool) {
	f.t.Helper()
	x, ok, err := f.esc.ForThread(ctx, f.brand.ID, threadID)
	if err != nil {
		f.t.Fatal(err)
	}
	return x, ok
}

// states lists the escalation's event states in order.
func (f *fixture) states(id int64) []string {
	f.t.Helper()
	evs, err := f.esc.History(ctx, f.brand.ID, id)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.State)
	}
	return out
}
