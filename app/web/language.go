package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"mutual/i18n"
)

const (
	keyLocalizer = "localizer"
	cookieLang   = "mutual_lang"
)

// Speak chooses the language of the request among those the brand offers:
// a ?hl= in the address (the alternates a page links for search
// engines), then the visitor's choice in the switch (a cookie), then a
// member's saved language, then the best match for the browser's
// Accept-Language, then the brand's default. Pages, messages and errors
// of the request speak it: the context carries its Localizer for the
// domain packages' messages.
func (s *Site) Speak(c *gin.Context) {
	cat := s.themes.For(BrandOf(c).Host).Catalogue()
	offered := s.Offered(c)
	pick := func(lang string) string {
		for _, o := range offered {
			if strings.EqualFold(o, lang) {
				return o
			}
		}
		return ""
	}
	lang := pick(c.Query("hl"))
	if lang == "" {
		if v, err := c.Cookie(cookieLang); err == nil {
			lang = pick(v)
		}
	}
	if lang == "" {
		lang = pick(ActorOf(c).Language)
	}
	if lang == "" {
		lang = i18n.Match(c.GetHeader("Accept-Language"), offered)
	}
	loc := cat.For(lang)
	c.Set(keyLocalizer, loc)
	c.Request = c.Request.WithContext(i18n.With(c.Request.Context(), loc))
	c.Next()
}

// LocalizerOf is the request's Localizer (English before Speak has run).
func LocalizerOf(c *gin.Context) *i18n.Localizer {
	if l, ok := c.Get(keyLocalizer); ok {
		return l.(*i18n.Localizer)
	}
	return i18n.From(c.Request.Context())
}

// T words a message for the request's reader; args are name, value pairs.
func T(c *gin.Context, id string, args ...any) string { return LocalizerOf(c).T(id, args...) }

// N words a message with plural forms for count n for the request's reader.
func N(c *gin.Context, id string, n int64, args ...any) string {
	return LocalizerOf(c).N(id, n, args...)
}

// SetLanguage is the language switch: GET /language/:lang?next=/path keeps
// the visitor's choice in a cookie for a year and sends them back where
// they were. It changes nothing but how pages are worded for this browser,
// so it is safe as a link and needs no script; a member's saved language
// is changed in their settings.
func (s *Site) SetLanguage(c *gin.Context) {
	lang := c.Param("lang")
	if !slices.Contains(s.Offered(c), lang) {
		s.NotFound(c)
		return
	}
	s.RememberLanguage(c, lang)
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, SafeNext(c.Query("next")))
}

// RememberLanguage keeps lang as this browser's choice; "" forgets it, so
// the browser's Accept-Language speaks again.
func (s *Site) RememberLanguage(c *gin.Context, lang string) {
	age := 365 * 24 * 3600
	if lang == "" {
		age = -1
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: cookieLang, Value: lang, Path: "/", MaxAge: age,
		HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
}

// Offered are the languages the request's brand offers and its theme
// speaks, the default first.
func (s *Site) Offered(c *gin.Context) []string {
	cat := s.themes.For(BrandOf(c).Host).Catalogue()
	var out []string
	for _, o := range BrandOf(c).Offered() {
		if cat.Has(o) {
			out = append(out, o)
		}
	}
	return out
}

// Language is a language a page links to: the switch in the footer and
// the hreflang alternates in the head.
type Language struct {
	Tag     string // e.g. "es"
	Name    string // in its own words: "español"
	Current bool
}

// languages are the brand's offered languages for the switch.
func (s *Site) languages(c *gin.Context, current string) []Language {
	offered := s.Offered(c)
	if len(offered) < 2 {
		return nil
	}
	out := make([]Language, 0, len(offered))
	for _, o := range offered {
		out = append(out, Language{Tag: o, Name: i18n.Name(o), Current: o == current})
	}
	return out
}
