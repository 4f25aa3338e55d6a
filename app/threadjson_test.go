package app_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// A thread's JSON is kept for anonymous readers like its page (one encoding
// per change, with an ETag), and every change to the thread is seen by the
// next reader: a reply, an edit, an accepted answer, kudos, a moderator
// hiding a post. A stale JSON after a write would be a bug.
func TestThreadJSONCachedAndNeverStale(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	relaxKudosGivers(t, s)
	path := "/api/v1/threads/" + itoa(c.open.ID)
	visitor := s.browser()
	helper, asker, mod := s.bearerClient(c.helper), s.bearerClient(c.other), s.bearerClient(c.mod)

	read := func() (map[string]any, []map[string]any, *response) {
		t.Helper()
		r := visitor.api(http.MethodGet, path, nil)
		th := apiObject(t, r, http.StatusOK)
		var posts []map[string]any
		for _, p := range th["posts"].([]any) {
			posts = append(posts, p.(map[string]any))
		}
		return th, posts, r
	}

	_, posts, first := read()
	etag := first.header.Get("ETag")
	if len(posts) != 1 || etag == "" {
		t.Fatalf("first read: %d posts, ETag %q; want the question and an ETag", len(posts), etag)
	}
	if _, _, again := read(); again.body != first.body || again.header.Get("ETag") != etag {
		t.Errorf("a second read differs from the first with nothing changed")
	}
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("If-None-Match", etag)
	if r := visitor.do(req); r.code != http.StatusNotModified {
		t.Errorf("If-None-Match with the current ETag = %d, want 304", r.code)
	}
	// The bytes are what a member reading without the cache gets.
	if member := s.bearerClient(s.user(s.brand.ID, "plainreader")).api(http.MethodGet, path, nil); member.body != first.body {
		t.Errorf("the cached JSON differs from a member's:\n%s\n%s", clip(first.body), clip(member.body))
	}

	reply := apiObject(t, helper.api(http.MethodPost, path+"/posts", map[string]any{"body": "Try resetting the network settings first."}), http.StatusCreated)
	rid := itoa(num(reply["id"]))
	if _, posts, _ = read(); len(posts) != 2 || posts[1]["body"] != "Try resetting the network settings first." {
		t.Fatalf("after a reply the visitor reads %v", posts)
	}

	apiObject(t, helper.api(http.MethodPatch, "/api/v1/posts/"+rid, map[string]any{"body": "Reset the network settings, then restart."}), http.StatusOK)
	if _, posts, _ = read(); posts[1]["body"] != "Reset the network settings, then restart." {
		t.Errorf("after an edit the visitor reads %v", posts[1]["body"])
	}

	apiObject(t, asker.api(http.MethodPost, path+"/accept", map[string]any{"post_id": num(reply["id"])}), http.StatusOK)
	if th, posts, _ := read(); num(th["accepted_post_id"]) != num(reply["id"]) || posts[1]["accepted"] != true {
		t.Errorf("after accepting the visitor reads accepted_post_id %v, accepted %v", th["accepted_post_id"], posts[1]["accepted"])
	}

	apiObject(t, asker.api(http.MethodPost, "/api/v1/posts/"+rid+"/kudos", nil), http.StatusOK)
	if _, posts, _ = read(); num(posts[1]["kudos_count"]) != 1 {
		t.Errorf("after kudos the visitor reads kudos_count %v", posts[1]["kudos_count"])
	}

	apiObject(t, mod.api(http.MethodPost, "/api/v1/posts/"+rid+"/hide", map[string]any{"reason": "testing"}), http.StatusOK)
	if _, posts, _ = read(); len(posts) != 1 {
		t.Errorf("after a moderator hid the reply the visitor reads %d posts", len(posts))
	}
	s.noErrorLogs()
}
