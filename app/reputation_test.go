package app_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mutual/forum"
)

// repSetup is a community where helper answered asker's question and the
// brand's reputation settings were saved through the admin API.
type repSetup struct {
	s                          *site
	c                          content
	admin, fan, newbie         member
	adminB, fanB, askerB, modB *browser
	answer                     forum.Post
}

func newRepSetup(t *testing.T) *repSetup {
	t.Helper()
	s := newSite(t)
	r := &repSetup{s: s, c: s.seed()}
	r.admin = s.user(s.brand.ID, "boss", "admin")
	r.fan = s.user(s.brand.ID, "fanny")
	r.adminB, r.fanB, r.askerB, r.modB = s.bearerClient(r.admin), s.bearerClient(r.fan), s.bearerClient(r.c.asker), s.bearerClient(r.c.mod)
	// The fan takes part first: kudos come from members who have posted.
	if _, err := s.svc.Reply(t.Context(), r.fan.actor, r.c.open.ID, forum.NewReply{Body: "Same here, following."}); err != nil {
		t.Fatal(err)
	}
	r.answer = r.c.answer
	s.clock.Add(2 * time.Hour)
	r.newbie = s.user(s.brand.ID, "newbie")
	return r
}

func TestReputationAPI(t *testing.T) {
	r := newRepSetup(t)
	s := r.s
	rp := "/api/v1/posts/" + itoa(r.answer.ID) + "/kudos"

	// Kudos: given, counted, refused with a clear message when not allowed.
	k := repJSON(t, r.fanB.api(http.MethodPost, rp, nil), 200)
	if num(k["kudos_count"]) != 1 {
		t.Fatalf("kudos = %v", k)
	}
	apiError(t, r.fanB.api(http.MethodPost, rp, nil), 409, "conflict")
	e := apiError(t, s.bearerClient(r.newbie).api(http.MethodPost, rp, nil), 403, "forbidden")
	if !strings.Contains(e["message"].(string), "New accounts can give kudos once they are 1 hour old") {
		t.Errorf("new account refusal = %v", e["message"])
	}

	// GET /users/:username with reputation and rank.
	u := repJSON(t, s.browser().api(http.MethodGet, "/api/v1/users/helper", nil), 200)
	hasKeys(t, "user", u, "id", "username", "reputation", "rank", "next_rank", "next_rank_at", "created_at", "url")
	if num(u["reputation"]) != 25 || u["rank"] != "Newcomer" || u["next_rank"] != "Helper" {
		t.Errorf("helper = %v (accepted 15 + kudos 10)", u)
	}
	apiError(t, s.browser().api(http.MethodGet, "/api/v1/users/nobody-here", nil), 404, "not_found")

	// GET /users/:username/reputation: the ledger as items, newest first, keyset paged.
	items, next := apiList(t, s.browser().api(http.MethodGet, "/api/v1/users/helper/reputation?limit=1", nil))
	if len(items) != 1 || next == "" {
		t.Fatalf("ledger page = %v, next %q", items, next)
	}
	hasKeys(t, "entry", items[0], "id", "delta", "reason", "origin", "description", "post_id", "actor", "thread", "created_at")
	if items[0]["reason"] != "kudos_received" || num(items[0]["delta"]) != 10 || items[0]["description"] != "Kudos from fanny" {
		t.Errorf("newest ledger line = %v", items[0])
	}
	rest, last := apiList(t, s.browser().api(http.MethodGet, "/api/v1/users/helper/reputation?cursor="+url.QueryEscape(next), nil))
	if len(rest) != 1 || last != "" || rest[0]["reason"] != "answer_accepted" {
		t.Errorf("second ledger page = %v, next %q", rest, last)
	}
	apiError(t, s.browser().api(http.MethodGet, "/api/v1/users/helper/reputation?cursor=zzz", nil), 422, "invalid")

	// Withdrawing kudos is on the ledger too.
	repJSON(t, r.fanB.api(http.MethodDelete, rp, nil), 200)
	items, _ = apiList(t, s.browser().api(http.MethodGet, "/api/v1/users/helper/reputation", nil))
	if items[0]["reason"] != "kudos_withdrawn" || num(items[0]["delta"]) != -10 {
		t.Errorf("after withdrawal the newest line = %v", items[0])
	}
	repJSON(t, r.fanB.api(http.MethodPost, rp, nil), 200)

	// GET /leaderboard?period=week|month|all.
	for _, p := range []string{"week", "month", "all", ""} {
		lb := repJSON(t, s.browser().api(http.MethodGet, "/api/v1/leaderboard?period="+p, nil), 200)
		list := lb["items"].([]any)
		if len(list) == 0 {
			t.Fatalf("leaderboard %q is empty", p)
		}
		top := list[0].(map[string]any)
		hasKeys(t, "leader", top, "position", "user_id", "username", "points", "reputation", "rank")
		if top["username"] != "helper" || num(top["position"]) != 1 {
			t.Errorf("leaderboard %q top = %v", p, top)
		}
	}
	apiError(t, s.browser().api(http.MethodGet, "/api/v1/leaderboard?period=year", nil), 422, "invalid")
	th := repJSON(t, s.browser().api(http.MethodGet, "/api/v1/boards/"+itoa(s.board.ID)+"/top-helpers", nil), 200)
	if list := th["items"].([]any); len(list) == 0 || list[0].(map[string]any)["username"] != "helper" {
		t.Errorf("top helpers = %v", th)
	}

	// Settings: admin only; bad values are 422 with the field named.
	apiError(t, r.fanB.api(http.MethodGet, "/api/v1/reputation/settings", nil), 403, "forbidden")
	set := repJSON(t, r.adminB.api(http.MethodGet, "/api/v1/reputation/settings", nil), 200)
	hasKeys(t, "settings", set, "rules", "privileges", "ranks")
	bad := apiError(t, r.adminB.api(http.MethodPut, "/api/v1/reputation/settings", map[string]any{"ranks": []map[string]any{{"name": "Top", "min": 5}}}), 422, "invalid")
	if !strings.Contains(bad["message"].(string), "first rank must start at 0") {
		t.Errorf("bad ranks = %v", bad)
	}
	ok := repJSON(t, r.adminB.api(http.MethodPut, "/api/v1/reputation/settings", map[string]any{
		"rules":      map[string]any{"kudos_points": 20},
		"privileges": map[string]any{"rep_trusted": 20, "rep_edit_others": 1000, "rep_links": 10, "rep_images": 10},
		"ranks":      []map[string]any{{"name": "Rookie", "min": 0}, {"name": "Pro", "min": 20}},
	}), 200)
	if num(ok["rules"].(map[string]any)["kudos_points"]) != 20 || num(ok["rules"].(map[string]any)["daily_cap"]) != 200 {
		t.Errorf("saved settings = %v", ok)
	}
	if u := repJSON(t, s.browser().api(http.MethodGet, "/api/v1/users/helper", nil), 200); u["rank"] != "Pro" {
		t.Errorf("rank after new ladder = %v", u["rank"])
	}
	// Reputation 25 >= rep_trusted 20: helper holds the trusted role now.
	me := repJSON(t, s.bearerClient(r.c.helper).api(http.MethodGet, "/api/v1/me", nil), 200)
	if !strings.Contains(strings.Join(anyStrings(me["roles"]), ","), "trusted") || me["rank"] != "Pro" {
		t.Errorf("me = %v", me)
	}

	// Export: CSV for admins (and client managers), exactly the ledger.
	apiError(t, r.fanB.api(http.MethodGet, "/api/v1/reputation/export?from=2025-05-01&to=2025-05-31", nil), 403, "forbidden")
	apiError(t, r.adminB.api(http.MethodGet, "/api/v1/reputation/export?from=May&to=2025-05-31", nil), 422, "invalid")
	res := r.adminB.api(http.MethodGet, "/api/v1/reputation/export?from=2025-05-01&to=2025-05-31", nil)
	if res.code != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export = %d %s", res.code, res.header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil || len(recs) < 2 || recs[0][1] != "username" {
		t.Fatalf("export CSV = %q, %v", res.body, err)
	}
	found := false
	for _, rec := range recs[1:] {
		if rec[1] == "helper" {
			found = rec[9] == "25" && rec[3] == "10" && rec[4] == "15"
		}
	}
	if !found {
		t.Errorf("export lacks helper's 25 (10 kudos + 15 accepted):\n%s", res.body)
	}

	// Rings: moderators only.
	apiError(t, r.fanB.api(http.MethodGet, "/api/v1/reputation/rings", nil), 403, "forbidden")
	rings := repJSON(t, r.modB.api(http.MethodGet, "/api/v1/reputation/rings?status=all", nil), 200)
	if _, ok := rings["items"].([]any); !ok {
		t.Errorf("rings = %v", rings)
	}
	repJSON(t, r.modB.api(http.MethodPost, "/api/v1/reputation/rings/scan", nil), 200)
	apiError(t, r.modB.api(http.MethodPatch, "/api/v1/reputation/rings/999", map[string]any{"status": "dismissed"}), 404, "not_found")
	apiError(t, r.modB.api(http.MethodPatch, "/api/v1/reputation/rings/999", map[string]any{"status": "maybe"}), 422, "invalid")
	s.noErrorLogs()
}

