package notify_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/notify"
	"mutual/i18n"
	"mutual/internal/testkit"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// A reply notifies every watcher but its author; asking and replying watch
// automatically; unwatching sticks even when the member replies again.
// Replies in one thread batch while unread.
func TestRepliesNotifyWatchers(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.member(t, f.brand.ID, "asker", true)
		peer := f.member(t, f.brand.ID, "peer", true)
		third := f.member(t, f.brand.ID, "third", true)
		th := f.ask(t, asker, "Roaming charges in Spain", "Why was I charged for roaming?")
		p1 := f.reply(t, peer, th.ID, "Check your data roaming setting.")
		got := f.list(t, asker)
		if len(got) != 1 || got[0].Kind != notify.KindReply || got[0].PostID != p1.ID || got[0].ActorName != "peer" {
			t.Fatalf("asker's notifications = %+v, want one reply from peer", got)
		}
		if got[0].URL() != fmt.Sprintf("/t/%d/%s#p%d", th.ID, th.Slug, p1.ID) || !strings.Contains(got[0].Text(i18n.Base().For("en")), "peer replied to “Roaming charges in Spain”") {
			t.Errorf("url %q text %q", got[0].URL(), got[0].Text(i18n.Base().For("en")))
		}
		if n := f.list(t, peer); len(n) != 0 {
			t.Errorf("the replier was notified of their own reply: %+v", n)
		}
		f.reply(t, third, th.ID, "Same happened to me.")
		if k := kinds(f.list(t, peer)); !slices.Equal(k, []notify.Kind{notify.KindReply}) {
			t.Errorf("peer (auto-watching after replying) got %v, want one reply", k)
		}
		wantBatch(t, f.list(t, asker), 2, "third", p1.ID, "2 new replies to “Roaming charges in Spain”, the latest from third")
		if err := f.st.Unwatch(ctx, f.brand.ID, asker.UserID, th.ID); err != nil {
			t.Fatal(err)
		}
		f.reply(t, asker, th.ID, "Thanks, still unsure.")
		f.reply(t, peer, th.ID, "Then call support.")
		wantBatch(t, f.list(t, asker), 2, "third", p1.ID, "") // muted stays muted
		if w, _ := f.st.Watching(ctx, f.brand.ID, asker.UserID, th.ID); w {
			t.Error("replying re-watched a thread the member had unwatched")
		}
		if w, _ := f.st.Watching(ctx, f.brand.ID, third.UserID, th.ID); !w {
			t.Error("a replier is not watching the thread")
		}
		if err := f.st.Watch(ctx, f.brand.ID, asker.UserID, th.ID); err != nil {
			t.Fatal(err)
		}
		f.reply(t, third, th.ID, "Another one.")
		wantBatch(t, f.list(t, asker), 3, "third", p1.ID, "")
	})
}

// wantBatch checks that a member's list is one batch of replies: how many,
// the latest replier, the first reply it leads to and (unless "") its text.
func wantBatch(t *testing.T, got []notify.Notification, count int64, latest string, first int64, text string) {
	t.Helper()
	if len(got) != 1 || got[0].Kind != notify.KindReply || got[0].ActorCount != count || got[0].ActorName != latest || got[0].PostID != first {
		t.Fatalf("notifications = %+v, want one batch of %d replies, the latest from %s, leading to post %d", got, count, latest, first)
	}
	if txt := got[0].Text(i18n.Base().For("en")); text != "" && txt != text {
		t.Errorf("batch text %q, want %q", txt, text)
	}
}

