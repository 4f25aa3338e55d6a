package app_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mutual/forum"
)

// refusedInPlace checks that a refused form came back as the page it was sent
// from (not the bare error page), with the message shown as an alert beside
// the form and each of want in the page (what was typed, the form open...).
func refusedInPlace(t *testing.T, r *response, code int, page, msg string, want ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("status %d, want %d:\n%s", r.code, code, r.body)
	}
	body := html.UnescapeString(r.body)
	if strings.Contains(body, "Back to the community") || !strings.Contains(body, page) {
		t.Errorf("a dead end: the answer is not the page the form was on (%q)", page)
	}
	if !strings.Contains(body, `role="alert">`+msg) {
		t.Errorf("the message %q is not shown in place as an alert", msg)
	}
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("body:\n%s", r.body)
	}
}

// Kudos from a new account: the thread page says when, in place of the
// button, and a kudos sent anyway (an old page) comes back to the thread
// with the reason beside the post.
func TestKudosRefusedInPlace(t *testing.T) {
	m := newModSetup(t)
	s := m.s
	m.s.clock.Add(18 * time.Minute)
	newbie := s.signedIn(m.asker)
	page := newbie.get(threadPath(m.thread))
	if page.code != http.StatusOK {
		t.Fatalf("thread = %d", page.code)
	}
	if strings.Contains(page.body, "Give kudos") || !strings.Contains(page.body, `class="kudos-held rep-note" role="note">New accounts can give kudos once they are 1 hour old; yours can in 42 minutes.`) {
		t.Errorf("a new member is offered the kudos button, or not told why not:\n%s", page.body)
	}
	r := newbie.post("/p/"+itoa(m.spam.ID)+"/kudos", url.Values{"action": {"give"}})
	refusedInPlace(t, r, http.StatusForbidden, "How do I change my plan?", "New accounts can give kudos once they are 1 hour old",
		`id="kudos-`+itoa(m.spam.ID)+`-err"`)
}

// A flag without a reason comes back to the thread with the flag form open
// on that post, the message beside the reason and the note kept; then the
// flag goes through.
func TestFlagRefusedInPlace(t *testing.T) {
	m := newModSetup(t)
	s := m.s
	asker := s.signedIn(m.asker)
	asker.get(threadPath(m.thread))
	flag := "/p/" + itoa(m.spam.ID) + "/flag"
	id := "flag-" + itoa(m.spam.ID)

	r := asker.post(flag, url.Values{"reason": {""}, "note": {"Selling pills in every thread"}})
	refusedInPlace(t, r, http.StatusUnprocessableEntity, "How do I change my plan?", "Choose a reason for the flag",
		`<details class="flag inline" open>`, `value="Selling pills in every thread"`,
		`aria-describedby="`+id+`-reason-err"`, `id="`+id+`-reason-err" class="field-error" role="alert"`)

	r = asker.post(flag, url.Values{"reason": {"needs_staff"}})
	refusedInPlace(t, r, http.StatusUnprocessableEntity, "How do I change my plan?", "Tell the staff what is needed.",
		`<option value="needs_staff" selected>`, `aria-describedby="`+id+`-note-err"`)

	if r := asker.post(flag, url.Values{"reason": {"spam"}, "note": {"Selling pills in every thread"}}); r.code != http.StatusSeeOther {
		t.Fatalf("completing the flag = %d:\n%s", r.code, r.body)
	}
	r = asker.post(flag, url.Values{"reason": {"spam"}})
	refusedInPlace(t, r, http.StatusConflict, "How do I change my plan?", "You have already flagged this post")
	s.noErrorLogs()
}

