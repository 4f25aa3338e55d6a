package forum_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/reputation"
)

func TestAskValidation(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		other := f.newBrand(t, "beta.example.com", "Beta", false)
		otherBoard := f.newBoard(t, other.ID, "Elsewhere")

		const okTitle, okBody = "How do I top up?", "I tried the app and it failed."
		tests := []struct {
			name  string
			nt    forum.NewThread
			field string
		}{
			{"empty title", forum.NewThread{Title: "", Body: okBody}, "title"},
			{"blank title", forum.NewThread{Title: "     \t  ", Body: okBody}, "title"},
			{"short title", forum.NewThread{Title: "Help me", Body: okBody}, "title"},
			{"short title after trimming", forum.NewThread{Title: "   Help me    ", Body: okBody}, "title"},
			{"over-long title", forum.NewThread{Title: strings.Repeat("t", 151), Body: okBody}, "title"},
			{"title invalid utf-8", forum.NewThread{Title: "Help with \xff\xfe please", Body: okBody}, "title"},
			{"title with NUL", forum.NewThread{Title: "Help with \x00 please", Body: okBody}, "title"},
			{"empty body", forum.NewThread{Title: okTitle, Body: ""}, "body"},
			{"short body", forum.NewThread{Title: okTitle, Body: "too short"}, "body"},
			{"body over 20000", forum.NewThread{Title: okTitle, Body: strings.Repeat("b", 20001)}, "body"},
			{"body invalid utf-8", forum.NewThread{Title: okTitle, Body: "details \xc3\x28 here ok"}, "body"},
			{"body with NUL", forum.NewThread{Title: okTitle, Body: "details \x00 here ok"}, "body"},
			{"no board", forum.NewThread{Title: okTitle, Body: okBody, BoardID: -1}, "board_id"},
			{"unknown board", forum.NewThread{Title: okTitle, Body: okBody, BoardID: 99999}, "board_id"},
			{"other brand's board", forum.NewThread{Title: okTitle, Body: okBody, BoardID: otherBoard.ID}, "board_id"},
			{"client key too long", forum.NewThread{Title: okTitle, Body: okBody, ClientKey: strings.Repeat("k", 65)}, "client_key"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				nt := tt.nt
				if nt.BoardID == 0 {
					nt.BoardID = f.board.ID
				}
				if nt.BoardID == -1 {
					nt.BoardID = 0
				}
				_, err := f.svc.Ask(ctx, asker, nt)
				if fields := testkit.Fields(err); fields[tt.field] == "" {
					t.Fatalf("Ask = %v, want a fault.ValidationError on %s", err, tt.field)
				}
			})
		}
		var n int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM threads`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d threads after only invalid questions (%v)", n, err)
		}

		if _, err := f.svc.Ask(ctx, account.Anonymous(f.brand.ID), forum.NewThread{BoardID: f.board.ID, Title: okTitle, Body: okBody}); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Errorf("anonymous Ask = %v, want fault.ErrUnauthenticated", err)
		}

		// Boundaries: 8 and 150 character titles, a 10 character and a 20000
		// character body (counted in characters, not bytes).
		for i, nt := range []forum.NewThread{
			{Title: "Exactly8", Body: "0123456789"},
			{Title: strings.Repeat("é", 150), Body: strings.Repeat("ü", 20000)},
			{Title: "  Trimmed title  ", Body: "  trimmed body text  "},
		} {
			nt.BoardID = f.board.ID
			th, err := f.svc.Ask(ctx, asker, nt)
			if err != nil {
				t.Fatalf("boundary %d: %v", i, err)
			}
			if th.Title != strings.TrimSpace(nt.Title) || th.AuthorID != asker.UserID || th.BoardID != f.board.ID || th.Slug == "" {
				t.Errorf("boundary %d: thread = %+v", i, th)
			}
		}
		bd, _ := f.svc.Board(ctx, f.brand.ID, f.board.ID)
		if bd.ThreadCount != 3 || bd.PostCount != 3 {
			t.Errorf("board counts = %d threads, %d posts; want 3, 3", bd.ThreadCount, bd.PostCount)
		}
	})
}

func TestReplyRules(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")
		th := f.ask(t, asker, "Roaming in Spain question")

		tests := []struct {
			name   string
			thread int64
			body   string
			field  string
			kind   error
		}{
			{"one character", th.ID, "k", "body", nil},
			{"blank", th.ID, "   \n\t ", "body", nil},
			{"over 20000", th.ID, strings.Repeat("r", 20001), "body", nil},
			{"invalid utf-8", th.ID, "ok \xff", "body", nil},
			{"NUL", th.ID, "ok \x00 fine", "body", nil},
			{"unknown thread", 99999, "a real reply", "", fault.ErrNotFound},
		}
		for _, tt := range tests {
			_, err := f.svc.Reply(ctx, helper, tt.thread, forum.NewReply{Body: tt.body})
			if tt.field != "" {
				if testkit.Fields(err)[tt.field] == "" {
					t.Errorf("%s: Reply = %v, want fault.ValidationError on %s", tt.name, err, tt.field)
				}
				continue
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("%s: Reply = %v, want %v", tt.name, err, tt.kind)
			}
		}
		if _, err := f.svc.Reply(ctx, account.Anonymous(f.brand.ID), th.ID, forum.NewReply{Body: "anonymous words"}); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Errorf("anonymous Reply = %v, want fault.ErrUnauthenticated", err)
		}

		// The asker's own follow-up does not make the thread answered.
		f.clock.Add(time.Minute)
		testkit.Reply(t, f.svc, asker, th.ID, "Adding more detail myself")
		got, _ := f.svc.Thread(ctx, f.brand.ID, th.ID)
		if got.Answered() || got.ReplyCount != 1 {
			t.Errorf("after asker's reply: answered=%v replies=%d; want false, 1", got.Answered(), got.ReplyCount)
		}
		f.clock.Add(time.Minute)
		p := testkit.Reply(t, f.svc, helper, th.ID, "ok") // exactly the minimum
		got, _ = f.svc.Thread(ctx, f.brand.ID, th.ID)
		if !got.Answered() || !got.FirstReplyAt.Equal(p.CreatedAt) || got.ReplyCount != 2 || !got.LastActivityAt.Equal(f.clock.Now()) {
			t.Errorf("after helper's reply: %+v", got)
		}
		if p.IsQuestion || p.AuthorID != helper.UserID || p.ThreadID != th.ID || p.RevisionCount != 1 {
			t.Errorf("reply = %+v", p)
		}
		bd, _ := f.svc.Board(ctx, f.brand.ID, f.board.ID)
		if bd.PostCount != 3 || bd.ThreadCount != 1 {
			t.Errorf("board counts = %d threads, %d posts; want 1, 3", bd.ThreadCount, bd.PostCount)
		}
	})
}

func TestEditRulesAndRevisions(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")
		mod := f.actor(t, f.brand.ID, "moddy", "moderator")
		trusted := f.actor(t, f.brand.ID, "trusty", "trusted")
		th := f.ask(t, asker, "Original question title")
		pg, err := f.svc.Page(ctx, f.brand.ID, th.ID, 0, forum.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		q := pg.Question
		r := testkit.Reply(t, f.svc, helper, th.ID, "Original reply")
		// An unedited post is its own first version, written once.
		revs, err := f.svc.Revisions(ctx, f.brand.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 1 || revs[0].Revision != 1 || revs[0].EditorID != helper.UserID || revs[0].EditorName != "helper" ||
			revs[0].BodyMD != "Original reply" || revs[0].BodyHTML != r.BodyHTML || !revs[0].CreatedAt.Equal(r.CreatedAt) {
			t.Errorf("unedited reply's revisions = %+v, want the reply itself as revision 1", revs)
		}
		var kept int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM post_revisions WHERE post_id IN (?, ?)`, q.ID, r.ID).Scan(&kept); err != nil || kept != 0 {
			t.Errorf("revision rows for unedited posts = %d (%v), want 0", kept, err)
		}

		for _, tt := range []struct {
			name  string
			actor account.Actor
			post  int64
			kind  error
		}{
			{"member edits someone's question", helper, q.ID, fault.ErrForbidden},
			{"asker edits someone's reply", asker, r.ID, fault.ErrForbidden},
			{"trusted member edits someone's reply", trusted, r.ID, fault.ErrForbidden},
			{"unknown post", asker, 99999, fault.ErrNotFound},
			{"anonymous", account.Anonymous(f.brand.ID), q.ID, fault.ErrUnauthenticated},
		} {
			if _, err := f.svc.Edit(ctx, tt.actor, tt.post, "", "a perfectly fine body"); !errors.Is(err, tt.kind) {
				t.Errorf("%s: Edit = %v, want %v", tt.name, err, tt.kind)
			}
		}
		for _, tt := range []struct {
			name         string
			post         int64
			title, body  string
			field        string
			actorIsAsker bool
		}{
			{"question body too short", q.ID, "", "short", "body", true},
			{"question title too short", q.ID, "short", "a long enough body", "title", true},
			{"question title invalid utf-8", q.ID, "title \xff here", "a long enough body", "title", true},
			{"reply body too long", r.ID, "", strings.Repeat("x", 20001), "body", false},
			{"reply body NUL", r.ID, "", "x\x00y", "body", false},
		} {
			a := helper
			if tt.actorIsAsker {
				a = asker
			}
			if _, err := f.svc.Edit(ctx, a, tt.post, tt.title, tt.body); testkit.Fields(err)[tt.field] == "" {
				t.Errorf("%s: Edit = %v, want fault.ValidationError on %s", tt.name, err, tt.field)
			}
		}

		// Author edits the question (title too), then a moderator edits it, then
		// the reply's author and a moderator edit the reply.
		f.clock.Add(time.Minute)
		e1, err := f.svc.Edit(ctx, asker, q.ID, "Better question title", "Clearer details, edit one")
		if err != nil {
			t.Fatal(err)
		}
		if e1.RevisionCount != 2 || !e1.Edited() || e1.BodyMD != "Clearer details, edit one" || !strings.Contains(e1.BodyHTML, "edit one") {
			t.Errorf("after first edit: %+v", e1)
		}
		tt, _ := f.svc.Thread(ctx, f.brand.ID, th.ID)
		if tt.Title != "Better question title" || tt.Slug != "better-question-title" {
			t.Errorf("thread after title edit = %q / %q", tt.Title, tt.Slug)
		}
		f.clock.Add(time.Minute)
		if _, err := f.svc.Edit(ctx, mod, q.ID, "", "Moderator tidied the details"); err != nil {
			t.Fatalf("moderator edit: %v", err)
		}
		if _, err := f.svc.Edit(ctx, helper, r.ID, "ignored title for a reply", "Reply, edited by author"); err != nil {
			t.Fatalf("author edits reply: %v", err)
		}
		if _, err := f.svc.Edit(ctx, mod, r.ID, "", "Reply, edited by moderator"); err != nil {
			t.Fatalf("moderator edits reply: %v", err)
		}

		revs, err = f.svc.Revisions(ctx, f.brand.ID, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) > 0 && !revs[0].CreatedAt.Equal(q.CreatedAt) {
			t.Errorf("question's first version dated %v, want its posting %v", revs[0].CreatedAt, q.CreatedAt)
		}
		wantQ := []struct {
			rev         int
			editor      int64
			title, body string
		}{
			{1, asker.UserID, "Original question title", "Some details about Original question title"},
			{2, asker.UserID, "Better question title", "Clearer details, edit one"},
			{3, mod.UserID, "Better question title", "Moderator tidied the details"},
		}
		if len(revs) != len(wantQ) {
			t.Fatalf("question has %d revisions, want %d", len(revs), len(wantQ))
		}
		for i, w := range wantQ {
			g := revs[i]
			if g.Revision != w.rev || g.EditorID != w.editor || g.Title != w.title || g.BodyMD != w.body || g.BodyHTML == "" {
				t.Errorf("question revision %d = %+v, want %+v", i, g, w)
			}
		}
		revs, err = f.svc.Revisions(ctx, f.brand.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, rv := range revs {
			if rv.Title != "" {
				t.Errorf("reply revision %d has a title %q", rv.Revision, rv.Title)
			}
			bodies = append(bodies, rv.BodyMD)
		}
		if got := strings.Join(bodies, "|"); got != "Original reply|Reply, edited by author|Reply, edited by moderator" {
			t.Errorf("reply revisions = %s", got)
		}
		if _, err := f.svc.Revisions(ctx, f.brand.ID, 99999); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("Revisions(unknown) = %v, want fault.ErrNotFound", err)
		}
	})
}