// A batch of replies closes when its member reads it or it is mailed: the
// next reply is news again, with a notification (and mail) of its own.
// Mentioned and muted members are never folded into one.
func TestReplyBatchesCloseWhenReadOrMailed(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		f.st.Mail = true
		asker := f.member(t, f.brand.ID, "asker", true)
		peer := f.member(t, f.brand.ID, "peer", true)
		carol := f.member(t, f.brand.ID, "carol", true)
		th := f.ask(t, asker, "Batches of replies", "How many mails will I get?")
		c1 := f.reply(t, carol, th.ID, "I watch this one too.")
		f.reply(t, peer, th.ID, "One.")
		f.reply(t, peer, th.ID, "Two.")
		if n := f.count(t, `SELECT COUNT(*) FROM notify_outbox WHERE user_id = ?`, asker.UserID); n != 1 {
			t.Errorf("asker has %d mails queued for one batch, want 1", n)
		}
		f.reply(t, peer, th.ID, "Three, and @carol should see this.")
		got := f.list(t, carol)
		if len(got) != 2 || got[0].Kind != notify.KindMention || got[1].ActorCount != 2 {
			t.Errorf("carol's notifications = %+v, want the mention and a batch of the 2 replies before it", got)
		}
		wantBatch(t, f.list(t, asker), 4, "peer", c1.ID, "")

		// Mailed: the batch's mail carries it as it stands; the next reply is a new one.
		ids, err := f.st.Claim(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			m, err := f.st.Load(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			msg := m.Compose(i18n.Base().For("en"), "https://localhost", mustSigner(t, f), f.clock.Now())
			if m.To.UserID == asker.UserID && (!strings.HasSuffix(msg.Subject, "] 4 new replies: Batches of replies") || !strings.Contains(msg.Text, "the latest from peer")) {
				t.Errorf("the batch's mail: %q\n%s", msg.Subject, msg.Text)
			}
			if err := f.st.Sent(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		p5 := f.reply(t, peer, th.ID, "Four.")
		got = f.list(t, asker)
		if len(got) != 2 || got[0].PostID != p5.ID || got[0].ActorCount != 1 || got[1].ActorCount != 4 {
			t.Fatalf("after the mail, asker's notifications = %+v, want a new one for post %d above the mailed batch", got, p5.ID)
		}
		// Read: likewise.
		if _, err := f.st.MarkThreadRead(ctx, f.brand.ID, asker.UserID, th.ID); err != nil {
			t.Fatal(err)
		}
		p6 := f.reply(t, peer, th.ID, "Five.")
		got = f.list(t, asker)
		if len(got) != 3 || got[0].PostID != p6.ID || !got[0].Unread() || got[1].Unread() {
			t.Errorf("after reading, asker's notifications = %+v, want a new unread one for post %d", got, p6.ID)
		}
	})
}

// Mentions notify members of the brand named in a post, once, never the
// author, never a member of another brand; an edit notifies only newcomers.
func TestMentions(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		other, err := forum.NewBrands(f.db, f.clock.Now).Create(ctx, forum.NewBrand{Host: "other.test", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		asker := f.member(t, f.brand.ID, "asker", true)
		carol := f.member(t, f.brand.ID, "carol", true)
		dave := f.member(t, f.brand.ID, "dave", true)
		carolElsewhere := f.member(t, other.ID, "carol", true)
		th := f.ask(t, asker, "Porting my number", "How long does it take? @carol knows, @asker too.")
		if k := kinds(f.list(t, carol)); !slices.Equal(k, []notify.Kind{notify.KindMention}) {
			t.Fatalf("carol got %v, want a mention", k)
		}
		if n := f.list(t, asker); len(n) != 0 {
			t.Errorf("the author was notified of mentioning themselves: %+v", n)
		}
		if n := f.list(t, carolElsewhere); len(n) != 0 {
			t.Errorf("a member of another brand was notified: %+v", n)
		}
		// carol now watches? No: a mention does not watch. She replies, so
		// she watches; a later mention of her is a mention, not also a reply.
		f.reply(t, carol, th.ID, "About a day.")
		p := f.reply(t, asker, th.ID, "Thanks @Carol!")
		got := f.list(t, carol)
		if k := kinds(got); !slices.Equal(k, []notify.Kind{notify.KindMention, notify.KindMention}) {
			t.Errorf("carol got %v, want two mentions and no duplicate reply notification", k)
		}
		if _, err := f.svc.Edit(ctx, asker, p.ID, "", "Thanks @Carol and @dave!"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Edit(ctx, asker, p.ID, "", "Thanks @Carol and @dave, really!"); err != nil {
			t.Fatal(err)
		}
		if k := kinds(f.list(t, dave)); !slices.Equal(k, []notify.Kind{notify.KindMention}) {
			t.Errorf("dave got %v after two edits mentioning him, want one mention", k)
		}
		if n := len(f.list(t, carol)); n != 2 {
			t.Errorf("carol has %d notifications after edits, want still 2", n)
		}
	})
}

// Following a board brings its new questions; unfollowing stops them.
func TestFollowedBoards(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		expert := f.member(t, f.brand.ID, "expert", true)
		asker := f.member(t, f.brand.ID, "asker", true)
		if err := f.st.Follow(ctx, f.brand.ID, expert.UserID, f.board.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.st.Follow(ctx, f.brand.ID, expert.UserID, f.board.ID); err != nil {
			t.Fatalf("following twice: %v", err)
		}
		th := f.ask(t, asker, "Bill is higher than usual", "My bill doubled this month.")
		got := f.list(t, expert)
		if len(got) != 1 || got[0].Kind != notify.KindNewThread || got[0].ThreadID != th.ID {
			t.Fatalf("expert got %+v, want the new question", got)
		}
		if got[0].URL() != fmt.Sprintf("/t/%d/%s", th.ID, th.Slug) {
			t.Errorf("new question links to %q", got[0].URL())
		}
		if err := f.st.Unfollow(ctx, f.brand.ID, expert.UserID, f.board.ID); err != nil {
			t.Fatal(err)
		}
		f.ask(t, asker, "Another billing question", "Details of the second question.")
		if n := len(f.list(t, expert)); n != 1 {
			t.Errorf("after unfollowing: %d notifications, want 1", n)
		}
		other := testkit.Brand(t, forum.NewBrands(f.db, f.clock.Now), forum.NewBrand{Host: "other.test", Name: "Other"})
		otherBoard := testkit.Board(t, f.svc, other.ID, forum.NewBoard{Name: "Elsewhere"})
		if err := f.st.Follow(ctx, f.brand.ID, expert.UserID, otherBoard.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("following another brand's board: %v, want not found", err)
		}
		if err := f.st.Watch(ctx, f.brand.ID, expert.UserID, 99999); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("watching a missing thread: %v, want not found", err)
		}
	})
}

