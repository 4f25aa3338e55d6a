package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mutual/forum"
)

// A client that has gone by the time its request reaches the database (it
// closed the connection while the request waited) is logged as such, at
// INFO with status 499, on pages and on the API alike; nothing is logged as
// an error.
func TestClientGoneIsLoggedAsGone(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "gonereader")
	th, err := s.svc.Ask(context.Background(), m.actor, forum.NewThread{BoardID: s.board.ID, Title: "Roaming stopped in Spain", Body: "No data since Tuesday."})
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/search?q=roaming", "/api/v1/search?q=roaming", "/api/v1/threads/" + itoa(th.ID), "/u/gonereader"}
	for _, p := range paths {
		if r := s.bearerClient(m).get(p); r.code != http.StatusOK { // brand and token caches warm, as on a busy server
			t.Fatalf("GET %s = %d", p, r.code)
		}
	}
	before := len(strings.Split(s.logs.String(), "\n"))
	for _, p := range paths {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequest(http.MethodGet, p, nil).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer "+m.token)
		req.Host = "localhost"
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		if rec.Code != 499 {
			t.Errorf("GET %s with the client gone = %d, want 499", p, rec.Code)
		}
	}
	s.noErrorLogs()
	lines := strings.Split(strings.TrimSpace(s.logs.String()), "\n")[before-1:]
	gone := 0
	for _, line := range lines {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil || l["msg"] != "request" {
			continue
		}
		if l["status"] == float64(499) && l["level"] == "INFO" && l["client"] == "went away" {
			gone++
		}
	}
	if gone != len(paths) {
		t.Errorf("%d of %d requests logged as a gone client at INFO:\n%s", gone, len(paths), strings.Join(lines, "\n"))
	}
}
