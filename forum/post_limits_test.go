package forum_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// A repeat is the whole text: a reply that starts like an earlier one of
// the author's and ends differently is posted, the same text again is
// refused, and the same text from a third account within the window is
// held for review as a spam run.
func TestRepeatedTextIsTheWholeText(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		f.svc.Limits = forum.DefaultPostLimits()
		f.clock.Add(-48 * time.Hour) // accounts older than a day: no new-member waits
		asker, a, b, c := f.actor(t, f.brand.ID, "asker"), f.actor(t, f.brand.ID, "ann"), f.actor(t, f.brand.ID, "bob"), f.actor(t, f.brand.ID, "cat")
		f.clock.Add(48 * time.Hour)
		th := f.ask(t, asker, "The hotspot drops every few minutes")
		long := strings.Repeat("Restart the phone and reset the network settings. ", 2)
		reply := func(actor account.Actor, body string) (forum.Post, error) {
			t.Helper()
			f.clock.Add(time.Second)
			return f.svc.Reply(ctx, actor, th.ID, forum.NewReply{Body: body})
		}
		if _, err := reply(a, long+"First."); err != nil {
			t.Fatal(err)
		}
		if _, err := reply(a, long+"Second."); err != nil {
			t.Errorf("a reply that differs after the 48th character was refused: %v", err)
		}
		var ve *fault.ValidationError
		if _, err := reply(a, long+"First."); !errors.As(err, &ve) {
			t.Errorf("the same text again = %v, want a validation error", err)
		}
		if p, err := reply(b, long+"First."); err != nil || p.Status != forum.StatusVisible {
			t.Errorf("a second account's same text = %v %v, want visible", p.Status, err)
		}
		if p, err := reply(c, long+"First."); err != nil || p.Status != forum.StatusPending {
			t.Errorf("a third account's same text = %v %v, want held for review", p.Status, err)
		}
		f.clock.Add(11 * time.Minute)
		if _, err := reply(a, long+"First."); err != nil {
			t.Errorf("the same text past the window was refused: %v", err)
		}
	})
}

// The look-ups of recent posts with the same text read the text's index:
// on a busy site the author's and the site's last minutes are thousands
// of posts, and scanning them was most of posting's time.
func TestSameTextLooksUpItsIndex(t *testing.T) {
	f := newFixtureOn(t, sqldbtest.Open(t, sqldb.SQLite))
	for _, q := range forum.SameTextQueries {
		rows, err := f.db.Query(ctx, "EXPLAIN QUERY PLAN "+q, "x", 0, "x", 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "USING INDEX posts_text") {
			t.Errorf("plan of %q:\n%s\nwant the posts_text index", q, p)
		}
	}
}