// Accepted answers notify their author; kudos batch while unread.
func TestAcceptedAndKudos(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.member(t, f.brand.ID, "asker", true)
		helper := f.member(t, f.brand.ID, "helper", true)
		fans := []account.Actor{f.member(t, f.brand.ID, "fan1", true), f.member(t, f.brand.ID, "fan2", true), f.member(t, f.brand.ID, "fan3", true)}
		// New accounts without posts may not give kudos by default; that rule is
		// reputation's to test, so it is relaxed here.
		if _, err := f.db.Exec(ctx, `INSERT INTO reputation_settings (brand_id, giver_min_age_minutes, giver_min_posts) VALUES (?, 0, 0)
ON CONFLICT (brand_id) DO UPDATE SET giver_min_age_minutes = 0, giver_min_posts = 0`, f.brand.ID); err != nil {
			t.Fatal(err)
		}
		th := f.ask(t, asker, "Voicemail does not work", "No voicemail since Monday.")
		p := f.reply(t, helper, th.ID, "Dial 121 to reset it.")
		if _, err := f.svc.Accept(ctx, asker, th.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		got := f.list(t, helper)
		if len(got) != 1 || got[0].Kind != notify.KindAccepted || got[0].ActorName != "asker" {
			t.Fatalf("helper got %+v, want accepted", got)
		}
		for _, fan := range fans {
			if _, err := f.svc.GiveKudos(ctx, fan, p.ID); err != nil {
				t.Fatal(err)
			}
			f.clock.Add(time.Second)
		}
		got = f.list(t, helper)
		if len(got) != 2 || got[0].Kind != notify.KindKudos || got[0].ActorCount != 3 || got[0].ActorName != "fan3" {
			t.Fatalf("helper got %+v, want one batched kudos from 3 (newest fan3) above accepted", got)
		}
		if txt := got[0].Text(i18n.Base().For("en")); !strings.Contains(txt, "fan3 and 2 others gave kudos") {
			t.Errorf("batched kudos text = %q", txt)
		}
		// fan3 takes theirs back: the batch counts two, naming fan2.
		if _, err := f.svc.TakeKudos(ctx, fans[2], p.ID); err != nil {
			t.Fatal(err)
		}
		got = f.list(t, helper)
		if got[0].ActorCount != 2 || got[0].ActorName != "fan2" {
			t.Errorf("after a kudos was taken back: %d from %s, want 2 from fan2", got[0].ActorCount, got[0].ActorName)
		}
		if _, err := f.st.MarkAllRead(ctx, f.brand.ID, helper.UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GiveKudos(ctx, asker, p.ID); err != nil {
			t.Fatal(err)
		}
		got = f.list(t, helper)
		if len(got) != 3 || got[0].ActorCount != 1 || !got[0].Unread() {
			t.Errorf("kudos after reading: %+v, want a new unread single kudos", got[0])
		}
		if n := f.count(t, `SELECT COUNT(*) FROM notify_outbox WHERE kind = 'notification' AND user_id = ?`, helper.UserID); n != 1 {
			t.Errorf("helper has %d mails queued, want 1 (the acceptance; kudos are not mailed)", n)
		}
	})
}

