package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

func modCall(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestModerationAcrossInstances: on two instances of one PostgreSQL, a role
// revoked through one stops working on the other's very next request, a
// brand's new policy rule reaches the other's memoised decisions, and a post
// hidden through one leaves the other's cached pages.
func TestModerationAcrossInstances(t *testing.T) {
	target := sqldbtest.Target(t, sqldb.Postgres)
	clock := testkit.NewClock(time.Now().UTC())
	a, srvA := scaleoutInstance(t, target, clock, nil)
	_, srvB := scaleoutInstance(t, target, clock, nil)
	ctx := context.Background()
	brand, _ := forum.NewBrands(a.DB(), clock.Now).Default(ctx)
	svc := forum.NewService(a.DB(), markup.NewRenderer(), clock.Now)
	members := account.NewMembers(a.DB(), clock.Now)
	board, err := svc.CreateBoard(ctx, brand.ID, forum.NewBoard{Name: "Scale board"})
	if err != nil {
		t.Fatal(err)
	}
	token := func(name string, roles ...string) (account.Actor, string) {
		u, err := members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: name, CreatedAt: clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range roles {
			if err := members.Grant(ctx, brand.ID, u.ID, r); err != nil {
				t.Fatal(err)
			}
		}
		tok, _ := members.CreateToken(ctx, brand.ID, u.ID, "t")
		rs, _ := members.RolesOf(ctx, brand.ID, u.ID)
		return account.Actor{UserID: u.ID, BrandID: brand.ID, Username: name, Roles: rs}, tok
	}
	_, admin := token("boss", "admin")
	_, helperTok := token("helper")
	asker, askerTok := token("asker")
	spammer, _ := token("spammer")

	// Roles: revoked on A, refused on B's very next request.
	if code, body := modCall(t, http.MethodPost, srvA.URL+"/api/v1/users/helper/roles", admin, `{"role":"moderator"}`); code != 200 {
		t.Fatalf("grant: %d %s", code, body)
	}
	if code, _ := modCall(t, http.MethodGet, srvB.URL+"/api/v1/moderation/queue", helperTok, ""); code != 200 {
		t.Fatalf("granted moderator refused on B: %d", code)
	}
	if code, body := modCall(t, http.MethodDelete, srvA.URL+"/api/v1/users/helper/roles/moderator", admin, ""); code != 200 {
		t.Fatalf("revoke: %d %s", code, body)
	}
	if code, _ := modCall(t, http.MethodGet, srvB.URL+"/api/v1/moderation/queue", helperTok, ""); code != 403 {
		t.Fatalf("revoked moderator on B's next request: %d, want 403", code)
	}

	// A post hidden through A disappears from B's cached page.
	th, err := svc.Ask(ctx, asker, forum.NewThread{BoardID: board.ID, Title: "Scale-out moderation", Body: "A question to moderate."})
	if err != nil {
		t.Fatal(err)
	}
	spam, err := svc.Reply(ctx, spammer, th.ID, forum.NewReply{Body: "SPAMMY SPAM reply"})
	if err != nil {
		t.Fatal(err)
	}
	page := func() string {
		res, err := http.Get(fmt.Sprintf("%s/t/%d/%s", srvB.URL, th.ID, th.Slug))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if !strings.Contains(page(), "SPAMMY SPAM") {
		t.Fatal("B does not show the reply before hiding")
	}
	if code, body := modCall(t, http.MethodPost, fmt.Sprintf("%s/api/v1/posts/%d/hide", srvA.URL, spam.ID), admin, `{"reason":"spam"}`); code != 200 {
		t.Fatalf("hide: %d %s", code, body)
	}
	waitFor(t, "B drops the hidden reply from its cached page", func() bool { return !strings.Contains(page(), "SPAMMY SPAM") })

	// A brand rule added on A reaches B's memoised decisions.
	first, _ := modCall(t, http.MethodGet, srvB.URL+"/api/v1/me", askerTok, "")
	if first != 200 {
		t.Fatalf("me on B: %d", first)
	}
	if err := a.Authz().AddBrandRule(brand.ID, "member", "me", "read", "deny"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "B applies A's new deny rule", func() bool {
		code, _ := modCall(t, http.MethodGet, srvB.URL+"/api/v1/me", askerTok, "")
		return code == 403
	})
}

// waitFor polls a condition that another instance makes true
// asynchronously (a PostgreSQL notification), failing after 5 s.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
