package i18n

import (
	"context"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
)

// messages reads one embedded catalogue by language.
func messages(t *testing.T, lang string) map[string]*goi18n.Message {
	t.Helper()
	src, err := fs.ReadFile(embedded, "messages/"+lang+".toml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := goi18n.ParseMessageFileBytes(src, lang+".toml", map[string]goi18n.UnmarshalFunc{"toml": toml.Unmarshal})
	if err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	out := map[string]*goi18n.Message{}
	for _, m := range f.Messages {
		out[m.ID] = m
	}
	return out
}

// pluralForms are the forms a language's integer counts use (CLDR).
var pluralForms = map[string][]string{"en": {"one", "other"}, "es": {"one", "other"}, "pl": {"one", "few", "many", "other"}}

func forms(m *goi18n.Message) map[string]string {
	return map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other}
}

// Every complete language has every message English has, with the plural
// forms it needs, and no message English lacks.
func TestEveryCatalogueHasEveryEnglishKey(t *testing.T) {
	en := messages(t, "en")
	if len(en) < 50 {
		t.Fatalf("English has only %d messages", len(en))
	}
	for _, lang := range Complete[1:] {
		got := messages(t, lang)
		for id, m := range en {
			tr, ok := got[id]
			if !ok {
				t.Errorf("%s lacks %s (%q)", lang, id, m.Other)
				continue
			}
			if m.One == "" {
				if tr.Other == "" {
					t.Errorf("%s: %s is empty", lang, id)
				}
				continue
			}
			for _, f := range pluralForms[lang] {
				if forms(tr)[f] == "" {
					t.Errorf("%s: %s has no %q form", lang, id, f)
				}
			}
		}
		for id := range got {
			if _, ok := en[id]; !ok {
				t.Errorf("%s has %s, which English does not", lang, id)
			}
		}
	}
}

// A translation keeps the placeholders of the English message, so no value
// is lost and none is asked for that the code does not give.
func TestTranslationsKeepThePlaceholders(t *testing.T) {
	en := messages(t, "en")
	for _, lang := range Complete[1:] {
		for id, tr := range messages(t, lang) {
			if id == "money.format" {
				continue // the symbol goes before or after the amount, spaced or not
			}
			want := placeholders(en[id].Other + en[id].One)
			for f, src := range forms(tr) {
				if src == "" {
					continue
				}
				for _, p := range placeholders(src) {
					if !slices.Contains(want, p) {
						t.Errorf("%s: %s (%s) uses %s, which English does not give", lang, id, f, p)
					}
				}
			}
			got := placeholders(tr.Other + tr.One + tr.Few + tr.Many)
			for _, p := range want {
				if p != "{{.Count}}" && !slices.Contains(got, p) {
					t.Errorf("%s: %s drops %s", lang, id, p)
				}
			}
		}
	}
}

func placeholders(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return out
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return out
		}
		out = append(out, s[i:i+j+2])
		s = s[i+j+2:]
	}
}

func TestPluralsFollowTheLanguage(t *testing.T) {
	pl := Base().For("pl")
	for n, want := range map[int64]string{1: "1 minutę temu", 3: "3 minuty temu", 5: "5 minut temu", 22: "22 minuty temu", 25: "25 minut temu"} {
		if got := pl.N("time.minutes_ago", n); got != want {
			t.Errorf("pl %d minutes = %q, want %q", n, got, want)
		}
	}
	if got := Base().For("es").N("time.hours_ago", 1); got != "hace 1 hora" {
		t.Errorf("es 1 hour = %q", got)
	}
	if got := Base().For("en").N("time.days_ago", 2); got != "2 days ago" {
		t.Errorf("en 2 days = %q", got)
	}
}

