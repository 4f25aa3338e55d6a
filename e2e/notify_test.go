package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// notifyBellCount reads the unread count on the header bell ("" when none shows).
func notifyBellCount(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, "read the bell", chromedp.Evaluate[string](
		`(document.querySelector("header [data-nf-bell] [data-nf-count]") || {textContent: ""}).textContent.trim()`))
}

// TestJourneyNotifiedOfReply is the journey: a member asks; another
// replies; the asker's bell counts it, the notifications page says who
// replied to what, and its link opens the reply itself.
func TestJourneyNotifiedOfReply(t *testing.T) {
	exe := chromePath(t)
	base := startServer(t)
	asker := newBrowser(t, exe)

	signUp(t, asker, base, "nora_asks")
	if n := get(t, asker, "find the bell", chromedp.Evaluate[int](`document.querySelectorAll("header [data-nf-bell]").length`)); n != 1 {
		t.Fatalf("a signed-in header has %d bells, want 1", n)
	}
	if c := notifyBellCount(t, asker); c != "" {
		t.Fatalf("a new member's bell shows %q, want no count", c)
	}
	clickAndLoad(t, asker, "click Ask a question", `//header`+link("Ask a question"))
	const title = "Voicemail greeting resets after every update"
	pickBoard(t, asker, boardName)
	do(t, asker, "write the question",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), "Each phone update wipes my custom voicemail greeting. How do I keep it?"),
	)
	clickAndLoad(t, asker, "post the question", button("Post question"))
	threadURL := here(t, asker, base)
	if !threadPath.MatchString(threadURL) {
		t.Fatalf("asking landed on %q", threadURL)
	}
	watch := get(t, asker, "read the watch button", chromedp.Text(chromedp.CSS("[data-nf-watch]")))
	if !strings.Contains(watch, "Watching") {
		t.Fatalf("the asker's own thread shows %q, want Watching", watch)
	}

	// A visitor who is not signed in sees no bell (pages for visitors are cached).
	visitor := freshVisitor(t, asker)
	open(t, visitor, base+threadURL)
	if n := get(t, visitor, "look for a bell", chromedp.Evaluate[int](`document.querySelectorAll("[data-nf-bell], [data-nf-watch]").length`)); n != 0 {
		t.Fatalf("a visitor's page has %d bell or watch elements", n)
	}

	helper := freshVisitor(t, asker)
	signUp(t, helper, base, "omar_helps")
	open(t, helper, base+threadURL)
	replyID := reply(t, helper, base, "Record it again, then lock it in Settings > Phone > Voicemail, @nora_asks.")
	if n := get(t, helper, "read the mention link", chromedp.Evaluate[int](
		`document.querySelectorAll('#`+replyID+` .body a.mention[href="/u/nora_asks"]').length`)); n != 1 {
		t.Fatalf("the @mention is not linked to the profile in the rendered reply")
	}

	// The asker comes back to any page: the bell counts one.
	open(t, asker, base+"/")
	if c := notifyBellCount(t, asker); c != "1" {
		t.Fatalf("after a reply the bell shows %q, want 1", c)
	}
	clickAndLoad(t, asker, "open the bell", `header [data-nf-bell]`)
	if p := here(t, asker, base); p != "/notifications" {
		t.Fatalf("the bell led to %q", p)
	}
	items := get(t, asker, "read the notifications", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll(".nf-list .nf-item.nf-unread .nf-text")].map(a => a.textContent.trim())`))
	want := "omar_helps mentioned you in “" + title + "”"
	if len(items) != 1 || items[0] != want {
		t.Fatalf("unread notifications = %q, want [%q]", items, want)
	}
	screenshot(t, asker, "notify-list.png")
	clickAndLoad(t, asker, "open the notification", `.nf-list .nf-item.nf-unread a.nf-text`)
	if p := here(t, asker, base); p != threadURL+"#"+replyID {
		t.Fatalf("the notification opened %q, want %q", p, threadURL+"#"+replyID)
	}
	do(t, asker, "see the reply", chromedp.WaitVisible(chromedp.ID(replyID)))
	if c := notifyBellCount(t, asker); c != "" {
		t.Fatalf("after opening it the bell still shows %q", c)
	}
	screenshot(t, asker, "notify-thread.png")

	// The settings page offers the email choices and the boards to follow.
	open(t, asker, base+"/settings/notifications")
	choices := get(t, asker, "read the email choices", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('input[type=radio][name="email"]')].map(i => i.value + (i.checked ? "*" : ""))`))
	if strings.Join(choices, ",") != "immediate*,daily,never" {
		t.Fatalf("email choices = %v", choices)
	}
	do(t, asker, "choose the daily summary", chromedp.Click(`input[name="email"][value="daily"]`))
	clickAndLoad(t, asker, "save the settings", button("Save"))
	if v := get(t, asker, "read the saved choice", chromedp.Evaluate[string](`document.querySelector('input[type=radio][name="email"]:checked').value`)); v != "daily" {
		t.Fatalf("after saving, the email choice is %q", v)
	}
	screenshot(t, asker, "notify-settings.png")
}
