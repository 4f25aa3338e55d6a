package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/forum"
)

// pageCache keeps the rendered bytes of pages and API answers as anonymous
// visitors see them (the home page, board lists, thread pages and their
// JSON, search results), gzipped: a thread page is a seventh of its size,
// so the bound holds seven times the pages, and browsers (which all accept
// gzip) are sent the kept bytes as they are. Members' pages are personal
// and never cached. An entry records the generation of what it shows;
// every committed change bumps the generations it touches, so a stale entry
// is not served, with one bound exception: a busy page (see busyAfter) is
// rendered for visitors at most once a busyBound (a second). A short TTL
// bounds staleness from writers this process does not hear about (another
// instance, an import).
type pageCache struct {
	mu       sync.Mutex
	entries  map[string]*cachedPage
	bytes    int
	maxBytes int
	ttl      time.Duration
	clock    uint64
	lists    map[int64]uint64            // brand -> generation of its lists
	threads  map[int64]uint64            // thread -> generation
	brands   map[int64]uint64            // brand -> generation of any change in it
	firm     map[genKey]uint64           // the generation of the last change no page may show late (not an Addition)
	renders  map[cacheSnap]chan struct{} // renderings under way, closed when their request ends
	busy     time.Duration               // busyBound, or 0: every change renders the page again
}

// renderWait bounds how long a reader waits for another's rendering of the
// same page before rendering it itself.
const renderWait = 2 * time.Second

// A page rendered busyAfter times in a row because it changed, each within
// two busyBounds of the one before, is busy: visitors are then sent its
// last rendering until that is busyBound old, however often it changes
// meanwhile. Each reply to a thread read by many makes
// its page stale, and rendering it cost a couple of milliseconds of CPU:
// 500 replies a second to the most read threads took a whole core in
// renders alone, and readers queued behind them. Members always see the
// page as it is (their pages are not kept), so the one who wrote sees it
// at once; a visitor sees a busy thread as someone who loaded it up to a
// second earlier would. A page that changes now and then is rendered
// again at its first read after each change, as before. Either way, the
// readers that arrive while one request renders a page again for an
// addition are sent its last rendering rather than wait (lastCopy).
const (
	busyAfter = 4
	busyBound = time.Second
)

// scope is what makes a cached page stale.
type scope int

const (
	scopeLists  scope = iota // the brand's lists: home, boards, leaderboard
	scopeThread              // one thread: its page, its JSON
	scopeBrand               // any thread of the brand: search results
)

type cachedPage struct {
	gz          []byte // the body, gzipped
	size        int    // the body's length
	etag        string
	contentType string
	gen         uint64
	at          time.Time
	renewing    time.Time // set when one request went to render it again past the TTL
	streak      int       // renders in a row for a change, each within two busyBounds of the last
}

// cacheSnap is what the middleware noted before the handler rendered, so a
// change committed mid-render makes the stored entry stale rather than wrong.
type cacheSnap struct {
	pc   *pageCache
	key  string
	gen  uint64
	firm uint64 // an entry older than this generation is never served stale
}

// genKey is one scope's generation: a brand's lists or any of its changes,
// or one thread.
type genKey struct {
	sc scope
	id int64
}

const keyCacheSnap = "cachesnap"

func newPageCache(maxBytes int, ttl time.Duration) *pageCache {
	return &pageCache{entries: map[string]*cachedPage{}, maxBytes: maxBytes, ttl: ttl,
		lists: map[int64]uint64{}, threads: map[int64]uint64{}, brands: map[int64]uint64{}, firm: map[genKey]uint64{}, renders: map[cacheSnap]chan struct{}{},
		busy: busyBound}
}

// lead makes this request the one that renders s, unless another already
// renders the same page at the same generation: then it returns that
// rendering's channel to wait on. A reply to a busy thread makes its page
// stale for every reader at once; without this, every reader arriving
// before the new page was kept rendered it too, and under load the renders
// took the database's readers from everyone (writers included), so the
// next ones took longer still.
func (pc *pageCache) lead(s cacheSnap) (wait <-chan struct{}) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if done, ok := pc.renders[s]; ok {
		return done
	}
	pc.renders[s] = make(chan struct{})
	return nil
}

