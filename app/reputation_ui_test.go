package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mutual/forum"
)

// repSettings saves part of the brand's reputation settings through the
// admin API (fields left out keep their values).
func (r *repSetup) repSettings(t *testing.T, doc map[string]any) {
	t.Helper()
	repJSON(t, r.adminB.api(http.MethodPut, "/api/v1/reputation/settings", doc), 200)
}

// rank is how a rank shows beside a member's name on every page.
func rank(name string) string { return `<span class="rep-rank" title="rank">` + name + `</span>` }

// TestRanksBesideNames: the author's rank shows beside their name wherever
// a list names them (thread lists, top helpers, search results, the review
// queue) and in the API's author objects, from the brand's own ladder.
func TestRanksBesideNames(t *testing.T) {
	r := newRepSetup(t)
	s := r.s
	// A ladder of our own tells the ranks apart: helper has 15 (an accepted
	// answer), asker 2 (accepting it).
	r.repSettings(t, map[string]any{"ranks": []map[string]any{{"name": "Rookie", "min": 0}, {"name": "Pro", "min": 10}}})
	// A flag puts helper's answer in the review queue.
	repJSON(t, r.fanB.api(http.MethodPost, "/api/v1/posts/"+itoa(r.answer.ID)+"/flags", map[string]any{"reason": "spam"}), 201)

	mod := s.signedIn(r.c.mod)
	askerRow := `asked by <a href="/u/asker">asker</a> ` + rank("Rookie") + ` · active`
	askerJSON := `"author":{"id":` + itoa(r.c.asker.actor.UserID) + `,"username":"asker","reputation":2,"rank":"Rookie"}`
	helperJSON := `"author":{"id":` + itoa(r.c.helper.actor.UserID) + `,"username":"helper","reputation":15,"rank":"Pro"}`
	s.run([]scenario{
		{name: "home thread list", method: "GET", path: "/", status: 200, contains: []string{askerRow}},
		{name: "board thread list and top helpers", method: "GET", path: boardPath(s.board), status: 200,
			contains: []string{askerRow, `<a href="/u/helper">helper</a> ` + rank("Pro") + ` <span class="hint">+15</span>`}},
		{name: "profile thread list", method: "GET", path: "/u/asker", status: 200, contains: []string{askerRow}},
		{name: "search results", method: "GET", path: "/search?q=bill", status: 200,
			contains: []string{`asked by asker ` + rank("Rookie") + ` <time`}},
		{name: "review queue", method: "GET", path: "/mod/queue", as: mod, status: 200,
			contains: []string{`<a href="/mod/users/helper">helper</a> ` + rank("Pro")}},
		{name: "thread page posts", method: "GET", path: threadPath(r.c.solved), status: 200,
			contains: []string{rank("Rookie"), rank("Pro")}},
		{name: "api thread list", method: "GET", path: "/api/v1/boards/" + itoa(s.board.ID) + "/threads", status: 200,
			contains: []string{askerJSON}},
		{name: "api thread: its author and each post's", method: "GET", path: "/api/v1/threads/" + itoa(r.c.solved.ID), status: 200,
			contains: []string{askerJSON + `,"created_at"`, askerJSON + `,"is_question":true`, helperJSON + `,"is_question":false`}},
		{name: "api search", method: "GET", path: "/api/v1/search?q=bill", status: 200, contains: []string{askerJSON}},
		{name: "api review queue", method: "GET", path: "/api/v1/moderation/queue", as: s.bearerClient(r.c.mod), status: 200,
			contains: []string{helperJSON}},
		{name: "api accept answers the thread with its author's rank", method: "POST", path: "/api/v1/threads/" + itoa(r.c.solved.ID) + "/accept",
			as: r.askerB, json: map[string]any{"post_id": r.answer.ID}, status: 200, contains: []string{askerJSON}},
		{name: "api kudos answers the post with its author's rank", method: "POST", path: "/api/v1/posts/" + itoa(r.answer.ID) + "/kudos",
			as: r.fanB, status: 200, contains: []string{strings.Replace(helperJSON, `"reputation":15`, `"reputation":25`, 1)}},
	})
	s.noErrorLogs()
}

