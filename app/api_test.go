package app_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"mutual/app"
	"mutual/forum"
)

// The API's JSON shapes: errors are {"error":{"code","message"}} (plus
// "fields" for validation), lists are {"items":[...],"next":...}, objects
// carry "id".

func keysOf(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// apiError checks an error response and returns its code.
func apiError(t *testing.T, r *response, status int, code string) map[string]any {
	t.Helper()
	if r.code != status {
		t.Fatalf("status %d, want %d: %s", r.code, status, clip(r.body))
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q, want JSON", ct)
	}
	v := r.json(t)
	if keysOf(v) != "error" {
		t.Errorf("error body has keys %s, want only error: %s", keysOf(v), r.body)
	}
	e, ok := v["error"].(map[string]any)
	if !ok {
		t.Fatalf("error is not an object: %s", r.body)
	}
	if c, _ := e["code"].(string); c != code {
		t.Errorf("error code %q, want %q: %s", c, code, r.body)
	}
	if m, _ := e["message"].(string); m == "" {
		t.Errorf("error without a message: %s", r.body)
	}
	if code == "invalid" {
		if f, ok := e["fields"].(map[string]any); !ok || len(f) == 0 {
			t.Errorf("validation error without fields: %s", r.body)
		}
	}
	return e
}

// apiList checks a list response and returns its items and next cursor.
func apiList(t *testing.T, r *response) ([]map[string]any, string) {
	t.Helper()
	if r.code != http.StatusOK {
		t.Fatalf("status %d: %s", r.code, clip(r.body))
	}
	v := r.json(t)
	if keysOf(v) != "items,next" {
		t.Fatalf("list keys %s, want items,next: %s", keysOf(v), clip(r.body))
	}
	raw, ok := v["items"].([]any)
	if !ok {
		t.Fatalf("items is not an array: %s", clip(r.body))
	}
	var items []map[string]any
	for _, it := range raw {
		m, ok := it.(map[string]any)
		if !ok {
			t.Fatalf("item is not an object: %v", it)
		}
		items = append(items, m)
	}
	next := ""
	switch n := v["next"].(type) {
	case nil:
	case string:
		if n == "" {
			t.Error("next is an empty string; want null on the last page")
		}
		next = n
	default:
		t.Errorf("next is %T, want string or null", n)
	}
	return items, next
}

// apiObject checks an object response with an id.
func apiObject(t *testing.T, r *response, status int) map[string]any {
	t.Helper()
	if r.code != status {
		t.Fatalf("status %d, want %d: %s", r.code, status, clip(r.body))
	}
	v := r.json(t)
	if id, ok := v["id"].(float64); !ok || id <= 0 {
		t.Errorf("object without a positive id: %s", clip(r.body))
	}
	return v
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func hasKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s lacks %q: %v", what, k, m)
		}
	}
}