// led ends the rendering lead started, waking those waiting on it.
func (pc *pageCache) led(s cacheSnap) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if done, ok := pc.renders[s]; ok {
		close(done)
		delete(pc.renders, s)
	}
}

// invalidate is the forum's OnChange hook.
func (pc *pageCache) invalidate(ch forum.Change) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.clock++
	pc.brands[ch.BrandID] = pc.clock
	touched := []genKey{{scopeBrand, ch.BrandID}}
	if ch.Lists {
		pc.lists[ch.BrandID] = pc.clock
		touched = append(touched, genKey{scopeLists, ch.BrandID})
	}
	if ch.ThreadID != 0 {
		pc.threads[ch.ThreadID] = pc.clock
		touched = append(touched, genKey{scopeThread, ch.ThreadID})
	}
	if !ch.Addition {
		for _, k := range touched {
			pc.firm[k] = pc.clock
		}
	}
}

// get returns the entry for s unless a change made it stale (a busy page's
// within busyBound of its rendering excepted). Past the TTL, one request
// is sent to render the page again and the others are answered with this
// rendering meanwhile: when a busy page expired, every waiting connection
// used to render it at once (p99 of seconds for a board list under load).
func (pc *pageCache) get(s cacheSnap) (*cachedPage, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e, ok := pc.entries[s.key]
	if !ok {
		return nil, false
	}
	now := time.Now()
	if e.gen != s.gen {
		return e, pc.isBusy(e, s, now)
	}
	if now.Sub(e.at) > pc.ttl {
		if !e.renewing.IsZero() && now.Sub(e.renewing) < pc.ttl {
			return e, true
		}
		e.renewing = now // this request renders; if it fails, another tries after a TTL
		return nil, false
	}
	return e, true
}

// lastCopy is s's page as last rendered, for a reader that would otherwise
// wait for another's rendering of it, when nothing but additions changed
// since; nil otherwise. In the first second of 500 replies a second to the
// most read threads, before their pages were busy, the readers waiting for
// those renders made the reader p99 100 ms.
func (pc *pageCache) lastCopy(s cacheSnap) *cachedPage {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if e, ok := pc.entries[s.key]; ok && pc.busy > 0 && e.gen >= s.firm {
		return e
	}
	return nil
}

// isBusy reports whether e is a busy page's rendering, younger than the
// bound, that may stand for s: nothing but additions changed since it was
// made.
func (pc *pageCache) isBusy(e *cachedPage, s cacheSnap, now time.Time) bool {
	return pc.busy > 0 && e.streak >= busyAfter && e.gen >= s.firm && now.Sub(e.at) < pc.busy
}

func (pc *pageCache) snap(sc scope, brandID, thread int64, key string) cacheSnap {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	switch sc {
	case scopeThread:
		// A thread page shows only its own thread, so only its own changes
		// make it stale; a reply elsewhere in the brand does not.
		return cacheSnap{pc: pc, key: key, gen: pc.threads[thread], firm: pc.firm[genKey{sc, thread}]}
	case scopeBrand:
		return cacheSnap{pc: pc, key: key, gen: pc.brands[brandID], firm: pc.firm[genKey{sc, brandID}]}
	}
	return cacheSnap{pc: pc, key: key, gen: pc.lists[brandID], firm: pc.firm[genKey{sc, brandID}]}
}

