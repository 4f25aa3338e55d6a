package notify_test

import (
	"context"
	"os"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/forum/notify"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

var ctx = context.Background()

// fixture is a migrated store with the notification hook wired to the
// forum service, as the app wires it.
type fixture struct {
	db      *sqldb.DB
	clock   *testkit.Clock
	members *account.Members
	svc     *forum.Service
	st      *notify.Store
	brand   forum.Brand
	board   forum.Board
}

func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newFixture(t, db)) })
}

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	clk := testkit.NewClock(time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, clock: clk, members: account.NewMembers(db, clk.Now), svc: forum.NewService(db, markup.NewRenderer(), clk.Now),
		st: notify.New(db, clk.Now)}
	f.st.Mail = true
	f.svc.Subscribe(f.st.Hook)
	f.brand = testkit.Brand(t, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "localhost", Name: "Alpha", Default: true})
	f.board = testkit.Board(t, f.svc, f.brand.ID, forum.NewBoard{Name: "Billing"})
	return f
}

// member makes an account that can sign in, with a verified address unless
// told otherwise.
func (f *fixture) member(t *testing.T, brandID int64, name string, verified bool, roles ...string) account.Actor {
	t.Helper()
	a := testkit.Member(t, f.members, account.Unclaimed{BrandID: brandID, Username: name, Email: name + "@example.com", CreatedAt: f.clock.Now()}, roles...)
	f.exec(t, `UPDATE users SET password_hash = 'set' WHERE id = ?`, a.UserID)
	if verified {
		f.exec(t, `UPDATE users SET email_verified_at = ? WHERE id = ?`, f.clock.Now().UnixMilli(), a.UserID)
	}
	return a
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.db.Exec(ctx, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) ask(t *testing.T, a account.Actor, title, body string) forum.Thread {
	t.Helper()
	th := testkit.Ask(t, f.svc, a, forum.NewThread{BoardID: f.board.ID, Title: title, Body: body})
	f.clock.Add(time.Second)
	return th
}

// reply adds a reply, then moves the clock a second, as ask does.
func (f *fixture) reply(t *testing.T, a account.Actor, threadID int64, body string) forum.Post {
	t.Helper()
	p := testkit.Reply(t, f.svc, a, threadID, body)
	f.clock.Add(time.Second)
	return p
}

// list returns a member's notifications, newest first.
func (f *fixture) list(t *testing.T, a account.Actor) []notify.Notification {
	t.Helper()
	ns, _, err := f.st.List(ctx, a.BrandID, a.UserID, 0, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func kinds(ns []notify.Notification) []notify.Kind {
	out := []notify.Kind{}
	for _, n := range ns {
		out = append(out, n.Kind)
	}
	return out
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func sqldbtestOpen(tb testing.TB) *sqldb.DB { return sqldbtest.Open(tb, sqldb.SQLite) }

// benchFixture is newFixture for benchmarks, with or without the hook.
func benchFixture(tb testing.TB, db *sqldb.DB, hook bool) *fixture {
	tb.Helper()
	clk := testkit.NewClock(time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, clock: clk, members: account.NewMembers(db, clk.Now), svc: forum.NewService(db, markup.NewRenderer(), clk.Now),
		st: notify.New(db, clk.Now)}
	f.st.Mail = os.Getenv("NOTIFY_BENCH_NOMAIL") == ""
	if hook {
		f.svc.Subscribe(f.st.Hook)
	}
	f.brand = testkit.Brand(tb, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "localhost", Name: "Alpha", Default: true})
	f.board = testkit.Board(tb, f.svc, f.brand.ID, forum.NewBoard{Name: "Billing"})
	return f
}

func (f *fixture) benchMember(tb testing.TB, name string) account.Actor {
	tb.Helper()
	u, err := f.members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: f.brand.ID, Username: name, Email: name + "@example.com", CreatedAt: f.clock.Now()})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := f.db.Exec(ctx, `UPDATE users SET email_verified_at = 1, password_hash = 'x' WHERE id = ?`, u.ID); err != nil {
		tb.Fatal(err)
	}
	return account.Actor{UserID: u.ID, BrandID: f.brand.ID, Username: name, Roles: []string{"member"}}
}
