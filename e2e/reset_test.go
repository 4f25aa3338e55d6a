package e2e

import (
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

	"mutual/app"
)

// mailbox is a real SMTP server on loopback (go-smtp): the app's outbox
// delivers to it over the protocol, and the journey reads what arrived.
type mailbox struct {
	addr string
	mu   sync.Mutex
	mail []*mail.Message
	body []string
}

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	mb := &mailbox{}
	srv := smtp.NewServer(mb)
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mb.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return mb
}

// configure points the app's mail at the mailbox and sends every 200 ms.
func (mb *mailbox) configure(c *app.Config) {
	host, port, _ := net.SplitHostPort(mb.addr)
	c.Notify.SMTPHost, c.Notify.SMTPTLS, c.Notify.SiteURL = host, "none", "http://{host}"
	c.Notify.SMTPPort, _ = strconv.Atoi(port)
	c.Notify.MailInterval = 200 * time.Millisecond
}

// await waits for a mail whose subject contains subject and returns its body.
func (mb *mailbox) await(t *testing.T, subject string) string {
	t.Helper()
	for deadline := time.Now().Add(stepBudget); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		mb.mu.Lock()
		for i, m := range mb.mail {
			if strings.Contains(m.Header.Get("Subject"), subject) {
				body := mb.body[i]
				mb.mu.Unlock()
				return body
			}
		}
		mb.mu.Unlock()
	}
	t.Fatalf("no mail about %q arrived within %s", subject, stepBudget)
	return ""
}

func (mb *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return mailboxSession{mb}, nil }

type mailboxSession struct{ mb *mailbox }