// A post members cannot see (held, hidden, deleted, or in a thread that is)
// is edited only by a moderator, or by its author while it awaits review;
// anyone else, the privilege to edit others' posts notwithstanding, is told
// it does not exist.
func TestEditPostsNotVisible(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		author := f.actor(t, f.brand.ID, "author")
		editor := f.actor(t, f.brand.ID, "editor")
		mod := f.actor(t, f.brand.ID, "moddy", "moderator")
		if _, err := f.db.Exec(ctx, `UPDATE brands SET rep_edit_others = 0 WHERE id = ?`, f.brand.ID); err != nil {
			t.Fatal(err)
		}
		th := f.ask(t, asker, "Question with hidden replies")
		other := f.ask(t, asker, "Question that gets hidden")
		set := func(table string, id int64, status string) {
			t.Helper()
			if _, err := f.db.Exec(ctx, `UPDATE `+table+` SET status = ? WHERE id = ?`, status, id); err != nil {
				t.Fatal(err)
			}
		}
		n := 0
		edit := func(a account.Actor, p forum.Post) error {
			n++
			_, err := f.svc.Edit(ctx, a, p.ID, "", fmt.Sprintf("edited text %d", n))
			return err
		}
		visible := testkit.Reply(t, f.svc, author, th.ID, "A visible reply")
		if err := edit(editor, visible); err != nil {
			t.Fatalf("privileged edit of a visible reply: %v", err)
		}
		inHidden := testkit.Reply(t, f.svc, author, other.ID, "A reply in a thread about to be hidden")
		set("threads", other.ID, forum.StatusHidden)
		set("posts", other.ID, forum.StatusHidden) // the question carries its thread
		for _, status := range []string{forum.StatusPending, forum.StatusHidden, forum.StatusDeleted} {
			p := testkit.Reply(t, f.svc, author, th.ID, "A reply to be "+status)
			set("posts", p.ID, status)
			if err := edit(editor, p); !errors.Is(err, fault.ErrNotFound) {
				t.Errorf("privileged member edits a %s reply: %v, want fault.ErrNotFound", status, err)
			}
			if got, _ := f.svc.Post(ctx, f.brand.ID, p.ID); got.RevisionCount != 1 {
				t.Errorf("%s reply has %d revisions after a refused edit", status, got.RevisionCount)
			}
			own := edit(author, p)
			if status == forum.StatusPending && own != nil {
				t.Errorf("author edits their reply awaiting review: %v", own)
			}
			if status != forum.StatusPending && !errors.Is(own, fault.ErrNotFound) {
				t.Errorf("author edits their %s reply: %v, want fault.ErrNotFound", status, own)
			}
			if err := edit(mod, p); err != nil {
				t.Errorf("moderator edits a %s reply: %v", status, err)
			}
		}
		if err := edit(editor, inHidden); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("privileged member edits a reply in a hidden thread: %v, want fault.ErrNotFound", err)
		}
		if err := f.svc.CanEdit(ctx, editor, inHidden); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("CanEdit for a reply in a hidden thread = %v, want fault.ErrNotFound", err)
		}
		if err := edit(mod, inHidden); err != nil {
			t.Errorf("moderator edits a reply in a hidden thread: %v", err)
		}
	})
}

