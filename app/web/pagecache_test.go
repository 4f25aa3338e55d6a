package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
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

// A page rendered again for each of busyAfter changes in quick succession
// is busy: visitors get its last rendering until that is busyBound old.
// Readers that find another rendering a page after an addition get its
// last copy rather than wait. Only additions may show late: a hide or an
// edit shows at once. A page that changes now and then is rendered again
// after every change.
func TestABusyPageIsRenderedAtMostOnceABound(t *testing.T) {
	pc := newPageCache(1<<20, time.Minute)
	snap := func() cacheSnap { return pc.snap(scopeThread, 1, 7, "1|en|/t/7/x") }
	change := func() { pc.invalidate(forum.Change{BrandID: 1, ThreadID: 7, Addition: true}) }
	pc.put(snap(), []byte("r0"), "text/html")
	for i := 1; i <= busyAfter; i++ {
		change()
		if _, ok := pc.get(snap()); ok {
			t.Fatalf("after change %d of %d the stale page was served", i, busyAfter)
		}
		pc.put(snap(), fmt.Appendf(nil, "r%d", i), "text/html")
	}
	change()
	s := snap()
	if e, ok := pc.get(s); !ok || plain(t, e) != fmt.Sprintf("r%d", busyAfter) {
		t.Fatal("a busy page's last rendering was not served within the bound")
	}
	e := pc.entries[s.key]
	e.at = e.at.Add(-busyBound)
	if _, ok := pc.get(s); ok {
		t.Fatal("a busy page's rendering older than the bound was served")
	}
	if pc.lead(s) != nil {
		t.Fatal("the first reader past the bound was told to wait")
	}
	if c := pc.lastCopy(s); c != e || pc.lead(s) == nil {
		t.Fatal("a reader beside the one rendering the busy page again was not sent its last rendering")
	}
	pc.led(s)

	pc.put(s, []byte("busy"), "text/html").streak = busyAfter         // busy still, as if rendered a bound ago
	pc.invalidate(forum.Change{BrandID: 1, ThreadID: 7, Lists: true}) // a moderator hid a reply
	if _, ok := pc.get(snap()); ok || pc.lastCopy(snap()) != nil {
		t.Fatal("a busy page was served stale after a change that is not an addition")
	}
	pc.put(snap(), []byte("hidden"), "text/html")
	change()
	if e, ok := pc.get(snap()); !ok || plain(t, e) != "hidden" {
		t.Fatal("after the hide was shown, an addition to the still busy page was not bound")
	}

	// Quiet for two bounds: the next change renders it again at once.
	pc.put(s, []byte("r5"), "text/html")
	pc.entries[s.key].at = time.Now().Add(-2 * busyBound)
	change()
	pc.put(snap(), []byte("r6"), "text/html")
	change()
	if _, ok := pc.get(snap()); ok {
		t.Fatal("a page that had been quiet was served stale after a change")
	}
	if pc.lastCopy(snap()) == nil {
		t.Fatal("a reader beside the one rendering a quiet page after an addition was not sent its last copy")
	}

	fresh := newPageCache(1<<20, time.Minute)
	fresh.busy = 0
	for i := range busyAfter + 2 {
		fresh.invalidate(forum.Change{BrandID: 1, ThreadID: 7, Addition: true})
		s := fresh.snap(scopeThread, 1, 7, "k")
		if _, ok := fresh.get(s); ok {
			t.Fatalf("without a bound, change %d was served stale", i)
		}
		if fresh.lastCopy(s) != nil && i > 0 {
			t.Fatalf("without a bound, change %d sent a reader the last copy", i)
		}
		fresh.put(s, []byte("x"), "text/html")
	}
}
