package escalation_test

import (
	"testing"
	"time"

	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/signals"
)

// Among escalations equally urgent (same priority, due within the same
// window), the console puts the most negative question first; urgency
// still comes before sentiment.
func TestConsolePutsTheMostNegativeOfEquallyUrgentFirst(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		agent := f.agent("alice", false)
		calm := f.ask("How do I set up voicemail")
		f.clock.Add(time.Minute)
		angry := testkit.Ask(t, f.forum, f.asker, forum.NewThread{BoardID: f.board.ID, Title: "Third dropped call this week, this is useless",
			Body: "The service is terrible and support is awful. I am furious."})
		f.clock.Add(20 * time.Minute)
		f.detect()
		if _, err := signals.New(f.db, f.clock.Now).ScoreNew(ctx, 100); err != nil {
			t.Fatal(err)
		}
		order := func() []int64 {
			con, err := f.esc.Console(ctx, f.brand.ID, agent.UserID, 50)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, x := range con.Queue {
				ids = append(ids, x.ThreadID)
			}
			return ids
		}
		if got := order(); len(got) != 2 || got[0] != angry.ID || got[1] != calm.ID {
			t.Fatalf("queue threads = %v, want the angry question %d before the calm one %d", got, angry.ID, calm.ID)
		}
		// A calm question due well before the angry one stays first.
		f.clock.Add(time.Hour)
		later := testkit.Ask(t, f.forum, f.asker, forum.NewThread{BoardID: f.board.ID, Title: "Awful, useless, terrible network",
			Body: "I hate this. Worst service ever."})
		f.clock.Add(20 * time.Minute)
		f.detect()
		if _, err := signals.New(f.db, f.clock.Now).ScoreNew(ctx, 100); err != nil {
			t.Fatal(err)
		}
		if got := order(); len(got) != 3 || got[2] != later.ID {
			t.Errorf("queue threads = %v, want the later, angrier question %d last: it is due an hour later", got, later.ID)
		}
	})
}
