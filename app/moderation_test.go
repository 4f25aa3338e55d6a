package app_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mutual/app"
	"mutual/forum"
)

// modSetup is a site with a board, a member's thread and reply, a moderator
// and an admin.
type modSetup struct {
	s                 *site
	asker, spammer    member
	mod, admin        member
	thread            forum.Thread
	spam              forum.Post
	modAPI, adminAPI  *browser
	askerAPI, spamAPI *browser
}

func newModSetup(t *testing.T, opts ...func(*app.Config)) *modSetup {
	s := newSite(t, opts...)
	ctx := context.Background()
	m := &modSetup{s: s}
	m.asker = s.user(s.brand.ID, "asker")
	m.spammer = s.user(s.brand.ID, "spammer")
	m.mod = s.user(s.brand.ID, "moddy", "moderator")
	m.admin = s.user(s.brand.ID, "boss", "admin")
	var err error
	if m.thread, err = s.svc.Ask(ctx, m.asker.actor, forum.NewThread{BoardID: s.board.ID, Title: "How do I change my plan?", Body: "I want a cheaper plan please."}); err != nil {
		t.Fatal(err)
	}
	if m.spam, err = s.svc.Reply(ctx, m.spammer.actor, m.thread.ID, forum.NewReply{Body: "BUY CHEAP PILLS at spam dot example"}); err != nil {
		t.Fatal(err)
	}
	m.modAPI, m.adminAPI = s.bearerClient(m.mod), s.bearerClient(m.admin)
	m.askerAPI, m.spamAPI = s.bearerClient(m.asker), s.bearerClient(m.spammer)
	return m
}