// Below the brand's reputation thresholds a member may post at most 2
// links and 1 image: asking, replying and editing alike, judged by whoever
// writes (an editor of someone else's post by the editor's standing).
func TestNewMemberLinkLimits(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		newbie := f.actor(t, f.brand.ID, "newbie")
		editor := f.actor(t, f.brand.ID, "editor")
		veteran := f.actor(t, f.brand.ID, "veteran")
		agent := f.actor(t, f.brand.ID, "agent", "agent")
		// The editor may edit others' posts but is below the link thresholds
		// (10 by default); the veteran is above them.
		if _, err := f.db.Exec(ctx, `UPDATE brands SET rep_edit_others = 0 WHERE id = ?`, f.brand.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Exec(ctx, `UPDATE users SET reputation = 10 WHERE id = ?`, veteran.UserID); err != nil {
			t.Fatal(err)
		}
		links := func(n int) string {
			var b strings.Builder
			b.WriteString("See these pages:")
			for i := range n {
				fmt.Fprintf(&b, " [page %d](https://example.com/%d)", i, i)
			}
			return b.String()
		}
		images := "Screenshots: ![one](https://example.com/1.png) ![two](https://example.com/2.png)"
		limited := func(what string, err error, want string) {
			t.Helper()
			if msg := testkit.Fields(err)["body"]; !strings.Contains(msg, want) {
				t.Errorf("%s: %v (%q), want a body error saying %q", what, err, msg, want)
			}
		}
		const tooManyLinks, tooManyImages = "New members may post at most 2 links (this has 3)", "New members may post at most 1 image (this has 2)"

		_, err := f.svc.Ask(ctx, newbie, forum.NewThread{BoardID: f.board.ID, Title: "A question with links", Body: links(3)})
		limited("ask with 3 links", err, tooManyLinks)
		th, err := f.svc.Ask(ctx, newbie, forum.NewThread{BoardID: f.board.ID, Title: "A question with links", Body: links(2)})
		if err != nil {
			t.Fatalf("ask with 2 links: %v", err)
		}
		_, err = f.svc.Reply(ctx, newbie, th.ID, forum.NewReply{Body: images})
		limited("reply with 2 images", err, tooManyImages)
		r := testkit.Reply(t, f.svc, newbie, th.ID, links(1))
		pg, err := f.svc.Page(ctx, f.brand.ID, th.ID, 0, forum.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		q := pg.Question

		// Editing cannot add what posting refuses.
		_, err = f.svc.Edit(ctx, newbie, r.ID, "", links(3))
		limited("author edits a reply to 3 links", err, tooManyLinks)
		_, err = f.svc.Edit(ctx, newbie, q.ID, "", images)
		limited("author edits a question to 2 images", err, tooManyImages)
		if _, err := f.svc.Edit(ctx, newbie, r.ID, "", links(2)); err != nil {
			t.Errorf("author edits a reply to 2 links: %v", err)
		}
		// Someone else's post: the editor's standing decides, not the author's.
		vr := testkit.Reply(t, f.svc, veteran, th.ID, links(4))
		_, err = f.svc.Edit(ctx, editor, vr.ID, "", links(5))
		limited("editor below the thresholds edits a veteran's post", err, "New members may post at most 2 links (this has 5)")
		for _, a := range []account.Actor{veteran, agent} {
			if _, err := f.svc.Edit(ctx, a, r.ID, "", links(4)+" "+images); err != nil {
				t.Errorf("%s edits a newbie's reply to 4 links and 2 images: %v", a.Username, err)
			}
		}
		got, err := f.svc.Post(ctx, f.brand.ID, vr.ID)
		if err != nil || got.RevisionCount != 1 {
			t.Errorf("veteran's post after a refused edit: %+v, %v", got, err)
		}
		// Mentions are not links the writer posts: a newbie may mention
		// three members (and still post two links).
		mentioned := testkit.Reply(t, f.svc, newbie, th.ID, "Thanks @editor, @veteran and @agent! "+links(2))
		if !strings.Contains(mentioned.BodyHTML, `class="mention"`) {
			t.Fatalf("the reply's mentions were not rendered as mentions: %s", mentioned.BodyHTML)
		}
	})
}

