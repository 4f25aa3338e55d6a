package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mutual/app"
	"mutual/internal/testkit/oidcop"
)

// signInAtProvider clicks the brand's button, signs in on the provider's
// own page, and waits to be back on the community.
func signInAtProvider(t *testing.T, ctx context.Context, base, label, username, pw string) {
	t.Helper()
	open(t, ctx, base+"/login")
	clickAndLoad(t, ctx, "click Sign in with "+label, `//main`+link("Sign in with "+label))
	if loc := get(t, ctx, "read location", chromedp.Location()); strings.HasPrefix(loc, base) {
		t.Fatalf("the button stayed on the community (%s), want the provider", loc)
	}
	do(t, ctx, "sign in at the provider",
		chromedp.WaitVisible(chromedp.ID("op-username")),
		chromedp.SendKeys(chromedp.ID("op-username"), username),
		chromedp.SendKeys(chromedp.ID("op-password"), pw))
	clickAndLoad(t, ctx, "submit the provider's form", "#op-submit")
	if loc := get(t, ctx, "read location", chromedp.Location()); !strings.HasPrefix(loc, base) {
		t.Fatalf("the provider did not send the browser back: %s", loc)
	}
}

// addProvider fills the admin page's form for a provider and sends it.
func addProvider(t *testing.T, admin context.Context, label string, op *oidcop.OP) {
	t.Helper()
	do(t, admin, "fill the provider form",
		chromedp.SendKeys(chromedp.ID("n-label"), label),
		chromedp.SendKeys(chromedp.ID("n-issuer"), op.Issuer),
		chromedp.SendKeys(chromedp.ID("n-client"), op.ClientID),
		chromedp.SendKeys(chromedp.ID("n-secret"), op.ClientSecret))
	clickAndLoad(t, admin, "add "+label, button("Add provider"))
}

// TestSSOJourney: an admin adds the brand's OpenID Connect provider on the
// admin page; a newcomer clicks its button, signs in at the provider and
// lands signed in as a new member; an existing member connects the
// provider after confirming their password; a provider that does not vouch
// for an address is refused; password sign-up turned off leaves only the
// button; a provider that is down gives a clear page.
func TestSSOJourney(t *testing.T) {
	exe := chromePath(t)
	op := oidcop.Start(t)
	var dataDir string
	base, _ := startApp(t, func(c *app.Config) { dataDir = c.DataDir })
	raw, err := os.ReadFile(filepath.Join(dataDir, "admin-password.txt"))
	if err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t, exe)

	// The admin configures the provider.
	admin := freshVisitor(t, browser)
	open(t, admin, base+"/login")
	do(t, admin, "sign in as admin",
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), strings.TrimSpace(string(raw))))
	clickAndLoad(t, admin, "submit sign-in", `//main`+button("Sign in"))
	open(t, admin, base+"/admin/sso")
	addProvider(t, admin, "Acme ID", op)
	callback := get(t, admin, "read the callback URL", chromedp.Text(chromedp.CSS("[data-sso-callback]")))
	if callback != base+"/sso/1/callback" {
		t.Fatalf("callback URL shown = %q", callback)
	}
	shoot(t, admin, "sso-admin")

	// A newcomer signs in with the provider and is a member at once.
	op.AddUser(oidcop.User{Subject: "s-ivy", Username: "ivy", Password: "ivy-at-acme", Email: "ivy@corp.test", EmailVerified: true})
	ivy := freshVisitor(t, browser)
	open(t, ivy, base+"/login")
	shoot(t, ivy, "sso-login")
	signInAtProvider(t, ivy, base, "Acme ID", "ivy", "ivy-at-acme")
	expectSignedIn(t, ivy, "ivy")
	shoot(t, ivy, "sso-signed-in")

	// A member who joined with a password connects the provider.
	jules := freshVisitor(t, browser)
	signUp(t, jules, base, "jules")
	op.AddUser(oidcop.User{Subject: "s-jules", Username: "jules.corp", Password: "jules-at-acme", Email: "jules@example.test", EmailVerified: true})
	again := freshVisitor(t, browser)
	signInAtProvider(t, again, base, "Acme ID", "jules.corp", "jules-at-acme")
	if p := here(t, again, base); p != "/sso/link" {
		t.Fatalf("a verified address of a member led to %q, want /sso/link", p)
	}
	shoot(t, again, "sso-link")
	do(t, again, "type a wrong password", chromedp.SendKeys(chromedp.ID("password"), "not-my-password"))
	clickAndLoad(t, again, "connect", button("Connect and sign in"))
	if msg := get(t, again, "read the refusal", chromedp.Text(chromedp.CSS(".alert"))); !strings.Contains(msg, "That is not the password of jules") {
		t.Fatalf("wrong password said %q", msg)
	}
	do(t, again, "type the password", chromedp.SendKeys(chromedp.ID("password"), password("jules")))
	clickAndLoad(t, again, "connect", button("Connect and sign in"))
	expectSignedIn(t, again, "jules")
	// Connected: next time the provider signs jules straight in.
	later := freshVisitor(t, browser)
	signInAtProvider(t, later, base, "Acme ID", "jules.corp", "jules-at-acme")
	expectSignedIn(t, later, "jules")

	// An address the provider has not verified is not connected to anyone.
	op.AddUser(oidcop.User{Subject: "s-mallory", Username: "mallory", Password: "mallory-at-acme", Email: "ivy@corp.test"})
	mallory := freshVisitor(t, browser)
	signInAtProvider(t, mallory, base, "Acme ID", "mallory", "mallory-at-acme")
	if msg := get(t, mallory, "read the page", chromedp.Text(chromedp.CSS("[data-sso-message]"))); !strings.Contains(msg, "has not verified the address ivy@corp.test") {
		t.Fatalf("unverified address said %q", msg)
	}
	shoot(t, mallory, "sso-unverified")

	// Password sign-up off: the join page and the sign-in page offer the
	// button only.
	open(t, admin, base+"/admin/sso")
	do(t, admin, "choose providers only", chromedp.Click(`input[name="password_signup"][value="off"]`))
	clickAndLoad(t, admin, "save", `//section[contains(@class,"sso-signup")]`+button("Save"))
	visitor := freshVisitor(t, browser)
	open(t, visitor, base+"/signup")
	if n := get(t, visitor, "look for a password field", chromedp.Evaluate[int](`document.querySelectorAll("input[type=password]").length`)); n != 0 {
		t.Fatalf("the join page still asks for a password (%d fields)", n)
	}
	shoot(t, visitor, "sso-signup-off")
	open(t, visitor, base+"/login")
	shoot(t, visitor, "sso-login-providers-only")

	// A provider that is down: a clear page, not an error.
	second := oidcop.Start(t)
	open(t, admin, base+"/admin/sso")
	addProvider(t, admin, "Partner ID", second)
	second.Stop()
	down := freshVisitor(t, browser)
	open(t, down, base+"/login")
	clickAndLoad(t, down, "click Sign in with Partner ID", `//main`+link("Sign in with Partner ID"))
	if h := get(t, down, "read the heading", chromedp.Text(chromedp.CSS("main h1"))); h != "The sign-in provider is not answering" {
		t.Fatalf("provider down shows %q", h)
	}
	shoot(t, down, "sso-provider-down")
}
