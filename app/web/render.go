package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/forum"
	"mutual/i18n"
	"mutual/themes"
	"mutual/themes/palette"
)

// view is what every page template receives.
type view struct {
	site         *Site
	Brand        forum.Brand
	BrandInitial string
	BrandVersion string
	Me           *me
	CSRF         string
	Title        string
	Flash        string
	Page         any
	Notify       any      // signed-in members only: the bell and watch buttons (set by Site.Bell)
	Origin       string   // scheme://host for absolute URLs (Site.Origin)
	Refused      *Refused // a refused form drawn again with its message and what was typed (Site.Refuse), or nil
	Lang         string   // the page's language tag, for <html lang>
	Dir          string   // "ltr" or "rtl", for <html dir>
	Languages    []Language
	Path         string // this page's path and query, for the language switch to come back to
	Name         string // the page's template, e.g. "thread"
}

// Alternate is a page's address in one language, for hreflang.
type Alternate struct{ Lang, URL string }

// samePage are the pages whose content is the same in every language (the
// members' words are not translated, only what is around them), so search
// engines may show a reader the one in their language.
var samePage = map[string]bool{"home": true, "board": true, "thread": true}

// Alternates are the page's address in each language the brand offers, and
// x-default for the rest, when there is more than one.
func (v view) Alternates() []Alternate {
	if len(v.Languages) < 2 || !samePage[v.Name] {
		return nil
	}
	path, _, _ := strings.Cut(v.Path, "?")
	out := []Alternate{{Lang: "x-default", URL: v.Origin + path}}
	for _, l := range v.Languages {
		out = append(out, Alternate{Lang: l.Tag, URL: v.Origin + path + "?hl=" + l.Tag})
	}
	return out
}

type me struct {
	ID          int64
	Username    string
	CanModerate bool
	CanReport   bool // may read the deflection report
	IsAgent     bool // agent (or admin): the escalation slot links the agent console
	DataRights  bool // may export and erase members' data (the member record links it)
	// Staff is true for a member holding any role beyond member (trusted
	// members review flags): the header shows them the Manage menu, whose
	// items each capability lists by Can.
	Staff bool
	can   func(obj, act string) bool
}

// Can reports whether the member may do act on obj in this brand: the
// casbin check Site.Need makes on a route, so a menu item shows exactly
// when its page opens.
func (m *me) Can(obj, act string) bool { return m.can(obj, act) }

func newMe(s *Site, act account.Actor) *me {
	staff := false
	for _, r := range act.Roles {
		staff = staff || r != "member"
	}
	return &me{ID: act.UserID, Username: act.Username, CanModerate: act.CanModerate(), CanReport: s.authz.Can(act, "report", "read"),
		IsAgent: act.Has("agent") || act.Has("admin"), DataRights: s.authz.Can(act, "member_data", "erase"), Staff: staff,
		can: func(obj, action string) bool { return s.authz.Can(act, obj, action) }}
}