func TestAPIBoardsAndThreadList(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	empty := s.newBoard(s.brand.ID, "Empty board")
	m := s.user(s.brand.ID, "lister")
	h := s.user(s.brand.ID, "answerer")
	for i := range 7 {
		if i%3 == 0 {
			s.clock.Add(time.Second) // ties in last_activity_at
		}
		th, err := s.svc.Ask(ctx, m.actor, forum.NewThread{BoardID: s.board.ID, Title: fmt.Sprintf("Listed question %d", i), Body: "Body text of question"})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			p, _ := s.svc.Reply(ctx, h.actor, th.ID, forum.NewReply{Body: "an answer"})
			if i%4 == 0 {
				if _, err := s.svc.Accept(ctx, m.actor, th.ID, p.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	anon := s.browser()

	items, next := apiList(t, anon.api(http.MethodGet, "/api/v1/boards", nil))
	if len(items) != 2 || next != "" {
		t.Fatalf("boards = %d items, next %q", len(items), next)
	}
	for _, b := range items {
		hasKeys(t, "board", b, "id", "name", "slug", "description", "thread_count", "post_count", "last_activity_at", "url")
	}
	byID := map[int64]map[string]any{}
	for _, b := range items {
		byID[num(b["id"])] = b
	}
	if b := byID[s.board.ID]; num(b["thread_count"]) != 7 || b["url"] != boardPath(s.board) || b["last_activity_at"] == nil {
		t.Errorf("board = %v", b)
	}
	if b := byID[empty.ID]; b["last_activity_at"] != nil || num(b["thread_count"]) != 0 {
		t.Errorf("empty board = %v; last_activity_at must be null", b)
	}

	// Paging with limit=2 visits every thread once, newest activity first.
	base := "/api/v1/boards/" + itoa(s.board.ID) + "/threads"
	seen := map[int64]bool{}
	cursor, pages := "", 0
	for {
		path := base + "?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		items, next := apiList(t, anon.api(http.MethodGet, path, nil))
		pages++
		for _, th := range items {
			hasKeys(t, "thread", th, "id", "board_id", "title", "slug", "author", "created_at", "last_activity_at", "reply_count", "accepted_post_id", "solved", "answered", "url", "first_reply_at")
			if _, ok := th["posts"]; ok {
				t.Error("list items carry posts")
			}
			if seen[num(th["id"])] {
				t.Errorf("thread %v listed twice", th["id"])
			}
			seen[num(th["id"])] = true
		}
		if next == "" {
			break
		}
		cursor = next
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != 7 || pages != 4 {
		t.Errorf("paged %d threads in %d pages; want 7 in 4", len(seen), pages)
	}

	for _, tt := range []struct {
		filter string
		want   int
	}{{"", 7}, {"all", 7}, {"unanswered", 3}, {"solved", 2}} {
		items, _ := apiList(t, anon.api(http.MethodGet, base+"?filter="+tt.filter, nil))
		if len(items) != tt.want {
			t.Errorf("filter %q: %d threads, want %d", tt.filter, len(items), tt.want)
		}
		for _, th := range items {
			if tt.filter == "solved" && (th["solved"] != true || th["accepted_post_id"] == nil) {
				t.Errorf("solved filter lists %v", th)
			}
			if tt.filter == "unanswered" && (th["answered"] != false || th["first_reply_at"] != nil) {
				t.Errorf("unanswered filter lists %v", th)
			}
		}
	}
	if items, next := apiList(t, anon.api(http.MethodGet, "/api/v1/boards/"+itoa(empty.ID)+"/threads", nil)); len(items) != 0 || next != "" {
		t.Errorf("empty board lists %d", len(items))
	}
	// An empty list is [], not null.
	if r := anon.api(http.MethodGet, "/api/v1/boards/"+itoa(empty.ID)+"/threads", nil); !strings.Contains(r.body, `"items":[]`) {
		t.Errorf("empty list body %s", r.body)
	}

	apiError(t, anon.api(http.MethodGet, "/api/v1/boards/99999/threads", nil), 404, "not_found")
	apiError(t, anon.api(http.MethodGet, "/api/v1/boards/abc/threads", nil), 404, "not_found")
	apiError(t, anon.api(http.MethodGet, base+"?filter=hot", nil), 422, "invalid")
	apiError(t, anon.api(http.MethodGet, base+"?cursor=zzz", nil), 422, "invalid")
	apiError(t, anon.api(http.MethodGet, base+"?limit=101", nil), 422, "invalid")
	apiError(t, anon.api(http.MethodGet, base+"?limit=-1", nil), 422, "invalid")
	if items, _ := apiList(t, anon.api(http.MethodGet, base+"?limit=100", nil)); len(items) != 7 {
		t.Errorf("limit=100 gave %d", len(items))
	}
	apiError(t, anon.api(http.MethodPost, "/api/v1/boards", `{}`), 405, "method_not_allowed")
}

func TestAPIAskReadReply(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "api_asker")
	h := s.user(s.brand.ID, "api_helper")
	asker, helper := s.bearerClient(m), s.bearerClient(h)

	r := asker.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID, "title": "  How do I set up voicemail?  ", "body": "Voicemail asks for a PIN I never set.", "client_key": "ask-1"})
	th := apiObject(t, r, http.StatusCreated)
	tid := num(th["id"])
	if loc := r.header.Get("Location"); loc != "/api/v1/threads/"+itoa(tid) {
		t.Errorf("Location = %q", loc)
	}
	if th["title"] != "How do I set up voicemail?" || num(th["board_id"]) != s.board.ID || th["solved"] != false || th["answered"] != false ||
		th["accepted_post_id"] != nil || th["url"] != "/t/"+itoa(tid)+"/how-do-i-set-up-voicemail" {
		t.Errorf("created thread = %v", th)
	}
	if a, _ := th["author"].(map[string]any); a["username"] != "api_asker" || num(a["id"]) != m.actor.UserID {
		t.Errorf("author = %v", th["author"])
	}
	posts, _ := th["posts"].([]any)
	if len(posts) != 1 {
		t.Fatalf("new thread has %d posts", len(posts))
	}
	q := posts[0].(map[string]any)
	hasKeys(t, "post", q, "id", "thread_id", "author", "is_question", "body", "body_html", "created_at", "edited_at", "revision_count", "kudos_count", "accepted")
	if q["is_question"] != true || q["body"] != "Voicemail asks for a PIN I never set." || q["edited_at"] != nil || num(q["revision_count"]) != 1 {
		t.Errorf("question = %v", q)
	}

	// Replays: the same client_key, or the Idempotency-Key header, give the
	// same thread, not a new one.
	again := apiObject(t, asker.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID, "title": "How do I set up voicemail?", "body": "Voicemail asks for a PIN I never set.", "client_key": "ask-1"}), http.StatusCreated)
	if num(again["id"]) != tid {
		t.Errorf("client_key replay made thread %v, want %d", again["id"], tid)
	}
	body := map[string]any{"board_id": s.board.ID, "title": "Second question with a header key", "body": "Sent twice by a retrying client."}
	h1 := apiObject(t, asker.api(http.MethodPost, "/api/v1/threads", body, "Idempotency-Key", "idem-7"), http.StatusCreated)
	h2 := apiObject(t, asker.api(http.MethodPost, "/api/v1/threads", body, "Idempotency-Key", "idem-7"), http.StatusCreated)
	if num(h1["id"]) != num(h2["id"]) {
		t.Errorf("Idempotency-Key replay made threads %v and %v", h1["id"], h2["id"])
	}
	if n := countThreads(t, s); n != 2 {
		t.Errorf("%d threads, want 2", n)
	}

	// Validation errors name their fields.
	for _, tt := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"short title", map[string]any{"board_id": s.board.ID, "title": "Short", "body": "A long enough body"}, "title"},
		{"long title", map[string]any{"board_id": s.board.ID, "title": strings.Repeat("t", 151), "body": "A long enough body"}, "title"},
		{"short body", map[string]any{"board_id": s.board.ID, "title": "A good title", "body": "tiny"}, "body"},
		{"long body", map[string]any{"board_id": s.board.ID, "title": "A good title", "body": strings.Repeat("b", 20001)}, "body"},
		{"no board", map[string]any{"title": "A good title", "body": "A long enough body"}, "board_id"},
		{"unknown board", map[string]any{"board_id": 99999, "title": "A good title", "body": "A long enough body"}, "board_id"},
		{"long client key", map[string]any{"board_id": s.board.ID, "title": "A good title", "body": "A long enough body", "client_key": strings.Repeat("k", 65)}, "client_key"},
		{"runaway quoting", map[string]any{"board_id": s.board.ID, "title": "A good title", "body": strings.Repeat(">", 19000) + " deep"}, "body"},
	} {
		e := apiError(t, asker.api(http.MethodPost, "/api/v1/threads", tt.body), 422, "invalid")
		if f, _ := e["fields"].(map[string]any); f[tt.field] == nil {
			t.Errorf("%s: fields = %v, want %s", tt.name, e["fields"], tt.field)
		}
	}

	// Replies.
	tpath := "/api/v1/threads/" + itoa(tid)
	rp := apiObject(t, helper.api(http.MethodPost, tpath+"/posts", map[string]any{"body": "Dial 121 and reset it."}, "Idempotency-Key", "rep-1"), http.StatusCreated)
	if rp["is_question"] != false || num(rp["thread_id"]) != tid || rp["accepted"] != false {
		t.Errorf("reply = %v", rp)
	}
	if again := apiObject(t, helper.api(http.MethodPost, tpath+"/posts", map[string]any{"body": "Dial 121 and reset it."}, "Idempotency-Key", "rep-1"), http.StatusCreated); num(again["id"]) != num(rp["id"]) {
		t.Errorf("reply replay made post %v, want %v", again["id"], rp["id"])
	}
	apiError(t, helper.api(http.MethodPost, tpath+"/posts", map[string]any{"body": "x"}), 422, "invalid")
	apiError(t, helper.api(http.MethodPost, "/api/v1/threads/99999/posts", map[string]any{"body": "fine reply"}), 404, "not_found")
	apiError(t, helper.api(http.MethodPost, "/api/v1/threads/abc/posts", map[string]any{"body": "fine reply"}), 404, "not_found")
	apiError(t, helper.api(http.MethodPost, tpath+"/posts", `{"body": 5}`), 400, "bad_request")

	// Reading: the question first, then replies in order; answered now.
	got := apiObject(t, s.browser().api(http.MethodGet, tpath, nil), 200)
	posts, _ = got["posts"].([]any)
	if len(posts) != 2 || posts[0].(map[string]any)["is_question"] != true || num(posts[1].(map[string]any)["id"]) != num(rp["id"]) {
		t.Errorf("thread posts = %v", got["posts"])
	}
	if got["answered"] != true || got["first_reply_at"] == nil || num(got["reply_count"]) != 1 {
		t.Errorf("thread after reply = %v", got)
	}
	if _, ok := got["next"]; ok {
		t.Errorf("single-page thread has next: %v", got["next"])
	}
	apiError(t, s.browser().api(http.MethodGet, "/api/v1/threads/99999", nil), 404, "not_found")
	apiError(t, s.browser().api(http.MethodGet, tpath+"?cursor=@@", nil), 422, "invalid")
}

