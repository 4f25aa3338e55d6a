package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
)

// content is a small community: a solved thread with a question and an
// accepted reply, and an unanswered thread.
type content struct {
	asker, helper, other, mod member
	solved                    forum.Thread
	question, answer          forum.Post
	open                      forum.Thread
}

func (s *site) seed() content {
	s.t.Helper()
	ctx := context.Background()
	c := content{
		asker:  s.user(s.brand.ID, "asker"),
		helper: s.user(s.brand.ID, "helper"),
		other:  s.user(s.brand.ID, "other"),
		mod:    s.user(s.brand.ID, "moddy", "moderator"),
	}
	var err error
	c.solved, err = s.svc.Ask(ctx, c.asker.actor, forum.NewThread{BoardID: s.board.ID, Title: "Why is my bill higher this month?",
		Body: "My bill went up by **ten pounds** without warning."})
	if err != nil {
		s.t.Fatal(err)
	}
	s.clock.Add(time.Minute)
	if c.answer, err = s.svc.Reply(ctx, c.helper.actor, c.solved.ID, forum.NewReply{Body: "Check the roaming charges section."}); err != nil {
		s.t.Fatal(err)
	}
	if c.solved, err = s.svc.Accept(ctx, c.asker.actor, c.solved.ID, c.answer.ID); err != nil {
		s.t.Fatal(err)
	}
	pg, err := s.svc.Page(ctx, s.brand.ID, c.solved.ID, 0, forum.Cursor{})
	if err != nil {
		s.t.Fatal(err)
	}
	c.question = pg.Question
	s.clock.Add(time.Minute)
	if c.open, err = s.svc.Ask(ctx, c.other.actor, forum.NewThread{BoardID: s.board.ID, Title: "Nobody has answered this one yet",
		Body: "Still waiting for somebody to help."}); err != nil {
		s.t.Fatal(err)
	}
	return c
}

func threadPath(t forum.Thread) string { return "/t/" + itoa(t.ID) + "/" + t.Slug }

func boardPath(b forum.Board) string { return "/b/" + itoa(b.ID) + "/" + b.Slug }

// TestPages walks every page route as a visitor and as members with
// different rights.
func TestPages(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	asker, other, mod := s.signedIn(c.asker), s.signedIn(c.other), s.signedIn(c.mod)
	solved, open, board := threadPath(c.solved), threadPath(c.open), boardPath(s.board)
	q, r := itoa(c.question.ID), itoa(c.answer.ID)
	G := http.MethodGet

	s.run([]scenario{
		{name: "home anonymous", method: G, path: "/", status: 200,
			contains:    []string{"Mutual Mobile", "Billing and plans", "Why is my bill higher this month?", "Nobody has answered this one yet", `href="/login"`},
			notContains: []string{`action="/logout"`}},
		{name: "home signed in", method: G, path: "/", as: asker, status: 200,
			contains: []string{`href="/u/asker"`, `action="/logout"`, `name="csrf"`}},

		{name: "board anonymous", method: G, path: board, status: 200,
			contains: []string{"Billing and plans", "Why is my bill higher", "Nobody has answered", "badge-solved", "badge-open"}},
		{name: "board signed in", method: G, path: board, as: other, status: 200, contains: []string{"Why is my bill higher"}},
		{name: "board without slug", method: G, path: "/b/" + itoa(s.board.ID), status: 301, location: board},
		{name: "board wrong slug keeps query", method: G, path: "/b/" + itoa(s.board.ID) + "/old-name?filter=solved", status: 301, location: board + "?filter=solved"},
		{name: "board unanswered", method: G, path: board + "?filter=unanswered", status: 200,
			contains: []string{"Nobody has answered"}, notContains: []string{"Why is my bill higher"}},
		{name: "board solved", method: G, path: board + "?filter=solved", status: 200,
			contains: []string{"Why is my bill higher"}, notContains: []string{"Nobody has answered"}},

		{name: "thread anonymous", method: G, path: solved, status: 200,
			contains:    []string{"Why is my bill higher this month?", "<strong>ten pounds</strong>", "Check the roaming charges section.", "Accepted answer", `href="/login?next=` + solved},
			notContains: []string{`action="/t/` + itoa(c.solved.ID) + `/reply"`, "Give kudos", `name="csrf"`}},
		{name: "thread signed in as asker", method: G, path: solved, as: asker, status: 200,
			// A new account is told when it may give kudos, not offered a button that refuses.
			contains:    []string{`action="/t/` + itoa(c.solved.ID) + `/reply"`, `name="client_key"`, "Withdraw accepted answer", "New accounts can give kudos once"},
			notContains: []string{"Give kudos"}},
		{name: "thread signed in as other", method: G, path: solved, as: other, status: 200,
			contains: []string{`action="/t/` + itoa(c.solved.ID) + `/reply"`}, notContains: []string{"Withdraw accepted answer"}},
		{name: "unanswered thread", method: G, path: open, status: 200, contains: []string{"Unanswered", "No replies yet"}},
		{name: "thread without slug", method: G, path: "/t/" + itoa(c.solved.ID), status: 301, location: solved},

		{name: "ask anonymous goes to sign in", method: G, path: "/ask", status: 303, location: "/login?next=%2Fask"},
		{name: "ask signed in", method: G, path: "/ask?board=" + itoa(s.board.ID), as: other, status: 200,
			contains: []string{`action="/ask"`, "Billing and plans", `name="client_key"`, "selected"}},

		{name: "login anonymous", method: G, path: "/login", status: 200, contains: []string{`action="/login"`, `name="password"`, `name="csrf"`}},
		{name: "login anonymous keeps local next", method: G, path: "/login?next=" + url.QueryEscape(solved), status: 200, contains: []string{`value="` + solved + `"`}},
		{name: "login anonymous drops offsite next", method: G, path: "/login?next=//evil.example/x", status: 200,
			contains: []string{`name="next" value="/"`}, notContains: []string{"evil.example"}},
		{name: "login signed in goes on", method: G, path: "/login?next=" + url.QueryEscape(solved), as: asker, status: 303, location: solved},
		{name: "login signed in offsite next", method: G, path: "/login?next=https://evil.example/", as: asker, status: 303, location: "/"},

		{name: "signup anonymous", method: G, path: "/signup", status: 200, contains: []string{`action="/signup"`, `name="email"`}},
		{name: "signup signed in", method: G, path: "/signup", as: asker, status: 200},

		{name: "profile anonymous", method: G, path: "/u/asker", status: 200, contains: []string{"asker", "Why is my bill higher", "reputation"}},
		{name: "profile of helper shows accepted answer", method: G, path: "/u/HELPER", as: other, status: 200, contains: []string{"Accepted", "Why is my bill higher"}},
		{name: "profile unknown", method: G, path: "/u/nobody", status: 404, contains: []string{"There is no member called nobody here."}},

		{name: "edit anonymous goes to sign in", method: G, path: "/p/" + q + "/edit", status: 303, location: "/login?next=%2Fp%2F" + q + "%2Fedit"},
		{name: "edit own question", method: G, path: "/p/" + q + "/edit", as: asker, status: 200,
			contains: []string{"Edit question", "My bill went up by **ten pounds**", `name="title"`}},
		{name: "edit someone else's post", method: G, path: "/p/" + r + "/edit", as: other, status: 403},
		{name: "moderator edits any post", method: G, path: "/p/" + r + "/edit", as: mod, status: 200,
			contains: []string{"Edit reply", "Check the roaming charges"}, notContains: []string{`name="title"`}},
		{name: "edit unknown post", method: G, path: "/p/99999/edit", as: asker, status: 404},

		{name: "history anonymous", method: G, path: "/p/" + q + "/history", status: 200, contains: []string{"Edit history", "Revision 1", "ten pounds"}},
		{name: "history signed in", method: G, path: "/p/" + r + "/history", as: other, status: 200, contains: []string{"Revision 1", "roaming charges"}},
	})
}

