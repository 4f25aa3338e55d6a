// Package lang names the languages members write in and tells which one a
// text is in. Content is never translated; a thread is labelled with the
// language it was asked in, so boards and search can filter by it, similar
// questions can prefer it and escalations can reach an agent who reads it.
//
// Detection is offline and cheap (detect.go): a naive Bayes vote over letter
// trigrams for Latin-script languages, trained at start-up on the short texts
// in corpus/, and the writing system alone for the others.
package lang

import (
	"slices"

	"golang.org/x/text/language"
)

// Language is one language a thread may be labelled with.
type Language struct {
	Code string // the BCP 47 primary language subtag, as in a lang attribute: en, es
	Name string // what its speakers call it: English, Español
}

// Undetermined labels a thread whose language could not be told (a title
// and question of digits, code or emoji). It is BCP 47's own tag for that.
const Undetermined = "und"

// Default is the language assumed when nothing says otherwise: a visitor
// whose browser names no language Mutual knows.
const Default = "en"

// known lists the languages Mutual labels content with, in the order a
// picker shows them. Latin-script ones have a corpus file (detect.go); the
// others are told apart by their writing system.
var known = []Language{
	{"ca", "Català"},
	{"de", "Deutsch"},
	{"en", "English"},
	{"es", "Español"},
	{"fr", "Français"},
	{"it", "Italiano"},
	{"nl", "Nederlands"},
	{"pl", "Polski"},
	{"pt", "Português"},
	{"el", "Ελληνικά"},
	{"ru", "Русский"},
	{"uk", "Українська"},
	{"he", "עברית"},
	{"ar", "العربية"},
	{"ja", "日本語"},
	{"ko", "한국어"},
	{"zh", "中文"},
}

// Known lists the languages a thread may be labelled with.
func Known() []Language { return slices.Clone(known) }

// Name is the language's own name for itself, or "" when code is not a
// known language (Undetermined included).
func Name(code string) string {
	for _, l := range known {
		if l.Code == code {
			return l.Name
		}
	}
	return ""
}

// Valid reports whether code is a language a thread may be labelled with.
func Valid(code string) bool { return Name(code) != "" }

// Names lists the languages of codes that are known, in the order Known
// gives them, skipping the rest.
func Names(codes []string) []Language {
	var out []Language
	for _, l := range known {
		if slices.Contains(codes, l.Code) {
			out = append(out, l)
		}
	}
	return out
}

// offered is Default first (the matcher falls back to the first), then the
// other known languages; matcher matches against it in that order.
var offered = func() []string {
	out := []string{Default}
	for _, l := range known {
		if l.Code != Default {
			out = append(out, l.Code)
		}
	}
	return out
}()

var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(offered))
	for i, c := range offered {
		tags[i] = language.Make(c)
	}
	return language.NewMatcher(tags)
}()

// Preferred is the known language that best matches an Accept-Language
// header ("es-ES,es;q=0.9,en;q=0.5" gives es), or Default when none does.
func Preferred(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return offered[i]
}