// ledger reads a user's reputation from the ledger and checks the cached
// total agrees with it.
func ledger(t *testing.T, f *fixture, a account.Actor) int64 {
	t.Helper()
	total, err := reputation.Total(ctx, f.db, a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.members.ByID(ctx, a.BrandID, a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Reputation != total {
		t.Errorf("%s: cached reputation %d != ledger %d", a.Username, u.Reputation, total)
	}
	return total
}

func TestAcceptRules(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		first := f.actor(t, f.brand.ID, "first")
		second := f.actor(t, f.brand.ID, "second")
		mod := f.actor(t, f.brand.ID, "moddy", "moderator")
		th := f.ask(t, asker, "Which plan should I pick?")
		other := f.ask(t, first, "A different question here")
		ownReply := testkit.Reply(t, f.svc, asker, th.ID, "Answering myself")
		r1 := testkit.Reply(t, f.svc, first, th.ID, "Pick the 10GB plan")
		r2 := testkit.Reply(t, f.svc, second, th.ID, "Pick the unlimited plan")
		otherReply := testkit.Reply(t, f.svc, second, other.ID, "Reply elsewhere")
		pg, _ := f.svc.Page(ctx, f.brand.ID, th.ID, 0, forum.Cursor{})

		for _, tt := range []struct {
			name   string
			actor  account.Actor
			thread int64
			post   int64
			kind   error  // or
			field  string // a validation error
		}{
			{"asker accepts own reply", asker, th.ID, ownReply.ID, fault.ErrForbidden, ""},
			{"moderator accepts asker's own reply", mod, th.ID, ownReply.ID, fault.ErrForbidden, ""},
			{"non-asker accepts", second, th.ID, r1.ID, fault.ErrForbidden, ""},
			{"answerer accepts own answer", first, th.ID, r1.ID, fault.ErrForbidden, ""},
			{"anonymous", account.Anonymous(f.brand.ID), th.ID, r1.ID, fault.ErrUnauthenticated, ""},
			{"unknown thread", asker, 99999, r1.ID, fault.ErrNotFound, ""},
			{"unknown post", asker, th.ID, 99999, fault.ErrNotFound, ""},
			{"the question itself", asker, th.ID, pg.Question.ID, nil, "post_id"},
			{"reply of another thread", asker, th.ID, otherReply.ID, nil, "post_id"},
		} {
			_, err := f.svc.Accept(ctx, tt.actor, tt.thread, tt.post)
			if tt.field != "" {
				if testkit.Fields(err)[tt.field] == "" {
					t.Errorf("%s: Accept = %v, want fault.ValidationError on %s", tt.name, err, tt.field)
				}
			} else if !errors.Is(err, tt.kind) {
				t.Errorf("%s: Accept = %v, want %v", tt.name, err, tt.kind)
			}
		}
		if _, err := f.svc.Unaccept(ctx, second, th.ID); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("non-asker Unaccept = %v, want fault.ErrForbidden", err)
		}
		// Withdrawing when nothing is accepted does nothing.
		if got, err := f.svc.Unaccept(ctx, asker, th.ID); err != nil || got.Solved() {
			t.Errorf("Unaccept with none accepted = %+v, %v", got, err)
		}

		want := func(step string, a, b1, b2 int64) {
			t.Helper()
			if g := ledger(t, f, asker); g != a {
				t.Errorf("%s: asker ledger %d, want %d", step, g, a)
			}
			if g := ledger(t, f, first); g != b1 {
				t.Errorf("%s: first answerer ledger %d, want %d", step, g, b1)
			}
			if g := ledger(t, f, second); g != b2 {
				t.Errorf("%s: second answerer ledger %d, want %d", step, g, b2)
			}
		}
		want("before", 0, 0, 0)
		acc := reputation.Points[reputation.AnswerAccepted]
		closer := reputation.Points[reputation.AcceptedOther]

		got, err := f.svc.Accept(ctx, asker, th.ID, r1.ID)
		if err != nil || got.AcceptedPostID != r1.ID || !got.Solved() {
			t.Fatalf("Accept = %+v, %v", got, err)
		}
		want("accept first", closer, acc, 0)
		if _, err := f.svc.Accept(ctx, asker, th.ID, r1.ID); err != nil {
			t.Fatal(err)
		}
		want("accept first again (no-op)", closer, acc, 0)

		got, err = f.svc.Accept(ctx, asker, th.ID, r2.ID)
		if err != nil || got.AcceptedPostID != r2.ID {
			t.Fatalf("change accepted = %+v, %v", got, err)
		}
		want("change to second", closer, 0, acc)

		got, err = f.svc.Unaccept(ctx, asker, th.ID)
		if err != nil || got.Solved() {
			t.Fatalf("Unaccept = %+v, %v", got, err)
		}
		want("withdraw", 0, 0, 0)

		// A moderator may accept on the asker's behalf; the asker still gets the
		// closing points, the moderator none.
		if _, err := f.svc.Accept(ctx, mod, th.ID, r1.ID); err != nil {
			t.Fatalf("moderator accept: %v", err)
		}
		want("moderator accepts first", closer, acc, 0)
		if g := ledger(t, f, mod); g != 0 {
			t.Errorf("moderator earned %d for accepting", g)
		}
		if _, err := f.svc.Unaccept(ctx, mod, th.ID); err != nil {
			t.Fatalf("moderator unaccept: %v", err)
		}
		want("moderator withdraws", 0, 0, 0)

		// The ledger keeps every step: it is append-only.
		var events int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM reputation_events`).Scan(&events); err != nil || events != 12 {
			t.Errorf("ledger has %d events (%v), want 12 (3 accepts x 2, 3 reversals x 2)", events, err)
		}
	})
}

func TestKudosRules(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")
		fan := f.actor(t, f.brand.ID, "fan")
		th := f.ask(t, asker, "Kudos test question")
		r := testkit.Reply(t, f.svc, helper, th.ID, "A helpful reply")
		testkit.Reply(t, f.svc, fan, th.ID, "Same problem here") // kudos come from members who take part
		f.clock.Add(time.Hour)                                   // ... with accounts at least an hour old

		if _, err := f.svc.GiveKudos(ctx, helper, r.ID); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("kudos on own post = %v, want fault.ErrForbidden", err)
		}
		if _, err := f.svc.TakeKudos(ctx, helper, r.ID); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("take kudos on own post = %v, want fault.ErrForbidden", err)
		}
		if _, err := f.svc.GiveKudos(ctx, account.Anonymous(f.brand.ID), r.ID); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Errorf("anonymous kudos = %v, want fault.ErrUnauthenticated", err)
		}
		if _, err := f.svc.GiveKudos(ctx, fan, 99999); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("kudos on unknown post = %v, want fault.ErrNotFound", err)
		}

		pts := reputation.Points[reputation.KudosReceived]
		for i := range 3 {
			p, err := f.svc.GiveKudos(ctx, fan, r.ID)
			if i > 0 && errors.Is(err, fault.ErrConflict) {
				p, err = f.svc.Post(ctx, f.brand.ID, r.ID) // a duplicate is refused and changes nothing
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.KudosCount != 1 || ledger(t, f, helper) != pts {
				t.Errorf("give #%d: count %d, ledger %d; want 1, %d", i+1, p.KudosCount, ledger(t, f, helper), pts)
			}
		}
		p, err := f.svc.GiveKudos(ctx, asker, r.ID)
		if err != nil || p.KudosCount != 2 || ledger(t, f, helper) != 2*pts {
			t.Errorf("second giver: %+v, %v", p, err)
		}
		pg, err := f.svc.Page(ctx, f.brand.ID, th.ID, fan.UserID, forum.Cursor{})
		if err != nil || !pg.Kudoed[r.ID] || pg.Kudoed[pg.Question.ID] {
			t.Errorf("Page Kudoed for fan = %v, %v", pg.Kudoed, err)
		}
		if pg, _ := f.svc.Page(ctx, f.brand.ID, th.ID, helper.UserID, forum.Cursor{}); len(pg.Kudoed) != 0 {
			t.Errorf("Page Kudoed for helper = %v, want none", pg.Kudoed)
		}
		for i := range 2 {
			p, err := f.svc.TakeKudos(ctx, fan, r.ID)
			if err != nil || p.KudosCount != 1 || ledger(t, f, helper) != pts {
				t.Errorf("take #%d: %+v, %v; ledger %d", i+1, p, err, ledger(t, f, helper))
			}
		}
		if g := ledger(t, f, fan); g != 0 {
			t.Errorf("giver earned %d", g)
		}
	})
}

func TestClientKeyMakesOneThreadAndPost(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		other := f.actor(t, f.brand.ID, "other")
		nt := forum.NewThread{BoardID: f.board.ID, Title: "Posted twice by accident", Body: "Double click on submit", ClientKey: "k-123"}

		// Sequential double-post, then a burst of concurrent ones with a new key.
		a, err := f.svc.Ask(ctx, asker, nt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.svc.Ask(ctx, asker, nt)
		if err != nil || b.ID != a.ID {
			t.Fatalf("second Ask = %d, %v; want thread %d", b.ID, err, a.ID)
		}
		nt.ClientKey = "k-burst"
		ids := make([]int64, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				th, err := f.svc.Ask(ctx, asker, nt)
				if err != nil {
					t.Errorf("concurrent Ask: %v", err)
				}
				ids[i] = th.ID
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("concurrent Asks with one key made threads %v", ids)
			}
		}
		// The same key from another member is that member's own post.
		nt.ClientKey = "k-123"
		c, err := f.svc.Ask(ctx, other, nt)
		if err != nil || c.ID == a.ID {
			t.Fatalf("other member's Ask with same key = %d, %v", c.ID, err)
		}
		var threads, posts int
		_ = f.db.QueryRow(ctx, `SELECT COUNT(*) FROM threads`).Scan(&threads)
		_ = f.db.QueryRow(ctx, `SELECT COUNT(*) FROM posts`).Scan(&posts)
		if threads != 3 || posts != 3 {
			t.Errorf("%d threads, %d posts; want 3 and 3", threads, posts)
		}

		nr := forum.NewReply{Body: "Reply posted twice", ClientKey: "r-1"}
		p1, err := f.svc.Reply(ctx, other, a.ID, nr)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := f.svc.Reply(ctx, other, a.ID, nr)
		if err != nil || p2.ID != p1.ID {
			t.Fatalf("second Reply = %d, %v; want %d", p2.ID, err, p1.ID)
		}
		th, _ := f.svc.Thread(ctx, f.brand.ID, a.ID)
		if th.ReplyCount != 1 {
			t.Errorf("reply_count = %d after a double-posted reply, want 1", th.ReplyCount)
		}
		bd, _ := f.svc.Board(ctx, f.brand.ID, f.board.ID)
		if bd.ThreadCount != 3 || bd.PostCount != 4 {
			t.Errorf("board counts %d/%d, want 3 threads, 4 posts", bd.ThreadCount, bd.PostCount)
		}
	})
}

// TestListThreadsPagination walks every filter page by page with ties in
// last_activity_at, and checks the pages join into the full, ordered list.
func TestListThreadsPagination(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")

		type info struct{ answered, solved bool }
		all := map[int64]info{}
		// 23 threads, created in groups of 4 sharing one timestamp.
		for i := range 23 {
			if i%4 == 0 {
				f.clock.Add(time.Second)
			}
			th := f.ask(t, asker, fmt.Sprintf("Question number %02d", i))
			var in info
			switch i % 3 {
			case 1: // answered by a peer
				testkit.Reply(t, f.svc, helper, th.ID, "An answer")
				in.answered = true
			case 2: // answered and solved
				r := testkit.Reply(t, f.svc, helper, th.ID, "The answer")
				if _, err := f.svc.Accept(ctx, asker, th.ID, r.ID); err != nil {
					t.Fatal(err)
				}
				in.answered, in.solved = true, true
			default:
				if i%2 == 0 { // the asker's own follow-up keeps it unanswered
					testkit.Reply(t, f.svc, asker, th.ID, "Bump, still stuck")
				}
			}
			all[th.ID] = in
		}

		for _, tt := range []struct {
			filter forum.Filter
			keep   func(info) bool
		}{
			{forum.FilterAll, func(info) bool { return true }},
			{forum.FilterUnanswered, func(i info) bool { return !i.answered }},
			{forum.FilterSolved, func(i info) bool { return i.solved }},
		} {
			for _, limit := range []int{1, 4, 7, 100} {
				var got []forum.Thread
				seen := map[int64]bool{}
				var cur forum.Cursor
				for page := 0; ; page++ {
					if page > 30 {
						t.Fatalf("%s limit %d: pagination does not end", tt.filter, limit)
					}
					ths, next, err := f.svc.ListThreads(ctx, f.brand.ID, f.board.ID, tt.filter, "", cur, limit)
					if err != nil {
						t.Fatal(err)
					}
					if len(ths) > limit {
						t.Fatalf("page of %d > limit %d", len(ths), limit)
					}
					for _, th := range ths {
						if seen[th.ID] {
							t.Errorf("%s limit %d: thread %d appears twice", tt.filter, limit, th.ID)
						}
						seen[th.ID] = true
					}
					got = append(got, ths...)
					if next.ID == 0 {
						break
					}
					// The cursor survives its trip through a URL.
					if cur, err = forum.ParseCursor(context.Background(), next.String()); err != nil {
						t.Fatal(err)
					}
				}
				want := 0
				for id, in := range all {
					if tt.keep(in) {
						want++
						if !seen[id] {
							t.Errorf("%s limit %d: thread %d missing", tt.filter, limit, id)
						}
					}
				}
				if len(got) != want {
					t.Errorf("%s limit %d: %d threads, want %d", tt.filter, limit, len(got), want)
				}
				for i, th := range got {
					if !tt.keep(all[th.ID]) {
						t.Errorf("%s: thread %d should not be listed", tt.filter, th.ID)
					}
					if i > 0 {
						p := got[i-1]
						if p.LastActivityAt.Before(th.LastActivityAt) || (p.LastActivityAt.Equal(th.LastActivityAt) && p.ID < th.ID) {
							t.Errorf("%s limit %d: order broken at %d: (%v,%d) before (%v,%d)", tt.filter, limit, i, p.LastActivityAt, p.ID, th.LastActivityAt, th.ID)
						}
					}
				}
			}
		}
		// Ties really occurred, or the test proves less than it claims.
		var ties int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT last_activity_at FROM threads GROUP BY last_activity_at HAVING COUNT(*) > 1) AS tied`).Scan(&ties); err != nil || ties == 0 {
			t.Fatalf("no ties in last_activity_at (%v)", err)
		}

		// Another brand's id for the board lists nothing.
		other := f.newBrand(t, "beta.example.com", "Beta", false)
		ths, _, err := f.svc.ListThreads(ctx, other.ID, f.board.ID, forum.FilterAll, "", forum.Cursor{}, 50)
		if err != nil || len(ths) != 0 {
			t.Errorf("other brand lists %d threads (%v)", len(ths), err)
		}
		recent, err := f.svc.RecentThreads(ctx, f.brand.ID, 5)
		if err != nil || len(recent) != 5 {
			t.Errorf("RecentThreads = %d, %v", len(recent), err)
		}
		mine, err := f.svc.ThreadsBy(ctx, f.brand.ID, asker.UserID, 100)
		if err != nil || len(mine) != 23 {
			t.Errorf("ThreadsBy = %d, %v", len(mine), err)
		}
		answers, err := f.svc.RepliesBy(ctx, f.brand.ID, helper.UserID, 100)
		solvedCount := 0
		for _, a := range answers {
			if a.Accepted {
				solvedCount++
			}
		}
		if err != nil || len(answers) != 15 || solvedCount != 7 {
			t.Errorf("RepliesBy = %d (%d accepted), %v; want 15 (7)", len(answers), solvedCount, err)
		}
	})
}