func TestAPIThreadReplyPagination(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	m, h := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "helper")
	th, err := s.svc.Ask(ctx, m.actor, forum.NewThread{BoardID: s.board.ID, Title: "A thread with many replies", Body: "Please reply a lot."})
	if err != nil {
		t.Fatal(err)
	}
	total := forum.RepliesPerPage + 5
	for i := range total {
		if i%4 == 0 {
			s.clock.Add(time.Millisecond)
		}
		if _, err := s.svc.Reply(ctx, h.actor, th.ID, forum.NewReply{Body: "reply number " + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	b := s.browser()
	first := apiObject(t, b.api(http.MethodGet, "/api/v1/threads/"+itoa(th.ID), nil), 200)
	p1, _ := first["posts"].([]any)
	next, _ := first["next"].(string)
	if len(p1) != forum.RepliesPerPage+1 || next == "" {
		t.Fatalf("first page: %d posts, next %q; want question + %d replies and a cursor", len(p1), next, forum.RepliesPerPage)
	}
	second := apiObject(t, b.api(http.MethodGet, "/api/v1/threads/"+itoa(th.ID)+"?cursor="+next, nil), 200)
	p2, _ := second["posts"].([]any)
	if len(p2) != 5 || second["next"] != nil {
		t.Fatalf("second page: %d posts, next %v; want 5 replies and no cursor", len(p2), second["next"])
	}
	var bodies []string
	for _, p := range append(p1[1:], p2...) {
		pm := p.(map[string]any)
		if pm["is_question"] == true {
			t.Error("question repeated on a later page")
		}
		bodies = append(bodies, pm["body"].(string))
	}
	for i, body := range bodies {
		if body != "reply number "+strconv.Itoa(i) {
			t.Fatalf("reply %d is %q: out of order, duplicated or missing", i, body)
		}
	}
}

func TestAPIEditRevisionsKudosAccept(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	asker, helper, other, mod := s.bearerClient(c.asker), s.bearerClient(c.helper), s.bearerClient(c.other), s.bearerClient(c.mod)
	qp, rp := "/api/v1/posts/"+itoa(c.question.ID), "/api/v1/posts/"+itoa(c.answer.ID)

	// PATCH /posts/:id
	e := apiObject(t, asker.api(http.MethodPatch, qp, map[string]any{"title": "Why did my bill go up this month?", "body": "It rose by ten pounds, no warning."}), 200)
	if e["body"] != "It rose by ten pounds, no warning." || e["edited_at"] == nil || num(e["revision_count"]) != 2 || e["is_question"] != true {
		t.Errorf("edited question = %v", e)
	}
	if th := apiObject(t, asker.api(http.MethodGet, "/api/v1/threads/"+itoa(c.solved.ID), nil), 200); th["title"] != "Why did my bill go up this month?" {
		t.Errorf("title after edit = %v", th["title"])
	}
	apiError(t, other.api(http.MethodPatch, rp, map[string]any{"body": "hijack attempt"}), 403, "forbidden")
	apiError(t, helper.api(http.MethodPatch, rp, map[string]any{"body": "x"}), 422, "invalid")
	apiError(t, helper.api(http.MethodPatch, "/api/v1/posts/99999", map[string]any{"body": "fine text"}), 404, "not_found")
	apiError(t, helper.api(http.MethodPatch, rp, `not json`), 400, "bad_request")
	me := apiObject(t, mod.api(http.MethodPatch, rp, map[string]any{"body": "Check the roaming section of the bill."}), 200)
	if me["accepted"] != true {
		t.Errorf("editing the accepted answer reports accepted=%v", me["accepted"])
	}

	// GET /posts/:id/revisions
	items, next := apiList(t, s.browser().api(http.MethodGet, rp+"/revisions", nil))
	if len(items) != 2 || next != "" {
		t.Fatalf("revisions = %d", len(items))
	}
	for i, rev := range items {
		hasKeys(t, "revision", rev, "revision", "editor", "body", "body_html", "created_at")
		if num(rev["revision"]) != int64(i+1) {
			t.Errorf("revision %d numbered %v", i, rev["revision"])
		}
	}
	if ed := items[1]["editor"].(map[string]any); ed["username"] != "moddy" {
		t.Errorf("second revision editor = %v", ed)
	}
	qrev, _ := apiList(t, s.browser().api(http.MethodGet, qp+"/revisions", nil))
	if len(qrev) != 2 || qrev[0]["title"] != "Why is my bill higher this month?" {
		t.Errorf("question revisions = %v", qrev)
	}
	apiError(t, s.browser().api(http.MethodGet, "/api/v1/posts/99999/revisions", nil), 404, "not_found")

	// POST and DELETE /posts/:id/kudos (accounts give kudos once an hour old)
	s.clock.Add(time.Hour)
	k := apiObject(t, other.api(http.MethodPost, rp+"/kudos", nil), 200)
	if num(k["kudos_count"]) != 1 || k["accepted"] != true {
		t.Errorf("after kudos = %v", k)
	}
	apiError(t, other.api(http.MethodPost, rp+"/kudos", nil), 409, "conflict") // kudos twice is refused
	apiError(t, helper.api(http.MethodPost, rp+"/kudos", nil), 403, "forbidden")
	apiError(t, other.api(http.MethodPost, "/api/v1/posts/99999/kudos", nil), 404, "not_found")
	if k := apiObject(t, other.api(http.MethodDelete, rp+"/kudos", nil), 200); num(k["kudos_count"]) != 0 {
		t.Errorf("after taking kudos = %v", k["kudos_count"])
	}
	if k := apiObject(t, other.api(http.MethodDelete, rp+"/kudos", nil), 200); num(k["kudos_count"]) != 0 {
		t.Errorf("taking kudos twice = %v", k["kudos_count"])
	}

	// POST and DELETE /threads/:id/accept on the open thread (asked by other).
	tp := "/api/v1/threads/" + itoa(c.open.ID)
	ans := apiObject(t, helper.api(http.MethodPost, tp+"/posts", map[string]any{"body": "Here is the fix.", "client_key": "fix-1"}), 201)
	if ans["accepted"] != false {
		t.Errorf("a new reply reports accepted=%v", ans["accepted"])
	}
	own := apiObject(t, other.api(http.MethodPost, tp+"/posts", map[string]any{"body": "Me again, the asker."}), 201)
	apiError(t, asker.api(http.MethodPost, tp+"/accept", map[string]any{"post_id": num(ans["id"])}), 403, "forbidden")
	apiError(t, other.api(http.MethodPost, tp+"/accept", map[string]any{"post_id": num(own["id"])}), 403, "forbidden")
	apiError(t, other.api(http.MethodPost, tp+"/accept", map[string]any{}), 422, "invalid")
	apiError(t, other.api(http.MethodPost, tp+"/accept", map[string]any{"post_id": c.answer.ID}), 422, "invalid")
	apiError(t, other.api(http.MethodPost, tp+"/accept", map[string]any{"post_id": 99999}), 404, "not_found")
	apiError(t, other.api(http.MethodPost, "/api/v1/threads/99999/accept", map[string]any{"post_id": num(ans["id"])}), 404, "not_found")
	acc := apiObject(t, other.api(http.MethodPost, tp+"/accept", map[string]any{"post_id": num(ans["id"])}), 200)
	if acc["solved"] != true || num(acc["accepted_post_id"]) != num(ans["id"]) {
		t.Errorf("after accept = %v", acc)
	}
	// A reply sent again answers with the reply as it stands now.
	if again := apiObject(t, helper.api(http.MethodPost, tp+"/posts", map[string]any{"body": "Here is the fix.", "client_key": "fix-1"}), 201); num(again["id"]) != num(ans["id"]) || again["accepted"] != true {
		t.Errorf("the accepted reply sent again = %v", again)
	}
	meH := apiObject(t, helper.api(http.MethodGet, "/api/v1/me", nil), 200)
	if num(meH["reputation"]) != 30 { // two accepted answers at 15
		t.Errorf("helper reputation = %v, want 30", meH["reputation"])
	}
	apiError(t, asker.api(http.MethodDelete, tp+"/accept", nil), 403, "forbidden")
	un := apiObject(t, other.api(http.MethodDelete, tp+"/accept", nil), 200)
	if un["solved"] != false || un["accepted_post_id"] != nil {
		t.Errorf("after withdraw = %v", un)
	}
	apiObject(t, mod.api(http.MethodPost, tp+"/accept", map[string]any{"post_id": num(ans["id"])}), 200)
	apiObject(t, mod.api(http.MethodDelete, tp+"/accept", nil), 200)
	if meH := apiObject(t, helper.api(http.MethodGet, "/api/v1/me", nil), 200); num(meH["reputation"]) != 15 {
		t.Errorf("helper reputation after withdraw = %v, want 15", meH["reputation"])
	}
	s.noErrorLogs()
}

func TestAPIMeAndPreview(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "me_user", "moderator")
	b := s.bearerClient(m)
	me := apiObject(t, b.api(http.MethodGet, "/api/v1/me", nil), 200)
	if keysOf(me) != "created_at,email,id,rank,reputation,roles,username" {
		t.Errorf("me keys = %s", keysOf(me))
	}
	if me["username"] != "me_user" || me["email"] != "me_user@example.com" || me["rank"] != "Newcomer" || num(me["reputation"]) != 0 {
		t.Errorf("me = %v", me)
	}
	if roles := fmt.Sprint(me["roles"]); roles != "[member moderator]" {
		t.Errorf("roles = %s", roles)
	}
	apiError(t, s.browser().api(http.MethodGet, "/api/v1/me", nil), 401, "unauthenticated")

	r := b.api(http.MethodPost, "/api/v1/preview", map[string]any{"body": "**hi** <script>alert(1)</script> [x](javascript:alert(1))"})
	if r.code != 200 {
		t.Fatalf("preview = %d %s", r.code, r.body)
	}
	v := r.json(t)
	html, _ := v["html"].(string)
	if keysOf(v) != "html" || !strings.Contains(html, "<strong>hi</strong>") || strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
		t.Errorf("preview = %s", r.body)
	}
	apiError(t, b.api(http.MethodPost, "/api/v1/preview", map[string]any{"body": strings.Repeat("p", 20001)}), 422, "invalid")
	deep := apiError(t, b.api(http.MethodPost, "/api/v1/preview", map[string]any{"body": strings.Repeat("> ", 5000) + "deep"}), 422, "invalid")
	if f, _ := deep["fields"].(map[string]any); f["body"] == nil {
		t.Errorf("runaway quoting in a preview: %v, want a field error on body", deep)
	}
	apiError(t, b.api(http.MethodPost, "/api/v1/preview", `{`), 400, "bad_request")
	// A visitor has no session and no token, so nothing to forge: sign in.
	apiError(t, s.browser().api(http.MethodPost, "/api/v1/preview", map[string]any{"body": "hi"}), 401, "unauthenticated")
}