func (m *modSetup) counts(t *testing.T) (replies, boardPosts, boardThreads int64) {
	t.Helper()
	db := m.s.app.DB()
	ctx := context.Background()
	if err := db.QueryRow(ctx, `SELECT reply_count FROM threads WHERE id = ?`, m.thread.ID).Scan(&replies); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT post_count, thread_count FROM boards WHERE id = ?`, m.s.board.ID).Scan(&boardPosts, &boardThreads); err != nil {
		t.Fatal(err)
	}
	return
}

func TestModerationFlagsQueueAndAutoHide(t *testing.T) {
	m := newModSetup(t)
	s := m.s
	path := "/api/v1/posts/" + itoa(m.spam.ID) + "/flags"
	// Bad input, own post, anonymous.
	apiError(t, m.askerAPI.api(http.MethodPost, path, map[string]any{"reason": "nonsense"}), 422, "invalid")
	apiError(t, m.spamAPI.api(http.MethodPost, path, map[string]any{"reason": "spam"}), 403, "forbidden")
	apiError(t, s.browser().api(http.MethodPost, path, map[string]any{"reason": "spam"}), 401, "unauthenticated")
	// A plain member's flag queues the post but does not hide it.
	r := modJSON(t, m.askerAPI.api(http.MethodPost, path, map[string]any{"reason": "spam", "note": "selling pills"}), 201)
	if r["post_hidden"] != false {
		t.Errorf("one member flag hid the post: %v", r)
	}
	apiError(t, m.askerAPI.api(http.MethodPost, path, map[string]any{"reason": "spam"}), 409, "conflict")
	q := modJSON(t, m.modAPI.api(http.MethodGet, "/api/v1/moderation/queue", nil), 200)
	items := q["items"].([]any)
	if len(items) != 1 || !strings.Contains(q["items"].([]any)[0].(map[string]any)["post"].(map[string]any)["body"].(string), "PILLS") {
		t.Fatalf("queue = %v", q)
	}
	author := items[0].(map[string]any)["author"].(map[string]any)
	if _, ok := author["email"]; ok {
		t.Errorf("a moderator saw the author's email without the brand allowing it: %v", author)
	}
	// Three trusted members' flags hide it pending review.
	_, posts0, _ := m.counts(t)
	for i, name := range []string{"tr_a", "tr_b", "tr_c"} {
		tr := s.bearerClient(s.user(s.brand.ID, name, "trusted"))
		r := modJSON(t, tr.api(http.MethodPost, path, map[string]any{"reason": "spam"}), 201)
		if hidden := r["post_hidden"] == true; hidden != (i == 2) {
			t.Errorf("after trusted flag %d post_hidden = %v", i+1, r["post_hidden"])
		}
	}
	if rc, posts, _ := m.counts(t); rc != 0 || posts != posts0-1 {
		t.Errorf("after auto-hide reply_count=%d board posts=%d (was %d)", rc, posts, posts0)
	}
	if body := s.browser().get("/t/" + itoa(m.thread.ID) + "/" + m.thread.Slug).body; strings.Contains(body, "PILLS") {
		t.Error("hidden post still shown to visitors")
	}
	if body := s.signedIn(m.mod).get("/t/" + itoa(m.thread.ID) + "/" + m.thread.Slug).body; !strings.Contains(body, "PILLS") || !strings.Contains(body, "badge-hidden") {
		t.Error("moderators should see the hidden post, marked")
	}
	// A trusted member handles the queue: dismissing the flags shows it again.
	tr := s.bearerClient(s.user(s.brand.ID, "tr_d", "trusted"))
	apiError(t, tr.api(http.MethodPost, "/api/v1/moderation/queue/"+itoa(m.spam.ID), map[string]any{"decision": "delete"}), 403, "forbidden")
	modJSON(t, tr.api(http.MethodPost, "/api/v1/moderation/queue/"+itoa(m.spam.ID), map[string]any{"decision": "dismiss", "reason": "not spam"}), 200)
	if rc, posts, _ := m.counts(t); rc != 1 || posts != posts0 {
		t.Errorf("after dismiss reply_count=%d board posts=%d (want 1, %d)", rc, posts, posts0)
	}
	if q := modJSON(t, m.modAPI.api(http.MethodGet, "/api/v1/moderation/queue", nil), 200); len(q["items"].([]any)) != 0 {
		t.Errorf("queue not empty after the decision: %v", q)
	}
	// The audit log has the flags, the system's hide and the dismissal, newest first.
	a := modJSON(t, m.adminAPI.api(http.MethodGet, "/api/v1/audit", nil), 200)
	acts := []string{}
	for _, it := range a["items"].([]any) {
		acts = append(acts, it.(map[string]any)["act"].(string))
	}
	if strings.Join(acts, ",") != "flags_dismissed,post_hidden,post_flagged,post_flagged,post_flagged,post_flagged" {
		t.Errorf("audit acts = %v", acts)
	}
	if a["items"].([]any)[1].(map[string]any)["actor"] != "system" {
		t.Errorf("auto-hide actor = %v", a["items"].([]any)[1])
	}
	s.noErrorLogs()
}

func TestModerationActsOnContent(t *testing.T) {
	m := newModSetup(t)
	s := m.s
	ctx := context.Background()
	relaxKudosGivers(t, s)
	// Kudos earn the spammer reputation that deletion takes back.
	if _, err := s.svc.GiveKudos(ctx, m.asker.actor, m.spam.ID); err != nil {
		t.Fatal(err)
	}
	rep := func() int64 {
		var n int64
		if err := s.app.DB().QueryRow(ctx, `SELECT reputation FROM users WHERE id = ?`, m.spammer.actor.UserID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	earned := rep()
	pp := "/api/v1/posts/" + itoa(m.spam.ID)
	// Members cannot; moderators can; wrong state is 409.
	apiError(t, m.askerAPI.api(http.MethodPost, pp+"/hide", nil), 403, "forbidden")
	apiError(t, m.modAPI.api(http.MethodPost, pp+"/unhide", nil), 409, "conflict")
	if p := modJSON(t, m.modAPI.api(http.MethodPost, pp+"/hide", map[string]any{"reason": "spam"}), 200); p["status"] != "hidden" {
		t.Errorf("hide: %v", p)
	}
	modJSON(t, m.modAPI.api(http.MethodPost, pp+"/unhide", nil), 200)
	modJSON(t, m.modAPI.api(http.MethodPost, pp+"/delete", map[string]any{"reason": "spam"}), 200)
	if got := rep(); earned <= 0 || got != 0 {
		t.Errorf("reputation after delete = %d (earned %d)", got, earned)
	}
	if rc, _, _ := m.counts(t); rc != 0 {
		t.Errorf("reply_count after delete = %d", rc)
	}
	modJSON(t, m.modAPI.api(http.MethodPost, pp+"/restore", nil), 200)
	if got := rep(); got != earned {
		t.Errorf("reputation after restore = %d, want %d", got, earned)
	}
	// Edit with a reason keeps a revision.
	apiError(t, m.modAPI.api(http.MethodPost, pp+"/revise", map[string]any{"body": "Cleaned up text"}), 422, "invalid")
	if p := modJSON(t, m.modAPI.api(http.MethodPost, pp+"/revise", map[string]any{"body": "Cleaned up text", "reason": "removed link"}), 200); p["revision_count"] != float64(2) {
		t.Errorf("revise: %v", p)
	}
	// Lock: members cannot reply, and are told why.
	tp := "/api/v1/threads/" + itoa(m.thread.ID)
	modJSON(t, m.modAPI.api(http.MethodPost, tp+"/lock", map[string]any{"reason": "resolved"}), 200)
	r := m.spamAPI.api(http.MethodPost, tp+"/posts", map[string]any{"body": "Still here"})
	if r.code != 403 || !strings.Contains(r.body, "locked") {
		t.Errorf("reply to locked thread = %d %s", r.code, r.body)
	}
	modJSON(t, m.modAPI.api(http.MethodPost, tp+"/unlock", nil), 200)
	modJSON(t, m.spamAPI.api(http.MethodPost, tp+"/posts", map[string]any{"body": "Back again"}), 201)
	// Pin, move to another board (counts move), merge (old URL redirects).
	modJSON(t, m.modAPI.api(http.MethodPost, tp+"/pin", nil), 200)
	other := s.newBoard(s.brand.ID, "Roaming")
	apiError(t, m.modAPI.api(http.MethodPost, tp+"/move", map[string]any{"board_id": 99999}), 422, "invalid")
	if th := modJSON(t, m.modAPI.api(http.MethodPost, tp+"/move", map[string]any{"board_id": other.ID}), 200); th["board_id"] != float64(other.ID) || th["pinned"] != true {
		t.Errorf("move: %v", th)
	}
	dup, err := s.svc.Ask(ctx, m.spammer.actor, forum.NewThread{BoardID: other.ID, Title: "How to change my plan?", Body: "Same question again here."})
	if err != nil {
		t.Fatal(err)
	}
	modJSON(t, m.modAPI.api(http.MethodPost, "/api/v1/threads/"+itoa(dup.ID)+"/merge", map[string]any{"into": m.thread.ID, "reason": "duplicate"}), 200)
	if r := s.browser().get("/t/" + itoa(dup.ID)); r.code != 301 || r.header.Get("Location") != "/t/"+itoa(m.thread.ID) {
		t.Errorf("merged thread = %d %s", r.code, r.header.Get("Location"))
	}
	var threads, posts int64
	if err := s.app.DB().QueryRow(ctx, `SELECT thread_count, post_count FROM boards WHERE id = ?`, other.ID).Scan(&threads, &posts); err != nil {
		t.Fatal(err)
	}
	if rc, _, _ := m.counts(t); threads != 1 || posts != 1+rc {
		t.Errorf("board after merge: %d threads, %d posts; thread has %d replies", threads, posts, rc)
	}
	// Another brand's post is 404 even for a moderator.
	beta, _ := s.brands.Create(ctx, forum.NewBrand{Host: "beta.test", Name: "Beta"})
	bb := s.newBoard(beta.ID, "Beta board")
	bu := s.user(beta.ID, "beta_user")
	bt, _ := s.svc.Ask(ctx, bu.actor, forum.NewThread{BoardID: bb.ID, Title: "A beta question", Body: "Only in beta here."})
	apiError(t, m.modAPI.api(http.MethodPost, "/api/v1/threads/"+itoa(bt.ID)+"/lock", nil), 404, "not_found")
	s.noErrorLogs()
}

func TestModerationActsOnPeopleAndRoles(t *testing.T) {
	m := newModSetup(t)
	s := m.s
	up := "/api/v1/users/spammer"
	apiError(t, m.modAPI.api(http.MethodPost, up+"/suspend", map[string]any{"until": "yesterday", "reason": "spam"}), 422, "invalid")
	apiError(t, m.modAPI.api(http.MethodPost, up+"/suspend", map[string]any{"until": "72h"}), 422, "invalid")
	apiError(t, m.modAPI.api(http.MethodPost, "/api/v1/users/boss/suspend", map[string]any{"until": "72h", "reason": "x"}), 403, "forbidden")
	apiError(t, m.modAPI.api(http.MethodPost, "/api/v1/users/nobody/warn", map[string]any{"reason": "x"}), 404, "not_found")
	modJSON(t, m.modAPI.api(http.MethodPost, up+"/warn", map[string]any{"reason": "no selling"}), 200)
	st := modJSON(t, m.modAPI.api(http.MethodPost, up+"/suspend", map[string]any{"until": "72h", "reason": "selling pills"}), 200)
	if st["suspended_until"] == nil {
		t.Fatalf("suspend: %v", st)
	}
	// A suspended member reads but cannot post, and sees why and until when.
	if r := s.bearerClient(m.spammer).api(http.MethodGet, "/api/v1/threads/"+itoa(m.thread.ID), nil); r.code != 200 {
		t.Errorf("suspended member cannot read: %d", r.code)
	}
	r := m.spamAPI.api(http.MethodPost, "/api/v1/threads/"+itoa(m.thread.ID)+"/posts", map[string]any{"body": "let me in"})
	if r.code != 403 || !strings.Contains(r.body, "suspended until") || !strings.Contains(r.body, "selling pills") {
		t.Errorf("suspended reply = %d %s", r.code, r.body)
	}
	if b := s.signedIn(m.spammer).get("/t/" + itoa(m.thread.ID) + "/" + m.thread.Slug).body; !strings.Contains(b, "suspended until") || !strings.Contains(b, "selling pills") {
		t.Error("the thread page does not tell a suspended member why and until when")
	}
	// The suspension ends by itself.
	s.clock.Add(73 * time.Hour)
	modJSON(t, m.spamAPI.api(http.MethodPost, "/api/v1/threads/"+itoa(m.thread.ID)+"/posts", map[string]any{"body": "I am back"}), 201)
	modJSON(t, m.modAPI.api(http.MethodPost, up+"/ban", map[string]any{"reason": "repeat spam"}), 200)
	if r := m.spamAPI.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID, "title": "Another question here", "body": "Banned but trying"}); r.code != 403 || !strings.Contains(r.body, "banned") {
		t.Errorf("banned ask = %d %s", r.code, r.body)
	}
	modJSON(t, m.modAPI.api(http.MethodPost, up+"/unban", nil), 200)

	// Roles: granted and revoked by an admin, effective on the next request.
	helper := s.user(s.brand.ID, "helper")
	hb := s.bearerClient(helper)
	apiError(t, hb.api(http.MethodGet, "/api/v1/moderation/queue", nil), 403, "forbidden")
	apiError(t, m.modAPI.api(http.MethodPost, "/api/v1/users/helper/roles", map[string]any{"role": "moderator"}), 403, "forbidden")
	apiError(t, m.adminAPI.api(http.MethodPost, "/api/v1/users/helper/roles", map[string]any{"role": "overlord"}), 422, "invalid")
	modJSON(t, m.adminAPI.api(http.MethodPost, "/api/v1/users/helper/roles", map[string]any{"role": "moderator"}), 200)
	modJSON(t, hb.api(http.MethodGet, "/api/v1/moderation/queue", nil), 200)
	modJSON(t, m.adminAPI.api(http.MethodDelete, "/api/v1/users/helper/roles/moderator", nil), 200)
	apiError(t, hb.api(http.MethodGet, "/api/v1/moderation/queue", nil), 403, "forbidden")

	// Every act is in the audit log, filterable, and exported as CSV.
	a := modJSON(t, m.adminAPI.api(http.MethodGet, "/api/v1/audit?member=helper", nil), 200)
	if items := a["items"].([]any); len(items) != 2 || items[0].(map[string]any)["act"] != "role_revoked" {
		t.Errorf("audit for helper = %v", items)
	}
	a = modJSON(t, m.adminAPI.api(http.MethodGet, "/api/v1/audit?act=user_suspended&actor=moddy", nil), 200)
	if items := a["items"].([]any); len(items) != 1 || items[0].(map[string]any)["reason"] != "selling pills" {
		t.Errorf("audit filtered = %v", items)
	}
	apiError(t, m.adminAPI.api(http.MethodGet, "/api/v1/audit?since=soon", nil), 422, "invalid")
	apiError(t, m.askerAPI.api(http.MethodGet, "/api/v1/audit", nil), 403, "forbidden")
	// The page's own Export link carries its filter (it used to reach the
	// export escaped into one parameter, and exported everything).
	page := s.signedIn(m.admin).get("/mod/audit?act=user_banned")
	link := regexp.MustCompile(`href="([^"]*)">Export CSV`).FindStringSubmatch(page.body)
	if link == nil {
		t.Fatalf("the audit page has no Export CSV link: %s", clip(page.body))
	}
	csv := s.signedIn(m.admin).get(html.UnescapeString(link[1]))
	if csv.code != 200 || !strings.Contains(csv.body, "user_banned") || !strings.Contains(csv.body, "repeat spam") || strings.Contains(csv.body, "user_warned") {
		t.Errorf("csv by the page's link %q = %d %s", link[1], csv.code, csv.body)
	}
	// The log cannot be rewritten.
	if _, err := s.app.DB().Exec(context.Background(), `UPDATE moderation_actions SET reason = 'nothing happened'`); err == nil {
		t.Error("the audit log accepted an UPDATE")
	}
	if _, err := s.app.DB().Exec(context.Background(), `DELETE FROM moderation_actions`); err == nil {
		t.Error("the audit log accepted a DELETE")
	}
	s.noErrorLogs()
}

