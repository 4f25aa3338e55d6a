package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mutual/account"
)

var resetLinkRe = regexp.MustCompile(`http://localhost(/password/reset/[A-Za-z0-9_-]+)`)

// resetAccount signs up a member with a password, the way the form does.
func resetAccount(t *testing.T, s *site, name, pw string) account.User {
	t.Helper()
	u, err := s.members.Create(context.Background(), account.Signup{BrandID: s.brand.ID, Username: name, Email: name + "@example.com", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A member who forgot their password asks by username; the same page
// answers for a name that has no account; the mail goes through the real
// loopback SMTP server only when the outbox runs; its link sets a new
// password once, ending every session of the account.
func TestPasswordResetOverHTTP(t *testing.T) {
	mx := newNotifySMTP(t)
	s := newSite(t, mx.withSMTP)
	u := resetAccount(t, s, "forgetful", "the old password")
	other := s.signedIn(member{actor: account.Actor{UserID: u.ID, BrandID: s.brand.ID}})

	if r := s.browser().get("/login"); !strings.Contains(r.body, `href="/password/forgot"`) {
		t.Fatalf("the sign-in page has no forgot-password link:\n%s", clip(r.body))
	}
	ask := func(login string) *response {
		t.Helper()
		b := s.browser()
		b.get("/password/forgot")
		return b.post("/password/forgot", url.Values{"login": {login}})
	}
	known, unknown := ask("forgetful"), ask("nobody-here")
	if known.code != http.StatusOK || known.code != unknown.code || known.body != unknown.body {
		t.Fatalf("known and unknown answers differ: %d vs %d\n%s\n---\n%s", known.code, unknown.code, clip(known.body), clip(unknown.body))
	}
	if !strings.Contains(known.body, "Check your email") {
		t.Errorf("answer:\n%s", clip(known.body))
	}
	if len(mx.received()) != 0 {
		t.Fatal("mail went during the request: its time would tell that the account exists")
	}
	if run := s.notifyRun(); run.Sent != 1 {
		t.Fatalf("outbox run = %+v, want one mail", run)
	}
	m := mx.received()[0]
	link := resetLinkRe.FindStringSubmatch(m.Body)
	if m.To[0] != "forgetful@example.com" || !strings.Contains(m.Msg.Header.Get("Subject"), "Reset your password") || link == nil {
		t.Fatalf("reset mail to %v, %q:\n%s", m.To, m.Msg.Header.Get("Subject"), m.Body)
	}
	if m.Msg.Header.Get("List-Unsubscribe") != "" || !strings.Contains(m.Body, "forgetful") || !strings.Contains(m.Body, "one hour") {
		t.Errorf("reset mail headers %v, body:\n%s", m.Msg.Header, m.Body)
	}

	b := s.browser()
	if r := b.get(link[1]); r.code != http.StatusOK || !strings.Contains(r.body, "Choose a new password") || !strings.Contains(r.body, "forgetful") {
		t.Fatalf("link: %d\n%s", r.code, clip(r.body))
	}
	// Bad input: the page again, with a message and no password in it.
	for _, tt := range []struct{ pw, confirm, want string }{
		{"a brand new password", "a brand new passwort", "The two passwords differ"},
		{"short", "short", "Password must be 10 to 256 characters"},
	} {
		r := b.post(link[1], url.Values{"password": {tt.pw}, "confirm": {tt.confirm}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, tt.want) || strings.Contains(r.body, tt.pw) {
			t.Errorf("password %q/%q: %d\n%s", tt.pw, tt.confirm, r.code, clip(r.body))
		}
	}
	r := b.post(link[1], url.Values{"password": {"a brand new password"}, "confirm": {"a brand new password"}})
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Fatalf("reset: %d %s\n%s", r.code, r.header.Get("Location"), clip(r.body))
	}
	if page := b.get("/login"); !strings.Contains(page.body, "Your password is changed") {
		t.Errorf("no confirmation after the reset:\n%s", clip(page.body))
	}
	// The session the account had elsewhere is over.
	if r := other.get("/settings/tokens"); r.code != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("the old session still works: %d %s", r.code, r.header.Get("Location"))
	}
	signIn := s.browser()
	signIn.get("/login")
	if r := signIn.post("/login", url.Values{"login": {"forgetful"}, "password": {"a brand new password"}}); r.code != http.StatusSeeOther {
		t.Errorf("sign in with the new password: %d", r.code)
	}
	// The link works once.
	if r := s.browser().get(link[1]); r.code != http.StatusConflict || !strings.Contains(r.body, "already used") || !strings.Contains(r.body, `href="/password/forgot"`) {
		t.Errorf("link the second time: %d\n%s", r.code, clip(r.body))
	}
	again := s.browser()
	again.get("/password/forgot")
	if r := again.post(link[1], url.Values{"password": {"a third password!"}, "confirm": {"a third password!"}}); r.code != http.StatusConflict {
		t.Errorf("using the link twice: %d", r.code)
	}
	if r := s.browser().get("/password/reset/not-a-token"); r.code != http.StatusNotFound || !strings.Contains(r.body, "not valid") {
		t.Errorf("a made-up link: %d", r.code)
	}
	// The request log names the route, never a token.
	if logs := s.logs.String(); strings.Contains(logs, link[1]) || !strings.Contains(logs, `"path":"/password/reset/:token"`) {
		t.Error("a reset token reached the request log, or the route is not logged")
	}
	s.noErrorLogs()
}

// Expired links, empty input, and the limits per address and per account.
func TestPasswordResetLimitsAndBadInput(t *testing.T) {
	mx := newNotifySMTP(t)
	s := newSite(t, mx.withSMTP)
	resetAccount(t, s, "target", "the old password")

	b := s.browser()
	b.get("/password/forgot")
	r := b.post("/password/forgot", url.Values{"login": {"   "}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Enter the username or the email address") {
		t.Errorf("empty login: %d\n%s", r.code, clip(r.body))
	}
	long := strings.Repeat("x", 300)
	if r := b.post("/password/forgot", url.Values{"login": {long}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="`+long) {
		t.Errorf("overlong login: %d (what was typed must stay in the form)", r.code)
	}

	// Per account: from many addresses, at most three mails an hour; the
	// answer never changes.
	var bodies []string
	for i := 0; i < 5; i++ {
		c := s.browser()
		c.remote = "198.51.100." + itoa(int64(10+i)) + ":5000"
		c.get("/password/forgot")
		r := c.post("/password/forgot", url.Values{"login": {"target@example.com"}})
		if r.code != http.StatusOK {
			t.Fatalf("request %d: %d", i, r.code)
		}
		bodies = append(bodies, r.body)
		s.notifyRun()
	}
	if n := len(mx.received()); n != account.ResetsPerHour {
		t.Errorf("%d mails to one account in an hour, want %d", n, account.ResetsPerHour)
	}
	if bodies[0] != bodies[4] {
		t.Error("the answer past the account's limit differs from the first")
	}

	// Per address: five requests in fifteen minutes, then 429, whatever the name.
	c := s.browser()
	c.remote = "203.0.113.7:5000"
	c.get("/password/forgot")
	for i := 0; i < 5; i++ {
		if r := c.post("/password/forgot", url.Values{"login": {"someone" + itoa(int64(i))}}); r.code != http.StatusOK {
			t.Fatalf("request %d from one address: %d", i, r.code)
		}
	}
	r = c.post("/password/forgot", url.Values{"login": {"someone-else"}})
	if r.code != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("sixth request from one address: %d", r.code)
	}

	// A link is good for an hour.
	link := resetLinkRe.FindStringSubmatch(mx.received()[len(mx.received())-1].Body)
	s.clock.Add(time.Hour)
	if r := s.browser().get(link[1]); r.code != http.StatusConflict || !strings.Contains(r.body, "expired") {
		t.Errorf("an hour-old link: %d\n%s", r.code, clip(r.body))
	}
	s.noErrorLogs()
}

// Without email the page says so instead of promising a mail.
func TestPasswordResetWithoutMail(t *testing.T) {
	s := newSite(t)
	resetAccount(t, s, "offline", "the old password")
	b := s.browser()
	if r := b.get("/password/forgot"); r.code != 200 || !strings.Contains(r.body, "does not send email") || strings.Contains(r.body, `name="login"`) {
		t.Errorf("forgot page without mail: %d\n%s", r.code, clip(r.body))
	}
	// A form from before mail was turned off may still be sent.
	if r := b.post("/password/forgot", url.Values{"login": {"offline"}, "csrf": {b.cookies["mutual_csrf"]}}); r.code != 200 || !strings.Contains(r.body, "does not send email") {
		t.Errorf("asking without mail: %d", r.code)
	}
	var n int
	if err := s.app.DB().QueryRow(context.Background(), `SELECT COUNT(*) FROM password_resets`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d reset requests recorded with no way to mail them (%v)", n, err)
	}
}