// Render writes a page of the brand's theme.
func (s *Site) Render(c *gin.Context, code int, page, title string, data any) {
	b := BrandOf(c)
	loc := LocalizerOf(c)
	v := view{
		site:         s,
		Lang:         loc.Lang(),
		Dir:          loc.Dir(),
		Languages:    s.languages(c, loc.Lang()),
		Path:         c.Request.URL.RequestURI(),
		Name:         page,
		Brand:        b,
		BrandInitial: themes.Initial(b.Name),
		BrandVersion: brandVersion(b),
		Title:        title,
		Flash:        s.takeFlash(c, loc),
		Page:         data,
		Origin:       s.Origin(c),
		Refused:      RefusedOf(c),
	}
	if act := ActorOf(c); act.SignedIn() {
		v.Me = newMe(s, act)
		if s.Bell != nil {
			v.Notify = s.Bell(c, act)
		}
		v.CSRF = s.CSRFToken(c)
	} else if anonForms[page] {
		// Only pages with forms give a visitor a token cookie, so reading
		// pages stays cookie-free (and cacheable).
		v.CSRF = s.CSRFToken(c)
	}
	buf := renderBufs.get(func() *bytes.Buffer { return bytes.NewBuffer(make([]byte, 0, 64<<10)) })
	defer keepRenderBuf(buf)
	err := s.themes.For(b.Host).Render(buf, page, loc, v)
	if err == nil && v.Refused != nil && !v.Refused.drawn {
		// The refused form is no longer on the page (the post was hidden
		// meanwhile...): its message goes at the top instead.
		v.Flash = v.Refused.All()
		buf.Reset()
		err = s.themes.For(b.Host).Render(buf, page, loc, v)
	}
	if err != nil {
		s.log.Error("render", "request_id", c.GetString(keyReqID), "page", page, "err", err)
		c.String(http.StatusInternalServerError, loc.T("error.internal_short"))
		return
	}
	if v.Flash == "" && s.store(c, code, "text/html; charset=utf-8", buf.Bytes()) {
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	c.Data(code, "text/html; charset=utf-8", buf.Bytes())
}

// renderBufs are the buffers pages are rendered into: a thread page is
// 36 KB, and growing a new buffer to that size for each render was the
// largest of a render's allocations.
var renderBufs = make(spares[*bytes.Buffer], 8)

// keepRenderBuf keeps buf for the next render, unless an unusual page grew
// it large. Nothing holds its bytes once Render returns: store keeps a
// gzipped copy, and c.Data copies them to the connection.
func keepRenderBuf(buf *bytes.Buffer) {
	if buf.Cap() <= 1<<20 {
		buf.Reset()
		renderBufs.put(buf)
	}
}

// PageInfo is what a Site.Head hook sees of a page being rendered.
type PageInfo struct {
	Brand  forum.Brand
	Origin string // scheme://host for absolute URLs
	Page   any    // the handler's data
}

// DiscoveryHead is what the head of the page prints for search engines and
// link previews (canonical URL, OpenGraph, structured data), or nil.
func (v view) DiscoveryHead() any {
	if v.site.Head == nil {
		return nil
	}
	return v.site.Head(PageInfo{Brand: v.Brand, Origin: v.Origin, Page: v.Page})
}

// anonForms are the pages whose forms a visitor who is not signed in can send.
var anonForms = map[string]bool{"login": true, "signup": true, "expired": true, "password_forgot": true, "password_reset": true}

// Flash shows a fixed message, chosen by key (flash.<key> in the
// catalogue), on the next page: no user text rides in a cookie.
func (s *Site) Flash(c *gin.Context, key string) { s.SetCookie(c, cookieFlash, key, 60) }

func (s *Site) takeFlash(c *gin.Context, loc *i18n.Localizer) string {
	v, err := c.Cookie(cookieFlash)
	if err != nil || v == "" || !flashKey.MatchString(v) {
		return ""
	}
	s.SetCookie(c, cookieFlash, "", -1)
	if msg := loc.T("flash." + v); msg != "flash."+v {
		return msg
	}
	return ""
}

var flashKey = regexp.MustCompile(`^[a-z-]{1,30}$`)

// brandVersion names the brand's stylesheet as served: it changes when the
// colours change and when the way readable colours are derived does.
func brandVersion(b forum.Brand) string {
	h := sha256.Sum256([]byte(brandScheme(b).CSS() + strconv.FormatInt(b.ID, 10)))
	return hex.EncodeToString(h[:6])
}

// brandScheme is the brand's colours with the readable ones derived from
// them (themes/palette). A colour that does not parse (the brands table
// accepts only #rrggbb) falls back to the theme's default.
func brandScheme(b forum.Brand) palette.Scheme {
	primary, err := palette.Parse(b.ColorPrimary)
	if err != nil {
		primary = palette.RGB{R: 0x5b, G: 0x3c, B: 0xc4}
	}
	accent, err := palette.Parse(b.ColorAccent)
	if err != nil {
		accent = palette.RGB{R: 0xff, G: 0x6b, B: 0x4a}
	}
	return palette.Derive(primary, accent)
}

// BrandCSS serves the brand's colours as CSS custom properties, so pages need
// no inline style and the CSP can forbid it: the brand's own colours for
// borders and tints, and colours derived from them that text reads on or
// in (WCAG AA) whatever the brand chose.
func (s *Site) BrandCSS(c *gin.Context) {
	b := BrandOf(c)
	etag := `"` + brandVersion(b) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", "public, max-age=300")
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "text/css; charset=utf-8", []byte(brandScheme(b).CSS()))
}

// Static serves theme assets by hashed name with a year-long cache.
func (s *Site) Static(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	asset, ok := s.themes.Asset(name)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Header("ETag", asset.ETag)
	if c.GetHeader("If-None-Match") == asset.ETag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, asset.ContentType, asset.Body)
}