func TestNumbersMoneyAndDatesFollowTheLocale(t *testing.T) {
	en, es, pl := Base().For("en"), Base().For("es"), Base().For("pl")
	for _, c := range []struct{ got, want string }{
		{en.Int(1234567), "1,234,567"},
		{es.Int(1234567), "1.234.567"},
		{pl.Int(1234567), "1\u00a0234\u00a0567"},
		{en.Money(123450, "EUR"), "€1,234.50"},
		{en.Money(123450, "PLN"), "PLN\u00a01,234.50"},
		{pl.Money(123450, "PLN"), "1\u00a0234,50\u00a0zł"},
		{es.Money(123450, "EUR"), "1.234,50\u00a0€"},
		{en.Percent(42.5), "42.5%"},
		{es.Date(time.Date(2026, 12, 6, 14, 5, 0, 0, time.UTC)), "6 dic 2026"},
		{pl.DateTime(time.Date(2026, 10, 6, 14, 5, 0, 0, time.UTC)), "6 paź 2026, 14:05 UTC"},
		{es.AgoAt(time.Unix(0, 0), time.Unix(3*3600+5, 0)), "hace 3 horas"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestMatchPicksAmongTheOfferedLanguages(t *testing.T) {
	offered := []string{"es", "ca", "en"}
	for header, want := range map[string]string{
		"":                         "es",
		"en-GB,en;q=0.9":           "en",
		"ca-ES,ca;q=0.9,es;q=0.5":  "ca",
		"de-DE,de;q=0.9":           "es",
		"fr;q=0.8, en-US;q=0.7":    "en",
		"es-MX,es;q=0.9,en;q=0.8":  "es",
		"garbage;;;q=nonsense,,,,": "es",
	} {
		if got := Match(header, offered); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}

// A brand's theme overrides one message and adds a language of its own; the
// rest stays as shipped, and an added language falls back to English.
func TestAThemeOverridesMessagesAndAddsLanguages(t *testing.T) {
	over := fstest.MapFS{
		"messages/es.toml": {Data: []byte("[lang]\nswitch = \"Lengua\"\nsaved = \"{{if .Again}}Guardado otra vez{{else}}Guardado{{end}}\"\n")},
		"messages/he.toml": {Data: []byte("[lang]\nswitch = \"שפה\"\n")},
	}
	cat, err := Load(over)
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.For("es").T("lang.switch"); got != "Lengua" {
		t.Errorf("overridden message = %q", got)
	}
	if got := cat.For("es").T("lang.saved", "Again", true); got != "Guardado otra vez" {
		t.Errorf("a message with its own template logic = %q", got)
	}
	if got := cat.For("es").T("flash.signedin"); got != "Has iniciado sesión." {
		t.Errorf("message not overridden = %q", got)
	}
	he := cat.For("he")
	if he.T("lang.switch") != "שפה" || he.Dir() != "rtl" || he.T("flash.signedin") != "You are signed in." {
		t.Errorf("added language: %q %q %q", he.T("lang.switch"), he.Dir(), he.T("flash.signedin"))
	}
	if Base().Has("he") || Base().For("es").T("lang.switch") != "Idioma" {
		t.Error("a theme's messages leaked into the shipped catalogue")
	}
}

func TestPseudoLocaleWrapsEveryMessage(t *testing.T) {
	ps := Base().For(Pseudo)
	if got := ps.T("flash.signedin"); got != "⟦You are signed in.⟧" {
		t.Errorf("pseudo = %q", got)
	}
	if got := ps.N("time.hours_ago", 3); got != "⟦3 hours ago⟧" {
		t.Errorf("pseudo plural = %q", got)
	}
}

func TestContextCarriesTheReadersLanguage(t *testing.T) {
	ctx := context.Background()
	if got := T(ctx, "flash.signedin"); got != "You are signed in." {
		t.Errorf("no localizer: %q", got)
	}
	ctx = With(ctx, Base().For("pl"))
	if got := T(ctx, "flash.signedin"); got != "Zalogowano." {
		t.Errorf("Polish: %q", got)
	}
	if got := T(ctx, "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key = %q, want the id", got)
	}
}

func TestDirAndNames(t *testing.T) {
	for lang, want := range map[string]string{"ar": "rtl", "he": "rtl", "fa": "rtl", "en": "ltr", "pl": "ltr", "es": "ltr"} {
		if got := Dir(lang); got != want {
			t.Errorf("Dir(%s) = %s", lang, got)
		}
	}
	if Name("es") != "español" || Name("pl") != "polski" {
		t.Errorf("names: %q %q", Name("es"), Name("pl"))
	}
}
