package kb_test

import (
	"context"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/kb"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

var ctx = context.Background()

// fixture is a migrated database with a brand, a board, a solved thread
// (its reply that members liked quoted), and the people around it.
type fixture struct {
	db      *sqldb.DB
	clock   *testkit.Clock
	members *account.Members
	forum   *forum.Service
	kb      *kb.Service
	brand   forum.Brand
	board   forum.Board

	asker, helper, fan, trusted, editor, plain account.Actor
	solved                                     forum.Thread
	answer, tip                                forum.Post
}

// eachStore runs fn on a fresh fixture in every store: a SQLite file, and a
// PostgreSQL schema when MUTUAL_TEST_POSTGRES names a server.
func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newFixture(t, db)) })
}

func newFixture(t testing.TB, db *sqldb.DB) *fixture {
	t.Helper()
	clk := testkit.NewClock(time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC))
	md := markup.NewRenderer()
	f := &fixture{db: db, clock: clk, members: account.NewMembers(db, clk.Now), forum: forum.NewService(db, md, clk.Now)}
	f.kb = kb.New(db, md, f.forum, clk.Now)
	f.brand = testkit.Brand(t, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "localhost", Name: "Alpha Mobile", Default: true})
	f.board = testkit.Board(t, f.forum, f.brand.ID, forum.NewBoard{Name: "Home internet", Description: "Routers and lines"})
	member := func(name string, roles ...string) account.Actor {
		return testkit.Member(t, f.members, account.Unclaimed{BrandID: f.brand.ID, Username: name, CreatedAt: clk.Now()}, roles...)
	}
	f.asker, f.helper, f.fan = member("asker"), member("helper"), member("fan")
	f.trusted, f.editor, f.plain = member("proposer", "trusted"), member("editor", "editor"), member("plain")
	f.solved = testkit.Ask(t, f.forum, f.asker, forum.NewThread{BoardID: f.board.ID, Title: "How do I reset my router to factory settings?",
		Body: "It keeps dropping the line."})
	f.answer = testkit.Reply(t, f.forum, f.helper, f.solved.ID, "Hold the reset button for ten seconds.")
	f.tip = testkit.Reply(t, f.forum, f.fan, f.solved.ID, "Note your wifi password first.")
	clk.Add(2 * time.Hour) // old enough to give kudos
	if _, err := f.forum.GiveKudos(ctx, f.asker, f.tip.ID); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.solved, err = f.forum.Accept(ctx, f.asker, f.solved.ID, f.answer.ID); err != nil {
		t.Fatal(err)
	}
	return f
}

// publish proposes an article from threads and publishes it.
func (f *fixture) publish(t *testing.T, title, body string, threads ...int64) kb.Article {
	t.Helper()
	a, err := f.kb.Propose(ctx, f.trusted, kb.NewArticle{ThreadIDs: threads, BoardID: f.board.ID, Title: title, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = f.kb.Publish(ctx, f.editor, a.ID); err != nil {
		t.Fatal(err)
	}
	return a
}
