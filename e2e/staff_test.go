package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/app"
	"mutual/escalation"
)

// staffMember makes an account with a password the browser can sign in
// with, holding role.
func staffMember(t *testing.T, a *app.App, username, role string) account.User {
	t.Helper()
	ctx := context.Background()
	s := a.Services()
	brand, err := s.Brands.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Members.Create(ctx, account.Signup{BrandID: brand.ID, Username: username, Email: username + "@provider.test", Password: password(username)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Members.Grant(ctx, brand.ID, u.ID, role); err != nil {
		t.Fatal(err)
	}
	return u
}

// text is the visible text of what sel finds.
func text(t *testing.T, ctx context.Context, what, sel string) string {
	t.Helper()
	return strings.Join(strings.Fields(get(t, ctx, what, chromedp.Text(sel))), " ")
}

// TestJourneyAgentSLAIsOneSetting: the admin finds on the report settings
// page the agent SLA the console works to (1 hour, not a separate 4), changes
// it there, and the console says the new value; changed the way `mutual
// brand update` changes it, the settings page says that.
func TestJourneyAgentSLAIsOneSetting(t *testing.T) {
	exe := chromePath(t)
	base, a, _ := escServer(t)
	staffMember(t, a, "ada_admin", "admin")
	browser := newBrowser(t, exe)
	admin := freshVisitor(t, browser)
	open(t, admin, base+"/")
	signIn(t, admin, base, "ada_admin")

	open(t, admin, base+"/reports/deflection/settings")
	if v := get(t, admin, "read the agent SLA", chromedp.Value(chromedp.ID("agent_sla"))); v != "1" {
		t.Fatalf("the report settings say the agent SLA is %q hours, want the console's 1", v)
	}
	if hint := text(t, admin, "read the SLA note", `#slas .hint`); !strings.Contains(hint, "a change here changes it everywhere") {
		t.Errorf("the SLA fieldset does not say it is the one setting: %q", hint)
	}
	shoot(t, admin, "staff-report-settings-sla")
	do(t, admin, "set the agent SLA to 2 hours", chromedp.SetValue(chromedp.ID("agent_sla"), "2"))
	clickAndLoad(t, admin, "save the settings", button("Save settings"))
	if msg := text(t, admin, "read the flash", `p.flash`); !strings.HasPrefix(msg, "Settings saved.") {
		t.Fatalf("after saving: %q", msg)
	}

	open(t, admin, base+"/console")
	if line := text(t, admin, "read the console's SLAs", `#esc-slas`); !strings.Contains(line, "agents answer within 2h of escalation") {
		t.Fatalf("the console says %q, want the 2 h just saved", line)
	}
	shoot(t, admin, "staff-console-sla")

	ctx := context.Background()
	brand, err := a.Services().Brands.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	three := 3 * time.Hour
	if _, err := a.Escalations().UpdateSettings(ctx, brand.ID, escalation.Update{AgentSLA: &three}); err != nil {
		t.Fatal(err)
	}
	open(t, admin, base+"/reports/deflection/settings")
	if v := get(t, admin, "read the agent SLA again", chromedp.Value(chromedp.ID("agent_sla"))); v != "3" {
		t.Fatalf("after brand update --agent-sla 3h the report settings say %q", v)
	}
}

// TestJourneyHandoverSaysWhy: the only agent opens "Hand over" and is told
// nobody can take it and how that changes, not shown an empty list; with a
// colleague off shift, the colleague is offered as off shift, and the hand
// over goes through.
func TestJourneyHandoverSaysWhy(t *testing.T) {
	exe := chromePath(t)
	base, a, clk := escServer(t)
	browser := newBrowser(t, exe)
	asker := freshVisitor(t, browser)
	signUp(t, asker, base, "ivy_asks")
	const title = "Roaming data stopped working in Spain"
	askQuestion(t, asker, base, title)
	clk.Add(escalation.DefaultPeerSLA + time.Second)
	if _, err := a.RunEscalations(context.Background()); err != nil {
		t.Fatal(err)
	}

	agent := freshVisitor(t, browser)
	open(t, agent, base+"/")
	signIn(t, agent, base, "agent_amy")
	open(t, agent, base+"/console")
	actions := `//li[contains(@class,"esc-item")][.//a[normalize-space(.)="` + title + `"]]/following-sibling::li[1]`
	do(t, agent, "open Hand over", chromedp.Click(actions+`//summary[normalize-space(.)="Hand over"]`))
	why := text(t, agent, "read why nobody is offered", actions+`//div[contains(@class,"esc-nobody")]`)
	if !strings.Contains(why, "There is nobody to hand this to: no other agent is on shift for this brand, or off it.") ||
		!strings.Contains(why, "mutual agent add") || !strings.Contains(why, "ask a supervisor") {
		t.Fatalf("the only agent reads %q", why)
	}
	if n := get(t, agent, "look for a picker", chromedp.Nodes(actions+`//select`, chromedp.AtLeast(0))); len(n) != 0 {
		t.Fatal("an empty picker is still shown")
	}
	shoot(t, agent, "staff-handover-nobody")

	ben := staffMember(t, a, "agent_ben", "agent")
	brand, err := a.Services().Brands.Default(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Escalations().AddAgent(context.Background(), escalation.NewAgent{BrandID: brand.ID, UserID: ben.ID, Person: ben.Email}); err != nil {
		t.Fatal(err)
	}
	open(t, agent, base+"/console")
	do(t, agent, "open Hand over again", chromedp.Click(actions+`//summary[normalize-space(.)="Hand over"]`))
	if note := text(t, agent, "read the off-shift note", actions+`//p[contains(@class,"esc-nobody")]`); !strings.HasPrefix(note, "No other agent is on shift for this brand.") {
		t.Fatalf("with a colleague off shift: %q", note)
	}
	offered := get(t, agent, "read the offer", chromedp.TextContent(actions+`//optgroup[@label="Off shift: sees it on their next shift"]/option`))
	if offered != "agent_ben (off shift)" {
		t.Fatalf("offered %q, want agent_ben off shift", offered)
	}
	do(t, agent, "write the note", chromedp.SendKeys(actions+`//textarea`, "Customer is abroad until Friday; please follow up."))
	shoot(t, agent, "staff-handover-off-shift")
	clickAndLoad(t, agent, "hand it over", actions+button("Hand over"))
	if msg := text(t, agent, "read the flash", `p.flash`); msg != "Handed over with your note." {
		t.Fatalf("after handing over: %q", msg)
	}
}
