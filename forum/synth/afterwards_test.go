package synth_test

import (
	"context"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/forum/synth"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// A generated community is a live one: members can ask and reply straight
// afterwards, on both stores (PostgreSQL's id sequences must have moved past
// the ids the generator wrote).
func TestCommunityTakesWritesAfterGeneration(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		md := markup.NewRenderer()
		if _, err := synth.Generate(ctx, db, md, synth.Options{Threads: 20, Posts: 120, Seed: 7, BenchMembers: 2}); err != nil {
			t.Fatal(err)
		}
		now := func() time.Time { return time.Now().UTC() }
		brand, err := forum.NewBrands(db, now).Default(ctx)
		if err != nil {
			t.Fatal(err)
		}
		u, err := account.NewMembers(db, now).ByUsername(ctx, brand.ID, "bench1")
		if err != nil {
			t.Fatal(err)
		}
		svc := forum.NewService(db, md, now)
		boards, err := svc.Boards(ctx, brand.ID)
		if err != nil || len(boards) == 0 {
			t.Fatalf("boards: %v %v", boards, err)
		}
		actor := account.Actor{UserID: u.ID, BrandID: brand.ID, Username: u.Username, Roles: []string{"member"}}
		th, err := svc.Ask(ctx, actor, forum.NewThread{BoardID: boards[0].ID, Title: "A question after generation", Body: "Does writing still work here?"})
		if err != nil {
			t.Fatalf("ask after gen: %v", err)
		}
		if _, err := svc.Reply(ctx, actor, 1, forum.NewReply{Body: "A reply to a generated thread."}); err != nil {
			t.Fatalf("reply after gen: %v", err)
		}
		if th.ID <= 20 {
			t.Fatalf("new thread id %d reuses a generated id", th.ID)
		}
	})
}
