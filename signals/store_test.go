package signals

import (
	"context"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// A post edited between the scorer's read and its write is not stored with
// its old text: the scorer stops there, keeps what came before it, and reads
// it again next turn.
func TestAPostEditedWhileBeingScoredIsReadAgain(t *testing.T) {
	ctx := context.Background()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := testkit.NewClock(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))
		members := account.NewMembers(db, clk.Now)
		fs := forum.NewService(db, markup.NewRenderer(), clk.Now)
		sig := New(db, clk.Now)
		fs.Subscribe(sig.Hook)
		brand := testkit.Brand(t, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "localhost", Name: "Alpha", Default: true})
		board := testkit.Board(t, fs, brand.ID, forum.NewBoard{Name: "Billing"})
		ann := testkit.Member(t, members, account.Unclaimed{BrandID: brand.ID, Username: "ann", Email: "ann@example.com", CreatedAt: clk.Now()})
		var threads []forum.Thread
		for _, title := range []string{"Billed twice", "Roaming question", "No signal"} {
			threads = append(threads, testkit.Ask(t, fs, ann, forum.NewThread{BoardID: board.ID, Title: title, Body: "It works, thanks.", Language: "en"}))
		}

		rows, err := db.Query(ctx, sourceCols+`ORDER BY p.id`)
		if err != nil {
			t.Fatal(err)
		}
		srcs, err := scanSources(rows)
		rows.Close()
		if err != nil || len(srcs) != 3 {
			t.Fatalf("read %d posts (%v), want 3", len(srcs), err)
		}
		reads := make([]Read, len(srcs))
		for i, src := range srcs {
			reads[i] = src.read()
		}
		if _, err := fs.Edit(ctx, ann, srcs[1].PostID, "Roaming question", "Roaming is awful and I'm cancelling my contract."); err != nil {
			t.Fatal(err)
		}
		if n, err := store(ctx, db, srcs, reads); err != nil || n != 1 {
			t.Fatalf("stored %d (%v), want 1: the post before the edited one", n, err)
		}
		if n, err := sig.ScoreNew(ctx, 10); err != nil || n != 2 {
			t.Fatalf("the next turn scored %d (%v), want the edited post and the one after it", n, err)
		}
		var churn string
		if err := db.QueryRow(ctx, `SELECT churn_phrase FROM post_signals WHERE thread_id = ?`, threads[1].ID).Scan(&churn); err != nil || churn != "i'm cancelling" {
			t.Errorf("the edited post's churn phrase %q (%v), want its new text's", churn, err)
		}
	})
}
