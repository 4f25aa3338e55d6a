package web

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/gin-gonic/gin"

	"mutual/themes"
)

// partCache keeps parts of pages as an anonymous visitor sees them (a
// post's byline and action bar on a thread page), each under the thing it
// shows and a sum of everything that goes into it. A reply to a busy thread
// makes its page stale, and the next reader renders the page again; with
// its posts' parts kept, that render prints them instead of running their
// templates, so a post is rendered once per change of what it shows rather
// than once per change of its thread.
type partCache struct {
	mu       sync.Mutex
	entries  map[partKey]part
	bytes    int
	maxBytes int
}

// partKey names a part: one partial of one page's templates, for one thing
// (a post id), in one theme and language.
type partKey struct {
	theme *themes.Theme
	lang  string
	page  string
	name  string
	id    int64
}

// part is a rendering and the sum of what it was rendered from.
type part struct {
	sum  uint64
	html template.HTML
}

func newPartCache(maxBytes int) *partCache {
	return &partCache{entries: map[partKey]part{}, maxBytes: maxBytes}
}

func (pc *partCache) get(k partKey, sum uint64) (template.HTML, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	p, ok := pc.entries[k]
	return p.html, ok && p.sum == sum
}

func (pc *partCache) put(k partKey, sum uint64, html template.HTML) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if old, ok := pc.entries[k]; ok {
		pc.bytes -= len(old.html)
		delete(pc.entries, k)
	}
	// Over the bound, arbitrary parts go (map order is random), as pages do.
	for k, old := range pc.entries {
		if pc.bytes+len(html) <= pc.maxBytes {
			break
		}
		pc.bytes -= len(old.html)
		delete(pc.entries, k)
	}
	pc.entries[k] = part{sum: sum, html: html}
	pc.bytes += len(html)
}

// Parts reports whether CachedPart keeps parts: a page may then print
// CachedPart's renderings in place of its partials.
func (s *Site) Parts() bool { return s.parts != nil }

// CachedPart is the partial name of page's templates executed on data, in
// the request's theme and language, as the page would print it: kept under
// id and sum (a hash of everything in data the partial shows, and of
// anything it words by the clock) and rendered again when the sum changes.
// Only for what every anonymous visitor sees alike.
func (s *Site) CachedPart(c *gin.Context, page, name string, id int64, sum uint64, data any) (template.HTML, error) {
	loc := LocalizerOf(c)
	theme := s.themes.For(BrandOf(c).Host)
	k := partKey{theme: theme, lang: loc.Lang(), page: page, name: name, id: id}
	if s.parts != nil {
		if html, ok := s.parts.get(k, sum); ok {
			return html, nil
		}
	}
	var buf bytes.Buffer
	if err := theme.RenderPart(&buf, page, name, loc, data); err != nil {
		return "", err
	}
	html := template.HTML(buf.String()) //nolint:gosec // the template's own escaped output
	if s.parts != nil {
		s.parts.put(k, sum, html)
	}
	return html, nil
}
