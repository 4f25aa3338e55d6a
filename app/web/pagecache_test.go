package web

import (
	"testing"
	"time"

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
		if e, ok := pc.get(snap); !ok || string(e.body) != "first" {
			t.Fatal("requests beside the one rendering did not get the previous page")
		}
	}
	pc.put(snap, []byte("second"), "text/html")
	if e, ok := pc.get(snap); !ok || string(e.body) != "second" {
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
