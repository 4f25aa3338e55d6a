package app_test

import (
	"net/http"
	"strings"
	"testing"

	"mutual/app"
)

// A visitor's thread page assembled from kept parts of its posts (each
// post's byline and action bar rendered once per change of what it shows)
// is byte for byte the page rendered whole, in every language, before and
// after the thread changes: a reply, kudos, an edit, an accepted answer, a
// staff reply.
func TestThreadPageFromKeptPartsIsThePageRenderedWhole(t *testing.T) {
	kept, whole := newSite(t), newSite(t, func(c *app.Config) { c.WholePages = true })
	type actor struct{ kept, whole *browser }
	sites := []*site{kept, whole}
	members := map[string]actor{}
	for _, name := range []string{"asker", "helper", "agent"} {
		var roles []string
		if name == "agent" {
			roles = []string{"agent"}
		}
		members[name] = actor{kept.bearerClient(kept.user(kept.brand.ID, name, roles...)), whole.bearerClient(whole.user(whole.brand.ID, name, roles...))}
	}
	for _, s := range sites {
		s.offer("en", "es", "pl")
		relaxKudosGivers(t, s)
	}
	// do makes the same request on both sites, as the same member.
	do := func(who, method, path string, body map[string]any, code int) map[string]any {
		t.Helper()
		a := members[who]
		out := modJSON(t, a.kept.api(method, path, body), code)
		modJSON(t, a.whole.api(method, path, body), code)
		return out
	}
	th := do("asker", http.MethodPost, "/api/v1/threads", map[string]any{"board_id": kept.board.ID, "title": "Texts stopped arriving after the update",
		"body": "Since Monday no texts arrive on my phone. I restarted it twice."}, 201)
	id := itoa(int64(th["id"].(float64)))
	path := "/t/" + id + "/" + th["slug"].(string)
	same := func(step string) {
		t.Helper()
		for _, accept := range []string{"en", "es", "pl"} {
			for range 2 { // the second read prints the parts the first kept
				k, w := kept.browser().getIn(path, accept), whole.browser().getIn(path, accept)
				if k.code != 200 || w.code != 200 {
					t.Fatalf("%s, %s: status %d and %d", step, accept, k.code, w.code)
				}
				if k.body != w.body {
					t.Fatalf("%s, %s: the page from kept parts differs from the page rendered whole at byte %d:\nkept:  %s\nwhole: %s",
						step, accept, firstDiff(k.body, w.body), around(k.body, firstDiff(k.body, w.body)), around(w.body, firstDiff(k.body, w.body)))
				}
			}
		}
	}
	same("a question alone")
	r1 := do("helper", http.MethodPost, "/api/v1/threads/"+id+"/posts", map[string]any{"body": "Check that the messages app is the default one."}, 201)
	r2 := do("agent", http.MethodPost, "/api/v1/threads/"+id+"/posts", map[string]any{"body": "We have reset your messaging profile; try again."}, 201)
	same("two replies, one by staff")
	do("asker", http.MethodPost, "/api/v1/posts/"+itoa(int64(r2["id"].(float64)))+"/kudos", nil, 200)
	same("kudos")
	do("helper", http.MethodPatch, "/api/v1/posts/"+itoa(int64(r1["id"].(float64))), map[string]any{"body": "Check that the messages app is the default one, under Settings."}, 200)
	same("an edited reply")
	do("asker", http.MethodPost, "/api/v1/threads/"+id+"/accept", map[string]any{"post_id": int64(r2["id"].(float64))}, 200)
	same("an accepted answer")
	for _, s := range sites {
		s.noErrorLogs()
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(s string, i int) string {
	return strings.ReplaceAll(s[max(0, i-120):min(len(s), i+120)], "\n", "⏎")
}