func TestPage(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helpers := []account.Actor{f.actor(t, f.brand.ID, "helper1"), f.actor(t, f.brand.ID, "helper2")}
		th := f.ask(t, asker, "A popular question")

		// 2*RepliesPerPage+7 replies, several per millisecond so created_at ties.
		total := 2*forum.RepliesPerPage + 7
		var ids []int64
		for i := range total {
			if i%3 == 0 {
				f.clock.Add(time.Millisecond)
			}
			p := testkit.Reply(t, f.svc, helpers[i%2], th.ID, fmt.Sprintf("reply %03d", i))
			ids = append(ids, p.ID)
		}
		accepted := ids[60]
		if _, err := f.svc.Accept(ctx, asker, th.ID, accepted); err != nil {
			t.Fatal(err)
		}

		var got []forum.Post
		var cur forum.Cursor
		for page := 0; ; page++ {
			pg, err := f.svc.Page(ctx, f.brand.ID, th.ID, 0, cur)
			if err != nil {
				t.Fatal(err)
			}
			if !pg.Question.IsQuestion || pg.Question.AuthorID != asker.UserID || pg.Question.ThreadID != th.ID {
				t.Errorf("page %d question = %+v", page, pg.Question)
			}
			if pg.Accepted == nil || pg.Accepted.ID != accepted {
				t.Errorf("page %d accepted = %v, want post %d on every page", page, pg.Accepted, accepted)
			}
			if pg.Thread.ReplyCount != int64(total) {
				t.Errorf("reply count = %d, want %d", pg.Thread.ReplyCount, total)
			}
			if len(pg.Replies) > forum.RepliesPerPage {
				t.Fatalf("page of %d replies", len(pg.Replies))
			}
			got = append(got, pg.Replies...)
			if pg.Next.ID == 0 {
				break
			}
			cur = pg.Next
			if page > 5 {
				t.Fatal("reply pagination does not end")
			}
		}
		if len(got) != total {
			t.Fatalf("paged through %d replies, want %d", len(got), total)
		}
		for i, p := range got {
			if p.ID != ids[i] || p.BodyMD != fmt.Sprintf("reply %03d", i) || p.IsQuestion {
				t.Fatalf("reply %d = post %d %q, want post %d in creation order", i, p.ID, p.BodyMD, ids[i])
			}
		}
		if _, err := f.svc.Page(ctx, f.brand.ID, 99999, 0, forum.Cursor{}); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("Page(unknown) = %v", err)
		}
	})
}