// TestPreModeration: a new member's first post is invisible to others until
// a moderator approves it; the author sees it marked as awaiting review.
func TestPreModeration(t *testing.T) {
	m := newModSetup(t)
	s := m.s
	modJSON(t, m.adminAPI.api(http.MethodPut, "/api/v1/moderation/settings", map[string]any{"premod_posts": 1, "flag_hide_at": 3, "staff_label": "Team"}), 200)
	newbie := s.user(s.brand.ID, "newbie")
	nb := s.bearerClient(newbie)
	_, posts0, threads0 := m.counts(t)
	th := modJSON(t, nb.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID, "title": "My very first question", "body": "Is this thing on?"}), 201)
	if th["status"] != "pending" {
		t.Fatalf("first thread status = %v", th["status"])
	}
	id := int64(th["id"].(float64))
	if _, posts, threads := m.counts(t); posts != posts0 || threads != threads0 {
		t.Errorf("a held thread was counted: %d/%d", posts, threads)
	}
	if r := s.browser().get("/t/" + itoa(id)); r.code != 404 {
		t.Errorf("visitor sees held thread: %d", r.code)
	}
	if r := m.askerAPI.api(http.MethodGet, "/api/v1/threads/"+itoa(id), nil); r.code != 404 {
		t.Errorf("another member sees held thread: %d", r.code)
	}
	if b := s.browser().get("/b/" + itoa(s.board.ID) + "/" + s.board.Slug).body; strings.Contains(b, "My very first question") {
		t.Error("held thread listed on the board")
	}
	if b := s.signedIn(newbie).get("/t/" + itoa(id) + "/" + th["slug"].(string)).body; !strings.Contains(b, "Awaiting review") {
		t.Error("the author does not see the held thread marked")
	}
	q := modJSON(t, m.modAPI.api(http.MethodGet, "/api/v1/moderation/queue", nil), 200)
	if len(q["items"].([]any)) != 1 {
		t.Fatalf("queue = %v", q)
	}
	qid := int64(q["items"].([]any)[0].(map[string]any)["post"].(map[string]any)["id"].(float64))
	modJSON(t, m.modAPI.api(http.MethodPost, "/api/v1/moderation/queue/"+itoa(qid), map[string]any{"decision": "approve"}), 200)
	if r := s.browser().get("/t/" + itoa(id) + "/" + th["slug"].(string)); r.code != 200 || !strings.Contains(r.body, "Is this thing on?") {
		t.Errorf("approved thread = %d", r.code)
	}
	if _, posts, threads := m.counts(t); posts != posts0+1 || threads != threads0+1 {
		t.Errorf("approved thread counts %d/%d, want %d/%d", posts, threads, posts0+1, threads0+1)
	}
	// Staff posts carry the brand's staff label.
	modJSON(t, m.modAPI.api(http.MethodPost, "/api/v1/threads/"+itoa(id)+"/posts", map[string]any{"body": "Welcome, it is on."}), 201)
	if b := s.browser().get("/t/" + itoa(id) + "/" + th["slug"].(string)).body; !strings.Contains(b, `badge-staff" title="Works for the community">Team<`) {
		t.Error("the moderator's reply lacks the brand's staff badge")
	}
	// After one approved post the member posts freely.
	if r := modJSON(t, nb.api(http.MethodPost, "/api/v1/threads/"+itoa(m.thread.ID)+"/posts", map[string]any{"body": "Now I can reply"}), 201); r["status"] != "visible" {
		t.Errorf("second post = %v", r["status"])
	}
	s.noErrorLogs()
}