// Moderation acts (emitted by the moderation package as moderation.*) tell
// the affected member what happened and why, in a sentence.
func TestModerationNotifications(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		author := f.member(t, f.brand.ID, "author", true)
		mod := f.member(t, f.brand.ID, "mod", true, "moderator")
		th := f.ask(t, author, "Is this plan any good", "Thinking about the unlimited plan.")
		emit := func(kind string, note string) {
			err := f.db.InTx(ctx, func(tx *sqldb.Tx) error {
				return f.svc.Emit(ctx, tx, forum.Event{Kind: forum.EventKind(kind), BrandID: f.brand.ID, ThreadID: th.ID,
					ActorID: mod.UserID, ActorStaff: true, AuthorID: author.UserID, Note: note})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		emit("moderation.thread_locked", "Duplicate of an older question")
		emit("moderation.colour_changed", "")
		got := f.list(t, author)
		if len(got) != 2 {
			t.Fatalf("author got %+v", got)
		}
		if txt := got[1].Text(i18n.Base().For("en")); txt != "A moderator locked your question in “Is this plan any good”. Reason: Duplicate of an older question" {
			t.Errorf("locked text = %q", txt)
		}
		if txt := got[0].Text(i18n.Base().For("en")); !strings.Contains(txt, "(colour changed)") {
			t.Errorf("unknown act text = %q, want a generic sentence", txt)
		}
	})
}

// A hook later in the same transaction failing rolls the notifications and
// queued mail back with the reply: they are one change.
func TestNotificationsShareTheTransaction(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.member(t, f.brand.ID, "asker", true)
		peer := f.member(t, f.brand.ID, "peer", true)
		th := f.ask(t, asker, "Can I keep my number", "Moving to you from another network.")
		f.svc.Subscribe(func(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
			if ev.Kind == forum.PostReplied {
				return errors.New("refused")
			}
			return nil
		})
		if _, err := f.svc.Reply(ctx, peer, th.ID, forum.NewReply{Body: "Yes you can."}); err == nil {
			t.Fatal("reply succeeded despite a failing hook")
		}
		if n := f.count(t, `SELECT COUNT(*) FROM notifications`); n != 0 {
			t.Errorf("%d notifications survived a rolled-back reply", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM notify_outbox`); n != 0 {
			t.Errorf("%d mails survived a rolled-back reply", n)
		}
	})
}

// Mail is queued only for members who want it now and can receive it.
func TestOutboxOnlyForDeliverableMembers(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.member(t, f.brand.ID, "asker", true)
		ok := f.member(t, f.brand.ID, "okay", true)
		unverified := f.member(t, f.brand.ID, "unverified", false)
		daily := f.member(t, f.brand.ID, "daily", true)
		never := f.member(t, f.brand.ID, "never", true)
		suspended := f.member(t, f.brand.ID, "suspended", true)
		banned := f.member(t, f.brand.ID, "banned", true)
		wasSuspended := f.member(t, f.brand.ID, "pardoned", true)
		if err := f.st.SetPrefs(ctx, f.brand.ID, daily.UserID, notify.Prefs{EmailMode: notify.EmailDaily}); err != nil {
			t.Fatal(err)
		}
		if err := f.st.SetPrefs(ctx, f.brand.ID, never.UserID, notify.Prefs{EmailMode: notify.EmailNever}); err != nil {
			t.Fatal(err)
		}
		now := f.clock.Now()
		f.exec(t, `UPDATE users SET suspended_until = ? WHERE id = ?`, now.Add(time.Hour).UnixMilli(), suspended.UserID)
		f.exec(t, `UPDATE users SET suspended_until = ? WHERE id = ?`, now.Add(-time.Hour).UnixMilli(), wasSuspended.UserID)
		f.exec(t, `UPDATE users SET banned_at = ? WHERE id = ?`, now.UnixMilli(), banned.UserID)
		th := f.ask(t, asker, "Which members get mail", "Everyone watches this thread.")
		all := []account.Actor{ok, unverified, daily, never, suspended, banned, wasSuspended}
		for _, m := range all {
			if err := f.st.Watch(ctx, f.brand.ID, m.UserID, th.ID); err != nil {
				t.Fatal(err)
			}
		}
		f.reply(t, asker, th.ID, "A reply everyone hears about.")
		for _, m := range all {
			if n := len(f.list(t, m)); n != 1 {
				t.Errorf("%s has %d in-app notifications, want 1", m.Username, n)
			}
		}
		rows, err := f.st.Outbox(ctx, f.brand.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		var to []int64
		for _, r := range rows {
			to = append(to, r.UserID)
		}
		slices.Sort(to)
		want := []int64{ok.UserID, wasSuspended.UserID}
		if !slices.Equal(to, want) {
			t.Errorf("mail queued for users %v, want %v (okay and pardoned only)", to, want)
		}
		// Turned off: nothing is queued at all.
		f.st.Mail = false
		f.reply(t, asker, th.ID, "A second reply.")
		if rows2, _ := f.st.Outbox(ctx, f.brand.ID, 50); len(rows2) != len(rows) {
			t.Errorf("with mail off, %d more mails were queued", len(rows2)-len(rows))
		}
	})
}

// Lists page by keyset, count unread, and only ever touch the member's own.
func TestListAndMarkRead(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.member(t, f.brand.ID, "asker", true)
		peer := f.member(t, f.brand.ID, "peer", true)
		for i := range 35 {
			th := f.ask(t, asker, fmt.Sprintf("Question number %d here", i), "Reply as much as you like.")
			f.reply(t, peer, th.ID, fmt.Sprintf("Reply number %d", i))
		}
		page, next, err := f.st.List(ctx, f.brand.ID, asker.UserID, 0, 30, false)
		if err != nil || len(page) != 30 || next == 0 {
			t.Fatalf("first page: %d items, next %d, %v", len(page), next, err)
		}
		rest, next2, err := f.st.List(ctx, f.brand.ID, asker.UserID, next, 30, false)
		if err != nil || len(rest) != 5 || next2 != 0 || rest[0].ID >= page[29].ID {
			t.Fatalf("second page: %d items, next %d, %v", len(rest), next2, err)
		}
		if n, _ := f.st.Unread(ctx, f.brand.ID, asker.UserID); n != 35 {
			t.Errorf("unread = %d, want 35", n)
		}
		// The peer cannot mark the asker's notifications.
		if n, err := f.st.MarkRead(ctx, f.brand.ID, peer.UserID, []int64{page[0].ID}); err != nil || n != 0 {
			t.Errorf("peer marked %d of the asker's notifications (%v)", n, err)
		}
		if n, err := f.st.MarkRead(ctx, f.brand.ID, asker.UserID, []int64{page[0].ID, page[1].ID}); err != nil || n != 2 {
			t.Errorf("marked %d, %v; want 2", n, err)
		}
		unread, _, _ := f.st.List(ctx, f.brand.ID, asker.UserID, 0, 100, true)
		if len(unread) != 33 {
			t.Errorf("unread list has %d, want 33", len(unread))
		}
		if _, err := f.st.Get(ctx, f.brand.ID, peer.UserID, page[0].ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("peer reading the asker's notification: %v, want not found", err)
		}
		if n, _ := f.st.MarkAllRead(ctx, f.brand.ID, asker.UserID); n != 33 {
			t.Errorf("mark all read changed %d, want 33", n)
		}
		if n, _ := f.st.Unread(ctx, f.brand.ID, asker.UserID); n != 0 {
			t.Errorf("unread after all read = %d", n)
		}
	})
}

// One reminder per unsolved, answered question, after the configured time,
// and never to someone who cannot accept.
func TestReminders(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.member(t, f.brand.ID, "asker", true)
		optedOut := f.member(t, f.brand.ID, "optedout", true)
		banned := f.member(t, f.brand.ID, "banned", true)
		noAccount := f.member(t, f.brand.ID, "imported", true)
		f.exec(t, `UPDATE users SET password_hash = '' WHERE id = ?`, noAccount.UserID)
		peer := f.member(t, f.brand.ID, "peer", true)
		if err := f.st.SetPrefs(ctx, f.brand.ID, optedOut.UserID, notify.Prefs{EmailMode: notify.EmailImmediate, Reminders: false}); err != nil {
			t.Fatal(err)
		}
		due := f.ask(t, asker, "Reminder for this one", "Unsolved but answered.")
		selfOnly := f.ask(t, asker, "Only I replied here", "Nobody else answered.")
		solved := f.ask(t, asker, "Solved question here", "Answered and accepted.")
		for _, th := range []forum.Thread{
			due, solved,
			f.ask(t, optedOut, "Opted out of reminders", "Details here."),
			f.ask(t, banned, "Banned member asked", "Details here."),
			f.ask(t, noAccount, "Imported member asked", "Details here."),
		} {
			f.reply(t, peer, th.ID, "Try restarting the phone.")
		}
		f.reply(t, asker, selfOnly.ID, "Bump.")
		var sp int64
		if err := f.db.QueryRow(ctx, `SELECT id FROM posts WHERE thread_id = ? AND is_question = 0`, solved.ID).Scan(&sp); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Accept(ctx, asker, solved.ID, sp); err != nil {
			t.Fatal(err)
		}
		f.exec(t, `UPDATE users SET banned_at = 1 WHERE id = ?`, banned.UserID)
		after := 3 * 24 * time.Hour
		if n, err := f.st.Remind(ctx, f.brand.ID, after, 100); err != nil || n != 0 {
			t.Fatalf("reminders before the time: %d, %v", n, err)
		}
		f.clock.Add(after)
		if n, err := f.st.Remind(ctx, f.brand.ID, after, 100); err != nil || n != 1 {
			t.Fatalf("reminders when due: %d, %v; want 1", n, err)
		}
		got := f.list(t, asker)
		if got[0].Kind != notify.KindReminder || got[0].ThreadID != due.ID {
			t.Errorf("asker's newest = %+v, want the reminder for %d", got[0], due.ID)
		}
		f.clock.Add(time.Hour)
		if n, _ := f.st.Remind(ctx, f.brand.ID, after, 100); n != 0 {
			t.Errorf("second round reminded %d, want 0 (one reminder each)", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM notify_outbox WHERE user_id = ? AND kind = 'notification'`, asker.UserID); n == 0 {
			t.Error("the reminder was not queued as mail")
		}
	})
}