// TestSecurityHeaders: every response carries the CSP, and it allows no
// inline script or style.
func TestSecurityHeaders(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	for _, p := range []string{"/", "/login", "/nowhere", "/api/v1/boards", "/healthz", "/brand.css"} {
		r := b.get(p)
		csp := r.header.Get("Content-Security-Policy")
		if csp == "" {
			t.Errorf("%s: no Content-Security-Policy", p)
			continue
		}
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows unsafe code: %q", p, csp)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: missing nosniff or frame denial: %v", p, r.header)
		}
	}
	// Pages load no inline script or style that the CSP would block.
	page := b.get("/login").body
	for _, bad := range []string{"<script>", "style=", " onclick=", " onload="} {
		if strings.Contains(page, bad) {
			t.Errorf("login page contains %q, which the CSP blocks", bad)
		}
	}
}

func TestHealthzBrandCSSAndStatic(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	r := b.get("/healthz")
	if r.code != 200 || r.json(t)["status"] != "ok" {
		t.Errorf("/healthz = %d %s", r.code, r.body)
	}

	r = b.get("/brand.css")
	if r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Fatalf("/brand.css = %d %s", r.code, r.header.Get("Content-Type"))
	}
	if !strings.Contains(r.body, "--brand:"+s.brand.ColorPrimary) || !strings.Contains(r.body, "--accent:"+s.brand.ColorAccent) {
		t.Errorf("/brand.css = %q, want the brand's colours", r.body)
	}
	etag := r.header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, "/brand.css", nil)
	req.Header.Set("If-None-Match", etag)
	if r2 := b.do(req); etag == "" || r2.code != http.StatusNotModified {
		t.Errorf("/brand.css with If-None-Match %q = %d, want 304", etag, r2.code)
	}

	// The layout links hashed assets that are served with a long cache.
	page := b.get("/").body
	i := strings.Index(page, `href="/static/`)
	if i < 0 {
		t.Fatal("home page links no /static/ stylesheet")
	}
	href := page[i+6:]
	href = href[:strings.IndexByte(href, '"')]
	r = b.get(href)
	if r.code != 200 || !strings.Contains(r.header.Get("Cache-Control"), "immutable") || len(r.body) == 0 {
		t.Errorf("%s = %d, Cache-Control %q", href, r.code, r.header.Get("Cache-Control"))
	}
	if r := b.get("/static/nope.css"); r.code != 404 {
		t.Errorf("/static/nope.css = %d, want 404", r.code)
	}
}