// TestRefusalsSayWhy: a member refused something the trusted role would
// allow hears at what reputation it unlocks and how much they have, pages
// and API alike; other refusals stay plain.
func TestRefusalsSayWhy(t *testing.T) {
	r := newRepSetup(t)
	s := r.s
	fan, helper := s.signedIn(r.fan), s.signedIn(r.c.helper)
	agent := s.signedIn(s.user(s.brand.ID, "agnes", "agent"))
	generic := "Your account is not allowed to do that here."
	s.run([]scenario{
		{name: "queue page", method: "GET", path: "/mod/queue", as: fan, status: 403,
			contains: []string{"Reviewing flags unlocks at 500 reputation; you have 0."}, notContains: []string{generic}},
		{name: "queue decision", method: "POST", path: "/mod/queue/" + itoa(r.answer.ID), as: fan, form: url.Values{"decision": {"dismiss"}}, status: 403,
			contains: []string{"Reviewing flags unlocks at 500 reputation; you have 0."}},
		{name: "queue API", method: "GET", path: "/api/v1/moderation/queue", as: s.bearerClient(r.c.helper), status: 403,
			contains: []string{`"code":"forbidden"`, `"message":"Reviewing flags unlocks at 500 reputation; you have 15."`}},
		{name: "queue API with a session", method: "POST", path: "/api/v1/moderation/queue/" + itoa(r.answer.ID), as: helper,
			json: map[string]any{"decision": "dismiss"}, status: 403, contains: []string{"Reviewing flags unlocks at 500 reputation; you have 15."}},
		{name: "staff earn no reputation: plain refusal", method: "GET", path: "/mod/queue", as: agent, status: 403,
			contains: []string{generic}, notContains: []string{"unlocks at"}},
		{name: "not unlocked by reputation: plain refusal", method: "GET", path: "/admin/reputation", as: fan, status: 403,
			contains: []string{generic}, notContains: []string{"unlocks at"}},
		{name: "moderators' pages: plain refusal", method: "GET", path: "/mod/audit", as: helper, status: 403,
			contains: []string{generic}, notContains: []string{"unlocks at"}},
	})
	r.repSettings(t, map[string]any{"privileges": map[string]any{"rep_trusted": 1200}})
	s.run([]scenario{
		{name: "the brand's threshold", method: "GET", path: "/mod/queue", as: helper, status: 403,
			contains: []string{"Reviewing flags unlocks at 1,200 reputation; you have 15."}},
	})
	r.repSettings(t, map[string]any{"privileges": map[string]any{"rep_trusted": 10}})
	s.run([]scenario{
		{name: "reached: allowed", method: "GET", path: "/mod/queue", as: helper, status: 200, contains: []string{"Review queue"}},
	})
	s.noErrorLogs()
}

