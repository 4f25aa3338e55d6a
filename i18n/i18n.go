// Package i18n gives every page, message and mail the reader's language:
// message catalogues with plural forms (go-i18n), matching a reader's
// preferences against the languages a brand offers (x/text/language), and
// numbers, money, dates and relative times in the reader's locale.
//
// The catalogues are embedded (messages/<lang>.toml, English the source);
// a brand's theme folder may add messages/<lang>.toml of its own, which
// overrides any message, or adds a language. A Localizer speaks one
// language of one catalogue; a request carries its reader's in the context,
// so domain packages word their messages with T(ctx, ...) without knowing
// anything of HTTP. Without one, T speaks English.
package i18n

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
)

//go:embed messages/*.toml
var embedded embed.FS

// English is the source language: every message exists in it, and a
// message missing from another catalogue falls back to it.
var English = language.English

// Pseudo is the pseudo-locale: English with every message wrapped in ⟦ ⟧, so a page shows at a glance (and a test proves)
// which text bypasses the catalogue. A brand may offer it to check a theme.
const Pseudo = "en-XA"

// Complete are the languages that ship with every message translated.
var Complete = []string{"en", "es", "pl"}

// rtl are the scripts written right to left.
var rtl = map[string]bool{"Arab": true, "Hebr": true, "Thaa": true, "Syrc": true, "Nkoo": true, "Adlm": true}

// Catalogue is every message in every language it has: the embedded ones,
// and a brand's own on top.
type Catalogue struct {
	bundle *goi18n.Bundle
	langs  []string                        // language tags with a catalogue file, English first
	msgs   map[string]map[string]*compiled // language -> id -> message; read-only once loaded

	mu   sync.Mutex
	locs map[string]*Localizer
}

var (
	baseOnce sync.Once
	base     *Catalogue
	baseErr  error
)

// Base is the embedded catalogues alone. It panics if they do not parse,
// which the package's tests make sure never ships.
func Base() *Catalogue {
	baseOnce.Do(func() { base, baseErr = Load(nil) })
	if baseErr != nil {
		panic(baseErr)
	}
	return base
}

// Load reads the embedded catalogues and then, when over is not nil, every
// messages/<lang>.toml in over (a brand's theme folder): its messages
// replace the embedded ones of the same id, and a file for a new language
// adds that language.
func Load(over fs.FS) (*Catalogue, error) {
	b := goi18n.NewBundle(English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalogue{bundle: b, locs: map[string]*Localizer{}, msgs: map[string]map[string]*compiled{}}
	if err := c.add(embedded); err != nil {
		return nil, err
	}
	if over != nil {
		if err := c.add(over); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(c.langs, func(a, b string) int {
		switch {
		case a == "en":
			return -1
		case b == "en":
			return 1
		}
		return strings.Compare(a, b)
	})
	return c, nil
}

func (c *Catalogue) add(files fs.FS) error {
	names, err := fs.Glob(files, "messages/*.toml")
	if err != nil {
		return fmt.Errorf("i18n: %w", err)
	}
	for _, name := range names {
		src, err := fs.ReadFile(files, name)
		if err != nil {
			return fmt.Errorf("i18n: %w", err)
		}
		tag, err := language.Parse(strings.TrimSuffix(path.Base(name), ".toml"))
		if err != nil {
			return fmt.Errorf("i18n: %s: not a language tag: %w", name, err)
		}
		f, err := c.bundle.ParseMessageFileBytes(src, tag.String()+".toml")
		if err != nil {
			return fmt.Errorf("i18n: %s: %w", name, err)
		}
		if c.msgs[tag.String()] == nil {
			c.msgs[tag.String()] = map[string]*compiled{}
		}
		for _, m := range f.Messages {
			c.msgs[tag.String()][m.ID] = compile(m)
		}
		if !slices.Contains(c.langs, tag.String()) {
			c.langs = append(c.langs, tag.String())
		}
	}
	return nil
}

// Languages are the tags this catalogue has messages for, English first.
func (c *Catalogue) Languages() []string { return slices.Clone(c.langs) }

// Has reports whether lang is a language this catalogue speaks (the
// pseudo-locale included).
func (c *Catalogue) Has(lang string) bool { return lang == Pseudo || slices.Contains(c.langs, lang) }

// For is the Localizer for lang, one of Languages (or Pseudo); anything
// else gets English.
func (c *Catalogue) For(lang string) *Localizer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.locs[lang]; ok {
		return l
	}
	tag := English
	if c.Has(lang) {
		tag = language.Make(lang)
	}
	if l, ok := c.locs[tag.String()]; ok {
		c.locs[lang] = l
		return l
	}
	l := newLocalizer(c, tag)
	c.locs[lang] = l
	c.locs[tag.String()] = l
	return l
}

// Match picks the best of offered (language tags, the default first) for a
// reader who prefers the languages of an Accept-Language header; the first
// of offered when none fits.
func Match(acceptLanguage string, offered []string) string {
	if len(offered) == 0 {
		return English.String()
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return offered[0]
	}
	tags := make([]language.Tag, len(offered))
	for i, o := range offered {
		tags[i] = language.Make(o)
	}
	_, i, conf := language.NewMatcher(tags).Match(prefs...)
	if conf == language.No {
		return offered[0]
	}
	return offered[i]
}

// Name is a language's name in that language ("español"), for the switch
// that lets a reader change it.
func Name(lang string) string {
	if lang == Pseudo {
		return "⟦pseudo⟧"
	}
	tag, err := language.Parse(lang)
	if err != nil {
		return lang
	}
	n := displayName(tag)
	if n == "" {
		return lang
	}
	return n
}

// Dir is "rtl" for a language written right to left, else "ltr".
func Dir(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return "ltr"
	}
	if s, _ := tag.Script(); rtl[s.String()] {
		return "rtl"
	}
	return "ltr"
}

// Canonical is lang as the catalogues spell it ("pt-br" -> "pt-BR"), or an
// error when it is not a language tag.
func Canonical(lang string) (string, error) {
	if lang == Pseudo || strings.EqualFold(lang, Pseudo) {
		return Pseudo, nil
	}
	tag, err := language.Parse(strings.TrimSpace(lang))
	if err != nil {
		return "", errors.New("not a language tag")
	}
	return tag.String(), nil
}

type ctxKey struct{}

// With gives ctx the reader's Localizer.
func With(ctx context.Context, l *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From is the reader's Localizer, or English when ctx has none (a command,
// a test, a background job that chose no language).
func From(ctx context.Context) *Localizer {
	if l, ok := ctx.Value(ctxKey{}).(*Localizer); ok {
		return l
	}
	return Base().For("en")
}

// T words message id for the reader of ctx; args are name, value pairs for
// the message's {{.Name}} placeholders.
func T(ctx context.Context, id string, args ...any) string { return From(ctx).T(id, args...) }

// N words a message with plural forms for count n (its {{.Count}}) for the
// reader of ctx.
func N(ctx context.Context, id string, n int64, args ...any) string {
	return From(ctx).N(id, n, args...)
}
