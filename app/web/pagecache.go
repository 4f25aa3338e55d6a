package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/forum"
)

// pageCache keeps the rendered bytes of pages as anonymous visitors see them
// (the home page, board lists, thread pages). Members' pages are personal and
// never cached. An entry records the generations of what it shows; every
// committed change bumps the generation of its brand's lists and of its
// thread, so a stale entry is never served. A short TTL bounds staleness from
// writers this process does not hear about (another instance, an import).
type pageCache struct {
	mu       sync.Mutex
	entries  map[string]*cachedPage
	bytes    int
	maxBytes int
	ttl      time.Duration
	clock    uint64
	lists    map[int64]uint64 // brand -> generation of its lists
	threads  map[int64]uint64 // thread -> generation
}

type cachedPage struct {
	body      []byte
	etag      string
	listGen   uint64
	threadGen uint64
	at        time.Time
}

// cacheSnap is what the middleware noted before the handler rendered, so a
// change committed mid-render makes the stored entry stale rather than wrong.
type cacheSnap struct {
	key       string
	listGen   uint64
	threadGen uint64
}

const keyCacheSnap = "cachesnap"

func newPageCache(maxBytes int, ttl time.Duration) *pageCache {
	return &pageCache{entries: map[string]*cachedPage{}, maxBytes: maxBytes, ttl: ttl,
		lists: map[int64]uint64{}, threads: map[int64]uint64{}}
}

// invalidate is the forum's OnChange hook.
func (pc *pageCache) invalidate(ch forum.Change) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.clock++
	if ch.Lists {
		pc.lists[ch.BrandID] = pc.clock
	}
	if ch.ThreadID != 0 {
		pc.threads[ch.ThreadID] = pc.clock
	}
}

func (pc *pageCache) get(s cacheSnap) (*cachedPage, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e, ok := pc.entries[s.key]
	if !ok || e.listGen != s.listGen || e.threadGen != s.threadGen || time.Since(e.at) > pc.ttl {
		return nil, false
	}
	return e, true
}

func (pc *pageCache) snap(brandID, thread int64, key string) cacheSnap {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if thread != 0 {
		// A thread page shows only its own thread, so only its own changes
		// make it stale; a reply elsewhere in the brand does not.
		return cacheSnap{key: key, threadGen: pc.threads[thread]}
	}
	return cacheSnap{key: key, listGen: pc.lists[brandID]}
}

func (pc *pageCache) put(s cacheSnap, body []byte) *cachedPage {
	sum := sha256.Sum256(body)
	e := &cachedPage{body: body, etag: `W/"` + hex.EncodeToString(sum[:10]) + `"`, listGen: s.listGen, threadGen: s.threadGen, at: time.Now()}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if old, ok := pc.entries[s.key]; ok {
		pc.bytes -= len(old.body)
	}
	if pc.bytes+len(body) > pc.maxBytes {
		// Dropping everything is crude but O(1) amortised and keeps memory
		// bounded; hot pages are back after one render each.
		pc.entries = map[string]*cachedPage{}
		pc.bytes = 0
	}
	pc.entries[s.key] = e
	pc.bytes += len(body)
	return e
}

// Cached serves anonymous GETs from the page cache, with ETag and
// If-None-Match, and arranges for a miss to be stored by render.
func (s *Site) Cached(c *gin.Context) {
	if s.pages == nil || c.Request.Method != http.MethodGet || ActorOf(c).SignedIn() || c.GetBool(keyBearer) {
		c.Next()
		return
	}
	if v, err := c.Cookie(cookieFlash); err == nil && v != "" {
		c.Next()
		return
	}
	b := BrandOf(c)
	var thread int64
	if id, err := strconv.ParseInt(c.Param("id"), 10, 64); err == nil && len(c.FullPath()) > 2 && c.FullPath()[:3] == "/t/" {
		thread = id
	}
	// The same address reads differently in each language.
	snap := s.pages.snap(b.ID, thread, strconv.FormatInt(b.ID, 10)+"|"+LocalizerOf(c).Lang()+"|"+c.Request.URL.RequestURI())
	if e, ok := s.pages.get(snap); ok {
		writeCached(c, e)
		c.Abort()
		return
	}
	c.Set(keyCacheSnap, snap)
	c.Next()
}

func writeCached(c *gin.Context, e *cachedPage) {
	h := c.Writer.Header()
	h.Set("ETag", e.etag)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Vary", "Cookie, Accept-Language")
	if c.GetHeader("If-None-Match") == e.etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", e.body)
}
