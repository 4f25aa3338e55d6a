package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mutual/app"
)

// modStartServer is startServer that also hands back the App, so the test
// can grant a role the way an administrator's CLI would.
func modStartServer(t *testing.T) (string, *app.App) {
	t.Helper()
	return startApp(t, nil)
}

// TestJourneyFlagHideAudit: a member flags a spam reply, a moderator hides
// it from the review queue, the member sees it gone, and the audit log
// shows the act.
func TestJourneyFlagHideAudit(t *testing.T) {
	exe := chromePath(t)
	base, a := modStartServer(t)
	browser := newBrowser(t, exe)

	// A spammer replies to a demo thread.
	spammer := freshVisitor(t, browser)
	signUp(t, spammer, base, "sam_spams")
	open(t, spammer, base+"/")
	threadPath := get(t, spammer, "find a thread", chromedp.Evaluate[string](`document.querySelector(".thread-row h3 a").getAttribute("href")`))
	open(t, spammer, base+threadPath)
	spam := reply(t, spammer, base, "CHEAP PILLS here, visit pills dot example today")

	// A member flags it.
	member := freshVisitor(t, browser)
	signUp(t, member, base, "mia_member")
	open(t, member, base+threadPath)
	do(t, member, "open the flag form", chromedp.Click(`//section[@id="`+spam+`"]//details[contains(@class,"flag")]/summary`))
	do(t, member, "say why", chromedp.SetValue(`//section[@id="`+spam+`"]//select[@name="reason"]`, "spam"))
	clickAndLoad(t, member, "send the flag", `//section[@id="`+spam+`"]`+button("Send flag"))
	if txt := get(t, member, "read the page", chromedp.Evaluate[string](`document.body.innerText`)); !strings.Contains(txt, "your flag is with the moderators") {
		t.Fatalf("no confirmation after flagging: %q", txt)
	}

	// A moderator (granted by an administrator) hides it from the queue.
	mod := freshVisitor(t, browser)
	signUp(t, mod, base, "max_mod")
	grant(t, a, "max_mod", "moderator")
	open(t, mod, base+"/mod/queue")
	item := "q" + strings.TrimPrefix(spam, "p")
	if txt := get(t, mod, "read the queue", chromedp.Evaluate[string](`document.querySelector("main").innerText`)); !strings.Contains(txt, "CHEAP PILLS") || !strings.Contains(txt, "mia_member") {
		t.Fatalf("queue does not show the flagged post and its flagger: %q", txt)
	}
	do(t, mod, "give a reason", chromedp.SendKeys(`//section[@id="`+item+`"]//input[@name="reason"]`, "spam link"))
	clickAndLoad(t, mod, "hide from the queue", `//section[@id="`+item+`"]`+button("Hide"))
	if txt := get(t, mod, "read the queue", chromedp.Evaluate[string](`document.querySelector("main").innerText`)); !strings.Contains(txt, "Nothing waiting for review") {
		t.Fatalf("queue after hiding: %q", txt)
	}

	// The member sees it gone (the anonymous page cache is invalidated too).
	open(t, member, base+threadPath)
	if txt := get(t, member, "read the thread", chromedp.Evaluate[string](`document.querySelector("main").innerText`)); strings.Contains(txt, "CHEAP PILLS") {
		t.Fatal("the member still sees the hidden spam")
	}
	anon := freshVisitor(t, browser)
	open(t, anon, base+threadPath)
	if txt := get(t, anon, "read the thread", chromedp.Evaluate[string](`document.querySelector("main").innerText`)); strings.Contains(txt, "CHEAP PILLS") {
		t.Fatal("a visitor still sees the hidden spam")
	}

	// The audit log shows the act, who did it and why.
	open(t, mod, base+"/mod/audit")
	txt := get(t, mod, "read the audit log", chromedp.Evaluate[string](`document.querySelector("table.audit").innerText`))
	if !strings.Contains(txt, "post_hidden") || !strings.Contains(txt, "max_mod") || !strings.Contains(txt, "spam link") || !strings.Contains(txt, "post_flagged") {
		t.Fatalf("audit log = %q", txt)
	}
	screenshot(t, mod, "moderation-audit.png")
}
