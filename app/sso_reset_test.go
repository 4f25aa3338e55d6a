package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mutual/account"
	"mutual/internal/testkit/oidcop"
)

// When a brand signs members in only through its providers, a password is
// an administrator's break-glass way in, and how a member whose account no
// provider signs in yet proves it is theirs. The forgot-password page says
// so to everyone (whoever signs in with the provider has nothing to
// reset); a member the provider signs in is mailed no link to set a
// password they could not use, and the answer is the same for everyone, so
// it tells nothing about anyone's account.
func TestPasswordResetOnASingleSignOnBrand(t *testing.T) {
	mx := newNotifySMTP(t)
	s := newSSOSite(t, mx.withSMTP)
	ctx := context.Background()
	root, err := s.members.Create(ctx, account.Signup{BrandID: s.brand.ID, Username: "root", Email: "root@example.com", Password: "roots-password"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.members.Grant(ctx, s.brand.ID, root.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	resetAccount(t, s.site, "peter", "peters-old-password") // joined with a password before the switch
	s.op.AddUser(oidcop.User{Subject: "sub-olga", Username: "olga", Password: "op-pass", Email: "olga@corp.test", EmailVerified: true})
	if r := s.signInVia(s.browser(), s.provider.ID, "olga", "op-pass"); r.code != http.StatusSeeOther {
		t.Fatalf("olga joins through the provider: %d", r.code)
	}
	admin := s.signedIn(s.admin)
	admin.get("/admin/sso")
	if r := admin.post("/admin/sso/password-signup", url.Values{"password_signup": {"off"}}); r.code != http.StatusSeeOther {
		t.Fatalf("turning password sign-up off = %d", r.code)
	}
	s.notifyRun() // mail queued before (olga's welcome) goes now
	sentBefore := len(mx.received())

	page := s.browser().get("/password/forgot")
	for _, want := range []string{"Sign in with Acme ID", "there is no password here to reset", "Administrators, and accounts not yet connected", `name="login"`} {
		if page.code != http.StatusOK || !strings.Contains(page.body, want) {
			t.Errorf("forgot page on a single sign-on brand lacks %q: %d\n%s", want, page.code, clip(page.body))
		}
	}
	ask := func(login string) *response {
		t.Helper()
		b := s.browser()
		b.get("/password/forgot")
		return b.post("/password/forgot", url.Values{"login": {login}})
	}
	answers := map[string]*response{}
	for _, login := range []string{"olga", "peter@example.com", "root", "nobody-here"} {
		answers[login] = ask(login)
	}
	for login, r := range answers {
		if r.code != http.StatusOK || r.body != answers["root"].body {
			t.Errorf("the answer for %s differs from an administrator's: %d\n%s", login, r.code, clip(r.body))
		}
	}
	if a := answers["root"].body; !strings.Contains(a, "uses a password") || !strings.Contains(a, "Sign in with Acme ID") {
		t.Errorf("answer:\n%s", clip(a))
	}
	if run := s.notifyRun(); run.Sent != 2 {
		t.Fatalf("outbox run = %+v, want the administrator's and peter's mails only", run)
	}
	links := map[string]string{}
	for _, m := range mx.received()[sentBefore:] {
		if l := resetLinkRe.FindStringSubmatch(m.Body); l != nil {
			links[m.To[0]] = l[1]
		}
	}
	if len(links) != 2 || links["root@example.com"] == "" || links["peter@example.com"] == "" {
		t.Fatalf("reset links went to %v, want root and peter", links)
	}
	// The break-glass way in works.
	link := links["root@example.com"]
	b := s.browser()
	b.get(link)
	if r := b.post(link, url.Values{"password": {"roots-new-password"}, "confirm": {"roots-new-password"}}); r.code != http.StatusSeeOther {
		t.Fatalf("administrator's reset: %d %s", r.code, clip(r.body))
	}
	b.get("/login?password=1")
	if r := b.post("/login", url.Values{"login": {"root"}, "password": {"roots-new-password"}}); r.code != http.StatusSeeOther {
		t.Errorf("administrator signs in with the new password: %d %s", r.code, clip(r.body))
	}
	// peter's password confirms that the provider account with his address is his.
	pb := s.browser()
	pb.get(links["peter@example.com"])
	if r := pb.post(links["peter@example.com"], url.Values{"password": {"peters-new-password"}, "confirm": {"peters-new-password"}}); r.code != http.StatusSeeOther {
		t.Fatalf("peter's reset: %d %s", r.code, clip(r.body))
	}
	s.op.AddUser(oidcop.User{Subject: "sub-peter", Username: "pete", Password: "op-pass", Email: "peter@example.com", EmailVerified: true})
	if r := s.signInVia(pb, s.provider.ID, "pete", "op-pass"); r.header.Get("Location") != "/sso/link" {
		t.Fatalf("peter at the provider: %d %s", r.code, r.header.Get("Location"))
	}
	pb.get("/sso/link")
	if r := pb.post("/sso/link", url.Values{"password": {"peters-new-password"}}); r.code != http.StatusSeeOther || !strings.Contains(pb.get("/").body, "peter") {
		t.Errorf("peter connects the provider with his new password: %d %s", r.code, clip(r.body))
	}
	s.noErrorLogs()
}