// TestAPIAuthentication: bearer tokens that are bad, of another brand or in
// the wrong scheme are refused with 401; visitors cannot write.
func TestAPIAuthentication(t *testing.T) {
	s := newSite(t)
	beta, err := s.brands.Create(context.Background(), forum.NewBrand{Host: "beta.test", Name: "Beta"})
	if err != nil {
		t.Fatal(err)
	}
	betaUser := s.user(beta.ID, "beta_user")
	anon := s.browser()
	body := map[string]any{"board_id": s.board.ID, "title": "Should never be saved", "body": "Not authorised to post"}
	for _, tt := range []struct {
		name, auth string
	}{
		{"unknown token", "Bearer mut_not-a-real-token"},
		{"other brand's token", "Bearer " + betaUser.token},
		{"empty bearer", "Bearer "},
		{"basic scheme", "Basic dXNlcjpwYXNz"},
		{"token without scheme", betaUser.token},
	} {
		apiError(t, anon.api(http.MethodGet, "/api/v1/me", nil, "Authorization", tt.auth), 401, "unauthenticated")
		apiError(t, anon.api(http.MethodPost, "/api/v1/threads", body, "Authorization", tt.auth), 401, "unauthenticated")
		// A bad token is refused even where a visitor may read.
		apiError(t, anon.api(http.MethodGet, "/api/v1/boards", nil, "Authorization", tt.auth), 401, "unauthenticated")
	}

	// Every write route refuses a visitor: with no session and no token
	// there is nobody to act for (and no credential to forge), so 401.
	for _, rt := range []struct{ method, path string }{
		{http.MethodPost, "/api/v1/threads"},
		{http.MethodPost, "/api/v1/threads/1/posts"},
		{http.MethodPatch, "/api/v1/posts/1"},
		{http.MethodPost, "/api/v1/posts/1/kudos"},
		{http.MethodDelete, "/api/v1/posts/1/kudos"},
		{http.MethodPost, "/api/v1/threads/1/accept"},
		{http.MethodDelete, "/api/v1/threads/1/accept"},
		{http.MethodPost, "/api/v1/preview"},
	} {
		apiError(t, anon.api(rt.method, rt.path, `{}`), 401, "unauthenticated")
	}
	// With a visitor's own form token too.
	anon.get("/login")
	apiError(t, anon.api(http.MethodPost, "/api/v1/threads", body, "X-CSRF-Token", anon.csrf), 401, "unauthenticated")
	if n := countThreads(t, s); n != 0 {
		t.Errorf("%d threads saved by unauthenticated requests", n)
	}

	// A cross-site write is refused before anything else, in the API's shape.
	m := s.bearerClient(s.user(s.brand.ID, "cross_user"))
	apiError(t, m.api(http.MethodPost, "/api/v1/threads", body, "Sec-Fetch-Site", "cross-site"), 403, "cross_origin")
	apiError(t, m.api(http.MethodDelete, "/api/v1/posts/1/kudos", nil, "Origin", "https://evil.example"), 403, "cross_origin")
	if n := countThreads(t, s); n != 0 {
		t.Errorf("%d threads saved by cross-site requests", n)
	}
	// Reads are not affected.
	if r := m.api(http.MethodGet, "/api/v1/me", nil, "Sec-Fetch-Site", "cross-site"); r.code != 200 {
		t.Errorf("cross-site GET /api/v1/me = %d", r.code)
	}
}

// TestAPIPostRateLimit: members posting faster than the configured interval
// get 429 with Retry-After once the burst is spent.
func TestAPIPostRateLimit(t *testing.T) {
	s := newSite(t, func(c *app.Config) { c.PostInterval = time.Hour })
	m := s.user(s.brand.ID, "fast_poster")
	b := s.bearerClient(m)
	var last *response
	for i := range 6 {
		last = b.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID, "title": fmt.Sprintf("Rapid question %d", i), "body": "Posting quickly here"})
		if i < 5 && last.code != http.StatusCreated {
			t.Fatalf("post %d = %d", i, last.code)
		}
	}
	apiError(t, last, 429, "rate_limited")
	if ra, err := strconv.Atoi(last.header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After = %q", last.header.Get("Retry-After"))
	}
	// Another member is not slowed down.
	o := s.bearerClient(s.user(s.brand.ID, "slow_poster"))
	apiObject(t, o.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID, "title": "A calm question", "body": "Posting at leisure"}), 201)
}