// TestNewMemberLimitsUnderBurst: ten parallel replies from a new member
// give one post and nine 429s with Retry-After; links are limited by
// reputation; repeated text is refused.
func TestNewMemberLimitsUnderBurst(t *testing.T) {
	m := newModSetup(t, func(c *app.Config) { c.NewMemberLimits = true })
	s := m.s
	fresh := s.bearerClient(s.user(s.brand.ID, "fresh"))
	path := "/api/v1/threads/" + itoa(m.thread.ID) + "/posts"
	var wg sync.WaitGroup
	codes := make([]int, 10)
	retry := make([]string, 10)
	for i := range 10 {
		wg.Go(func() {
			r := fresh.api(http.MethodPost, path, map[string]any{"body": "burst reply number " + itoa(int64(i))})
			codes[i], retry[i] = r.code, r.header.Get("Retry-After")
		})
	}
	wg.Wait()
	ok, limited := 0, 0
	for i, c := range codes {
		switch c {
		case 201:
			ok++
		case 429:
			limited++
			if retry[i] == "" {
				t.Error("429 without Retry-After")
			}
		}
	}
	if ok != 1 || limited != 9 {
		t.Errorf("burst: %d created, %d limited: %v", ok, limited, codes)
	}
	s.clock.Add(31 * time.Second)
	r := fresh.api(http.MethodPost, path, map[string]any{"body": "see [a](https://a.example) [b](https://b.example) [c](https://c.example)"})
	if r.code != 422 || !strings.Contains(r.body, "at most 2 links") {
		t.Errorf("three links from a new member = %d %s", r.code, r.body)
	}
	modJSON(t, fresh.api(http.MethodPost, path, map[string]any{"body": "a calm reply"}), 201)
	s.clock.Add(31 * time.Second)
	if r := fresh.api(http.MethodPost, path, map[string]any{"body": "a calm reply"}); r.code != 422 || !strings.Contains(r.body, "same text") {
		t.Errorf("repeated text = %d %s", r.code, r.body)
	}
	s.noErrorLogs()
}