// TestBrandIsolation: everything of brand A is "not found" from brand B, even
// to a moderator there.
func TestBrandIsolation(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")
		th := f.ask(t, asker, "Brand A private question")
		r := testkit.Reply(t, f.svc, helper, th.ID, "Brand A reply")

		other := f.newBrand(t, "beta.example.com", "Beta", false)
		// Same user ids acting in brand B (as a moderator there), and a brand B user.
		intruder := account.Actor{UserID: asker.UserID, BrandID: other.ID, Username: "asker", Roles: []string{"member", "moderator"}}
		local := f.actor(t, other.ID, "local", "moderator")

		checks := map[string]func(a account.Actor) error{
			"Thread": func(a account.Actor) error { _, err := f.svc.Thread(ctx, a.BrandID, th.ID); return err },
			"Post":   func(a account.Actor) error { _, err := f.svc.Post(ctx, a.BrandID, r.ID); return err },
			"Page": func(a account.Actor) error {
				_, err := f.svc.Page(ctx, a.BrandID, th.ID, a.UserID, forum.Cursor{})
				return err
			},
			"Revisions": func(a account.Actor) error { _, err := f.svc.Revisions(ctx, a.BrandID, r.ID); return err },
			"Reply": func(a account.Actor) error {
				_, err := f.svc.Reply(ctx, a, th.ID, forum.NewReply{Body: "sneaky"})
				return err
			},
			"Edit":       func(a account.Actor) error { _, err := f.svc.Edit(ctx, a, r.ID, "", "sneaky edit"); return err },
			"Accept":     func(a account.Actor) error { _, err := f.svc.Accept(ctx, a, th.ID, r.ID); return err },
			"Unaccept":   func(a account.Actor) error { _, err := f.svc.Unaccept(ctx, a, th.ID); return err },
			"GiveKudos":  func(a account.Actor) error { _, err := f.svc.GiveKudos(ctx, a, r.ID); return err },
			"TakeKudos":  func(a account.Actor) error { _, err := f.svc.TakeKudos(ctx, a, r.ID); return err },
			"Board":      func(a account.Actor) error { _, err := f.svc.Board(ctx, a.BrandID, f.board.ID); return err },
			"MemberByID": func(a account.Actor) error { _, err := f.members.ByID(ctx, a.BrandID, asker.UserID); return err },
			"ByUsername": func(a account.Actor) error { _, err := f.members.ByUsername(ctx, a.BrandID, "asker"); return err },
		}
		for _, a := range []account.Actor{intruder, local} {
			for name, fn := range checks {
				if err := fn(a); !errors.Is(err, fault.ErrNotFound) {
					t.Errorf("%s from brand B as %s = %v, want fault.ErrNotFound", name, a.Username, err)
				}
			}
		}
		if _, err := f.svc.Ask(ctx, local, forum.NewThread{BoardID: f.board.ID, Title: "Cross-brand question", Body: "Should not land in A"}); testkit.Fields(err)["board_id"] == "" {
			t.Errorf("Ask into brand A's board from B = %v, want a board_id error", err)
		}
		// Nothing changed in brand A.
		got, _ := f.svc.Thread(ctx, f.brand.ID, th.ID)
		p, _ := f.svc.Post(ctx, f.brand.ID, r.ID)
		if got.ReplyCount != 1 || got.Solved() || p.KudosCount != 0 || p.RevisionCount != 1 {
			t.Errorf("brand A changed: thread %+v post %+v", got, p)
		}
		if boards, _ := f.svc.Boards(ctx, other.ID); len(boards) != 0 {
			t.Errorf("brand B sees %d boards", len(boards))
		}
	})
}