// TestPostingHints: the ask, reply and edit forms tell a member below the
// link and image thresholds what new members may post, before they write;
// members past them, staff and visitors see no hint.
func TestPostingHints(t *testing.T) {
	r := newRepSetup(t)
	s := r.s
	own, err := s.svc.Reply(context.Background(), r.fan.actor, r.c.solved.ID, forum.NewReply{Body: "Thanks, that helped me too."})
	if err != nil {
		t.Fatal(err)
	}
	fan, helper, mod := s.signedIn(r.fan), s.signedIn(r.c.helper), s.signedIn(r.c.mod)
	both := "New members may post at most 2 links and 1 image until they have 10 reputation."
	hint := `<p id="body-limits" class="hint rep-note" role="note">`
	sol := threadPath(r.c.solved)
	s.run([]scenario{
		{name: "ask form", method: "GET", path: "/ask", as: fan, status: 200, contains: []string{both, hint, `aria-describedby="body-limits"`}},
		{name: "reply form", method: "GET", path: sol, as: fan, status: 200, contains: []string{both, `id="reply-body"`, `aria-describedby="body-limits"`}},
		{name: "edit form", method: "GET", path: "/p/" + itoa(own.ID) + "/edit", as: fan, status: 200, contains: []string{both, `aria-describedby="body-limits"`}},
		{name: "ask form kept after a refusal", method: "POST", path: "/ask", as: fan,
			form:   url.Values{"board_id": {itoa(s.board.ID)}, "title": {"Three links in one question"}, "body": {"See https://a.example https://b.example https://c.example"}},
			status: 422, contains: []string{"New members may post at most 2 links (this has 3)", both}},
		{name: "past both thresholds", method: "GET", path: "/ask", as: helper, status: 200, notContains: []string{"New members may post", "body-limits"}},
		{name: "staff", method: "GET", path: sol, as: mod, status: 200, notContains: []string{"New members may post", "body-limits"}},
		{name: "visitor", method: "GET", path: sol, status: 200, notContains: []string{"New members may post"}},
	})
	r.repSettings(t, map[string]any{"privileges": map[string]any{"rep_links": 10, "rep_images": 1500}})
	s.run([]scenario{
		{name: "thresholds apart", method: "GET", path: "/ask", as: fan, status: 200,
			contains: []string{"New members may post at most 2 links until they have 10 reputation, and 1 image until they have 1,500."}},
		{name: "only images left", method: "GET", path: sol, as: helper, status: 200,
			contains: []string{"New members may post at most 1 image until they have 1,500 reputation."}, notContains: []string{"2 links"}},
	})
	s.noErrorLogs()
}

// TestProfilePrivileges: the profile lists what each privilege really
// unlocks: new members may already post a few links and images.
func TestProfilePrivileges(t *testing.T) {
	r := newRepSetup(t)
	s := r.s
	s.run([]scenario{
		{name: "locked", method: "GET", path: "/u/fanny", status: 200,
			contains:    []string{"🔒 Post more than 2 links", "🔒 Post more than 1 image", "🔒 See and handle flags (trusted)"},
			notContains: []string{"Post links", "Post images"}},
		{name: "held", method: "GET", path: "/u/helper", status: 200,
			contains: []string{"✓ Post more than 2 links", "✓ Post more than 1 image", "🔒 Edit others&#39; posts"}},
		{name: "settings say what the threshold lifts", method: "GET", path: "/admin/reputation", as: s.signedIn(r.admin), status: 200,
			contains: []string{"below it, 2 links a post at most", "below it, 1 image a post at most"}},
	})
}