// The daily digest gathers what is unread and not yet mailed.
func TestDailyDigest(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.member(t, f.brand.ID, "asker", true)
		peer := f.member(t, f.brand.ID, "peer", true)
		if err := f.st.SetPrefs(ctx, f.brand.ID, asker.UserID, notify.Prefs{EmailMode: notify.EmailDaily, Reminders: true}); err != nil {
			t.Fatal(err)
		}
		th := f.ask(t, asker, "Digest me these replies", "Collect them daily.")
		th2 := f.ask(t, asker, "And this one as well", "Collect them daily too.")
		f.reply(t, peer, th.ID, "First reply.")
		f.reply(t, peer, th2.ID, "Second reply.")
		f.reply(t, peer, th2.ID, "Third reply.")
		if n := f.count(t, `SELECT COUNT(*) FROM notify_outbox`); n != 0 {
			t.Fatalf("%d immediate mails for a member on the daily digest", n)
		}
		if n, _, err := f.st.QueueDigests(ctx, f.brand.ID, 100); err != nil || n != 0 {
			t.Fatalf("digest before a day: %d, %v", n, err)
		}
		f.clock.Add(notify.DigestEvery)
		if n, due, err := f.st.QueueDigests(ctx, f.brand.ID, 100); err != nil || n != 1 || due != 1 {
			t.Fatalf("digest after a day: %d of %d, %v; want 1", n, due, err)
		}
		if n, _, _ := f.st.QueueDigests(ctx, f.brand.ID, 100); n != 0 {
			t.Errorf("a second digest was queued at once: %d", n)
		}
		ids, err := f.st.Claim(ctx, 10, time.Minute)
		if err != nil || len(ids) != 1 {
			t.Fatalf("claim: %v, %v", ids, err)
		}
		m, err := f.st.Load(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != notify.MailDigest || len(m.Notifications) != 2 || m.SkipReason() != "" {
			t.Fatalf("digest = kind %s, %d notifications, skip %q", m.Kind, len(m.Notifications), m.SkipReason())
		}
		msg := m.Compose(i18n.Base().For("en"), "https://localhost", mustSigner(t, f), f.clock.Now())
		if !strings.Contains(msg.Subject, "2 new notifications") || !strings.Contains(msg.Text, "peer replied to") ||
			!strings.Contains(msg.Text, "2 new replies to “And this one as well”, the latest from peer") || msg.UnsubscribeURL == "" {
			t.Errorf("digest mail: %q\n%s", msg.Subject, msg.Text)
		}
	})
}