func TestCreateBoard(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		for _, tt := range []struct {
			nb    forum.NewBoard
			field string
		}{
			{forum.NewBoard{Name: "x"}, "name"},
			{forum.NewBoard{Name: strings.Repeat("n", 61)}, "name"},
			{forum.NewBoard{Name: "Fine name", Description: strings.Repeat("d", 301)}, "description"},
			{forum.NewBoard{Name: "billing"}, "name"}, // same slug as the fixture's "Billing"
		} {
			if _, err := f.svc.CreateBoard(ctx, f.brand.ID, tt.nb); testkit.Fields(err)[tt.field] == "" {
				t.Errorf("CreateBoard(%+v) = %v, want fault.ValidationError on %s", tt.nb, err, tt.field)
			}
		}
		if _, err := f.svc.Board(ctx, f.brand.ID, 99999); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("Board(unknown) = %v", err)
		}
		b2, err := f.svc.CreateBoard(ctx, f.brand.ID, forum.NewBoard{Name: "Aardvarks", Position: -1})
		if err != nil {
			t.Fatal(err)
		}
		boards, err := f.svc.Boards(ctx, f.brand.ID)
		if err != nil || len(boards) != 2 || boards[0].ID != b2.ID {
			t.Errorf("Boards = %+v, %v; want position order", boards, err)
		}
	})
}

