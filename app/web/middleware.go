package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/ratelimit"
)

// Keys for values the middleware leaves on the gin context.
const (
	keyReqID   = "reqid"
	keyBrand   = "brand"
	keyActor   = "actor"
	keySession = "session"
	keyCSRF    = "csrf"
	keyBearer  = "bearer"
	keyRefused = "refused" // a refused form being drawn again (Site.Refuse)
	keyGoneErr = "goneerr" // what failed once the client had gone (Site.Fail)
)

const (
	cookieSession       = "mutual_session"
	cookieSessionSecure = "__Host-mutual_session"
	cookieAnonCSRF      = "mutual_csrf"
	cookieAnonSecure    = "__Host-mutual_csrf"
	cookieFlash         = "mutual_flash"
)

// contentSecurityPolicy allows no inline script or style and no third-party
// script; user images may come from https hosts.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https:; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

func IsAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// RequestLog gives every request an id (kept from X-Request-ID when it looks
// sane) and logs it as JSON when it ends.
func (s *Site) RequestLog(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader("X-Request-ID")
	if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < '!' || r > '~' }) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(keyReqID, id)
	c.Header("X-Request-ID", id)
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", id), slog.String("method", c.Request.Method),
		slog.String("path", s.logPath(c)), slog.Int("status", status),
		slog.Duration("duration", time.Since(start)), slog.String("remote", c.ClientIP()),
	}
	if b, ok := c.Get(keyBrand); ok {
		attrs = append(attrs, slog.Int64("brand", b.(forum.Brand).ID))
	}
	if e := c.GetString(keyGoneErr); e != "" {
		attrs = append(attrs, slog.String("client", "went away"), slog.String("err", e))
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// Recover turns a panic into a logged 500 with the request id.
func (s *Site) Recover(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic", "request_id", c.GetString(keyReqID), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			s.answer(c, errors.New("internal panic")) // a bug even if the client has gone
			c.Abort()
		}
	}()
	c.Next()
}

// SecurityHeaders applies the CSP and friends to every response, and HSTS
// when the site is served over TLS (secure cookies say a TLS proxy fronts
// it), so a browser never comes back over plain HTTP.
func (s *Site) SecurityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	if s.Secure(c) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	c.Next()
}

// ResolveBrand picks the brand from the Host header.
func (s *Site) ResolveBrand(c *gin.Context) {
	b, err := s.brandFor(c.Request.Context(), c.Request.Host)
	if err != nil {
		s.Fail(c, err)
		c.Abort()
		return
	}
	c.Set(keyBrand, b)
	c.Next()
}

// Secure reports whether cookies and links are for TLS.
func (s *Site) Secure(c *gin.Context) bool { return s.SecureCookies || c.Request.TLS != nil }

func (s *Site) SessionCookieName(c *gin.Context) string {
	if s.Secure(c) {
		return cookieSessionSecure
	}
	return cookieSession
}

func (s *Site) SetCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode,
	})
}

// Authenticate resolves the actor from a bearer token or a session cookie.
// A bad bearer token is an error (programs should hear about it); a stale
// cookie just means anonymous.
func (s *Site) Authenticate(c *gin.Context) {
	b := BrandOf(c)
	ctx := c.Request.Context()
	actor := account.Anonymous(b.ID)
	if h := c.GetHeader("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			s.Fail(c, &fault.Error{Kind: fault.ErrUnauthenticated, Msg: T(c, "error.bearer_form")})
			c.Abort()
			return
		}
		act, err := s.members.TokenActor(ctx, b.ID, strings.TrimSpace(tok))
		if err != nil {
			if errors.Is(err, fault.ErrNotFound) {
				err = &fault.Error{Kind: fault.ErrUnauthenticated, Msg: T(c, "error.token_other_brand")}
			}
			s.Fail(c, err)
			c.Abort()
			return
		}
		c.Set(keyActor, act)
		c.Set(keyBearer, true)
		c.Next()
		return
	}
	if v, err := c.Cookie(s.SessionCookieName(c)); err == nil && v != "" {
		sess, err := s.members.Session(ctx, b.ID, v)
		switch {
		case err == nil:
			actor = sess.Actor
			c.Set(keySession, sess)
			c.Set(keyCSRF, sess.CSRF)
		case errors.Is(err, fault.ErrNotFound):
			s.SetCookie(c, s.SessionCookieName(c), "", -1)
		default:
			s.Fail(c, err)
			c.Abort()
			return
		}
	}
	c.Set(keyActor, actor)
	c.Next()
}

