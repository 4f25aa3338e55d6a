package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/app"
)

// TestJourneyMemberDownloadsDataAndDeletesAccount: a member asks a
// question and is answered; from their profile they reach their privacy
// page, download their data as a file and read it, then delete their
// account (a wrong password first), and their question stays, by "a former
// member". An administrator's privacy pages are photographed too.
func TestJourneyMemberDownloadsDataAndDeletesAccount(t *testing.T) {
	exe := chromePath(t)
	base, a := startApp(t, nil)
	member := newBrowser(t, exe)
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(member, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}

	const name, title = "wren_leaves", "Roaming stopped working after my plan changed"
	signUp(t, member, base, name)
	threadURL := askQuestion(t, member, base, title)
	helper := freshVisitor(t, member)
	signUp(t, helper, base, "piet_answers")
	open(t, helper, base+threadURL)
	reply(t, helper, base, "The new plan needs roaming switched on in your account, not only on the phone.")

	// From the profile to the privacy page.
	open(t, member, base+"/")
	openMenu(t, member, "account-menu")
	clickAndLoad(t, member, "open my profile", `header a.me`)
	clickAndLoad(t, member, "open my data and account", `//main`+link("Your data and account"))
	if p := here(t, member, base); p != "/settings/privacy" {
		t.Fatalf("the link led to %q", p)
	}
	shoot(t, member, "privacy-own")

	do(t, member, "download my data", chromedp.Click(`[data-pv-export]`))
	archive := waitForDownload(t, downloads, "localhost-"+name+"-data-")
	var ar struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
		Account struct {
			Profile struct{ Username, Email string } `json:"profile"`
		} `json:"account"`
		Content struct {
			Threads []struct{ Title string } `json:"threads_asked"`
		} `json:"content"`
	}
	if err := json.Unmarshal(archive, &ar); err != nil {
		t.Fatalf("the downloaded file is not JSON: %v\n%s", err, archive)
	}
	if ar.Format != "mutual.member-data" || ar.Version != 1 || ar.Account.Profile.Username != name ||
		ar.Account.Profile.Email != name+"@example.test" || len(ar.Content.Threads) != 1 || ar.Content.Threads[0].Title != title {
		t.Fatalf("the archive is not the member's: %+v", ar)
	}

	// A wrong password changes nothing and says so on the form.
	do(t, member, "confirm with a wrong password",
		chromedp.SendKeys(chromedp.ID("pv-confirm"), name),
		chromedp.SendKeys(chromedp.ID("pv-password"), "not-my-password"),
	)
	clickAndLoad(t, member, "press delete", button("Delete my account"))
	if msg := get(t, member, "read the error", chromedp.Text(chromedp.CSS(".pv-danger .alert"))); !strings.Contains(msg, "That is not your password.") {
		t.Fatalf("wrong password says %q", msg)
	}
	if v := get(t, member, "read the kept confirmation", chromedp.Value(chromedp.ID("pv-confirm"))); v != name {
		t.Fatalf("the typed username was not kept: %q", v)
	}
	shoot(t, member, "privacy-delete-refused")

	do(t, member, "give the right password", chromedp.SendKeys(chromedp.ID("pv-password"), password(name)))
	clickAndLoad(t, member, "delete my account", button("Delete my account"))
	if p := here(t, member, base); p != "/" {
		t.Fatalf("deleting landed on %q", p)
	}
	flash := get(t, member, "read the flash", chromedp.Text(chromedp.CSS(".flash")))
	if !strings.Contains(flash, "Your account is deleted") {
		t.Fatalf("flash after deleting: %q", flash)
	}
	do(t, member, "see a visitor's header", chromedp.WaitVisible(`//header`+link("Sign in")))
	shoot(t, member, "privacy-deleted")

	// The question stays, by a former member; the name is nowhere on it.
	visitor := freshVisitor(t, member)
	open(t, visitor, base+threadURL)
	author := get(t, visitor, "read the asker", chromedp.Text(chromedp.CSS(".post.question .author")))
	if strings.TrimSpace(author) != account.FormerMember {
		t.Fatalf("the question is by %q, want %q", author, account.FormerMember)
	}
	page := get(t, visitor, "read the page", chromedp.Text(chromedp.CSS("main")))
	if strings.Contains(page, name) || !strings.Contains(page, "Tried restarting twice") {
		t.Fatalf("thread page after erasure: %s", page)
	}
	shoot(t, visitor, "privacy-former-member")

	// An administrator's privacy pages.
	adminPages(t, a, member, base)
}

// adminPages signs an administrator in and photographs the brand's privacy
// settings and one member's data-rights page.
func adminPages(t *testing.T, a *app.App, b context.Context, base string) {
	t.Helper()
	ctx := context.Background()
	svc := a.Services()
	brand, err := svc.Brands.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := svc.Members.Create(ctx, account.Signup{BrandID: brand.ID, Username: "pia_admin", Email: "pia@example.test", Password: password("pia_admin")})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Members.Grant(ctx, admin.BrandID, admin.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	open(t, b, base+"/")
	signIn(t, b, base, "pia_admin")
	open(t, b, base+"/admin/privacy")
	shoot(t, b, "privacy-admin")
	do(t, b, "look up a member", chromedp.SendKeys(chromedp.ID("pv-member"), "piet_answers"))
	clickAndLoad(t, b, "open the member", button("Open"))
	if p := here(t, b, base); p != "/admin/privacy/users/piet_answers" {
		t.Fatalf("the lookup led to %q", p)
	}
	shoot(t, b, "privacy-admin-member")
}

// waitForDownload waits for a finished download whose name starts with
// prefix and returns its content.
func waitForDownload(t *testing.T, dir, prefix string) []byte {
	t.Helper()
	for end := time.Now().Add(stepBudget); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, prefix+"*.json"))
		if len(files) == 1 {
			b, err := os.ReadFile(files[0])
			if err == nil && json.Valid(b) {
				return b
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no download starting %q in %s (found %v)", prefix, dir, entries)
	return nil
}