func (pc *pageCache) put(s cacheSnap, body []byte, contentType string) *cachedPage {
	sum := sha256.Sum256(body)
	e := &cachedPage{gz: gzipped(body), size: len(body), etag: `W/"` + hex.EncodeToString(sum[:10]) + `"`, contentType: contentType,
		gen: s.gen, at: time.Now()}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if old, ok := pc.entries[s.key]; ok {
		if old.gen != e.gen && e.at.Sub(old.at) < 2*pc.busy {
			e.streak = old.streak + 1
		}
		pc.bytes -= len(old.gz)
		delete(pc.entries, s.key)
	}
	// Over the bound, arbitrary entries go (map order is random) until the
	// new one fits: hot pages are back after one render each.
	for k, old := range pc.entries {
		if pc.bytes+len(e.gz) <= pc.maxBytes {
			break
		}
		pc.bytes -= len(old.gz)
		delete(pc.entries, k)
	}
	pc.entries[s.key] = e
	pc.bytes += len(e.gz)
	return e
}

// Cached serves anonymous GETs from the page cache, with ETag and
// If-None-Match, and arranges for a miss to be stored by Render or
// CachedJSON. What makes an entry stale follows from the route: a thread's
// page or JSON, the search page, or a list.
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
	pc, sc, thread := s.pages, scopeLists, int64(0)
	switch route := c.FullPath(); {
	case strings.HasPrefix(route, "/t/:id") || route == "/api/v1/threads/:id":
		if id, err := strconv.ParseInt(c.Param("id"), 10, 64); err == nil {
			sc, thread = scopeThread, id
		}
	case route == "/search":
		// Results show threads from anywhere in the brand; their own cache,
		// so many distinct searches cannot push thread pages out.
		pc, sc = s.results, scopeBrand
	}
	// The same address reads differently in each language.
	snap := pc.snap(sc, b.ID, thread, strconv.FormatInt(b.ID, 10)+"|"+LocalizerOf(c).Lang()+"|"+c.Request.URL.RequestURI())
	if e, ok := pc.get(snap); ok {
		writeCached(c, e)
		c.Abort()
		return
	}
	if wait := pc.lead(snap); wait != nil {
		if e := pc.lastCopy(snap); e != nil {
			writeCached(c, e)
			c.Abort()
			return
		}
		select {
		case <-wait:
		case <-time.After(renderWait):
		case <-c.Request.Context().Done():
			s.Fail(c, c.Request.Context().Err()) // gone: nobody to render for
			return
		}
		if e, ok := pc.get(snap); ok {
			writeCached(c, e)
			c.Abort()
			return
		}
		// The other rendering was not kept (an error, a flash): render.
	} else {
		defer pc.led(snap)
	}
	c.Set(keyCacheSnap, snap)
	c.Next()
}

func writeCached(c *gin.Context, e *cachedPage) {
	h := c.Writer.Header()
	h.Set("ETag", e.etag)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Vary", "Cookie, Authorization, Accept-Language, Accept-Encoding")
	if c.GetHeader("If-None-Match") == e.etag {
		c.Status(http.StatusNotModified)
		return
	}
	if acceptsGzip(c.GetHeader("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		c.Data(http.StatusOK, e.contentType, e.gz)
		return
	}
	body, err := gunzipped(e.gz, e.size)
	if err != nil { // our own bytes: cannot happen short of memory corruption
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Data(http.StatusOK, e.contentType, body)
}

// store answers with body, keeping it in the page cache when the request
// is one Cached arranged to store (anonymous, no flash) and code is 200.
func (s *Site) store(c *gin.Context, code int, contentType string, body []byte) bool {
	snap, ok := c.Get(keyCacheSnap)
	if !ok || code != http.StatusOK || ActorOf(c).SignedIn() {
		return false
	}
	sn := snap.(cacheSnap)
	writeCached(c, sn.pc.put(sn, body, contentType))
	return true
}

const contentJSON = "application/json; charset=utf-8"

// CachedJSON answers with v as JSON, as gin's c.JSON does, and keeps the
// bytes for the next anonymous reader when Cached arranged it: the thread's
// JSON is then encoded once per change, not once per request.
func (s *Site) CachedJSON(c *gin.Context, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if s.store(c, code, contentJSON, body) {
		return
	}
	c.Data(code, contentJSON, body)
}
