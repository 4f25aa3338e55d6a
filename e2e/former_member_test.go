package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit/oidcop"
	"mutual/sso"
)

// TestJourneyFormerMemberAndSingleSignOnReset: an erased member's question
// stays on the home page and its thread, by "a former member" in plain
// text, with no link to follow; their old profile address says there is
// no such member. Then the brand signs members in only through its
// provider, and a visitor who forgot their password is told that members
// who sign in there have nothing to reset, while an administrator can
// still ask for a link.
func TestJourneyFormerMemberAndSingleSignOnReset(t *testing.T) {
	exe := chromePath(t)
	mb := newMailbox(t)
	base, a := startApp(t, mb.configure)
	ctx := context.Background()
	svc := a.Services()
	brand, err := svc.Brands.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	boards, err := svc.Forum.Boards(ctx, brand.ID)
	if err != nil || len(boards) == 0 {
		t.Fatalf("boards: %v %v", boards, err)
	}
	gone, err := svc.Members.Create(ctx, account.Signup{BrandID: brand.ID, Username: "odile_leaves", Email: "odile@example.test", Password: password("odile_leaves")})
	if err != nil {
		t.Fatal(err)
	}
	const title = "Voicemail greeting resets itself every night"
	th, err := svc.Forum.Ask(ctx, account.Actor{UserID: gone.ID, BrandID: brand.ID, Username: gone.Username},
		forum.NewThread{BoardID: boards[0].ID, Title: title, Body: "I record a greeting and by morning it is the default one again."})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := svc.Members.Create(ctx, account.Signup{BrandID: brand.ID, Username: "quinn_admin", Email: "quinn@example.test", Password: password("quinn_admin")})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Members.Grant(ctx, brand.ID, admin.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	adminActor := account.Actor{UserID: admin.ID, BrandID: brand.ID, Username: admin.Username, Roles: []string{"admin"}}
	if _, err := svc.Privacy.EraseMember(ctx, adminActor, "odile_leaves", "odile_leaves", "Request #88"); err != nil {
		t.Fatal(err)
	}

	visitor := newBrowser(t, exe)
	open(t, visitor, base+"/b/"+strconv.FormatInt(boards[0].ID, 10)+"/"+boards[0].Slug)
	row := `//li[contains(@class,"thread-row")][.//a[normalize-space()="` + title + `"]]`
	asker := get(t, visitor, "read the asker", chromedp.Text(row+`//span[@class="former-member"]`))
	if asker != account.FormerMember {
		t.Fatalf("the question is asked by %q", asker)
	}
	links := get(t, visitor, "count profile links to a former member", chromedp.Evaluate[int](`document.querySelectorAll('a[href*="former"]').length`))
	if links != 0 {
		t.Fatalf("%d links to a former member's profile on the board", links)
	}
	shoot(t, visitor, "former-member-board")

	open(t, visitor, base+"/t/"+strconv.FormatInt(th.ID, 10)+"/"+th.Slug)
	tag := get(t, visitor, "read the author's element", chromedp.Evaluate[string](`document.querySelector('.post.question .author').tagName`))
	if tag != "SPAN" || strings.Contains(get(t, visitor, "read the page", chromedp.Text(chromedp.CSS("main"))), "odile") {
		t.Fatalf("the question's author is a %s, or the old name shows", tag)
	}
	shoot(t, visitor, "former-member-thread")

	open(t, visitor, base+"/u/odile_leaves")
	msg := get(t, visitor, "read the 404", chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(msg, "There is no member called odile_leaves here.") {
		t.Fatalf("the old profile address says %q", msg)
	}
	shoot(t, visitor, "former-member-profile")

	// The brand goes single sign-on only.
	op := oidcop.Start(t)
	if _, err := svc.SSO.Add(ctx, adminActor, sso.Config{Label: "Acme ID", Issuer: op.Issuer, ClientID: op.ClientID, ClientSecret: op.ClientSecret}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SSO.SetPasswordSignup(ctx, adminActor, false); err != nil {
		t.Fatal(err)
	}
	open(t, visitor, base+"/login")
	clickAndLoad(t, visitor, "the administrators' form", link("Administrator? Sign in with a password"))
	clickAndLoad(t, visitor, "forgot my password", link("Forgot your password?"))
	page := get(t, visitor, "read the forgot page", chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(page, "there is no password here to reset") || !strings.Contains(page, "Sign in with Acme ID") {
		t.Fatalf("forgot page on a single sign-on brand: %s", page)
	}
	shoot(t, visitor, "forgot-sso")
	do(t, visitor, "ask as the administrator", chromedp.SendKeys(chromedp.ID("login"), "quinn_admin"))
	clickAndLoad(t, visitor, "send the link", button("Send me a link"))
	if !strings.Contains(get(t, visitor, "read the answer", chromedp.Text(chromedp.CSS("main"))), "uses a password") {
		t.Fatal("no answer after asking")
	}
	shoot(t, visitor, "forgot-sso-sent")
	if body := mb.await(t, "Reset your password"); !strings.Contains(body, "quinn_admin") {
		t.Fatalf("the administrator's reset mail: %s", body)
	}
}
