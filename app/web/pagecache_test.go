package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/forum"
)

// A cached page past its TTL is rendered again by one request while the
// others get the previous rendering; a change heard makes it stale for all
// at once, with no grace.
func TestPageCacheRenewsOneAtATime(t *testing.T) {
	pc := newPageCache(1<<20, 50*time.Millisecond)
	snap := pc.snap(scopeThread, 1, 7, "1|/t/7/x")
	pc.put(snap, []byte("first"), "text/html")
	if _, ok := pc.get(snap); !ok {
		t.Fatal("a fresh entry missed")
	}
	time.Sleep(60 * time.Millisecond)
	if _, ok := pc.get(snap); ok {
		t.Fatal("the first request past the TTL was not sent to render")
	}
	for range 3 {
		if e, ok := pc.get(snap); !ok || plain(t, e) != "first" {
			t.Fatal("requests beside the one rendering did not get the previous page")
		}
	}
	pc.put(snap, []byte("second"), "text/html")
	if e, ok := pc.get(snap); !ok || plain(t, e) != "second" {
		t.Fatalf("after the render: %v %v", e, ok)
	}

	time.Sleep(60 * time.Millisecond)
	if _, ok := pc.get(snap); ok {
		t.Fatal("past the TTL again: no request was sent to render")
	}
	pc.invalidate(forum.Change{BrandID: 1, ThreadID: 7})
	if _, ok := pc.get(pc.snap(scopeThread, 1, 7, "1|/t/7/x")); ok {
		t.Fatal("a changed thread's page was served while being renewed")
	}
}

func plain(t *testing.T, e *cachedPage) string {
	t.Helper()
	body, err := gunzipped(e.gz, e.size)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// A kept page is sent gzipped to a client that accepts gzip and as it was
// rendered to one that does not, with the same ETag.
func TestCachedPagesAreSentGzippedToClientsThatAcceptIt(t *testing.T) {
	page := strings.Repeat("<p>No 4G in Leeds since nine.</p>\n", 500)
	e := newPageCache(1<<20, time.Minute).put(cacheSnap{key: "k"}, []byte(page), "text/html; charset=utf-8")
	if len(e.gz) > len(page)/5 {
		t.Errorf("kept %d bytes of a %d-byte page", len(e.gz), len(page))
	}
	for _, tc := range []struct {
		accept string
		gzip   bool
	}{{"gzip, deflate, br", true}, {"br;q=1.0, gzip;q=0.8", true}, {"*", true}, {"GZIP", true}, {"", false},
		{"identity", false}, {"gzip;q=0", false}, {"deflate, gzip; q=0", false}, {"br", false}} {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodGet, "/t/1/x", nil)
		c.Request.Header.Set("Accept-Encoding", tc.accept)
		writeCached(c, e)
		body := rec.Body.Bytes()
		if got := rec.Header().Get("Content-Encoding") == "gzip"; got != tc.gzip {
			t.Errorf("Accept-Encoding %q: gzipped %v, want %v", tc.accept, got, tc.gzip)
		}
		if tc.gzip {
			r, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(r); err != nil {
				t.Fatal(err)
			}
		}
		if string(body) != page || rec.Header().Get("ETag") != e.etag || !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: %d bytes, ETag %q, Vary %q", tc.accept, len(body), rec.Header().Get("ETag"), rec.Header().Get("Vary"))
		}
	}
}

// Readers of a page another request is rendering at the same generation
// wait for that rendering instead of rendering it too; a change since makes
// the next reader render anew.
func TestOneRenderPerChangeOfAPage(t *testing.T) {
	pc := newPageCache(1<<20, time.Minute)
	first := pc.snap(scopeThread, 1, 7, "1|/t/7/x")
	if pc.lead(first) != nil {
		t.Fatal("the first reader of a missing page was told to wait")
	}
	wait := pc.lead(first)
	if wait == nil {
		t.Fatal("a second reader of the page being rendered renders it too")
	}
	pc.invalidate(forum.Change{BrandID: 1, ThreadID: 7})
	second := pc.snap(scopeThread, 1, 7, "1|/t/7/x")
	if pc.lead(second) != nil {
		t.Fatal("a reader after a change waits for the rendering from before it")
	}
	if pc.lead(second) == nil {
		t.Fatal("a second reader after the change renders it too")
	}
	pc.led(second)
	select {
	case <-wait:
		t.Fatal("the newer rendering's end woke the older one's readers")
	default:
	}
	pc.put(first, []byte("page"), "text/html")
	pc.led(first)
	select {
	case <-wait:
	default:
		t.Fatal("the readers waiting for the first rendering were not woken when it ended")
	}
	if e, ok := pc.get(first); !ok || plain(t, e) != "page" {
		t.Fatal("the woken readers find no page")
	}
	if pc.lead(first) != nil {
		t.Fatal("a rendering that ended is still waited for")
	}
}