func TestParsers(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want forum.Filter
		ok   bool
	}{
		{"", forum.FilterAll, true}, {"all", forum.FilterAll, true},
		{"unanswered", forum.FilterUnanswered, true}, {"solved", forum.FilterSolved, true},
		{"SOLVED", "", false}, {"bogus", "", false}, {"solved ", "", false},
	} {
		got, err := forum.ParseFilter(context.Background(), tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseFilter(context.Background(), %q) = %q, %v", tt.in, got, err)
		}
		if err != nil && testkit.Fields(err)["filter"] == "" {
			t.Errorf("ParseFilter(context.Background(), %q) error is not a field error: %v", tt.in, err)
		}
	}

	c := forum.Cursor{At: time.UnixMilli(1700000000123).UTC(), ID: 42}
	back, err := forum.ParseCursor(context.Background(), c.String())
	if err != nil || !back.At.Equal(c.At) || back.ID != 42 {
		t.Errorf("cursor round trip = %+v, %v", back, err)
	}
	if (forum.Cursor{}).String() != "" {
		t.Error("zero cursor encodes to non-empty")
	}
	for _, bad := range []string{"!!!", "abc", "MTIz", "eC55", "MTIzLi0x", "MTIzLjA", "\xff"} {
		if _, err := forum.ParseCursor(context.Background(), bad); testkit.Fields(err)["cursor"] == "" {
			t.Errorf("ParseCursor(context.Background(), %q) = %v, want a cursor field error", bad, err)
		}
	}

	for _, tt := range []struct{ in, want string }{
		{"How do I port my number?", "how-do-i-port-my-number"},
		{"  --Spaces & symbols!!  ", "spaces-symbols"},
		{"Ünïcödé only ÄÖÜ", "n-c-d-only"},
		{"日本語", "topic"},
		{"", "topic"},
		{"<script>alert(1)</script>", "script-alert-1-script"},
	} {
		if got := forum.Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := forum.Slugify(strings.Repeat("word ", 40)); len(got) > 61 {
		t.Errorf("Slugify long title gave %d chars", len(got))
	}
}