// TestKudosAPIRefusals: every refusal of POST and DELETE
// /api/v1/posts/{id}/kudos that docs/api.md lists, at the HTTP level.
func TestKudosAPIRefusals(t *testing.T) {
	r := newRepSetup(t)
	s := r.s
	ctx := context.Background()
	quiet := s.user(s.brand.ID, "quiet") // old enough, but has not posted
	s.clock.Add(2 * time.Hour)
	newcomer := s.user(s.brand.ID, "newcomer")
	hidden, err := s.svc.Reply(ctx, r.c.other.actor, r.c.solved.ID, forum.NewReply{Body: "Buy cheap pills here."})
	if err != nil {
		t.Fatal(err)
	}
	repJSON(t, s.bearerClient(r.c.mod).api(http.MethodPost, "/api/v1/posts/"+itoa(hidden.ID)+"/hide", map[string]any{"reason": "spam"}), 200)
	beta, err := s.brands.Create(ctx, forum.NewBrand{Host: "beta.test", Name: "Beta"})
	if err != nil {
		t.Fatal(err)
	}
	betaAsker := s.user(beta.ID, "beta_asker")
	betaThread, err := s.svc.Ask(ctx, betaAsker.actor, forum.NewThread{BoardID: s.newBoard(beta.ID, "Beta board").ID, Title: "A question in another brand", Body: "Only Beta members see this."})
	if err != nil {
		t.Fatal(err)
	}
	betaPost, err := s.svc.Page(ctx, beta.ID, betaThread.ID, 0, forum.Cursor{})
	if err != nil {
		t.Fatal(err)
	}

	kudos := func(id int64) string { return "/api/v1/posts/" + itoa(id) + "/kudos" }
	answer, question := kudos(r.answer.ID), kudos(r.c.question.ID)
	fanSession := s.signedIn(r.fan)
	fanSession.get(threadPath(r.c.solved))
	P, D := http.MethodPost, http.MethodDelete
	s.run([]scenario{
		{name: "visitor gives", method: P, path: answer, status: 401, contains: []string{`"code":"unauthenticated"`}},
		{name: "visitor takes", method: D, path: answer, status: 401, contains: []string{`"code":"unauthenticated"`}},
		{name: "visitor from another site", method: P, path: answer, headers: []string{"Sec-Fetch-Site", "cross-site"}, status: 403,
			contains: []string{`"code":"cross_origin"`}},
		{name: "session without its CSRF token", method: P, path: answer, as: fanSession, headers: []string{"X-CSRF-Token", ""}, status: 403,
			contains: []string{`"code":"csrf"`}},
		{name: "own post", method: P, path: answer, as: s.bearerClient(r.c.helper), status: 403,
			contains: []string{`"code":"forbidden"`, "You cannot give kudos to your own post."}},
		{name: "own post, taking", method: D, path: answer, as: s.bearerClient(r.c.helper), status: 403,
			contains: []string{"You cannot give kudos to your own post."}},
		{name: "unknown post", method: P, path: kudos(999999), as: r.fanB, status: 404, contains: []string{`"code":"not_found"`}},
		{name: "another brand's post", method: P, path: kudos(betaPost.Question.ID), as: r.fanB, status: 404, contains: []string{`"code":"not_found"`}},
		{name: "hidden post", method: P, path: kudos(hidden.ID), as: r.fanB, status: 404,
			contains: []string{`"code":"not_found"`, "That post is not available any more"}},
		{name: "account too new", method: P, path: answer, as: s.bearerClient(newcomer), status: 403,
			contains: []string{`"code":"forbidden"`, "New accounts can give kudos once they are 1 hour old"}},
		{name: "no visible posts yet", method: P, path: answer, as: s.bearerClient(quiet), status: 403,
			contains: []string{`"code":"forbidden"`, "Ask a question or write a reply first"}},
		{name: "given", method: P, path: answer, as: r.fanB, status: 200, contains: []string{`"kudos_count":1`}},
		{name: "given again", method: P, path: answer, as: r.fanB, status: 409,
			contains: []string{`"code":"conflict"`, "You have already given kudos to this post."}},
	})
	// The fan has given one kudos today.
	r.repSettings(t, map[string]any{"rules": map[string]any{"kudos_per_day": 1}})
	s.run([]scenario{
		{name: "the day's allowance used", method: P, path: question, as: r.fanB, status: 403,
			contains: []string{`"code":"forbidden"`, "You have given 1 kudos today", "after midnight UTC"}},
		{name: "taking back, with the session and its token", method: D, path: answer, as: fanSession, status: 200,
			contains: []string{`"kudos_count":0`}},
		{name: "taking kudos not given", method: D, path: question, as: r.fanB, status: 200, contains: []string{`"kudos_count":0`}},
	})
	s.noErrorLogs()
}

// TestAPIWritesNeedMember keeps the CSRF middleware's reasoning true: it
// lets API writes that act for nobody (no session, no bearer token) through
// to authorisation, which is safe only while no API write allows visitors.
func TestAPIWritesNeedMember(t *testing.T) {
	for _, row := range authzMatrix {
		method, path, _ := strings.Cut(row.route, " ")
		if !strings.HasPrefix(path, "/api/") || method == http.MethodGet {
			continue
		}
		if mxAllows(row.own, "anonymous") || mxAllows(row.other, "anonymous") {
			t.Errorf("%s allows visitors: it needs its own CSRF defence (see app/middleware.go csrf)", row.route)
		}
	}
}