func TestSignUpFlow(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.remote = "203.0.113.5:1000"
	if r := b.get("/signup"); r.code != 200 || b.csrf == "" || b.cookies["mutual_csrf"] == "" {
		t.Fatalf("signup form = %d; csrf %q cookie %q", r.code, b.csrf, b.cookies["mutual_csrf"])
	}

	// A rejected form keeps what was typed, except the password, escaped.
	r := b.post("/signup", url.Values{"username": {`<img src=x onerror=alert(1)>`}, "email": {"new@example.com"}, "password": {"secret-pass-1"}})
	if r.code != http.StatusUnprocessableEntity {
		t.Fatalf("bad signup = %d", r.code)
	}
	for _, w := range []string{`value="&lt;img src=x onerror=alert(1)&gt;"`, `value="new@example.com"`, "Username must be"} {
		if !strings.Contains(r.body, w) {
			t.Errorf("rejected signup lacks %q", w)
		}
	}
	if strings.Contains(r.body, "secret-pass-1") || strings.Contains(r.body, "<img src=x") {
		t.Error("rejected signup echoes the password or unescaped markup")
	}
	if r.cookie("mutual_session") != nil {
		t.Error("a rejected signup set a session cookie")
	}

	r = b.post("/signup", url.Values{"username": {"newbie"}, "email": {"newbie@example.com"}, "password": {"secret-pass-1"}})
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("signup = %d → %q\n%s", r.code, r.header.Get("Location"), clip(r.body))
	}
	ck := r.cookie("mutual_session")
	if ck == nil || ck.Value == "" {
		t.Fatalf("signup set no session cookie: %v", r.cookies)
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure || ck.MaxAge <= 0 {
		t.Errorf("session cookie = %+v; want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP, persistent", ck)
	}
	home := b.get("/")
	if !strings.Contains(home.body, `href="/u/newbie"`) || !strings.Contains(home.body, "Welcome! Your account is ready.") {
		t.Errorf("home after signup does not greet newbie:\n%s", clip(home.body))
	}
	if r := b.api(http.MethodGet, "/api/v1/me", nil); r.code != 200 || r.json(t)["username"] != "newbie" {
		t.Errorf("/api/v1/me after signup = %d %s", r.code, r.body)
	}

	// The same name in another case is taken.
	b2 := s.browser()
	b2.remote = "203.0.113.6:1000"
	b2.get("/signup")
	r = b2.post("/signup", url.Values{"username": {"NEWBIE"}, "email": {"other@example.com"}, "password": {"secret-pass-2"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "taken") {
		t.Errorf("duplicate signup = %d", r.code)
	}
}

// passwordUser makes an account that can sign in (one argon2 hash).
func (s *site) passwordUser(name, pw string) account.User {
	s.t.Helper()
	u, err := s.members.Create(context.Background(), account.Signup{BrandID: s.brand.ID, Username: name, Email: name + "@example.com", Password: pw})
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

func TestSignInIssuesNewSessionAndSignOutRevokes(t *testing.T) {
	s := newSite(t)
	s.passwordUser("carol", "carols-password")
	b := s.browser()
	// A session id planted before sign-in (fixation) must not survive it.
	b.cookies["mutual_session"] = "planted-by-attacker"
	b.get("/login")
	r := b.post("/login", url.Values{"login": {"carol"}, "password": {"carols-password"}, "next": {"/u/carol"}})
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/u/carol" {
		t.Fatalf("login = %d → %q\n%s", r.code, r.header.Get("Location"), clip(r.body))
	}
	first := b.cookies["mutual_session"]
	if first == "" || first == "planted-by-attacker" {
		t.Fatalf("login kept session id %q", first)
	}
	if ck := r.cookie("mutual_session"); ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("login cookie = %+v", ck)
	}

	// Signing in again while signed in issues a new id and revokes the old.
	b.get("/")
	r = b.post("/login", url.Values{"login": {"carol"}, "password": {"carols-password"}})
	second := b.cookies["mutual_session"]
	if r.code != http.StatusSeeOther || second == "" || second == first {
		t.Fatalf("second login = %d, session %q (first %q)", r.code, second, first)
	}
	stale := s.browser()
	stale.cookies["mutual_session"] = first
	if r := stale.api(http.MethodGet, "/api/v1/me", nil); r.code != http.StatusUnauthorized {
		t.Errorf("old session after re-login: /api/v1/me = %d, want 401", r.code)
	}
	if r := b.api(http.MethodGet, "/api/v1/me", nil); r.code != 200 {
		t.Fatalf("new session: /api/v1/me = %d", r.code)
	}

	// Sign-out without the token is refused and changes nothing.
	r = b.post("/logout", url.Values{"csrf": {""}})
	if r.code != http.StatusForbidden {
		t.Errorf("logout without token = %d, want 403", r.code)
	}
	if r := b.api(http.MethodGet, "/api/v1/me", nil); r.code != 200 {
		t.Fatalf("session after refused logout: %d", r.code)
	}
	b.get("/")
	r = b.post("/logout", nil)
	if r.code != http.StatusSeeOther {
		t.Fatalf("logout = %d", r.code)
	}
	if ck := r.cookie("mutual_session"); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("logout did not clear the cookie: %+v", ck)
	}
	// The server forgot the session: replaying the old cookie does not work.
	replay := s.browser()
	replay.cookies["mutual_session"] = second
	if r := replay.api(http.MethodGet, "/api/v1/me", nil); r.code != http.StatusUnauthorized {
		t.Errorf("replayed cookie after logout: /api/v1/me = %d, want 401", r.code)
	}
	if r := replay.get("/"); strings.Contains(r.body, `action="/logout"`) {
		t.Error("replayed cookie after logout still shows a signed-in page")
	}

	// Wrong passwords re-render the form with the login kept.
	b.get("/login")
	r = b.post("/login", url.Values{"login": {"carol"}, "password": {"wrong-password"}})
	if r.code != http.StatusUnauthorized || !strings.Contains(r.body, "Wrong username or password") || !strings.Contains(r.body, `value="carol"`) {
		t.Errorf("wrong password = %d\n%s", r.code, clip(r.body))
	}
}

func TestSessionExpiresWithClock(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "sleepy")
	b := s.signedIn(m)
	if r := b.api(http.MethodGet, "/api/v1/me", nil); r.code != 200 {
		t.Fatalf("fresh session = %d", r.code)
	}
	s.clock.Add(account.SessionTTL + time.Minute)
	r := b.api(http.MethodGet, "/api/v1/me", nil)
	if r.code != http.StatusUnauthorized {
		t.Errorf("expired session = %d, want 401", r.code)
	}
	if ck := r.cookie("mutual_session"); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("an expired session cookie should be cleared: %+v", ck)
	}
}

