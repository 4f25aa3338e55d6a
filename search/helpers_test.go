package search_test

import (
	"context"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/search"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

var ctx = context.Background()

// fixture is a migrated database with one brand and board, a forum service
// whose changes the search service follows through its hook.
type fixture struct {
	db      *sqldb.DB
	clock   *testkit.Clock
	brands  *forum.Brands
	members *account.Members
	svc     *forum.Service
	search  *search.Service
	brand   forum.Brand
	board   forum.Board
}

// eachStore runs fn on a fresh fixture in every store: a SQLite file, and a
// PostgreSQL schema when MUTUAL_TEST_POSTGRES names a server (required in CI).
func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newFixtureOn(t, db)) })
}

func newFixtureOn(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	clk := testkit.NewClock(time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, clock: clk, brands: forum.NewBrands(db, clk.Now), members: account.NewMembers(db, clk.Now),
		svc: forum.NewService(db, markup.NewRenderer(), clk.Now), search: search.New(db, clk.Now)}
	f.svc.Subscribe(f.search.Hook)
	f.brand = testkit.Brand(t, f.brands, forum.NewBrand{Host: "localhost", Name: "Alpha Mobile", Default: true})
	f.board = f.newBoard(t, f.brand.ID, "Billing")
	return f
}

func (f *fixture) newBoard(t *testing.T, brandID int64, name string) forum.Board {
	t.Helper()
	return testkit.Board(t, f.svc, brandID, forum.NewBoard{Name: name, Description: "About " + name})
}

func (f *fixture) actor(t *testing.T, brandID int64, name string) account.Actor {
	t.Helper()
	return testkit.Member(t, f.members, account.Unclaimed{BrandID: brandID, Username: name, CreatedAt: f.clock.Now()})
}

// ask starts a thread on the fixture's board; its body repeats the title.
func (f *fixture) ask(t *testing.T, a account.Actor, title string) forum.Thread {
	t.Helper()
	return testkit.Ask(t, f.svc, a, forum.NewThread{BoardID: f.board.ID, Title: title, Body: "Some details about " + title})
}

// threads is the first page of a search as threads, best first.
func (f *fixture) threads(q string, limit int) ([]forum.Thread, error) {
	pg, err := f.search.Threads(ctx, f.brand.ID, search.Query{Q: q, PerPage: limit})
	if err != nil {
		return nil, err
	}
	out := make([]forum.Thread, len(pg.Results))
	for i, r := range pg.Results {
		out[i] = r.Thread
	}
	return out, nil
}
