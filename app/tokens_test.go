package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

var tokenSecretRe = regexp.MustCompile(`data-tk-secret[^>]*>(mut_[A-Za-z0-9_-]+)<`)

// A member makes a token on the settings page, sees it once, uses it,
// and revokes it; from then on it is refused.
func TestTokensSettingsPage(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "integrator")
	b := s.signedIn(m)

	page := b.get("/settings/tokens")
	if page.code != 200 || !strings.Contains(page.body, "API tokens") || !strings.Contains(page.body, `aria-current="page"`) ||
		!strings.Contains(page.body, `<option value="90d" selected>`) {
		t.Fatalf("tokens page: %d\n%s", page.code, clip(page.body))
	}
	// Bad input: the form again, with a message and what was typed.
	r := b.post("/settings/tokens", url.Values{"name": {"  "}, "expires": {"30d"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Give the token a name") || !strings.Contains(r.body, `<option value="30d" selected>`) {
		t.Errorf("no name: %d\n%s", r.code, clip(r.body))
	}
	r = b.post("/settings/tokens", url.Values{"name": {"nightly export"}, "expires": {"90d"}, "expires_on": {"2001-01-01"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "That expiry has passed") || !strings.Contains(r.body, `value="nightly export"`) {
		t.Errorf("past date: %d\n%s", r.code, clip(r.body))
	}

	r = b.post("/settings/tokens", url.Values{"name": {"nightly export"}, "expires": {"30d"}})
	secret := tokenSecretRe.FindStringSubmatch(r.body)
	if r.code != http.StatusOK || secret == nil || !strings.Contains(r.body, "shown only this once") {
		t.Fatalf("create: %d\n%s", r.code, clip(r.body))
	}
	api := s.browser()
	api.bearer = secret[1]
	if r := api.api(http.MethodGet, "/api/v1/me", nil); r.code != 200 || !strings.Contains(r.body, "integrator") {
		t.Fatalf("the new token does not work: %d %s", r.code, r.body)
	}
	// Listed, with when it was used and when it expires, never shown again.
	list := b.get("/settings/tokens")
	if strings.Contains(list.body, secret[1]) || !strings.Contains(list.body, "nightly export") ||
		!strings.Contains(list.body, "last used") || !strings.Contains(list.body, "expires "+s.clock.Now().AddDate(0, 0, 30).Format("2 Jan 2006")) {
		t.Errorf("token list:\n%s", clip(list.body))
	}
	id := regexp.MustCompile(`/settings/tokens/(\d+)/revoke`).FindAllStringSubmatch(list.body, -1)
	if len(id) != 2 { // s.user's token and this one, newest first
		t.Fatalf("revoke buttons: %v", id)
	}
	r = b.post("/settings/tokens/"+id[0][1]+"/revoke", nil)
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/settings/tokens" {
		t.Fatalf("revoke: %d", r.code)
	}
	if page := b.get("/settings/tokens"); !strings.Contains(page.body, "The token is revoked") || strings.Contains(page.body, "nightly export") {
		t.Errorf("after revoking:\n%s", clip(page.body))
	}
	if r := api.api(http.MethodGet, "/api/v1/me", nil); r.code != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", r.code)
	}
	// Someone else's token, or a made-up id, is not found.
	other := s.user(s.brand.ID, "bystander")
	otherToks, _ := s.members.Tokens(context.Background(), s.brand.ID, other.actor.UserID)
	b.get("/settings/tokens")
	if r := b.post("/settings/tokens/"+itoa(otherToks[0].ID)+"/revoke", nil); r.code != http.StatusNotFound {
		t.Errorf("revoking another member's token: %d", r.code)
	}
	if r := s.bearerClient(other).api(http.MethodGet, "/api/v1/me", nil); r.code != 200 {
		t.Errorf("the bystander's token stopped working: %d", r.code)
	}
	if r := b.post("/settings/tokens/abc/revoke", nil); r.code != http.StatusNotFound {
		t.Errorf("revoking a non-number: %d", r.code)
	}
	s.noErrorLogs()
}

// The API: list, create (with a session, not with a token), revoke; expiry
// refuses a token at once; last use is noted.
func TestTokensAPI(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "scripter")
	sess := s.signedIn(m)
	sess.get("/settings/tokens") // the page gives the session's CSRF token

	r := sess.api(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "deploy bot", "expires": "2h"})
	if r.code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	made := r.json(t)
	secret, _ := made["token"].(string)
	if !strings.HasPrefix(secret, "mut_") || made["name"] != "deploy bot" || made["expires_at"] != s.clock.Now().Add(2*time.Hour).Format(time.RFC3339) || made["expired"] != false {
		t.Fatalf("created: %s", r.body)
	}
	for _, tt := range []struct {
		body  any
		field string
	}{
		{map[string]any{"name": ""}, "name"},
		{map[string]any{"name": "x", "expires": "fortnight"}, "expires"},
		{map[string]any{"name": "x", "expires": "2001-01-01"}, "expires"},
	} {
		r := sess.api(http.MethodPost, "/api/v1/tokens", tt.body)
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"`+tt.field+`"`) {
			t.Errorf("create %v: %d %s", tt.body, r.code, r.body)
		}
	}
	if r := sess.api(http.MethodPost, "/api/v1/tokens", `{"name": 5}`); r.code != http.StatusBadRequest {
		t.Errorf("a name that is not a string: %d", r.code)
	}
	// A token cannot make tokens: revoking a leaked one must end it.
	bot := s.browser()
	bot.bearer = secret
	if r := bot.api(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "child"}); r.code != http.StatusForbidden || !strings.Contains(r.body, "cannot make tokens") {
		t.Errorf("a token making a token: %d %s", r.code, r.body)
	}

	r = bot.api(http.MethodGet, "/api/v1/tokens", nil)
	items, _ := r.json(t)["items"].([]any)
	if r.code != 200 || len(items) != 2 || strings.Contains(r.body, secret) || strings.Contains(r.body, `"token"`) {
		t.Fatalf("list: %d %s", r.code, r.body)
	}
	first := items[0].(map[string]any)
	if first["name"] != "deploy bot" || first["last_used_at"] != s.clock.Now().Format(time.RFC3339) {
		t.Errorf("listed: %v (the token was used to list)", first)
	}

	// Expiry: refused the moment it comes, with a message that says so.
	s.clock.Add(2 * time.Hour)
	if r := bot.api(http.MethodGet, "/api/v1/me", nil); r.code != http.StatusUnauthorized || !strings.Contains(r.body, "expired") {
		t.Errorf("expired token: %d %s", r.code, r.body)
	}
	r = sess.api(http.MethodGet, "/api/v1/tokens", nil)
	if !strings.Contains(r.body, `"expired":true`) {
		t.Errorf("the expired token is not listed as expired: %s", r.body)
	}

	// Revoking: own only; a token may revoke itself.
	id := int64(first["id"].(float64))
	other := s.user(s.brand.ID, "neighbour")
	if r := s.bearerClient(other).api(http.MethodDelete, "/api/v1/tokens/"+itoa(id), nil); r.code != http.StatusNotFound {
		t.Errorf("revoking another member's token: %d %s", r.code, r.body)
	}
	if r := sess.api(http.MethodDelete, "/api/v1/tokens/"+itoa(id), nil); r.code != http.StatusNoContent {
		t.Errorf("revoke: %d %s", r.code, r.body)
	}
	if r := sess.api(http.MethodDelete, "/api/v1/tokens/"+itoa(id), nil); r.code != http.StatusNotFound {
		t.Errorf("revoke again: %d", r.code)
	}
	self := s.bearerClient(m)
	toks, _ := s.members.Tokens(context.Background(), s.brand.ID, m.actor.UserID)
	if r := self.api(http.MethodDelete, "/api/v1/tokens/"+itoa(toks[0].ID), nil); r.code != http.StatusNoContent {
		t.Errorf("a token revoking itself: %d %s", r.code, r.body)
	}
	if r := self.api(http.MethodGet, "/api/v1/me", nil); r.code != http.StatusUnauthorized {
		t.Errorf("after revoking itself: %d", r.code)
	}
	s.noErrorLogs()
}

// Two instances on one database: a token revoked or expired through one is
// refused by the other at once (no instance keeps tokens), and last use is
// written at most once a minute whichever instance serves.
func TestTokensRevokedOnEveryInstance(t *testing.T) {
	for _, d := range sqldbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
			a, srvA, srvB := twoInstances(t, d, clock)
			ctx := context.Background()
			brand, err := forum.NewBrands(a.DB(), clock.Now).Default(ctx)
			if err != nil {
				t.Fatal(err)
			}
			members := account.NewMembers(a.DB(), clock.Now)
			u, err := members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: "roamer", CreatedAt: clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
			call := func(method, url, tok string) int {
				t.Helper()
				req, _ := http.NewRequest(method, url, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res.StatusCode
			}
			get := func(base, tok string) int { return call(http.MethodGet, base+"/api/v1/me", tok) }
			admin, keep, err := members.IssueToken(ctx, brand.ID, u.ID, account.NewToken{Name: "keeper"})
			if err != nil {
				t.Fatal(err)
			}
			doomed, tok, _ := members.IssueToken(ctx, brand.ID, u.ID, account.NewToken{Name: "doomed"})
			short, shortTok, _ := members.IssueToken(ctx, brand.ID, u.ID, account.NewToken{Name: "short", Expires: "1h"})
			for _, base := range []string{srvA.URL, srvB.URL, srvA.URL, srvB.URL} {
				if c1, c2 := get(base, tok), get(base, shortTok); c1 != 200 || c2 != 200 {
					t.Fatalf("live tokens on %s: %d %d", base, c1, c2)
				}
			}
			if c := call(http.MethodDelete, fmt.Sprintf("%s/api/v1/tokens/%d", srvA.URL, doomed.ID), keep); c != http.StatusNoContent {
				t.Fatalf("revoke through A: %d", c)
			}
			if c := get(srvB.URL, tok); c != http.StatusUnauthorized {
				t.Errorf("B accepted a token A revoked: %d", c)
			}
			clock.Add(time.Hour)
			for _, base := range []string{srvA.URL, srvB.URL} {
				if c := get(base, shortTok); c != http.StatusUnauthorized {
					t.Errorf("%s accepted an expired token: %d", base, c)
				}
			}
			toks, _ := members.Tokens(ctx, brand.ID, u.ID)
			for _, tk := range toks {
				if tk.ID == short.ID && !tk.LastUsedAt.Equal(clock.Now().Add(-time.Hour)) {
					t.Errorf("last use of a token used four times in one minute on two instances: %v", tk.LastUsedAt)
				}
				if tk.ID == admin.ID && tk.LastUsedAt.IsZero() {
					t.Error("the revoking token's use is not noted")
				}
			}
		})
	}
}

// twoInstances starts two instances on one database: a PostgreSQL schema,
// or one SQLite file in a shared data directory (not a deployment SQLite
// is meant for, but enough to show that no instance keeps tokens of its own).
func twoInstances(t *testing.T, d sqldb.Dialect, clock *testkit.Clock) (*app.App, *httptest.Server, *httptest.Server) {
	t.Helper()
	if d == sqldb.Postgres {
		target := sqldbtest.Target(t, d)
		a, srvA := scaleoutInstance(t, target, clock, nil)
		_, srvB := scaleoutInstance(t, target, clock, nil)
		return a, srvA, srvB
	}
	dir := t.TempDir()
	var apps []*app.App
	var srvs []*httptest.Server
	for i := 0; i < 2; i++ {
		cfg := app.DefaultConfig()
		cfg.DataDir, cfg.NoDemo, cfg.JobInterval, cfg.Now = dir, true, 0, clock.Now
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
		if err != nil {
			t.Fatalf("start instance %d: %v", i, err)
		}
		srv := httptest.NewServer(a.Handler())
		t.Cleanup(func() { srv.Close(); a.Close() })
		apps, srvs = append(apps, a), append(srvs, srv)
	}
	return apps[0], srvs[0], srvs[1]
}