func TestSecureCookies(t *testing.T) {
	s := newSite(t, func(c *app.Config) { c.SecureCookies = true })
	b := s.browser()
	b.remote = "203.0.113.7:1000"
	r := b.get("/signup")
	if ck := r.cookie("__Host-mutual_csrf"); ck == nil || !ck.Secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly {
		t.Errorf("form token cookie = %+v; want __Host- prefixed, Secure, Path=/, no Domain", ck)
	}
	if r.cookie("mutual_csrf") != nil {
		t.Error("plain mutual_csrf cookie set with SecureCookies")
	}
	r = b.post("/signup", url.Values{"username": {"secure_sam"}, "email": {"sam@example.com"}, "password": {"secret-pass-1"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("signup = %d\n%s", r.code, clip(r.body))
	}
	ck := r.cookie("__Host-mutual_session")
	if ck == nil || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("session cookie = %+v; want __Host-, Secure, HttpOnly, SameSite=Lax, Path=/", ck)
	}
	if r.cookie("mutual_session") != nil {
		t.Error("plain mutual_session cookie set with SecureCookies")
	}
	if r := b.api(http.MethodGet, "/api/v1/me", nil); r.code != 200 {
		t.Errorf("__Host- session not accepted: %d", r.code)
	}
	// The plain name is not read when cookies are secure.
	plain := s.browser()
	plain.cookies["mutual_session"] = ck.Value
	if r := plain.api(http.MethodGet, "/api/v1/me", nil); r.code != http.StatusUnauthorized {
		t.Errorf("plain-named cookie accepted with SecureCookies: %d", r.code)
	}
}

// TestSignInThrottle: the seventh attempt in a minute, from one address or
// against one account, is refused with 429 and Retry-After.
func TestSignInThrottle(t *testing.T) {
	s := newSite(t)
	s.passwordUser("victim", "victims-password")
	if s.cfg.LoginPerMin != 6 {
		t.Fatalf("LoginPerMin = %d; the test expects the default 6", s.cfg.LoginPerMin)
	}
	retryAfter := func(r *response) {
		t.Helper()
		n, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || n < 1 || n > 61 {
			t.Errorf("Retry-After = %q, want 1..61 seconds", r.header.Get("Retry-After"))
		}
	}

	// Per address: different accounts, one address.
	b := s.browser()
	b.remote = "198.51.100.7:5555"
	b.get("/login")
	for i := 1; i <= 7; i++ {
		r := b.post("/login", url.Values{"login": {"nobody" + strconv.Itoa(i)}, "password": {"guess-guess"}})
		want := http.StatusUnauthorized
		if i == 7 {
			want = http.StatusTooManyRequests
		}
		if r.code != want {
			t.Fatalf("address attempt %d = %d, want %d", i, r.code, want)
		}
		if i == 7 {
			retryAfter(r)
			if !strings.Contains(r.body, "Too many attempts") {
				t.Errorf("429 page does not explain: %s", clip(r.body))
			}
		}
	}
	// Another address is not affected.
	b.remote = "198.51.100.8:5555"
	if r := b.post("/login", url.Values{"login": {"nobody"}, "password": {"guess-guess"}}); r.code != http.StatusUnauthorized {
		t.Errorf("other address = %d, want 401", r.code)
	}

	// Per account: one account, a new address each time.
	for i := 1; i <= 7; i++ {
		b.remote = "192.0.2." + strconv.Itoa(100+i) + ":4000"
		r := b.post("/login", url.Values{"login": {"VICTIM"}, "password": {"wrong-password"}})
		want := http.StatusUnauthorized
		if i == 7 {
			want = http.StatusTooManyRequests
		}
		if r.code != want {
			t.Fatalf("account attempt %d = %d, want %d", i, r.code, want)
		}
		if i == 7 {
			retryAfter(r)
		}
	}
	// Even the right password waits out the window.
	b.remote = "192.0.2.200:4000"
	if r := b.post("/login", url.Values{"login": {"victim"}, "password": {"victims-password"}}); r.code != http.StatusTooManyRequests {
		t.Errorf("right password during lockout = %d, want 429", r.code)
	}
	// A minute later (the clock moves; nobody sleeps) sign-in works again.
	s.clock.Add(time.Minute)
	if r := b.post("/login", url.Values{"login": {"victim"}, "password": {"victims-password"}}); r.code != http.StatusSeeOther {
		t.Errorf("after the window = %d, want 303", r.code)
	}
	b.remote = "198.51.100.7:5555"
	b.cookies = map[string]string{}
	b.get("/login")
	if r := b.post("/login", url.Values{"login": {"nobody"}, "password": {"guess-guess"}}); r.code != http.StatusUnauthorized {
		t.Errorf("first address after the window = %d, want 401", r.code)
	}
	s.noErrorLogs()
}

func countThreads(t *testing.T, s *site) int {
	t.Helper()
	var n int
	if err := s.app.DB().QueryRow(context.Background(), `SELECT COUNT(*) FROM threads`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCSRF(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "writer")
	b := s.signedIn(m)
	b.get("/ask")
	bid := itoa(s.board.ID)
	ask := func(title string) url.Values {
		return url.Values{"board_id": {bid}, "title": {title}, "body": {"Typed with <b>care</b> & patience, line one."}, "client_key": {"ck-" + title[:4]}}
	}

	// No token: nothing saved, and the form comes back filled in.
	f := ask("Lost token question")
	f.Set("csrf", "")
	r := b.post("/ask", f)
	if r.code != http.StatusForbidden {
		t.Fatalf("POST /ask without token = %d", r.code)
	}
	for _, w := range []string{"Please send that again", `value="Lost token question"`, "Typed with &lt;b&gt;care&lt;/b&gt; &amp; patience", `name="csrf" value="`, `action="/ask"`, `name="board_id" value="` + bid + `"`} {
		if !strings.Contains(r.body, w) {
			t.Errorf("expired form lacks %q\n%s", w, clip(r.body))
		}
	}
	// ... and sending it again, with the token the page gave, works.
	f.Set("csrf", b.csrf)
	if r := b.post("/ask", f); r.code != http.StatusSeeOther {
		t.Errorf("resend from the expired page = %d", r.code)
	}

	f = ask("Wrong token question")
	f.Set("csrf", "not-the-token")
	if r := b.post("/ask", f); r.code != http.StatusForbidden {
		t.Errorf("POST /ask with a wrong token = %d, want 403", r.code)
	}

	// Anonymous forms are protected too, and keep what was typed.
	anon := s.browser()
	r = anon.post("/login", url.Values{"login": {"someone"}, "password": {"pw-pw-pw-pw"}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, `value="someone"`) || strings.Contains(r.body, "pw-pw-pw-pw") {
		t.Errorf("anonymous login without token = %d (login kept, password dropped expected)", r.code)
	}

	// Cross-origin requests are refused even with a valid token.
	for _, hdr := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		req, _ := http.NewRequest(http.MethodPost, "/ask", strings.NewReader(func() string { v := ask("Cross origin question"); v.Set("csrf", b.csrf); return v.Encode() }()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(hdr[0], hdr[1])
		if r := b.do(req); r.code != http.StatusForbidden {
			t.Errorf("POST /ask with %s: %s = %d, want 403", hdr[0], hdr[1], r.code)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, "/ask", strings.NewReader(func() string { v := ask("Same origin question"); v.Set("csrf", b.csrf); return v.Encode() }()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", "http://localhost")
	if r := b.do(req); r.code != http.StatusSeeOther {
		t.Errorf("same-origin POST /ask = %d, want 303", r.code)
	}

	// The API: a session cookie needs X-CSRF-Token; a bearer token does not.
	body := map[string]any{"board_id": s.board.ID, "title": "API question via cookie", "body": "Body long enough here."}
	r = b.api(http.MethodPost, "/api/v1/threads", body, "X-CSRF-Token", "")
	if r.code != http.StatusForbidden {
		t.Fatalf("API with cookie, no token = %d", r.code)
	}
	if e := r.json(t)["error"].(map[string]any); e["code"] != "csrf" || e["message"] == "" {
		t.Errorf("API csrf error = %v", e)
	}
	if r := b.api(http.MethodPost, "/api/v1/threads", body, "X-CSRF-Token", "stale"); r.code != http.StatusForbidden {
		t.Errorf("API with cookie and a wrong token = %d", r.code)
	}
	if r := b.api(http.MethodPost, "/api/v1/threads", body); r.code != http.StatusCreated {
		t.Errorf("API with cookie and token = %d %s", r.code, r.body)
	}
	body["title"] = "API question via bearer"
	if r := s.bearerClient(m).api(http.MethodPost, "/api/v1/threads", body); r.code != http.StatusCreated {
		t.Errorf("API with bearer, no CSRF token = %d %s", r.code, r.body)
	}
	if n := countThreads(t, s); n != 4 {
		t.Errorf("%d threads; want 4 (resent form, same-origin form, cookie API, bearer API)", n)
	}
	s.noErrorLogs()
}

func TestAskFormKeepsInputAndClientKey(t *testing.T) {
	s := newSite(t)
	b := s.signedIn(s.user(s.brand.ID, "asker"))
	b.get("/ask")
	bid := itoa(s.board.ID)

	r := b.post("/ask", url.Values{"board_id": {bid}, "title": {"Short"}, "body": {"A body that is <long> enough & kept"}, "client_key": {"key-1"}})
	if r.code != http.StatusUnprocessableEntity {
		t.Fatalf("short title = %d", r.code)
	}
	for _, w := range []string{`value="Short"`, "A body that is &lt;long&gt; enough &amp; kept", "at least 8 characters", `name="client_key" value="key-1"`} {
		if !strings.Contains(r.body, w) {
			t.Errorf("rejected ask lacks %q", w)
		}
	}
	r = b.post("/ask", url.Values{"board_id": {bid}, "title": {"A fine title here"}, "body": {strings.Repeat("x", 20001)}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "at most 20,000") || !strings.Contains(r.body, `value="A fine title here"`) {
		t.Errorf("over-long body = %d", r.code)
	}
	r = b.post("/ask", url.Values{"board_id": {"99999"}, "title": {"A fine title here"}, "body": {"A body that is long enough"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "board does not exist") {
		t.Errorf("unknown board = %d", r.code)
	}

	// Preview renders without saving.
	r = b.post("/ask", url.Values{"board_id": {bid}, "title": {"A fine title here"}, "body": {"**bold** <img src=x onerror=alert(1)>"}, "preview": {"1"}})
	if r.code != 200 || !strings.Contains(r.body, "<strong>bold</strong>") || strings.Contains(r.body, "onerror=alert(1)>") && !strings.Contains(r.body, "&lt;img") {
		t.Errorf("preview = %d", r.code)
	}
	// Runaway quoting is refused on the form, in the preview as on sending,
	// with what was typed kept.
	deep := strings.Repeat("> ", 40) + "deep"
	for _, preview := range []string{"1", ""} {
		r = b.post("/ask", url.Values{"board_id": {bid}, "title": {"A fine title here"}, "body": {deep}, "preview": {preview}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "at most 16") || !strings.Contains(r.body, `value="A fine title here"`) {
			t.Errorf("runaway quoting (preview %q) = %d", preview, r.code)
		}
	}
	if countThreads(t, s) != 0 {
		t.Fatal("a rejected or previewed question was saved")
	}

	// Posted twice with one client key: one thread, both answers lead to it.
	f := url.Values{"board_id": {bid}, "title": {"Double submitted question"}, "body": {"Pressed the button twice"}, "client_key": {"dbl-1"}}
	r1 := b.post("/ask", f)
	r2 := b.post("/ask", f)
	if r1.code != http.StatusSeeOther || r2.code != http.StatusSeeOther || r1.header.Get("Location") != r2.header.Get("Location") {
		t.Errorf("double post = %d %q / %d %q", r1.code, r1.header.Get("Location"), r2.code, r2.header.Get("Location"))
	}
	if n := countThreads(t, s); n != 1 {
		t.Errorf("%d threads after a double post, want 1", n)
	}
	page := b.get(r1.header.Get("Location"))
	if page.code != 200 || !strings.Contains(page.body, "Your question is posted") {
		t.Errorf("thread after ask = %d, flash missing", page.code)
	}
}

// TestMemberActionsThroughForms drives reply, edit, kudos, accept and
// withdraw through the HTML forms.
func TestMemberActionsThroughForms(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	other, asker, helper := s.signedIn(c.other), s.signedIn(c.asker), s.signedIn(c.helper)
	tid := itoa(c.open.ID)
	other.get(threadPath(c.open))

	r := other.post("/t/"+tid+"/reply", url.Values{"body": {"x"}, "client_key": {"rk"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "at least 2 characters") || !strings.Contains(r.body, `name="client_key" value="rk"`) {
		t.Errorf("short reply = %d", r.code)
	}
	helper.get("/")
	r = helper.post("/t/"+tid+"/reply", url.Values{"body": {"Try restarting the phone."}, "client_key": {"rk2"}})
	if r.code != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), threadPath(c.open)+"#p") {
		t.Fatalf("reply = %d %q", r.code, r.header.Get("Location"))
	}
	postID := strings.TrimPrefix(r.header.Get("Location"), threadPath(c.open)+"#p")
	if r := helper.post("/t/"+tid+"/reply", url.Values{"body": {"Try restarting the phone."}, "client_key": {"rk2"}}); r.header.Get("Location") != threadPath(c.open)+"#p"+postID {
		t.Errorf("double reply went to %q", r.header.Get("Location"))
	}

	// Anonymous visitors see the new reply (the page cache was invalidated).
	if page := s.browser().get(threadPath(c.open)); !strings.Contains(page.body, "Try restarting the phone.") {
		t.Error("anonymous thread page does not show the new reply")
	}

	// Kudos, once, not on one's own post (accounts give kudos once an hour old).
	s.clock.Add(time.Hour)
	asker.get("/")
	if r := asker.post("/p/"+postID+"/kudos", url.Values{"action": {"give"}}); r.code != http.StatusSeeOther {
		t.Errorf("kudos = %d", r.code)
	}
	if r := helper.post("/p/"+postID+"/kudos", url.Values{"action": {"give"}}); r.code != http.StatusForbidden {
		t.Errorf("kudos on own post = %d, want 403", r.code)
	}
	page := other.get(threadPath(c.open))
	if !strings.Contains(page.body, "Give kudos · 1") {
		t.Errorf("kudos count not shown:\n%s", clip(page.body))
	}

	// Accept: only the asker (other asked c.open).
	if r := asker.post("/t/"+tid+"/accept", url.Values{"post_id": {postID}}); r.code != http.StatusForbidden {
		t.Errorf("non-asker accept = %d, want 403", r.code)
	}
	if r := other.post("/t/"+tid+"/accept", url.Values{"post_id": {"abc"}}); r.code != http.StatusUnprocessableEntity {
		t.Errorf("accept with a bad post id = %d, want 422", r.code)
	}
	if r := other.post("/t/"+tid+"/accept", url.Values{"post_id": {postID}}); r.code != http.StatusSeeOther {
		t.Errorf("accept = %d", r.code)
	}
	if page := s.browser().get(threadPath(c.open)); !strings.Contains(page.body, "Accepted answer") {
		t.Error("anonymous page does not show the accepted answer")
	}
	if r := other.post("/t/"+tid+"/unaccept", nil); r.code != http.StatusSeeOther {
		t.Errorf("unaccept = %d", r.code)
	}

	// Edit: own post yes, others' no; errors keep the text.
	if r := other.post("/p/"+postID+"/edit", url.Values{"body": {"Hijacked text"}}); r.code != http.StatusForbidden {
		t.Errorf("edit someone else's post = %d, want 403", r.code)
	}
	if r := helper.post("/p/"+postID+"/edit", url.Values{"body": {"y"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, ">y</textarea>") {
		t.Errorf("invalid edit = %d", r.code)
	}
	if r := helper.post("/p/"+postID+"/edit", url.Values{"body": {"Try restarting the phone, then the router."}}); r.code != http.StatusSeeOther {
		t.Errorf("edit = %d", r.code)
	}
	hist := s.browser().get("/p/" + postID + "/history")
	if !strings.Contains(hist.body, "Revision 2") || !strings.Contains(hist.body, "then the router") || !strings.Contains(hist.body, "Revision 1") {
		t.Errorf("history after edit:\n%s", clip(hist.body))
	}
	s.noErrorLogs()
}

// TestNoServerErrorsForUserMistakes: bad ids, filters, cursors, encodings and
// bodies are the user's mistake, answered 4xx, never 500, and never logged
// as errors.
func TestNoServerErrorsForUserMistakes(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	m := s.signedIn(c.other)
	m.get("/")
	tid, bid, qid := itoa(c.open.ID), itoa(s.board.ID), itoa(c.question.ID)
	G, P := http.MethodGet, http.MethodPost
	big := strings.Repeat("a", 300<<10)

	s.run([]scenario{
		{name: "thread id not a number", method: G, path: "/t/abc", status: 404},
		{name: "thread id not a number with slug", method: G, path: "/t/abc/slug", status: 404},
		{name: "thread id zero", method: G, path: "/t/0", status: 404},
		{name: "thread id negative", method: G, path: "/t/-3/x", status: 404},
		{name: "thread id unknown", method: G, path: "/t/99999", status: 404, contains: []string{"Page not found"}},
		{name: "thread id overflows", method: G, path: "/t/99999999999999999999999/x", status: 404},
		{name: "thread bad reply cursor", method: G, path: threadPath(c.open) + "?after=%21%21", status: 422},
		{name: "board id not a number", method: G, path: "/b/abc", status: 404},
		{name: "board id unknown", method: G, path: "/b/99999/x", status: 404},
		{name: "board bad filter", method: G, path: boardPath(s.board) + "?filter=%3Cscript%3E", status: 422,
			contains: []string{"filter must be"}, notContains: []string{"<script>"}},
		{name: "board bad cursor", method: G, path: boardPath(s.board) + "?after=bm90LWEtY3Vyc29y", status: 422},
		{name: "history id not a number", method: G, path: "/p/abc/history", status: 404},
		{name: "history unknown", method: G, path: "/p/99999/history", status: 404},
		{name: "edit id not a number", method: G, path: "/p/abc/edit", as: m, status: 404},
		{name: "profile invalid utf-8", method: G, path: "/u/%FF%FE", status: 404},
		{name: "profile very long", method: G, path: "/u/" + strings.Repeat("x", 5000), status: 404},
		{name: "unknown page", method: G, path: "/no/such/page", status: 404},
		{name: "wrong method on a page", method: http.MethodDelete, path: threadPath(c.open), as: m, status: 405},

		{name: "ask invalid utf-8 title", method: P, path: "/ask", as: m, form: url.Values{"board_id": {bid}, "title": {"Bad \xff\xfe title"}, "body": {"A body long enough"}}, status: 422, contains: []string{"not valid UTF-8"}},
		{name: "ask NUL in body", method: P, path: "/ask", as: m, form: url.Values{"board_id": {bid}, "title": {"A good title"}, "body": {"NUL \x00 in here"}}, status: 422},
		{name: "ask board not a number", method: P, path: "/ask", as: m, form: url.Values{"board_id": {"abc"}, "title": {"A good title"}, "body": {"A body long enough"}}, status: 422},
		{name: "ask oversized form", method: P, path: "/ask", as: m, form: url.Values{"board_id": {bid}, "title": {"A good title"}, "body": {big}}, status: 403},
		{name: "reply invalid utf-8", method: P, path: "/t/" + tid + "/reply", as: m, form: url.Values{"body": {"\xc3\x28 broken"}}, status: 422},
		{name: "reply thread not a number", method: P, path: "/t/abc/reply", as: m, form: url.Values{"body": {"fine reply"}}, status: 404},
		{name: "reply unknown thread", method: P, path: "/t/99999/reply", as: m, form: url.Values{"body": {"fine reply"}}, status: 404},
		{name: "accept post not a number", method: P, path: "/t/" + tid + "/accept", as: m, form: url.Values{"post_id": {"x"}}, status: 422},
		{name: "accept unknown post", method: P, path: "/t/" + tid + "/accept", as: m, form: url.Values{"post_id": {"99999"}}, status: 404},
		{name: "kudos unknown post", method: P, path: "/p/99999/kudos", as: m, status: 404},
		{name: "edit invalid utf-8", method: P, path: "/p/" + qid + "/edit", as: s.signedIn(c.asker), form: url.Values{"body": {"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"}}, status: 422},
		{name: "signup invalid utf-8", method: P, path: "/signup", form: url.Values{"csrf": {""}}, status: 403},
		{name: "login invalid utf-8", method: P, path: "/login", form: url.Values{"login": {"\xff"}, "csrf": {""}}, status: 403},

		{name: "api thread id not a number", method: G, path: "/api/v1/threads/abc", status: 404, contains: []string{`"code":"not_found"`}},
		{name: "api thread unknown", method: G, path: "/api/v1/threads/99999", status: 404},
		{name: "api board not a number", method: G, path: "/api/v1/boards/x/threads", status: 404},
		{name: "api bad filter", method: G, path: "/api/v1/boards/" + bid + "/threads?filter=new", status: 422, contains: []string{`"filter"`}},
		{name: "api bad cursor", method: G, path: "/api/v1/boards/" + bid + "/threads?cursor=%25%25", status: 422, contains: []string{`"cursor"`}},
		{name: "api limit zero", method: G, path: "/api/v1/boards/" + bid + "/threads?limit=0", status: 422, contains: []string{`"limit"`}},
		{name: "api limit huge", method: G, path: "/api/v1/boards/" + bid + "/threads?limit=99999999999999999999999", status: 422},
		{name: "api limit not a number", method: G, path: "/api/v1/boards/" + bid + "/threads?limit=ten", status: 422},
		{name: "api unknown route", method: G, path: "/api/v1/nothing", status: 404, contains: []string{`"error"`}},
		{name: "api invalid utf-8 json", method: P, path: "/api/v1/threads", as: m, json: []byte("{\"board_id\":" + bid + ",\"title\":\"bad \xff title\",\"body\":\"long enough body\"}"), status: 400, contains: []string{"UTF-8"}},
		{name: "api malformed json", method: P, path: "/api/v1/threads", as: m, json: `{"board_id":`, status: 400, contains: []string{`"code":"bad_request"`}},
		{name: "api json array", method: P, path: "/api/v1/threads", as: m, json: `[1,2]`, status: 400},
		{name: "api json wrong type", method: P, path: "/api/v1/threads", as: m, json: `{"board_id":"one"}`, status: 400},
		{name: "api empty body", method: P, path: "/api/v1/threads", as: m, json: ``, status: 400},
		{name: "api oversized body", method: P, path: "/api/v1/threads", as: m, json: `{"board_id":1,"title":"x","body":"` + big + `"}`, status: 400, contains: []string{"too large"}},
		{name: "api NUL escaped in json", method: P, path: "/api/v1/threads", as: m, json: `{"board_id":` + bid + `,"title":"Title with \u0000 NUL","body":"long enough body"}`, status: 422},
		{name: "api patch id not a number", method: http.MethodPatch, path: "/api/v1/posts/abc", as: m, json: `{"body":"xx"}`, status: 404},
		{name: "api accept malformed", method: P, path: "/api/v1/threads/" + tid + "/accept", as: m, json: `{"post_id":"x"}`, status: 400},
	})
	s.noErrorLogs()
}

// TestBrandsByHost: a second brand on its own host shows its own name and
// boards, never the default brand's, and sessions do not cross over.
func TestBrandsByHost(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	ctx := context.Background()
	beta, err := s.brands.Create(ctx, forum.NewBrand{Host: "support.beta.test", Name: "Beta <i>Telecom</i>", Tagline: "Beta helps beta"})
	if err != nil {
		t.Fatal(err)
	}
	betaBoard := s.newBoard(beta.ID, "Beta broadband")
	bm := s.user(beta.ID, "betauser")
	if _, err := s.svc.Ask(ctx, bm.actor, forum.NewThread{BoardID: betaBoard.ID, Title: "Beta router blinking red", Body: "The light blinks red all day."}); err != nil {
		t.Fatal(err)
	}

	onBeta := s.browser()
	onBeta.host = "support.beta.test"
	home := onBeta.get("/")
	for _, w := range []string{"Beta &lt;i&gt;Telecom&lt;/i&gt;", "Beta broadband", "Beta router blinking red", "Beta helps beta"} {
		if !strings.Contains(home.body, w) {
			t.Errorf("beta home lacks %q", w)
		}
	}
	for _, w := range []string{"Mutual Mobile", "Billing and plans", "Why is my bill higher", "<i>Telecom</i>"} {
		if strings.Contains(home.body, w) {
			t.Errorf("beta home shows %q", w)
		}
	}
	withPort := s.browser()
	withPort.host = "SUPPORT.beta.test:8443"
	if r := withPort.get("/"); !strings.Contains(r.body, "Beta broadband") {
		t.Error("host with port and capitals does not find the beta brand")
	}
	unknown := s.browser()
	unknown.host = "unknown.example.org"
	if r := unknown.get("/"); !strings.Contains(r.body, "Mutual Mobile") || strings.Contains(r.body, "Beta broadband") {
		t.Error("unknown host does not get the default brand")
	}
	if r := s.browser().get("/"); strings.Contains(r.body, "Beta broadband") || !strings.Contains(r.body, "Billing and plans") {
		t.Error("default brand shows beta's boards")
	}

	// The default brand's thread, board and members are not found on beta.
	onBeta.run(s, []scenario{
		{name: "default thread on beta", method: http.MethodGet, path: threadPath(c.solved), status: 404},
		{name: "default board on beta", method: http.MethodGet, path: boardPath(s.board), status: 404},
		{name: "default member on beta", method: http.MethodGet, path: "/u/asker", status: 404},
		{name: "default thread via API on beta", method: http.MethodGet, path: "/api/v1/threads/" + itoa(c.solved.ID), status: 404},
		{name: "beta boards via API", method: http.MethodGet, path: "/api/v1/boards", status: 200, contains: []string{"Beta broadband"}, notContains: []string{"Billing"}},
	})

	// A default-brand session or token means nothing on beta.
	cross := s.signedIn(c.asker)
	cross.host = "support.beta.test"
	if r := cross.api(http.MethodGet, "/api/v1/me", nil); r.code != http.StatusUnauthorized {
		t.Errorf("default session on beta: /api/v1/me = %d, want 401", r.code)
	}
	tok := s.bearerClient(c.asker)
	tok.host = "support.beta.test"
	if r := tok.api(http.MethodGet, "/api/v1/me", nil); r.code != http.StatusUnauthorized {
		t.Errorf("default token on beta: /api/v1/me = %d, want 401", r.code)
	}
	betaTok := s.bearerClient(bm)
	betaTok.host = "support.beta.test"
	if r := betaTok.api(http.MethodGet, "/api/v1/me", nil); r.code != 200 || r.json(t)["username"] != "betauser" {
		t.Errorf("beta token on beta = %d %s", r.code, r.body)
	}
	if r := betaTok.api(http.MethodPost, "/api/v1/threads/"+itoa(c.solved.ID)+"/posts", map[string]any{"body": "cross-brand reply"}); r.code != http.StatusNotFound {
		t.Errorf("beta member replying to a default thread = %d, want 404", r.code)
	}
	css := onBeta.get("/brand.css")
	if !strings.Contains(css.body, beta.ColorPrimary) {
		t.Errorf("beta brand.css = %q", css.body)
	}
}

// run lets a browser with its own host drive a scenario table.
func (b *browser) run(s *site, tests []scenario) {
	for i := range tests {
		if tests[i].as == nil {
			tests[i].as = b
		}
	}
	s.run(tests)
}

// TestUserTextIsEscapedInPages: titles, brand and board names are shown as
// text, never markup, everywhere they appear.
func TestUserTextIsEscapedInPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	evilBoard, err := s.svc.CreateBoard(ctx, s.brand.ID, forum.NewBoard{Name: `<svg onload=alert(1)>`, Description: `<img src=x onerror=alert(2)>`})
	if err != nil {
		t.Fatal(err)
	}
	m := s.user(s.brand.ID, "markup_fan")
	title := `<script>alert("title")</script> "quoted" & more`
	th, err := s.svc.Ask(ctx, m.actor, forum.NewThread{BoardID: evilBoard.ID, Title: title,
		Body: "Body <script>alert(3)</script> [x](javascript:alert(4)) <img src=x onerror=alert(5)>"})
	if err != nil {
		t.Fatal(err)
	}
	pg, err := s.svc.Page(ctx, s.brand.ID, th.ID, 0, forum.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	qid := itoa(pg.Question.ID)
	b := s.browser()
	signed := s.signedIn(m)
	for _, p := range []struct {
		who  *browser
		path string
	}{
		{b, "/"}, {b, boardPath(evilBoard)}, {b, threadPath(th)}, {b, "/u/markup_fan"}, {signed, threadPath(th)},
		{signed, "/ask"}, {signed, "/p/" + qid + "/edit"}, {b, "/p/" + qid + "/history"},
	} {
		r := p.who.get(p.path)
		if r.code != 200 {
			t.Fatalf("%s = %d", p.path, r.code)
		}
		checkNoActiveContent(t, p.path, r.body)
	}
	page := b.get(threadPath(th)).body
	for _, w := range []string{"&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; &#34;quoted&#34; &amp; more", "&lt;svg onload=alert(1)&gt;"} {
		if !strings.Contains(page, w) {
			t.Errorf("thread page lacks escaped %q", w)
		}
	}
	s.noErrorLogs()
}

// checkNoActiveContent parses a page and fails on anything user text could
// have smuggled in: inline scripts, event handlers, javascript: URLs, SVG,
// frames and objects. The layout's own script is an external file.
func checkNoActiveContent(t *testing.T, name, page string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	inScript, inData := false, false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return
		case html.TextToken:
			if txt := strings.TrimSpace(string(z.Text())); inScript && txt != "" {
				// A JSON-LD data block is never run; it must still be one
				// JSON value, so no member text broke out of it.
				if !inData || !json.Valid([]byte(txt)) {
					t.Errorf("%s: inline script %q", name, txt)
				}
			}
			continue
		case html.EndTagToken:
			inScript = false
			continue
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script":
			inScript = tt == html.StartTagToken
			src := ""
			inData = false
			for _, a := range tok.Attr {
				if a.Key == "src" {
					src = a.Val
				}
				if a.Key == "type" && a.Val == "application/ld+json" {
					inData = true // structured data for search engines (discovery)
				}
			}
			if !strings.HasPrefix(src, "/static/") && !inData {
				t.Errorf("%s: script not from /static/: %v", name, tok)
			}
		case "svg", "iframe", "object", "embed", "base", "math", "style":
			t.Errorf("%s: element <%s> in page", name, tok.Data)
		}
		for _, a := range tok.Attr {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			if strings.HasPrefix(a.Key, "on") || a.Key == "style" ||
				((a.Key == "href" || a.Key == "src" || a.Key == "action") && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:"))) {
				t.Errorf("%s: <%s %s=%q>", name, tok.Data, a.Key, a.Val)
			}
		}
	}
}

// Behind a trusted proxy each visitor is their own address for sign-in
// limits, and a lockout is theirs alone; from a connection that is not a
// trusted proxy, X-Forwarded-For is ignored, so nobody picks the address
// the limits count. HSTS goes out once the site is behind TLS.
func TestTrustedProxiesNameTheClient(t *testing.T) {
	attempts := func(b *browser, clients ...string) (refused int) {
		t.Helper()
		b.get("/login")
		for i, client := range clients {
			b.forwardedFor = client
			r := b.post("/login", url.Values{"login": {"nobody" + strconv.Itoa(i)}, "password": {"guess-guess"}})
			if r.code == http.StatusTooManyRequests {
				refused++
			}
		}
		return refused
	}
	seven := func(client string) []string {
		out := make([]string, 7)
		for i := range out {
			out[i] = client
			if client == "" {
				out[i] = "198.51.100." + strconv.Itoa(10+i)
			}
		}
		return out
	}

	s := newSite(t, func(c *app.Config) { c.TrustedProxies = "192.0.2.0/24, 192.0.2.99"; c.SecureCookies = true })
	viaProxy := s.browser() // remote 192.0.2.10, inside the trusted range
	if n := attempts(viaProxy, seven("")...); n != 0 {
		t.Errorf("seven visitors behind the proxy: %d refused, want none", n)
	}
	if n := attempts(viaProxy, seven("198.51.100.77")...); n != 1 {
		t.Errorf("one visitor behind the proxy trying seven times: %d refused, want the seventh", n)
	}
	if r := viaProxy.get("/"); r.header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS with secure cookies")
	}

	// A proxy speaking RFC 7239 names the client in Forwarded, which wins
	// over an X-Forwarded-For the visitor wrote themselves.
	rfc := s.browser()
	rfc.remote = "192.0.2.99:40000"
	rfc.get("/login")
	for i := range 7 {
		rfc.forwarded = `for="[2001:db8::` + strconv.Itoa(i+1) + `]:4711";proto=https, for=192.0.2.99`
		rfc.forwardedFor = "198.51.100.200"
		if r := rfc.post("/login", url.Values{"login": {"rfc" + strconv.Itoa(i)}, "password": {"guess-guess"}}); r.code == http.StatusTooManyRequests {
			t.Errorf("visitor %d behind an RFC 7239 proxy refused: the proxy was taken for the client", i+1)
		}
	}

	plain := newSite(t)
	direct := plain.browser()
	if n := attempts(direct, seven("")...); n != 1 {
		t.Errorf("one connection claiming seven addresses: %d refused, want the seventh", n)
	}
	direct.forwarded = "for=198.51.100.1"
	if r := direct.post("/login", url.Values{"login": {"rfc-direct"}, "password": {"guess-guess"}}); r.code != http.StatusTooManyRequests {
		t.Errorf("an untrusted connection naming a client in Forwarded: %d, want still refused as itself", r.code)
	}
	if r := direct.get("/"); r.header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}

	if _, err := (app.Config{TrustedProxies: "10.0.0.0/8, proxy.example"}).Proxies(); err == nil || !strings.Contains(err.Error(), "proxy.example") {
		t.Errorf("a host name as a trusted proxy: err = %v, want it named", err)
	}
}