// repJSON decodes a JSON object answer with the expected status.
func repJSON(t *testing.T, r *response, status int) map[string]any {
	t.Helper()
	if r.code != status {
		t.Fatalf("status %d, want %d: %s", r.code, status, clip(r.body))
	}
	return r.json(t)
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestReputationPages(t *testing.T) {
	r := newRepSetup(t)
	s := r.s
	fan := s.signedIn(r.fan)
	fan.get(threadPath(r.c.solved))
	if res := fan.post("/p/"+itoa(r.answer.ID)+"/kudos", url.Values{"action": {"give"}}); res.code != http.StatusSeeOther {
		t.Fatalf("kudos form = %d", res.code)
	}
	// A double click is not an error page.
	if res := fan.post("/p/"+itoa(r.answer.ID)+"/kudos", url.Values{"action": {"give"}}); res.code != http.StatusSeeOther {
		t.Errorf("kudos twice through the form = %d", res.code)
	}
	newbie := s.signedIn(r.newbie)
	admin, mod := s.signedIn(r.admin), s.signedIn(r.c.mod)
	sol := threadPath(r.c.solved)
	s.run([]scenario{
		{name: "thread shows ranks and counts", method: "GET", path: sol, as: fan, status: 200,
			contains: []string{`class="rep-rank"`, "Newcomer", "Kudos given · 1", "most kudos",
				"Editing others&#39; posts unlocks at 1,000 reputation"}},
		{name: "thread sorted by kudos", method: "GET", path: sol + "?sort=kudos", as: fan, status: 200, contains: []string{`aria-current="true">most kudos`, `class="rep-rank"`, "Newcomer"}},
		{name: "bad sort", method: "GET", path: sol + "?sort=loud", status: 422},
		{name: "bad kudos cursor", method: "GET", path: sol + "?sort=kudos&kafter=x", status: 422},
		{name: "new account told why", method: "GET", path: sol, as: newbie, status: 200,
			contains: []string{"New accounts can give kudos once they are 1 hour old"}},
		{name: "moderator gets no lock note", method: "GET", path: sol, as: mod, status: 200, notContains: []string{"unlocks at"}},
		{name: "profile shows ledger", method: "GET", path: "/u/helper", status: 200,
			contains: []string{"25</strong> reputation", "Kudos from fanny", "Answer accepted by asker", "+10", "25 more to reach Helper"}},
		{name: "ledger page", method: "GET", path: "/u/helper/reputation", status: 200, contains: []string{"Kudos from fanny", "+15"}},
		{name: "ledger bad cursor", method: "GET", path: "/u/helper/reputation?after=zzz", status: 422},
		{name: "ledger unknown member", method: "GET", path: "/u/nobody-here/reputation", status: 404},
		{name: "leaderboard", method: "GET", path: "/leaderboard?period=month", status: 200, contains: []string{"This month", `href="/u/helper"`}},
		{name: "leaderboard bad period", method: "GET", path: "/leaderboard?period=decade", status: 422},
		{name: "board top helpers", method: "GET", path: "/b/" + itoa(s.board.ID) + "/" + s.board.Slug, status: 200,
			contains: []string{"Top helpers this month", `href="/u/helper"`}},
		{name: "settings need admin", method: "GET", path: "/admin/reputation", as: fan, status: 403},
		{name: "settings form", method: "GET", path: "/admin/reputation", as: admin, status: 200, contains: []string{`name="kudos_points"`, "Newcomer: 0"}},
		{name: "settings refuse bad input", method: "POST", path: "/admin/reputation", as: admin, status: 422,
			form: url.Values{"kudos_points": {"ten"}, "ranks": {"Solo: 3"}}, contains: []string{"Kudos received must be a whole number", "first rank must start at 0"}},
		{name: "export form", method: "GET", path: "/admin/reputation/export", as: admin, status: 200, contains: []string{`name="from"`}},
		{name: "export needs admin", method: "GET", path: "/admin/reputation/export", as: fan, status: 403},
		{name: "export bad date", method: "GET", path: "/admin/reputation/export?from=2025-13-01&to=2025-05-31", as: admin, status: 422, contains: []string{"YYYY-MM-DD"}},
		{name: "export csv", method: "GET", path: "/admin/reputation/export?from=2025-05-01&to=2025-05-31", as: admin, status: 200, contains: []string{"user_id,username", "helper"}},
		{name: "rings need moderator", method: "GET", path: "/mod/reputation/rings", as: fan, status: 403},
		{name: "rings page", method: "GET", path: "/mod/reputation/rings", as: mod, status: 200, contains: []string{"Kudos rings", "No rings here."}},
	})

	// Saving settings through the form changes ranks on pages at once.
	form := url.Values{"ranks": {"Rookie: 0\nPro: 20"}}
	admin.get("/admin/reputation")
	page := admin.get("/admin/reputation")
	for _, f := range []string{"kudos_points", "accepted_points", "accepting_points", "rescue_points", "daily_cap", "kudos_per_day",
		"giver_min_age_minutes", "giver_min_posts", "serial_window_minutes", "serial_threshold", "ring_window_days", "ring_min_kudos",
		"ring_share_pct", "ring_max_size", "rep_links", "rep_images", "rep_trusted", "rep_edit_others"} {
		i := strings.Index(page.body, `name="`+f+`" type="number" step="1" value="`)
		if i < 0 {
			t.Fatalf("settings form lacks %s", f)
		}
		v := page.body[i+len(`name="`+f+`" type="number" step="1" value="`):]
		form.Set(f, v[:strings.IndexByte(v, '"')])
	}
	form.Set("rep_edit_others", "20")
	if res := admin.post("/admin/reputation", form); res.code != http.StatusSeeOther {
		t.Fatalf("save settings = %d\n%s", res.code, clip(res.body))
	}
	helper := s.signedIn(r.c.helper)
	if res := helper.get(threadPath(r.c.solved)); !strings.Contains(res.body, `class="rep-rank" title="rank">Pro`) || strings.Contains(res.body, "unlocks at") {
		t.Errorf("after saving, helper (25 rep) should be Pro and may edit others' posts:\n%s", clip(res.body[strings.Index(res.body, "<main"):]))
	}
	s.noErrorLogs()
}