func mustSigner(t *testing.T, f *fixture) *notify.Signer {
	t.Helper()
	s, err := notify.LoadSigner(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Claimed mail is leased; failures back off and give up after MaxAttempts.
func TestOutboxLeaseAndRetries(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.member(t, f.brand.ID, "asker", true)
		peer := f.member(t, f.brand.ID, "peer", true)
		th := f.ask(t, asker, "Mail retries are tested", "Body of the question.")
		f.reply(t, peer, th.ID, "A reply that mails the asker.")
		ids, err := f.st.Claim(ctx, 10, time.Minute)
		if err != nil || len(ids) != 1 {
			t.Fatalf("claim = %v, %v", ids, err)
		}
		if again, _ := f.st.Claim(ctx, 10, time.Minute); len(again) != 0 {
			t.Fatalf("a leased mail was claimed twice: %v", again)
		}
		m, err := f.st.Load(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.Failed(ctx, m, errors.New("421 try later"), true); err != nil {
			t.Fatal(err)
		}
		if again, _ := f.st.Claim(ctx, 10, time.Minute); len(again) != 0 {
			t.Fatal("a failed mail was retried before its backoff")
		}
		f.clock.Add(notify.Backoff(1))
		for attempt := 2; attempt <= notify.MaxAttempts; attempt++ {
			ids, _ := f.st.Claim(ctx, 10, time.Minute)
			if len(ids) != 1 {
				t.Fatalf("attempt %d: claimed %v", attempt, ids)
			}
			m, _ := f.st.Load(ctx, ids[0])
			if m.Attempts != attempt {
				t.Fatalf("attempts = %d, want %d", m.Attempts, attempt)
			}
			_ = f.st.Failed(ctx, m, errors.New("421 try later"), true)
			f.clock.Add(notify.Backoff(attempt))
		}
		rows, _ := f.st.Outbox(ctx, f.brand.ID, 10)
		if rows[0].Status != "failed" || rows[0].Attempts != notify.MaxAttempts {
			t.Errorf("after %d attempts: %+v, want failed", notify.MaxAttempts, rows[0])
		}
		if notify.Backoff(1) != time.Minute || notify.Backoff(3) != 4*time.Minute || notify.Backoff(20) != 6*time.Hour {
			t.Errorf("backoff 1,3,20 = %v %v %v", notify.Backoff(1), notify.Backoff(3), notify.Backoff(20))
		}
	})
}

// Signed links prove who and what, for one brand, and expire when told.
func TestSignedLinks(t *testing.T) {
	f := newFixture(t, sqldbtest.Open(t, sqldb.SQLite))
	s := mustSigner(t, f)
	now := f.clock.Now()
	tok := s.Sign(notify.Claims{Purpose: notify.PurposeVerify, BrandID: 1, UserID: 7, Email: "a@example.com", Expires: now.Add(time.Hour)})
	c, err := s.Check(tok, notify.PurposeVerify, 1, now)
	if err != nil || c.UserID != 7 || c.Email != "a@example.com" {
		t.Fatalf("check = %+v, %v", c, err)
	}
	s2 := mustSigner(t, f)
	if _, err := s2.Check(tok, notify.PurposeVerify, 1, now); err != nil {
		t.Errorf("a second load of the key rejects the link: %v", err)
	}
	bad := []struct {
		name, tok, purpose string
		brand              int64
		at                 time.Time
	}{
		{"other purpose", tok, notify.PurposeUnsubscribe, 1, now},
		{"other brand", tok, notify.PurposeVerify, 2, now},
		{"expired", tok, notify.PurposeVerify, 1, now.Add(2 * time.Hour)},
		{"tampered", strings.Replace(tok, tok[:4], "AAAA", 1), notify.PurposeVerify, 1, now},
		{"garbage", "not-a-token", notify.PurposeVerify, 1, now},
		{"no signature", strings.Split(tok, ".")[0] + ".", notify.PurposeVerify, 1, now},
	}
	for _, b := range bad {
		if _, err := s.Check(b.tok, b.purpose, b.brand, b.at); err == nil {
			t.Errorf("%s: accepted", b.name)
		}
	}
}

// Senders claiming at once (several instances) never get the same mail.
func TestOutboxConcurrentClaims(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.member(t, f.brand.ID, "asker", true)
		th := f.ask(t, asker, "Many watchers get mail", "Everybody watches.")
		for i := range 40 {
			m := f.member(t, f.brand.ID, fmt.Sprintf("watcher%d", i), true)
			if err := f.st.Watch(ctx, f.brand.ID, m.UserID, th.ID); err != nil {
				t.Fatal(err)
			}
		}
		f.reply(t, asker, th.ID, "Mail for all forty.")
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					ids, err := f.st.Claim(ctx, 3, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ids) == 0 {
						return
					}
					mu.Lock()
					for _, id := range ids {
						seen[id]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 40 {
			t.Errorf("claimed %d distinct mails, want 40", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("mail %d claimed %d times", id, n)
			}
		}
	})
}

