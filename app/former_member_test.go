package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// An erased member's posts, edits and standing stay, by "a former member":
// a name shown as plain text wherever it appears, since there is no profile
// to link to; their old profile address, and the former member's, answer
// with a 404 that says why.
func TestAFormerMemberIsNamedWithoutALink(t *testing.T) {
	s := newSite(t)
	relaxKudosGivers(t, s)
	admin := s.user(s.brand.ID, "fm_admin", "admin")
	gone := s.bearerClient(s.user(s.brand.ID, "Wilhelmina_R"))
	helper := s.bearerClient(s.user(s.brand.ID, "steady_helper"))

	th := apiObject(t, gone.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID,
		"title": "Hotspot drops every ten minutes", "body": "The laptop loses the connection, the phone does not."}), http.StatusCreated)
	tid := itoa(int64(th["id"].(float64)))
	post := apiObject(t, gone.api(http.MethodGet, "/api/v1/threads/"+tid, nil), http.StatusOK)["posts"].([]any)[0].(map[string]any)
	pid := itoa(int64(post["id"].(float64)))
	if r := gone.api(http.MethodPatch, "/api/v1/posts/"+pid, map[string]any{"body": "The laptop loses the connection; the phone keeps it."}); r.code != http.StatusOK {
		t.Fatalf("edit: %d %s", r.code, clip(r.body))
	}
	if r := helper.api(http.MethodPost, "/api/v1/posts/"+pid+"/kudos", nil); r.code >= 300 {
		t.Fatalf("kudos: %d %s", r.code, clip(r.body))
	}
	if r := s.bearerClient(admin).api(http.MethodPost, "/api/v1/users/Wilhelmina_R/erase",
		map[string]any{"confirm_username": "Wilhelmina_R", "reason": "Asked by mail"}); r.code != http.StatusOK {
		t.Fatalf("erase: %d %s", r.code, clip(r.body))
	}

	for _, path := range []string{"/", "/b/" + itoa(s.board.ID) + "/" + s.board.Slug, "/t/" + tid + "/hotspot-drops-every-ten-minutes", "/p/" + pid + "/history", "/leaderboard?period=all"} {
		r := s.browser().get(path)
		if r.code != http.StatusOK || !strings.Contains(r.body, `<span class="former-member">a former member</span>`) &&
			!strings.Contains(r.body, `<span class="author former-member">a former member</span>`) {
			t.Errorf("%s: %d, the former member is not named as plain text:\n%s", path, r.code, clip(r.body))
		}
		if strings.Contains(r.body, "/u/a%20former%20member") || strings.Contains(r.body, "/u/a former member") {
			i := strings.Index(r.body, "/u/a%20former%20member")
			t.Errorf("%s links to a former member's profile: %s", path, r.body[max(0, i-300):i+50])
		}
	}

	for path, want := range map[string]string{
		"/u/Wilhelmina_R":            "There is no member called Wilhelmina_R here.",
		"/u/a%20former%20member":     "no profile",
		"/u/Wilhelmina_R/reputation": "There is no member called Wilhelmina_R here.",
	} {
		r := s.browser().get(path)
		if r.code != http.StatusNotFound || !strings.Contains(r.body, want) || !strings.Contains(r.body, `href="/"`) {
			t.Errorf("%s: %d, want a 404 page saying %q:\n%s", path, r.code, want, clip(r.body))
		}
	}
	s.noErrorLogs()
}
