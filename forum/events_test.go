package forum_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/sqldb"
)

// Hooks hear every change inside its transaction, with staff marked, and a
// failing hook rolls the change back.
func TestEventsAndStaffResponses(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		var got []forum.Event
		fail := false
		f.svc.Subscribe(func(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
			if fail {
				return errors.New("hook refused")
			}
			got = append(got, ev)
			return nil
		})
		asker := f.actor(t, f.brand.ID, "asker")
		agent := f.actor(t, f.brand.ID, "agent1", "agent")
		peer := f.actor(t, f.brand.ID, "peer")
		th := f.ask(t, asker, "Roaming in Spain question")
		f.clock.Add(time.Minute)
		staffPost := testkit.Reply(t, f.svc, agent, th.ID, "Agent here, let me look")
		f.clock.Add(time.Minute)
		peerPost := testkit.Reply(t, f.svc, peer, th.ID, "Turn on data roaming")
		if _, err := f.svc.Accept(ctx, asker, th.ID, peerPost.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Hour) // accounts give kudos once they are an hour old
		if _, err := f.svc.GiveKudos(ctx, asker, peerPost.ID); err != nil {
			t.Fatal(err)
		}
		want := []forum.EventKind{forum.ThreadAsked, forum.PostReplied, forum.PostReplied, forum.AnswerAccepted, forum.KudosGiven}
		if len(got) != len(want) {
			t.Fatalf("events = %+v, want kinds %v", got, want)
		}
		for i, k := range want {
			if got[i].Kind != k || got[i].ThreadID != th.ID || got[i].BrandID != f.brand.ID {
				t.Errorf("event %d = %+v, want %s on thread %d", i, got[i], k, th.ID)
			}
		}
		if !got[1].ActorStaff || got[2].ActorStaff || got[2].ThreadAuthorID != asker.UserID || got[1].BoardID != f.board.ID {
			t.Errorf("reply events = %+v / %+v", got[1], got[2])
		}
		var isStaff, peerAt, staffAt, firstAt int64
		if err := f.db.QueryRow(ctx, `SELECT is_staff FROM posts WHERE id = ?`, staffPost.ID).Scan(&isStaff); err != nil || isStaff != 1 {
			t.Errorf("agent post is_staff = %d, %v", isStaff, err)
		}
		if err := f.db.QueryRow(ctx, `SELECT first_reply_at, first_peer_reply_at, first_staff_reply_at FROM threads WHERE id = ?`, th.ID).
			Scan(&firstAt, &peerAt, &staffAt); err != nil {
			t.Fatal(err)
		}
		if firstAt != staffPost.CreatedAt.UnixMilli() || staffAt != staffPost.CreatedAt.UnixMilli() || peerAt != peerPost.CreatedAt.UnixMilli() {
			t.Errorf("first=%d staff=%d peer=%d; want %d, %d, %d", firstAt, staffAt, peerAt,
				staffPost.CreatedAt.UnixMilli(), staffPost.CreatedAt.UnixMilli(), peerPost.CreatedAt.UnixMilli())
		}

		fail = true
		if _, err := f.svc.Reply(ctx, peer, th.ID, forum.NewReply{Body: "this one is refused"}); err == nil {
			t.Fatal("reply with a failing hook succeeded")
		}
		if tt, _ := f.svc.Thread(ctx, f.brand.ID, th.ID); tt.ReplyCount != 2 {
			t.Errorf("after a refused reply reply_count = %d, want 2 (rolled back)", tt.ReplyCount)
		}
	})
}