func (mailboxSession) Reset()                               {}
func (mailboxSession) Logout() error                        { return nil }
func (mailboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (mailboxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s mailboxSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	s.mb.mu.Lock()
	s.mb.mail, s.mb.body = append(s.mb.mail, m), append(s.mb.body, string(text))
	s.mb.mu.Unlock()
	return nil
}

var resetPath = regexp.MustCompile(`http://[^/\s]+(/password/reset/[A-Za-z0-9_-]+)`)

// TestJourneyPasswordReset: a member who is signed in on one browser forgets
// the password on another, asks for a link, reads the mail that the loopback
// SMTP server received, follows the link, sets a new password and signs in
// with it; the first browser is signed out, and the link fails a second time.
func TestJourneyPasswordReset(t *testing.T) {
	exe := chromePath(t)
	mb := newMailbox(t)
	base, _ := startApp(t, mb.configure)
	laptop := newBrowser(t, exe)
	signUp(t, laptop, base, "rosa_resets")

	phone := freshVisitor(t, laptop)
	open(t, phone, base+"/login")
	clickAndLoad(t, phone, "click Forgot your password?", `//main`+link("Forgot your password?"))
	if p := here(t, phone, base); p != "/password/forgot" {
		t.Fatalf("the link led to %q", p)
	}
	shoot(t, phone, "reset-forgot")
	do(t, phone, "give the address", chromedp.SendKeys(chromedp.ID("login"), "rosa_resets@example.test"))
	clickAndLoad(t, phone, "ask for a link", button("Send me a link"))
	if h := get(t, phone, "read the answer", chromedp.Text(chromedp.CSS("main h1"))); h != "Check your email" {
		t.Fatalf("after asking: %q", h)
	}
	shoot(t, phone, "reset-sent")

	body := mb.await(t, "Reset your password")
	m := resetPath.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "rosa_resets") {
		t.Fatalf("no reset link in the mail:\n%s", body)
	}
	// The mail links to the brand's host; the test server listens elsewhere.
	open(t, phone, base+m[1])
	if u := get(t, phone, "read whose account", chromedp.Text(chromedp.CSS("main strong"))); u != "rosa_resets" {
		t.Fatalf("the reset page is for %q", u)
	}
	shoot(t, phone, "reset-choose")
	choose := func(what, pw, confirm string) {
		t.Helper()
		do(t, phone, "type "+what, chromedp.SendKeys(chromedp.ID("password"), pw), chromedp.SendKeys(chromedp.ID("confirm"), confirm))
		clickAndLoad(t, phone, "save "+what, button("Save the new password"))
	}
	choose("two different passwords", "a whole new password 2", "a whole new password 3")
	if a := get(t, phone, "read the message", chromedp.Text(chromedp.CSS(".alert"))); !strings.Contains(a, "The two passwords differ") {
		t.Fatalf("mismatched passwords said %q", a)
	}
	shoot(t, phone, "reset-mismatch")
	choose("the new password twice", "a whole new password 2", "a whole new password 2")
	if p := here(t, phone, base); p != "/login" {
		t.Fatalf("saving led to %q", p)
	}
	if f := get(t, phone, "read the flash", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(f, "Your password is changed") {
		t.Fatalf("flash after the reset: %q", f)
	}
	shoot(t, phone, "reset-done")
	do(t, phone, "sign in with the new password",
		chromedp.SendKeys(chromedp.ID("login"), "rosa_resets"),
		chromedp.SendKeys(chromedp.ID("password"), "a whole new password 2"))
	clickAndLoad(t, phone, "submit sign-in", `//main`+button("Sign in"))
	expectSignedIn(t, phone, "rosa_resets")

	// The laptop's session ended with the reset.
	open(t, laptop, base+"/")
	do(t, laptop, "see the signed-out header", chromedp.WaitVisible(`//header`+link("Sign in")))
	if n := get(t, laptop, "look for the member in the header", chromedp.Evaluate[int](`document.querySelectorAll("header a.me").length`)); n != 0 {
		t.Fatal("the other browser is still signed in after the reset")
	}

	// The link works once.
	again := freshVisitor(t, laptop)
	open(t, again, base+m[1])
	if h := get(t, again, "read the page", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(h, "already used") {
		t.Fatalf("the link the second time says:\n%s", h)
	}
	shoot(t, again, "reset-used")
}

// TestJourneyAPITokens: a member makes a token on the settings page, sees it
// once, a program uses it, and once revoked it is refused.
func TestJourneyAPITokens(t *testing.T) {
	exe := chromePath(t)
	base := startServer(t)
	ctx := newBrowser(t, exe)
	signUp(t, ctx, base, "tess_tokens")
	open(t, ctx, base+"/settings/notifications")
	clickAndLoad(t, ctx, "open API tokens", `//nav[@aria-label="Settings"]`+link("API tokens"))
	if p := here(t, ctx, base); p != "/settings/tokens" {
		t.Fatalf("the settings nav led to %q", p)
	}
	shoot(t, ctx, "tokens-empty")
	do(t, ctx, "name the token", chromedp.SendKeys(chromedp.ID("tk-name"), "nightly export"), chromedp.SetValue(chromedp.ID("tk-expires"), "30d"))
	clickAndLoad(t, ctx, "create the token", button("Create token"))
	secret := get(t, ctx, "read the new token", chromedp.Text(chromedp.CSS("[data-tk-secret]")))
	if !strings.HasPrefix(secret, "mut_") {
		t.Fatalf("the page shows %q as the new token", secret)
	}
	shoot(t, ctx, "tokens-created")
	api := func() int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if c := api(); c != 200 {
		t.Fatalf("the new token gets %d", c)
	}
	open(t, ctx, base+"/settings/tokens")
	meta := get(t, ctx, "read the token's line", chromedp.Text(chromedp.CSS(".tk-item .meta")))
	if !strings.Contains(meta, "last used") || !strings.Contains(meta, "expires") {
		t.Fatalf("the token's line says %q", meta)
	}
	if n := get(t, ctx, "look for the token itself", chromedp.Evaluate[int](`document.body.innerHTML.split(`+strconv.Quote(secret)+`).length - 1`)); n != 0 {
		t.Fatal("the token is shown a second time")
	}
	clickAndLoad(t, ctx, "revoke it", `//button[@aria-label="Revoke nightly export"]`)
	if f := get(t, ctx, "read the flash", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(f, "revoked") {
		t.Fatalf("flash after revoking: %q", f)
	}
	shoot(t, ctx, "tokens-revoked")
	if c := api(); c != http.StatusUnauthorized {
		t.Fatalf("the revoked token gets %d, want 401", c)
	}
}
