package forum_test

import (
	"reflect"
	"testing"

	"mutual/account"
	"mutual/forum"
)

// A reply is answered from what its transaction wrote, not read back: the
// answer must be the post as stored, for a member, for staff, and for a
// reply held for review.
func TestReplyAnswersThePostAsStored(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		th := f.ask(t, asker, "Roaming does not work abroad")
		if _, err := f.db.Exec(ctx, `UPDATE users SET reputation = 42 WHERE id = ?`, asker.UserID); err != nil {
			t.Fatal(err)
		}
		agent := f.actor(t, f.brand.ID, "agent", "agent")
		held := f.actor(t, f.brand.ID, "newcomer")
		for _, tt := range []struct {
			name    string
			replier func() forum.Post
			status  string
		}{
			{"member", func() forum.Post { return f.reply(t, asker, th.ID, "Turn on **data roaming** in settings.") }, forum.StatusVisible},
			{"staff", func() forum.Post { return f.reply(t, agent, th.ID, "We have checked your line: it is *fine*.") }, forum.StatusVisible},
			{"held for review", func() forum.Post {
				if _, err := f.db.Exec(ctx, `UPDATE brands SET premod_posts = 1 WHERE id = ?`, f.brand.ID); err != nil {
					t.Fatal(err)
				}
				return f.reply(t, held, th.ID, "Restart the phone, then try again.")
			}, forum.StatusPending},
		} {
			got := tt.replier()
			stored, err := f.svc.Post(ctx, f.brand.ID, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.status || !reflect.DeepEqual(got, stored) {
				t.Errorf("%s: Reply answered\n%+v\nstored\n%+v", tt.name, got, stored)
			}
		}
	})
}

func (f *fixture) reply(t *testing.T, a account.Actor, threadID int64, body string) forum.Post {
	t.Helper()
	p, err := f.svc.Reply(ctx, a, threadID, forum.NewReply{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
