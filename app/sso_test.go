package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/internal/testkit/oidcop"
	"mutual/sso"
)

// ssoSite is a site whose clock reads real time (the provider stamps its
// tokens with it), with one provider of the default brand running on
// loopback.
type ssoSite struct {
	*site
	op       *oidcop.OP
	provider sso.Provider
	admin    member
}

func newSSOSite(t *testing.T, opts ...func(*app.Config)) *ssoSite {
	t.Helper()
	s := newSite(t, opts...)
	s.clock.Add(time.Since(s.clock.Now()))
	op := oidcop.Start(t)
	admin := s.user(s.brand.ID, "boss", "admin")
	p, err := s.app.Services().SSO.Add(context.Background(), admin.actor, sso.Config{Label: "Acme ID", Issuer: op.Issuer,
		ClientID: op.ClientID, ClientSecret: op.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	return &ssoSite{site: s, op: op, provider: p, admin: admin}
}

// atProvider plays the person at the provider: it follows the sign-in
// redirect there, signs in with username and password, and returns the URL
// the provider sends the browser back to (our callback).
func atProvider(t *testing.T, authURL, username, password string) *url.URL {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	op, _ := url.Parse(authURL)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host != op.Host {
			return http.ErrUseLastResponse // back at the community
		}
		return nil
	}}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	id := res.Request.URL.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("the provider showed no sign-in page: %d %s", res.StatusCode, page)
	}
	res, err = c.PostForm(op.Scheme+"://"+op.Host+"/signin", url.Values{"id": {id}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, err := res.Location()
	if err != nil {
		t.Fatalf("the provider did not send the browser back (%d): %v", res.StatusCode, err)
	}
	return back
}

// signInVia starts a sign-in with the provider, signs in there, and returns
// our callback's answer.
func (s *ssoSite) signInVia(b *browser, providerID int64, username, password string) *response {
	s.t.Helper()
	r := b.get("/sso/" + itoa(providerID) + "/start")
	if r.code != http.StatusSeeOther {
		s.t.Fatalf("start = %d, want 303\n%s", r.code, clip(r.body))
	}
	back := atProvider(s.t, r.header.Get("Location"), username, password)
	return b.get(back.RequestURI())
}

func (s *ssoSite) userCount() int {
	s.t.Helper()
	var n int
	if err := s.app.DB().QueryRow(context.Background(), `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

func TestSSOFirstSignInMakesAMemberAndTheNextSignsThemIn(t *testing.T) {
	s := newSSOSite(t)
	s.user(s.brand.ID, "alice") // the provider's preferred username is taken here
	s.op.AddUser(oidcop.User{Subject: "sub-alice", Username: "alice", Password: "op-pass", Email: "alice@corp.test", EmailVerified: true})

	b := s.browser()
	login := b.get("/login")
	if !strings.Contains(login.body, `href="/sso/`+itoa(s.provider.ID)+`/start"`) || !strings.Contains(login.body, "Sign in with Acme ID") {
		t.Fatalf("the sign-in page has no button for the brand's provider:\n%s", clip(login.body))
	}
	r := s.signInVia(b, s.provider.ID, "alice", "op-pass")
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("callback = %d %s, want 303 to /\n%s", r.code, r.header.Get("Location"), clip(r.body))
	}
	home := b.get("/")
	if !strings.Contains(home.body, "alice2") || !strings.Contains(home.body, "Welcome! Your account is ready.") {
		t.Fatalf("not signed in as a new member alice2:\n%s", clip(home.body))
	}
	u, err := s.members.ByUsername(context.Background(), s.brand.ID, "alice2")
	if err != nil || u.Email != "alice@corp.test" || u.HasPassword {
		t.Fatalf("new member = %+v, %v", u, err)
	}
	var verified *int64
	if err := s.app.DB().QueryRow(context.Background(), `SELECT email_verified_at FROM users WHERE id = ?`, u.ID).Scan(&verified); err != nil || verified == nil {
		t.Fatalf("the provider's verified address is not marked verified (%v)", err)
	}

	before := s.userCount()
	again := s.browser()
	r = s.signInVia(again, s.provider.ID, "alice", "op-pass")
	if r.code != http.StatusSeeOther || !strings.Contains(again.get("/").body, "alice2") {
		t.Fatalf("second sign-in = %d; want signed in as alice2", r.code)
	}
	if s.userCount() != before {
		t.Fatal("the second sign-in made another account")
	}
	s.noErrorLogs()
}

func TestSSOLinksAVerifiedAddressAfterThePassword(t *testing.T) {
	s := newSSOSite(t)
	ctx := context.Background()
	bob, err := s.members.Create(ctx, account.Signup{BrandID: s.brand.ID, Username: "bob", Email: "Bob@Example.com", Password: "bobs-own-password"})
	if err != nil {
		t.Fatal(err)
	}
	s.op.AddUser(oidcop.User{Subject: "sub-bob", Username: "robert", Password: "op-pass", Email: "bob@example.com", EmailVerified: true})
	users := s.userCount()

	b := s.browser()
	r := s.signInVia(b, s.provider.ID, "robert", "op-pass")
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/sso/link" {
		t.Fatalf("callback = %d %s, want 303 to /sso/link", r.code, r.header.Get("Location"))
	}
	page := b.get("/sso/link")
	if page.code != 200 || !strings.Contains(page.body, "bob") || !strings.Contains(page.body, "Connect your Acme ID sign-in") {
		t.Fatalf("link page = %d\n%s", page.code, clip(page.body))
	}
	wrong := b.post("/sso/link", url.Values{"password": {"not-the-password"}})
	if wrong.code != http.StatusUnauthorized || !strings.Contains(wrong.body, "That is not the password of bob") {
		t.Fatalf("wrong password = %d\n%s", wrong.code, clip(wrong.body))
	}
	if strings.Contains(b.get("/").body, `class="me"`) {
		t.Fatal("signed in after a wrong password")
	}
	ok := b.post("/sso/link", url.Values{"password": {"bobs-own-password"}})
	if ok.code != http.StatusSeeOther {
		t.Fatalf("right password = %d\n%s", ok.code, clip(ok.body))
	}
	if !strings.Contains(b.get("/").body, "bob") || s.userCount() != users {
		t.Fatal("not signed in as bob, or another account was made")
	}
	// Connected: the provider now signs bob straight in.
	later := s.browser()
	r = s.signInVia(later, s.provider.ID, "robert", "op-pass")
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("sign-in after linking = %d %s", r.code, r.header.Get("Location"))
	}
	var linked int64
	if err := s.app.DB().QueryRow(ctx, `SELECT user_id FROM sso_identities WHERE subject = 'sub-bob'`).Scan(&linked); err != nil || linked != bob.ID {
		t.Fatalf("identity linked to %d (%v), want bob %d", linked, err, bob.ID)
	}
	// The link was used once.
	if again := b.get("/sso/link"); again.code != http.StatusBadRequest {
		t.Fatalf("link page after use = %d, want 400", again.code)
	}
	s.noErrorLogs()
}

func TestSSOUnverifiedAddressIsNotLinked(t *testing.T) {
	s := newSSOSite(t)
	if _, err := s.members.Create(context.Background(), account.Signup{BrandID: s.brand.ID, Username: "carol", Email: "carol@example.com", Password: "carols-password"}); err != nil {
		t.Fatal(err)
	}
	s.op.AddUser(oidcop.User{Subject: "sub-carol", Username: "carol-op", Password: "op-pass", Email: "carol@example.com", EmailVerified: false})
	users := s.userCount()
	b := s.browser()
	r := s.signInVia(b, s.provider.ID, "carol-op", "op-pass")
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "has not verified the address carol@example.com") {
		t.Fatalf("unverified address = %d\n%s", r.code, clip(r.body))
	}
	var n int
	_ = s.app.DB().QueryRow(context.Background(), `SELECT COUNT(*) FROM sso_identities`).Scan(&n)
	if n != 0 || s.userCount() != users || strings.Contains(b.get("/").body, `class="me"`) {
		t.Fatal("an unverified address linked, made an account or signed in")
	}
	// A directory the admin trusts (Entra ID sends no email_verified): the
	// address counts as verified, so the member is asked for their password.
	if _, err := s.app.Services().SSO.Update(context.Background(), s.admin.actor, s.provider.ID, sso.Config{Label: "Acme ID",
		Issuer: s.op.Issuer, ClientID: s.op.ClientID, TrustEmail: true}); err != nil {
		t.Fatal(err)
	}
	if r := s.signInVia(s.browser(), s.provider.ID, "carol-op", "op-pass"); r.code != http.StatusSeeOther || r.header.Get("Location") != "/sso/link" {
		t.Fatalf("trusted provider's address = %d %s, want the link page", r.code, r.header.Get("Location"))
	}
	s.noErrorLogs()
}

func TestSSOUnverifiedAddressOfANewcomerIsConfirmedByMail(t *testing.T) {
	s := newSSOSite(t, newNotifySMTP(t).withSMTP)
	s.op.AddUser(oidcop.User{Subject: "sub-dan", Username: "Dán Ó Briain", Password: "op-pass", Email: "dan@corp.test"})
	b := s.browser()
	if r := s.signInVia(b, s.provider.ID, "Dán Ó Briain", "op-pass"); r.code != http.StatusSeeOther {
		t.Fatalf("callback = %d\n%s", r.code, clip(r.body))
	}
	u, err := s.members.ByUsername(context.Background(), s.brand.ID, "Dan_O_Briain")
	if err != nil {
		t.Fatalf("the username was not made from the claim: %v", err)
	}
	var verified *int64
	var mails int
	db := s.app.DB()
	_ = db.QueryRow(context.Background(), `SELECT email_verified_at FROM users WHERE id = ?`, u.ID).Scan(&verified)
	_ = db.QueryRow(context.Background(), `SELECT COUNT(*) FROM notify_outbox WHERE user_id = ?`, u.ID).Scan(&mails)
	if verified != nil || mails != 1 {
		t.Fatalf("unverified address: verified=%v, %d mails queued; want unverified and one confirmation", verified, mails)
	}
}

// failedCallback starts a sign-in, signs in at the provider, lets change
// spoil something, and returns the callback's answer.
func (s *ssoSite) failedCallback(spoil func(b *browser, back *url.URL)) (*browser, *response) {
	s.t.Helper()
	b := s.browser()
	r := b.get("/sso/" + itoa(s.provider.ID) + "/start")
	back := atProvider(s.t, r.header.Get("Location"), "erin", "op-pass")
	spoil(b, back)
	return b, b.get(back.RequestURI())
}

func TestSSOFailuresAreClearPagesAndSignNobodyIn(t *testing.T) {
	s := newSSOSite(t)
	s.op.AddUser(oidcop.User{Subject: "sub-erin", Username: "erin", Password: "op-pass", Email: "erin@corp.test", EmailVerified: true})
	setQuery := func(k, v string) func(*browser, *url.URL) {
		return func(_ *browser, u *url.URL) {
			q := u.Query()
			q.Set(k, v)
			u.RawQuery = q.Encode()
		}
	}
	cases := []struct {
		name  string
		setup func(op *oidcop.OP)
		spoil func(b *browser, back *url.URL)
		code  int
		says  string
	}{
		{"wrong state", nil, setQuery("state", "not-the-state"), 400, "started in another browser"},
		{"no state cookie", nil, func(b *browser, _ *url.URL) { delete(b.cookies, "mutual_sso") }, 400, "started in another browser"},
		{"too slow", nil, func(*browser, *url.URL) { s.clock.Add(sso.StartTTL + time.Second) }, 400, "took longer than 10 minutes"},
		{"forged ID token", (*oidcop.OP).Forge, nil, 401, "did not pass verification"},
		{"expired ID token", func(op *oidcop.OP) { op.IDTokenLifetime(time.Minute) }, func(*browser, *url.URL) { s.clock.Add(3 * time.Minute) }, 401, "had already expired"},
		{"provider refused", nil, func(_ *browser, u *url.URL) {
			u.RawQuery = url.Values{"state": {u.Query().Get("state")}, "error": {"access_denied"}, "error_description": {"The user cancelled"}}.Encode()
		}, 401, "The user cancelled"},
		{"code swapped", nil, setQuery("code", "a-code-the-provider-never-gave"), 401, "refused the sign-in code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			s.clock.Add(time.Since(s.clock.Now()))
			fresh := oidcop.Start(t) // each case spoils a provider of its own
			fresh.AddUser(oidcop.User{Subject: "sub-erin", Username: "erin", Password: "op-pass", Email: "erin@corp.test", EmailVerified: true})
			s.op = fresh
			if _, err := s.app.Services().SSO.Update(context.Background(), s.admin.actor, s.provider.ID, sso.Config{Label: "Acme ID",
				Issuer: fresh.Issuer, ClientID: fresh.ClientID, ClientSecret: fresh.ClientSecret}); err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				tc.setup(fresh)
			}
			if tc.spoil == nil {
				tc.spoil = func(*browser, *url.URL) {}
			}
			users := s.userCount()
			b, r := s.failedCallback(tc.spoil)
			if r.code != tc.code || !strings.Contains(r.body, tc.says) {
				t.Fatalf("%s: %d, want %d saying %q\n%s", tc.name, r.code, tc.code, tc.says, clip(r.body))
			}
			if !strings.Contains(r.body, `href="/login"`) {
				t.Errorf("%s: the page offers no way back to sign in", tc.name)
			}
			if s.userCount() != users || b.cookies["mutual_session"] != "" {
				t.Fatalf("%s: a failed sign-in made an account or a session", tc.name)
			}
		})
	}
	s.t = t
	s.noErrorLogs()
}

func TestSSOProviderDownIsABadGatewayPage(t *testing.T) {
	s := newSSOSite(t)
	s.op.Stop()
	b := s.browser()
	r := b.get("/sso/" + itoa(s.provider.ID) + "/start")
	if r.code != http.StatusBadGateway || !strings.Contains(r.body, "We could not reach Acme ID") || !strings.Contains(r.body, "Try again") {
		t.Fatalf("provider down = %d, want 502 with a message\n%s", r.code, clip(r.body))
	}
	// The request log says 502 at error level, for the admin to see; nothing
	// failed inside the site.
	if strings.Contains(s.logs.String(), "request failed") || strings.Contains(s.logs.String(), "panic") {
		t.Fatalf("an internal error was logged:\n%s", s.logs.String())
	}
}

func TestSSOAProvidersBrandIsTheOnlyOneItSignsInto(t *testing.T) {
	s := newSSOSite(t)
	ctx := context.Background()
	beta, err := s.brands.Create(ctx, forum.NewBrand{Host: "beta.test", Name: "Beta"})
	if err != nil {
		t.Fatal(err)
	}
	betaAdmin := s.user(beta.ID, "betaboss", "admin")
	pb, err := s.app.Services().SSO.Add(ctx, betaAdmin.actor, sso.Config{Label: "Beta ID", Issuer: s.op.Issuer, ClientID: s.op.ClientID, ClientSecret: s.op.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	s.op.AddUser(oidcop.User{Subject: "sub-fay", Username: "fay", Password: "op-pass", Email: "fay@corp.test", EmailVerified: true})

	// Beta's provider id on the default brand's host: no such provider.
	here := s.browser()
	if r := here.get("/sso/" + itoa(pb.ID) + "/start"); r.code != http.StatusNotFound {
		t.Fatalf("another brand's provider started here: %d", r.code)
	}
	if strings.Contains(here.get("/login").body, "Beta ID") {
		t.Fatal("the sign-in page shows another brand's provider")
	}

	// A sign-in started on beta, finished on the default brand's host.
	there := s.browser()
	there.host = "beta.test"
	r := there.get("/sso/" + itoa(pb.ID) + "/start")
	back := atProvider(t, r.header.Get("Location"), "fay", "op-pass")
	here.cookies["mutual_sso"] = there.cookies["mutual_sso"]
	q := back.Query()
	if r := here.get("/sso/" + itoa(pb.ID) + "/callback?" + q.Encode()); r.code != http.StatusNotFound {
		t.Fatalf("beta's callback on this host = %d, want 404", r.code)
	}
	users := s.userCount()
	here.cookies["mutual_sso"] = there.cookies["mutual_sso"]
	r = here.get("/sso/" + itoa(s.provider.ID) + "/callback?" + q.Encode())
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "another community") {
		t.Fatalf("beta's state on this brand's provider = %d, want 403\n%s", r.code, clip(r.body))
	}
	if s.userCount() != users || here.cookies["mutual_session"] != "" {
		t.Fatal("another brand's sign-in made an account or a session here")
	}

	// An admin of the default brand cannot touch beta's provider.
	admin := s.signedIn(s.admin)
	admin.get("/admin/sso")
	if r := admin.post("/admin/sso/providers/"+itoa(pb.ID)+"/remove", nil); r.code != http.StatusNotFound {
		t.Fatalf("removing another brand's provider = %d, want 404", r.code)
	}
	if _, err := s.app.Services().SSO.Provider(ctx, beta.ID, pb.ID); err != nil {
		t.Fatalf("beta's provider is gone: %v", err)
	}
	s.noErrorLogs()
}

func TestSSOPasswordSignupOff(t *testing.T) {
	s := newSSOSite(t)
	ctx := context.Background()
	if _, err := s.members.Create(ctx, account.Signup{BrandID: s.brand.ID, Username: "gina", Email: "gina@example.com", Password: "ginas-password"}); err != nil {
		t.Fatal(err)
	}
	root, err := s.members.Create(ctx, account.Signup{BrandID: s.brand.ID, Username: "root", Email: "root@example.com", Password: "roots-password"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.members.Grant(ctx, s.brand.ID, root.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	admin := s.signedIn(s.admin)
	admin.get("/admin/sso")
	if r := admin.post("/admin/sso/password-signup", url.Values{"password_signup": {"off"}}); r.code != http.StatusSeeOther {
		t.Fatalf("turning password sign-up off = %d\n%s", r.code, clip(r.body))
	}
	users := s.userCount()
	visitor := s.browser()
	visitor.get("/login?password=1") // a page with a form gives the form token
	s.run([]scenario{
		{name: "join page says so", method: "GET", path: "/signup", status: 200,
			contains: []string{"does not take sign-ups with a password", "Sign in with Acme ID"}, notContains: []string{`name="password"`}},
		{name: "join form refused", method: "POST", path: "/signup", as: visitor, form: url.Values{"username": {"newbie"}, "email": {"new@example.com"}, "password": {"a-long-password"}},
			status: 403, contains: []string{"does not take sign-ups with a password"}},
		{name: "sign-in offers the provider only", method: "GET", path: "/login", status: 200,
			contains: []string{"Sign in with Acme ID", "Administrator? Sign in with a password"}, notContains: []string{`name="password"`, "Create an account"}},
		{name: "administrators' form", method: "GET", path: "/login?password=1", status: 200, contains: []string{`name="password"`}},
		{name: "a member's password is refused", method: "POST", path: "/login", as: visitor, form: url.Values{"login": {"gina"}, "password": {"ginas-password"}},
			status: 403, contains: []string{"passwords are for administrators only"}},
		{name: "an admin's password works", method: "POST", path: "/login", as: visitor, form: url.Values{"login": {"root"}, "password": {"roots-password"}},
			status: 303, location: "/"},
		{name: "the last provider stays", method: "POST", path: "/admin/sso/providers/" + itoa(s.provider.ID) + "/remove", as: admin,
			status: 409, contains: []string{"only way to join"}},
	})
	if s.userCount() != users {
		t.Fatal("a refused sign-up made an account")
	}
	s.noErrorLogs()
}

func TestSSOAdminPage(t *testing.T) {
	s := newSSOSite(t)
	admin := s.signedIn(s.admin)
	page := admin.get("/admin/sso")
	if page.code != 200 || !strings.Contains(page.body, "http://localhost/sso/"+itoa(s.provider.ID)+"/callback") || strings.Contains(page.body, s.op.ClientSecret) {
		t.Fatalf("admin page = %d: lacks the callback URL or shows the secret\n%s", page.code, clip(page.body))
	}
	bad := admin.post("/admin/sso/providers", url.Values{"label": {"Typo ID"}, "issuer": {"http://127.0.0.1:9/nothing"}, "client_id": {"x"}, "client_secret": {"shh-typed-secret"}})
	if bad.code != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "We could not read the OpenID configuration") ||
		!strings.Contains(bad.body, `value="Typo ID"`) || strings.Contains(bad.body, "shh-typed-secret") {
		t.Fatalf("bad issuer = %d: want 422 with the message, the label kept, the secret not echoed\n%s", bad.code, clip(bad.body))
	}
	insecure := admin.post("/admin/sso/providers", url.Values{"label": {"Plain"}, "issuer": {"http://login.example.com"}, "client_id": {"x"}, "client_secret": {"y"}})
	if insecure.code != http.StatusUnprocessableEntity || !strings.Contains(insecure.body, "must start with https://") {
		t.Fatalf("http issuer = %d\n%s", insecure.code, clip(insecure.body))
	}
	// Editing with an empty secret keeps it: sign-in still works.
	edit := admin.post("/admin/sso/providers/"+itoa(s.provider.ID), url.Values{"label": {"Acme staff"}, "issuer": {s.op.Issuer}, "client_id": {s.op.ClientID}})
	if edit.code != http.StatusSeeOther {
		t.Fatalf("edit = %d\n%s", edit.code, clip(edit.body))
	}
	s.op.AddUser(oidcop.User{Subject: "sub-hal", Username: "hal", Password: "op-pass", Email: "hal@corp.test", EmailVerified: true})
	if r := s.signInVia(s.browser(), s.provider.ID, "hal", "op-pass"); r.code != http.StatusSeeOther {
		t.Fatalf("sign-in after an edit that kept the secret = %d\n%s", r.code, clip(r.body))
	}
	var audit string
	if err := s.app.DB().QueryRow(context.Background(), `SELECT GROUP_CONCAT(act || ' ' || before_json || ' ' || after_json, ';') FROM moderation_actions WHERE act LIKE 'sso_%'`).Scan(&audit); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(audit, "sso_provider_add") || !strings.Contains(audit, "sso_provider_edit") || strings.Contains(audit, s.op.ClientSecret) {
		t.Fatalf("audit = %s: want the add and the edit, never the secret", audit)
	}
	if r := admin.post("/admin/sso/providers/"+itoa(s.provider.ID)+"/remove", nil); r.code != http.StatusSeeOther {
		t.Fatalf("remove = %d", r.code)
	}
	if strings.Contains(admin.get("/login").body, "Acme staff") {
		t.Fatal("a removed provider still has a button")
	}
	s.noErrorLogs()
}

func TestSSOAddressOfAnAccountWithoutAPasswordIsNotTakenOver(t *testing.T) {
	s := newSSOSite(t)
	s.user(s.brand.ID, "kim") // kim@example.com, no password (an imported member)
	s.op.AddUser(oidcop.User{Subject: "sub-kim", Username: "kim", Password: "op-pass", Email: "kim@example.com", EmailVerified: true})
	r := s.signInVia(s.browser(), s.provider.ID, "kim", "op-pass")
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "has no password to confirm it is yours") {
		t.Fatalf("address of a password-less account = %d\n%s", r.code, clip(r.body))
	}
	s.noErrorLogs()
}
