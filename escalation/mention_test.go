package escalation_test

import (
	"testing"
	"time"

	"mutual/escalation"
	"mutual/forum"
)

// A mention from another channel that needs an answer is queued at once
// with the agent SLA and its channel; one that does not is not; the same
// URL pushed again is the same mention; a claimed mention closes as
// answered by the agent (who answered where it was said).
func TestMentionsEnterTheQueue(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		agent := f.agent("alice", true)
		tool := f.user("listening_tool", "integration")
		m := forum.Mention{BoardID: f.board.ID, Channel: "facebook", Text: "Your app double-charged me again, sort it out",
			AuthorHandle: "Fran F.", URL: "https://facebook.example/posts/1", PostedAt: f.clock.Now().Add(-time.Minute), NeedsAnswer: true}
		th, created, err := f.forum.RecordMention(ctx, tool, m)
		if err != nil || !created || th.Status != forum.StatusExternal {
			t.Fatalf("record: %+v created=%v err=%v", th, created, err)
		}
		again, created, err := f.forum.RecordMention(ctx, tool, m)
		if err != nil || created || again.ID != th.ID {
			t.Fatalf("the same URL again: id %d created=%v err=%v, want %d not created", again.ID, created, err, th.ID)
		}
		x, ok := f.escalationOf(th.ID)
		if !ok || x.Kind != escalation.KindMention || x.Channel != "facebook" || x.ExternalURL != m.URL || x.AuthorHandle != "Fran F." {
			t.Fatalf("escalation %+v (%v), want a mention escalation with its channel", x, ok)
		}
		if !x.DueAt.Equal(f.clock.Now().Add(escalation.DefaultAgentSLA)) || x.AssignedTo != agent.UserID {
			t.Errorf("due %v assigned %d, want the agent SLA from now and the agent on shift", x.DueAt, x.AssignedTo)
		}
		if _, err := f.esc.Claim(ctx, agent, x.ID); err != nil {
			t.Fatal(err)
		}
		if x, err = f.esc.Close(ctx, agent, x.ID, ""); err != nil || x.Status != escalation.StatusResolved || x.Resolution != escalation.ResAgent {
			t.Fatalf("close: %s/%s (%v), want resolved by the agent", x.Status, x.Resolution, err)
		}

		m.URL, m.NeedsAnswer = "https://facebook.example/posts/2", false
		quiet, _, err := f.forum.RecordMention(ctx, tool, m)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := f.escalationOf(quiet.ID); ok {
			t.Error("a mention that needs no answer was escalated")
		}
		// The detector never escalates a mention on its own: it is no
		// member's question for peers to answer.
		f.clock.Add(24 * time.Hour)
		f.detect()
		if _, ok := f.escalationOf(quiet.ID); ok {
			t.Error("the detector escalated a mention")
		}
	})
}