// anonCSRF returns the anonymous visitor's form token, issuing a cookie for it
// when there is none yet (double-submit: the form must echo the cookie).
func (s *Site) anonCSRF(c *gin.Context) string {
	name := cookieAnonCSRF
	if s.Secure(c) {
		name = cookieAnonSecure
	}
	if v, err := c.Cookie(name); err == nil && len(v) >= 32 && len(v) <= 64 {
		return v
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	v := hex.EncodeToString(b)
	s.SetCookie(c, name, v, 0)
	// Later reads in this request see the new value.
	c.Request.AddCookie(&http.Cookie{Name: name, Value: v})
	return v
}

// CSRFToken is the token forms must carry for the current visitor.
func (s *Site) CSRFToken(c *gin.Context) string {
	if v := c.GetString(keyCSRF); v != "" {
		return v
	}
	return s.anonCSRF(c)
}

// CheckCSRF checks the form token (or X-CSRF-Token header) on every state change
// made with cookies. Bearer-token requests carry no ambient credentials and
// Need none. Neither do API requests that act for nobody (no bearer token,
// no signed-in session): a forged one could do no more than its sender can
// do directly, so authorisation answers them (401 sign in, as every API write
// needs a member: TestAPIWritesNeedMember). Pages keep the check for
// visitors, whose sign-in and sign-up forms it protects. The Origin check
// runs earlier, in http.CrossOriginProtection, for every request.
func (s *Site) CheckCSRF(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	if c.GetBool(keyBearer) || s.signedLinks[c.FullPath()] {
		c.Next()
		return
	}
	if _, session := c.Get(keySession); !session && IsAPI(c) {
		c.Next()
		return
	}
	got := c.GetHeader("X-CSRF-Token")
	if got == "" && !IsAPI(c) {
		got = c.PostForm("csrf")
	}
	want := s.CSRFToken(c)
	if got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
		c.Next()
		return
	}
	if IsAPI(c) {
		JSONError(c, http.StatusForbidden, "csrf", T(c, "aw.csrf"))
		c.Abort()
		return
	}
	s.expiredForm(c)
	c.Abort()
}

// expiredForm answers a form with a stale token by showing it again, filled in
// with what was typed, under a fresh token.
func (s *Site) expiredForm(c *gin.Context) {
	_ = c.Request.ParseForm()
	type field struct {
		Name, Label, Value string
		Long, Visible      bool
	}
	var fields []field
	for _, name := range []string{"board_id", "title", "body", "post_id", "action", "client_key", "login", "username", "email", "next"} {
		v := c.Request.PostForm.Get(name)
		if v == "" {
			continue
		}
		f := field{Name: name, Value: v}
		switch name {
		case "title":
			f.Label, f.Visible = T(c, "page.title"), true
		case "body":
			f.Label, f.Long = T(c, "page.your_text"), true
		case "login", "username":
			f.Label, f.Visible = T(c, "page.username"), true
		case "email":
			f.Label, f.Visible = T(c, "page.email"), true
		}
		fields = append(fields, f)
	}
	action := c.Request.URL.Path
	if u, err := url.Parse(action); err != nil || u.IsAbs() {
		action = "/"
	}
	s.Render(c, http.StatusForbidden, "expired", T(c, "page.send_again_title"), struct {
		Action string
		Fields []field
	}{action, fields})
}

// Need is the authorisation check written in the route table: the actor's
// roles in this brand must allow act on obj. Visitors who are not signed in
// are sent to sign in (pages) or told 401 (API); members are told why not
// (Refusal, which reputationweb provides).
func (s *Site) Need(obj, act string) gin.HandlerFunc {
	return func(c *gin.Context) {
		actor := ActorOf(c)
		if s.authz.Can(actor, obj, act) {
			c.Next()
			return
		}
		if !actor.SignedIn() {
			if !IsAPI(c) && c.Request.Method == http.MethodGet {
				c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
				c.Abort()
				return
			}
			s.Fail(c, fault.ErrUnauthenticated)
			c.Abort()
			return
		}
		s.Fail(c, s.refusal(c.Request.Context(), actor, obj, act))
		c.Abort()
	}
}

// Throttle applies a keyed limit; key returns "" to skip.
func (s *Site) Throttle(k *ratelimit.Keyed, key func(c *gin.Context) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if k == nil {
			c.Next()
			return
		}
		kv := key(c)
		if kv == "" {
			c.Next()
			return
		}
		if ok, wait := k.Allow(kv, time.Now()); !ok {
			s.TooMany(c, wait)
			c.Abort()
			return
		}
		c.Next()
	}
}

// ThrottleWindow applies a limit kept in the database (shared by instances).
func (s *Site) ThrottleWindow(w *ratelimit.Window, key func(c *gin.Context) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ok, wait, err := w.Allow(c.Request.Context(), key(c))
		if err != nil {
			s.Fail(c, err)
			c.Abort()
			return
		}
		if !ok {
			s.TooMany(c, wait)
			c.Abort()
			return
		}
		c.Next()
	}
}

// TooMany answers a rate-limited request, saying how long to wait.
func (s *Site) TooMany(c *gin.Context, wait time.Duration) {
	secs := int(wait.Seconds()) + 1
	c.Header("Retry-After", fmt.Sprint(secs))
	s.Fail(c, &fault.Error{Kind: fault.ErrRateLimited, Msg: T(c, "error.too_many_attempts", "Seconds", secs)})
}

func BrandOf(c *gin.Context) forum.Brand {
	b, _ := c.Get(keyBrand)
	br, _ := b.(forum.Brand)
	return br
}

func ActorOf(c *gin.Context) account.Actor {
	v, ok := c.Get(keyActor)
	if !ok {
		return account.Anonymous(BrandOf(c).ID)
	}
	return v.(account.Actor)
}

// SessionOf is the signed-in browser session, if the request has one.
func SessionOf(c *gin.Context) (account.Session, bool) {
	v, ok := c.Get(keySession)
	if !ok {
		return account.Session{}, false
	}
	return v.(account.Session), true
}
