package app_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A visitor's browser, which accepts gzip, is sent kept pages gzipped; the
// bytes inflate to exactly what a client without gzip is sent, and a change
// is seen at once by both.
func TestVisitorsGetKeptPagesGzipped(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	visitor := s.browser()
	for _, path := range []string{"/t/" + itoa(c.solved.ID) + "/" + c.solved.Slug, "/api/v1/threads/" + itoa(c.solved.ID), "/"} {
		plain := visitor.get(path)
		if plain.code != http.StatusOK || plain.header.Get("Content-Encoding") != "" {
			t.Fatalf("%s without gzip: %d, Content-Encoding %q", path, plain.code, plain.header.Get("Content-Encoding"))
		}
		if body := gzipGet(t, visitor, path); body != plain.body {
			t.Errorf("%s gzipped inflates to other bytes:\n%s\n%s", path, clip(body), clip(plain.body))
		}
	}
	page := "/t/" + itoa(c.solved.ID) + "/" + c.solved.Slug
	s.signedIn(c.other).post("/t/"+itoa(c.solved.ID)+"/reply", map[string][]string{"body": {"Roaming charges were it for me too."}})
	if body := gzipGet(t, visitor, page); !strings.Contains(body, "Roaming charges were it for me too.") {
		t.Errorf("the gzipped page after a reply does not show it:\n%s", clip(body))
	}
	s.noErrorLogs()
}

func gzipGet(t *testing.T, b *browser, path string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	r := b.do(req)
	if r.code != http.StatusOK || r.header.Get("Content-Encoding") != "gzip" || !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("%s with gzip: %d, Content-Encoding %q, Vary %q", path, r.code, r.header.Get("Content-Encoding"), r.header.Get("Vary"))
	}
	zr, err := gzip.NewReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}
