// Package web is the kit every capability's HTTP package shares: the
// middleware chain (request id and log, recover, brand, session or token,
// CSRF, rate limits, the casbin check), rendering a brand's theme, the page
// cache, and the one place where errors become statuses and pages.
package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/moderation"
	"mutual/reputation"
	"mutual/themes"
)

// Site holds what the kit needs. app/ builds one and hands it to every
// capability.
type Site struct {
	log           *slog.Logger
	authz         *moderation.Authorizer
	themes        *themes.Registry
	brands        *forum.Brands
	members       *account.Members
	pages         *pageCache // anonymous pages and thread JSON
	results       *pageCache // anonymous search results, apart so they cannot crowd out pages
	parts         *partCache // parts of anonymous pages (posts' bylines and bars), or nil (CachedPart)
	SecureCookies bool       // cookies only over TLS (behind a TLS-terminating proxy)

	// Bell, when set, gives a signed-in member's pages the notification
	// bell and watch buttons.
	Bell func(c *gin.Context, act account.Actor) any
	// Standing, when set, says why a signed-in member is held to a
	// visitor's rights (suspended until when, banned, and the reason), or
	// "" when they are not; a refusal then says that first.
	Standing func(ctx context.Context, actor account.Actor) (string, error)
	// Refusal, when set, says why a signed-in member may not do act on obj
	// (for example, at what reputation it unlocks); the default is a plain
	// refusal.
	Refusal func(ctx context.Context, actor account.Actor, obj, act string) error

	// Ranks is the brand's rank ladder, for naming authors' ranks; the
	// reputation capability provides it.
	Ranks func(ctx context.Context, brandID int64) (reputation.Ladder, error)
	// Head, when set, gives a page its discovery head (view.DiscoveryHead).
	Head func(PageInfo) any

	signedLinks map[string]bool
	secretPaths map[string]bool
	redraws     map[string]Redraw // pages that draw forms, for Refuse

	brandMu    sync.RWMutex
	brandCache map[string]brandEntry
}

type brandEntry struct {
	brand forum.Brand
	at    time.Time
}

// NewSite builds the kit. Cached anonymous pages live at most pageTTL and
// take at most pageBytes of memory, and search results as much again.
func NewSite(log *slog.Logger, authz *moderation.Authorizer, reg *themes.Registry, brands *forum.Brands, members *account.Members, pageBytes int, pageTTL time.Duration) *Site {
	return &Site{log: log, authz: authz, themes: reg, brands: brands, members: members,
		pages: newPageCache(pageBytes, pageTTL), results: newPageCache(pageBytes, pageTTL), signedLinks: map[string]bool{}, secretPaths: map[string]bool{}, redraws: map[string]Redraw{},
		brandCache: map[string]brandEntry{}}
}

// KeepParts keeps up to maxBytes of rendered page parts (CachedPart); 0
// keeps none, and pages are rendered whole.
func (s *Site) KeepParts(maxBytes int) {
	s.parts = nil
	if maxBytes > 0 {
		s.parts = newPartCache(maxBytes)
	}
}

// FreshPages renders visitors' kept pages again after every change, busy
// pages too (see busyAfter); for benchmarks of that render.
func (s *Site) FreshPages() {
	s.pages.busy, s.results.busy = 0, 0
}

// Log is the site's logger.
func (s *Site) Log() *slog.Logger { return s.log }

// Authz is the casbin authoriser, for handlers that check a second
// permission inside a page.
func (s *Site) Authz() *moderation.Authorizer { return s.authz }

// Themes are the brands' themes.
func (s *Site) Themes() *themes.Registry { return s.themes }

// SignedLink marks a route whose URL carries a signed token that is its
// own credential, so it needs no CSRF token (one-click unsubscribe from a
// mail client, RFC 8058).
func (s *Site) SignedLink(route string) { s.signedLinks[route] = true }

// SecretPath marks a route whose path carries a credential that must not
// reach the logs (a password reset token): they name the route instead.
func (s *Site) SecretPath(route string) { s.secretPaths[route] = true }

// logPath is the request's path as the logs may keep it.
func (s *Site) logPath(c *gin.Context) string {
	if s.secretPaths[c.FullPath()] {
		return c.FullPath()
	}
	return c.Request.URL.Path
}

// Changed is the forum's OnChange hook: it drops cached pages the change
// made stale.
func (s *Site) Changed(ch forum.Change) {
	s.pages.invalidate(ch)
	s.results.invalidate(ch)
}

// RequestID is the id the request log gave this request.
func RequestID(c *gin.Context) string { return c.GetString(keyReqID) }

// IsBearer reports whether the request authenticated with an API token.
func IsBearer(c *gin.Context) bool { return c.GetBool(keyBearer) }

// refusal is the answer for a signed-in member whose roles do not allow act
// on obj.
func (s *Site) refusal(ctx context.Context, actor account.Actor, obj, act string) error {
	if s.Standing != nil {
		why, err := s.Standing(ctx, actor)
		if err != nil {
			return err
		}
		if why != "" {
			return fault.Denied(why)
		}
	}
	if s.Refusal != nil {
		return s.Refusal(ctx, actor, obj, act)
	}
	return NotAllowed(ctx)
}

// NotAllowed is the refusal when nothing a member can earn would allow what
// they tried, in the reader's language.
func NotAllowed(ctx context.Context) error {
	return &fault.Error{Kind: fault.ErrForbidden, Msg: i18n.T(ctx, "error.not_allowed_here")}
}

// brandFor resolves the request's brand, caching lookups for a few seconds.
func (s *Site) brandFor(ctx context.Context, host string) (forum.Brand, error) {
	now := time.Now()
	s.brandMu.RLock()
	e, ok := s.brandCache[host]
	s.brandMu.RUnlock()
	if ok && now.Sub(e.at) < 5*time.Second {
		return e.brand, nil
	}
	b, err := s.brands.ForHost(ctx, host)
	if err != nil {
		return forum.Brand{}, err
	}
	s.brandMu.Lock()
	if len(s.brandCache) > 10000 {
		s.brandCache = map[string]brandEntry{}
	}
	s.brandCache[host] = brandEntry{brand: b, at: now}
	s.brandMu.Unlock()
	return b, nil
}

// BrandChanged forgets the brands this instance has looked up, so the next
// request shows a brand's new name and colours at once (other instances
// catch up within the few seconds they keep a brand).
func (s *Site) BrandChanged() {
	s.brandMu.Lock()
	s.brandCache = map[string]brandEntry{}
	s.brandMu.Unlock()
}

// Origin is the scheme and host that absolute URLs (canonical links,
// sitemaps, feeds, structured data) use: the brand's own host, or for the
// default brand on "localhost" the host the request came to, so a
// development server links to itself.
func (s *Site) Origin(c *gin.Context) string {
	scheme := "http"
	if s.Secure(c) {
		scheme = "https"
	}
	b := BrandOf(c)
	host := b.Host
	if b.IsDefault && (host == "localhost" || host == "") {
		host = c.Request.Host
	}
	return scheme + "://" + host
}

// Ladder is the request's brand's rank ladder; on failure it has answered
// the error and returns false.
func (s *Site) Ladder(c *gin.Context) (reputation.Ladder, bool) {
	if s.Ranks == nil {
		return nil, true
	}
	rk, err := s.Ranks(c.Request.Context(), BrandOf(c).ID)
	if err != nil {
		s.Fail(c, err)
		return nil, false
	}
	return rk, true
}