// Nothing a member writes can add a mail header: titles are one line in
// the subject.
func TestComposeKeepsHeadersOnOneLine(t *testing.T) {
	f := newFixture(t, sqldbtest.Open(t, sqldb.SQLite))
	m := notify.Mail{Kind: notify.MailNotification, BrandID: 1, BrandName: "Alpha", To: notify.Recipient{UserID: 2, Username: "ana", Email: "ana@example.com"},
		Notifications: []notify.Notification{{ID: 1, Kind: notify.KindReply, ThreadID: 3, ThreadSlug: "x", PostID: 4, ActorName: "bob",
			ThreadTitle: "Hello\r\nBcc: victim@example.com"}}}
	msg := m.Compose(i18n.Base().For("en"), "https://alpha.test", mustSigner(t, f), f.clock.Now())
	if strings.ContainsAny(msg.Subject, "\r\n") || !strings.Contains(msg.Subject, "Hello Bcc: victim@example.com") {
		t.Errorf("subject = %q", msg.Subject)
	}
	if !strings.HasPrefix(msg.UnsubscribeURL, "https://alpha.test/unsubscribe/") || !strings.Contains(msg.Text, "https://alpha.test/t/3/x#p4") {
		t.Errorf("links: %q\n%s", msg.UnsubscribeURL, msg.Text)
	}
}