// A moderator's refused acts on the thread page, the review queue, a
// member's record and the roles page each come back in place.
func TestModerationRefusedInPlace(t *testing.T) {
	m := newModSetup(t)
	s := m.s
	mod, admin := s.signedIn(m.mod), s.signedIn(m.admin)
	queued, err := s.svc.Reply(context.Background(), m.spammer.actor, m.thread.ID, forum.NewReply{Body: "More pills for sale"})
	if err != nil {
		t.Fatal(err)
	}
	tp := threadPath(m.thread)
	mod.get(tp)
	title := "How do I change my plan?"
	t.Run("move without a board", func(t *testing.T) {
		r := mod.post("/t/"+itoa(m.thread.ID)+"/mod", url.Values{"act": {"move"}, "reason": {"Belongs in another board"}})
		refusedInPlace(t, r, http.StatusUnprocessableEntity, title, "Choose the board to move the thread to.",
			`<details class="mod-tools" id="mod-tools" open>`, `value="Belongs in another board"`, `aria-describedby="mod-t-board-err"`,
			`>Billing and plans (this thread&#39;s board)</option>`)
	})
	t.Run("merge without a thread", func(t *testing.T) {
		r := mod.post("/t/"+itoa(m.thread.ID)+"/mod", url.Values{"act": {"merge"}, "reason": {"duplicate"}})
		refusedInPlace(t, r, http.StatusUnprocessableEntity, title, "Choose the thread to merge into", `value="duplicate"`)
	})
	t.Run("lock twice", func(t *testing.T) {
		if r := mod.post("/t/"+itoa(m.thread.ID)+"/mod", url.Values{"act": {"lock"}}); r.code != http.StatusSeeOther {
			t.Fatalf("lock = %d", r.code)
		}
		r := mod.post("/t/"+itoa(m.thread.ID)+"/mod", url.Values{"act": {"lock"}, "reason": {"heated"}})
		refusedInPlace(t, r, http.StatusConflict, title, "That thread is already locked.", `value="heated"`)
	})
	t.Run("hide twice", func(t *testing.T) {
		hide := "/p/" + itoa(m.spam.ID) + "/mod"
		if r := mod.post(hide, url.Values{"act": {"hide"}}); r.code != http.StatusSeeOther {
			t.Fatalf("hide = %d", r.code)
		}
		r := mod.post(hide, url.Values{"act": {"hide"}, "reason": {"spam link"}})
		refusedInPlace(t, r, http.StatusConflict, title, "That post is already hidden.", `value="spam link"`,
			`aria-describedby="mod-p-`+itoa(m.spam.ID)+`-err"`)
	})
	t.Run("queue edit without a reason", func(t *testing.T) {
		asker := s.signedIn(m.asker)
		asker.get(tp)
		if r := asker.post("/p/"+itoa(queued.ID)+"/flag", url.Values{"reason": {"spam"}}); r.code != http.StatusSeeOther {
			t.Fatalf("flag = %d", r.code)
		}
		mod.get("/mod/queue")
		r := mod.post("/mod/queue/"+itoa(queued.ID), url.Values{"decision": {"edit"}, "body": {"Cleaned up text"}})
		refusedInPlace(t, r, http.StatusUnprocessableEntity, "Review queue", "Give a reason",
			`>Cleaned up text</textarea>`, `<details open><summary>Edit</summary>`)
	})
	t.Run("suspend without a reason", func(t *testing.T) {
		mod.get("/mod/users/spammer")
		r := mod.post("/mod/users/spammer", url.Values{"act": {"suspend"}, "until": {"7d"}})
		refusedInPlace(t, r, http.StatusUnprocessableEntity, "Member record", "Give a reason", `value="7d"`, `aria-describedby="m-reason-err"`)
		r = mod.post("/mod/users/spammer", url.Values{"act": {"unban"}, "reason": {"second chance"}})
		refusedInPlace(t, r, http.StatusConflict, "Member record", "spammer is not banned.", `value="second chance"`)
	})
	t.Run("roles", func(t *testing.T) {
		admin.get("/admin/roles")
		r := admin.post("/admin/roles", url.Values{"username": {"nobody-here"}, "role": {"moderator"}, "op": {"grant"}, "reason": {"helps a lot"}})
		refusedInPlace(t, r, http.StatusUnprocessableEntity, "Roles in", "", `value="nobody-here"`, `value="helps a lot"`,
			`<option value="moderator" selected>moderator</option>`, `aria-describedby="r-user-err"`)
		r = admin.post("/admin/roles", url.Values{"username": {"boss"}, "role": {"admin"}, "op": {"revoke"}, "reason": {"stepping down"}})
		refusedInPlace(t, r, http.StatusForbidden, "Roles in", "You cannot remove your own administrator role", `value="stepping down"`)
	})
	t.Run("form no longer on the page", func(t *testing.T) {
		// A ring gone from the list: its message goes at the top of the page.
		mod.get("/mod/reputation/rings")
		r := mod.post("/mod/reputation/rings/99", url.Values{"status": {"maybe"}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `<p class="flash" role="status">The status must be open, dismissed or confirmed.`) ||
			!strings.Contains(r.body, "<h1>Kudos rings</h1>") {
			t.Errorf("ring review = %d:\n%s", r.code, r.body)
		}
	})
	s.noErrorLogs()
}

// The asker's refused escalation and accept come back to the thread with
// what they typed.
func TestThreadFormsRefusedInPlace(t *testing.T) {
	m := newModSetup(t)
	s := m.s
	asker, other := s.signedIn(m.asker), s.signedIn(s.user(s.brand.ID, "bystander"))
	asker.get(threadPath(m.thread))
	r := asker.post("/t/"+itoa(m.thread.ID)+"/escalate", url.Values{"reason": {"help"}})
	refusedInPlace(t, r, http.StatusUnprocessableEntity, "How do I change my plan?", "Say why in 10 to 1000 characters",
		`<details class="esc-escalate" open>`, `>help</textarea>`, `aria-describedby="esc-reason-err"`)

	other.get(threadPath(m.thread))
	r = other.post("/t/"+itoa(m.thread.ID)+"/accept", url.Values{"post_id": {itoa(m.spam.ID)}})
	if r.code != http.StatusForbidden || strings.Contains(r.body, "Back to the community") || !strings.Contains(r.body, `<p class="flash" role="status">`) ||
		!strings.Contains(r.body, `<h1 id="thread-title" lang="en">How do I change my plan?</h1>`) {
		t.Errorf("accepting someone else's question = %d, want 403 said on the thread:\n%s", r.code, r.body)
	}
	s.noErrorLogs()
}

// A member who cannot reply is told why where the reply box would be, not
// offered a form that refuses; a reply sent from an old page keeps its text.
func TestReplyBoxSaysWhyNot(t *testing.T) {
	m := newModSetup(t)
	s := m.s
	mod := s.signedIn(m.mod)
	mod.get("/mod/users/spammer")
	if r := mod.post("/mod/users/spammer", url.Values{"act": {"suspend"}, "until": {"7d"}, "reason": {"spam"}}); r.code != http.StatusSeeOther {
		t.Fatalf("suspend = %d", r.code)
	}
	page := s.signedIn(m.spammer).get(threadPath(m.thread))
	if strings.Contains(page.body, `action="/t/`+itoa(m.thread.ID)+`/reply"`) || strings.Contains(page.body, "Send flag") ||
		strings.Contains(page.body, "Give kudos") || !strings.Contains(page.body, `<p class="alert posting-blocked" role="note">Your account is suspended until`) {
		t.Errorf("a suspended member is offered forms that refuse, or not told why:\n%s", page.body)
	}

	asker := s.signedIn(m.asker)
	asker.get(threadPath(m.thread))
	if r := mod.post("/t/"+itoa(m.thread.ID)+"/mod", url.Values{"act": {"lock"}}); r.code != http.StatusSeeOther {
		t.Fatalf("lock = %d", r.code)
	}
	r := asker.post("/t/"+itoa(m.thread.ID)+"/reply", url.Values{"body": {"One more thing I tried"}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "This thread is locked") || strings.Contains(r.body, "Back to the community") ||
		!strings.Contains(r.body, ">One more thing I tried</textarea>") {
		t.Errorf("a reply to a locked thread = %d, want 403 on the thread:\n%s", r.code, r.body)
	}
	if page := asker.get(threadPath(m.thread)); strings.Contains(page.body, `action="/t/`+itoa(m.thread.ID)+`/reply"`) || !strings.Contains(page.body, "This thread is locked: it takes no new replies.") {
		t.Errorf("a locked thread offers members the reply form:\n%s", page.body)
	}
	s.noErrorLogs()
}

// Moving picks a board by name and merging a thread found by its title; the
// merged posts say where they came from, and the old address leads to them.
func TestMoveAndMergeByName(t *testing.T) {
	m := newModSetup(t)
	s := m.s
	ctx := context.Background()
	plans := s.newBoard(s.brand.ID, "Plans and upgrades")
	dup, err := s.svc.Ask(ctx, m.spammer.actor, forum.NewThread{BoardID: s.board.ID, Title: "Switching to a cheaper tariff", Body: "Which tariff is cheapest for me?"})
	if err != nil {
		t.Fatal(err)
	}
	mod := s.signedIn(m.mod)
	page := mod.get(threadPath(dup) + "?into_q=change+plan")
	if page.code != http.StatusOK || !strings.Contains(page.body, `<option value="`+itoa(plans.ID)+`">Plans and upgrades</option>`) {
		t.Fatalf("the move form does not list boards by name:\n%s", page.body)
	}
	if !strings.Contains(page.body, `<input type="radio" name="into" value="`+itoa(m.thread.ID)+`">`) || !strings.Contains(page.body, "How do I change my plan?") {
		t.Fatalf("searching by title does not list the thread to merge into:\n%s", page.body)
	}
	if r := mod.post("/t/"+itoa(dup.ID)+"/mod", url.Values{"act": {"move"}, "board_id": {itoa(plans.ID)}}); r.code != http.StatusSeeOther {
		t.Fatalf("move = %d:\n%s", r.code, r.body)
	}
	if th, _ := s.svc.Thread(ctx, s.brand.ID, dup.ID); th.BoardID != plans.ID {
		t.Errorf("the thread is in board %d, want %d", th.BoardID, plans.ID)
	}
	r := mod.post("/t/"+itoa(dup.ID)+"/mod", url.Values{"act": {"merge"}, "into": {itoa(m.thread.ID)}, "reason": {"same question"}})
	if r.code != http.StatusSeeOther || r.header.Get("Location") != threadPath(m.thread) {
		t.Fatalf("merge = %d to %q:\n%s", r.code, r.header.Get("Location"), r.body)
	}
	landing := s.browser().get(threadPath(m.thread))
	if !strings.Contains(landing.body, `<span class="badge badge-merged">Merged</span> from “Switching to a cheaper tariff” by moddy`) ||
		!strings.Contains(landing.body, "Which tariff is cheapest for me?") {
		t.Errorf("the landing thread does not mark the merged question:\n%s", landing.body)
	}
	old := s.browser().get(threadPath(dup))
	if old.code != http.StatusMovedPermanently || !strings.HasPrefix(old.header.Get("Location"), "/t/"+itoa(m.thread.ID)) {
		t.Errorf("the merged thread's address = %d to %q, want a redirect to the thread it joined", old.code, old.header.Get("Location"))
	}
	s.noErrorLogs()
}