// modJSON checks the status and decodes the JSON object.
func modJSON(t *testing.T, r *response, code int) map[string]any {
	t.Helper()
	if r.code != code {
		t.Fatalf("status %d, want %d: %s", r.code, code, clip(r.body))
	}
	return r.json(t)
}

// Standing bounds roles on every request: a banned moderator's token
// moderates nothing and reads no audit log, a banned member flags nothing,
// and a suspended member's earned trust reviews nothing; each refusal says
// why. Lifting the ban or suspension gives the roles back.
func TestStandingBoundsRoles(t *testing.T) {
	m := newModSetup(t)
	pp := "/api/v1/posts/" + itoa(m.spam.ID)
	modJSON(t, m.adminAPI.api(http.MethodPost, "/api/v1/users/moddy/ban", map[string]any{"reason": "abused the tools"}), 200)
	for _, try := range []struct{ method, path string }{
		{http.MethodPost, pp + "/hide"},
		{http.MethodGet, "/api/v1/audit"},
		{http.MethodGet, "/api/v1/moderation/queue"},
		{http.MethodPost, "/api/v1/users/spammer/ban"},
	} {
		e := apiError(t, m.modAPI.api(try.method, try.path, map[string]any{"reason": "still trying"}), 403, "forbidden")
		if !strings.Contains(fmt.Sprint(e["message"]), "banned") {
			t.Errorf("banned moderator %s %s: %v, want it to say the account is banned", try.method, try.path, e["message"])
		}
	}
	modJSON(t, m.adminAPI.api(http.MethodPost, "/api/v1/users/spammer/ban", map[string]any{"reason": "spam"}), 200)
	apiError(t, m.spamAPI.api(http.MethodPost, pp+"/flags", map[string]any{"reason": "spam"}), 403, "forbidden")
	if r := m.s.signedIn(m.spammer).get("/t/" + itoa(m.thread.ID) + "/" + m.thread.Slug); r.code != http.StatusOK {
		t.Errorf("a banned member can no longer read: %d", r.code)
	}

	// A suspended member who earned the trusted role holds it no longer.
	trusted := m.s.user(m.s.brand.ID, "veteran", "trusted")
	vAPI := m.s.bearerClient(trusted)
	modJSON(t, vAPI.api(http.MethodGet, "/api/v1/moderation/queue", nil), 200)
	modJSON(t, m.adminAPI.api(http.MethodPost, "/api/v1/users/veteran/suspend", map[string]any{"until": "72h", "reason": "cooling off"}), 200)
	e := apiError(t, vAPI.api(http.MethodGet, "/api/v1/moderation/queue", nil), 403, "forbidden")
	if !strings.Contains(fmt.Sprint(e["message"]), "suspended until") {
		t.Errorf("suspended trusted member: %v, want it to say until when", e["message"])
	}
	modJSON(t, m.adminAPI.api(http.MethodPost, "/api/v1/users/veteran/unsuspend", nil), 200)
	modJSON(t, vAPI.api(http.MethodGet, "/api/v1/moderation/queue", nil), 200)
}
