package reputation_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/sqldb"
)

// Two hundred concurrent kudos, withdrawals, accepts, unaccepts and hides
// and unhides (of replies, and of the question with its thread) on the same
// posts leave the ledger, the totals, the roll-ups and the kudos rows in
// agreement: every standing kudos on a post members see is worth its points
// exactly once, every withdrawn one nothing, and only the accepted answer
// holds its award while it is seen. Run with -race.
func TestConcurrentActsStayConsistent(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		c := newCommunity(t, f)
		c.configure(t, relaxed)
		asker := c.actor(t, "asker")
		var givers []account.Actor
		for i := range 12 {
			givers = append(givers, c.actor(t, fmt.Sprintf("giver%02d", i)))
		}
		th := c.ask(t, asker, "Concurrency question")
		var posts []forum.Post
		for i := range 3 {
			posts = append(posts, c.reply(t, c.actor(t, fmt.Sprintf("author%d", i)), th, fmt.Sprintf("answer %d", i)))
		}
		pg, err := c.svc.Page(ctx, c.brand.ID, th.ID, 0, forum.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		shown := []int64{pg.Question.ID, posts[0].ID, posts[1].ID, posts[2].ID}
		const n = 200
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, n)
		for i := range n {
			rng := rand.New(rand.NewPCG(uint64(i), 99))
			wg.Go(func() {
				<-start
				p := posts[rng.IntN(len(posts))]
				var err error
				switch op := rng.IntN(13); {
				case op < 6:
					_, err = c.svc.GiveKudos(ctx, givers[rng.IntN(len(givers))], p.ID)
				case op < 9:
					_, err = c.svc.TakeKudos(ctx, givers[rng.IntN(len(givers))], p.ID)
				case op < 10:
					_, err = c.svc.Accept(ctx, asker, th.ID, p.ID)
				case op < 11:
					_, err = c.svc.Unaccept(ctx, asker, th.ID)
				default:
					status := forum.StatusVisible
					if rng.IntN(3) == 0 {
						status = forum.StatusHidden
					}
					err = c.db.InTx(ctx, func(tx *sqldb.Tx) error {
						_, _, err := c.svc.SetPostStatus(ctx, tx, c.brand.ID, shown[rng.IntN(len(shown))], status)
						return err
					})
				}
				// Kudos and accepts on what is hidden meanwhile are refused.
				if err != nil && !errors.Is(err, fault.ErrConflict) && !errors.Is(err, fault.ErrNotFound) && testkit.Fields(err) == nil {
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("act failed: %v", err)
		}
		c.consistent(t)
		c.ledgerMatchesForum(t, "after the concurrent acts")

		// Shown again, every standing kudos and the accepted answer count.
		for _, id := range shown {
			if err := c.db.InTx(ctx, func(tx *sqldb.Tx) error {
				_, _, err := c.svc.SetPostStatus(ctx, tx, c.brand.ID, id, forum.StatusVisible)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		c.consistent(t)
		pts := c.count(t, `SELECT kudos_points FROM reputation_settings WHERE brand_id = ?`, c.brand.ID)
		acc, err := c.svc.Thread(ctx, c.brand.ID, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			for _, g := range givers {
				rows := c.count(t, `SELECT COUNT(*) FROM kudos WHERE post_id = ? AND user_id = ?`, p.ID, g.UserID)
				standing := c.count(t, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events
WHERE post_id = ? AND actor_id = ? AND origin = 'kudos_received'`, p.ID, g.UserID)
				if standing != rows*pts {
					t.Errorf("post %d, giver %s: %d kudos rows but %d points standing", p.ID, g.Username, rows, standing)
				}
			}
			want := int64(0)
			if acc.AcceptedPostID == p.ID {
				want = 15
			}
			if got := c.count(t, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events WHERE post_id = ? AND origin = 'answer_accepted'`, p.ID); got != want {
				t.Errorf("post %d holds %d for being accepted, want %d", p.ID, got, want)
			}
		}
		bonus := int64(0)
		if acc.AcceptedPostID != 0 {
			bonus = 2
		}
		if got := c.count(t, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events WHERE user_id = ? AND origin = 'accepted_answer'`, asker.UserID); got != bonus {
			t.Errorf("asker holds %d for accepting, want %d", got, bonus)
		}
		if k := c.count(t, `SELECT COUNT(*) FROM kudos`); k == 0 {
			t.Error("no kudos survived: the test exercised nothing")
		}
		if n := c.count(t, `SELECT COUNT(*) FROM reputation_events WHERE reason = 'post_removed'`); n == 0 {
			t.Error("no points were taken back: the hides exercised nothing")
		}
	})
}
