package i18n

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/currency"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Localizer words messages, numbers and times in one language.
type Localizer struct {
	cat     *Catalogue
	tag     language.Tag // the tag plural rules are chosen by
	lang    string
	dir     string
	pseudo  bool
	loc     *goi18n.Localizer
	printer *message.Printer

	// plain caches messages without placeholders: most of a page is these,
	// and a map read is far cheaper than go-i18n's match and execute.
	plain sync.Map // id -> string

	// group separates thousands when the language writes ASCII digits
	// (most do), so Int needs no formatter; "" means ask x/text.
	group     string
	groupSafe bool
	months    [13]string // short month names, 1 to 12
}

func newLocalizer(c *Catalogue, tag language.Tag) *Localizer {
	lang := tag.String()
	l := &Localizer{cat: c, lang: lang, dir: Dir(lang), pseudo: lang == Pseudo}
	if l.pseudo {
		tag = English
	}
	l.tag = tag
	l.loc = goi18n.NewLocalizer(c.bundle, tag.String())
	l.printer = message.NewPrinter(tag)
	if m := grouped.FindStringSubmatch(l.printer.Sprint(number.Decimal(1234567))); m != nil && m[1] == m[2] {
		l.group, l.groupSafe = m[1], true
	}
	for m := 1; m <= 12; m++ {
		l.months[m] = l.T("time.month." + strconv.Itoa(m))
	}
	return l
}

var grouped = regexp.MustCompile(`^1([^0-9]+)234([^0-9]+)567$`)

// Lang is the language's tag, e.g. "es".
func (l *Localizer) Lang() string { return l.lang }

// Dir is "rtl" or "ltr".
func (l *Localizer) Dir() string { return l.dir }

// T words message id; args are name, value pairs for its placeholders. A
// message no catalogue has comes out as its id, so it shows and a test
// catches it.
func (l *Localizer) T(id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := l.plain.Load(id); ok {
			return s.(string)
		}
		s := l.word(id, plural.Other, nil, nil)
		l.plain.Store(id, s)
		return s
	}
	return l.word(id, plural.Other, nil, args)
}

// N words a message with plural forms for count n, which its {{.Count}}
// shows in the language's digits and grouping.
func (l *Localizer) N(id string, n int64, args ...any) string {
	i := n
	if i < 0 {
		i = -i
	}
	form := plural.Cardinal.MatchPlural(l.tag, int(i%10_000_000), 0, 0, 0, 0)
	return l.word(id, form, n, append(args, "Count", l.Int(n)))
}

// Forms are a plural message's templates by CLDR category ("one", "few",
// "other"...), for a script to pick with Intl.PluralRules and fill
// {{.Count}} itself.
func (l *Localizer) Forms(id string) map[string]string {
	m := l.cat.msgs[l.lang][id]
	if m == nil {
		m = l.cat.msgs["en"][id]
	}
	if m == nil {
		return map[string]string{"other": id}
	}
	out := map[string]string{}
	for form, v := range m.src {
		if v == "" {
			continue
		}
		if l.pseudo {
			v = wrap(v)
		}
		out[formNames[plural.Form(form)]] = v
	}
	return out
}

// word is the message id in the plural form, in this language or else
// English, with its placeholders filled. Messages with only {{.Name}}
// placeholders are filled here; any other template goes through go-i18n.
func (l *Localizer) word(id string, form plural.Form, count any, args []any) string {
	m := l.cat.msgs[l.lang][id]
	if m == nil {
		m = l.cat.msgs["en"][id]
	}
	if m == nil {
		return id
	}
	var s string
	if parts, ok := m.form(form); ok {
		s = fill(parts, args)
	} else {
		s = l.localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data(args), PluralCount: count}, id)
	}
	if l.pseudo {
		return wrap(s)
	}
	return s
}

func data(args []any) map[string]any {
	d := make(map[string]any, len(args)/2+1)
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok {
			d[k] = args[i+1]
		}
	}
	return d
}

// Int is n with the language's grouping: 12,345 or 12.345 or 12 345.
func (l *Localizer) Int(n int64) string {
	if !l.groupSafe {
		return l.printer.Sprint(number.Decimal(n))
	}
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return sign + s
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(l.group)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Float is v with at most digits decimals, in the language's way.
func (l *Localizer) Float(v float64, digits int) string {
	return l.printer.Sprint(number.Decimal(v, number.MaxFractionDigits(digits)))
}

// Percent is v (already a percentage, e.g. 42.5) with at most one decimal
// and the language's percent sign.
func (l *Localizer) Percent(v float64) string {
	return l.printer.Sprint(number.Percent(v/100, number.MaxFractionDigits(1)))
}

// Money is an amount in minor units (cents) of an ISO currency in the
// language's way: "€1,234.50", "1.234,50 €", "1 234,50 zł".
func (l *Localizer) Money(minor int64, code string) string {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return code + "\u00a0" + l.Fixed(float64(minor)/100, 2)
	}
	scale, _ := currency.Standard.Rounding(unit)
	sym := l.printer.Sprint(currency.Symbol(unit))
	if r := []rune(sym); unicode.IsLetter(r[len(r)-1]) {
		sym += "\u00a0" // a code or letters before the amount: "PLN 12.50"
	}
	return l.T("money.format", "Symbol", strings.TrimSpace(sym), "SymbolSpaced", sym, "Amount", l.Fixed(float64(minor)/100, scale))
}

// Fixed is v with exactly digits decimals, in the language's way.
func (l *Localizer) Fixed(v float64, digits int) string {
	return l.printer.Sprint(number.Decimal(v, number.MinFractionDigits(digits), number.MaxFractionDigits(digits)))
}

// Date is a day in the language's words: "6 Dec 2026", "6 dic 2026".
func (l *Localizer) Date(t time.Time) string {
	t = t.UTC()
	return l.T("time.date", "Day", t.Day(), "Month", l.months[t.Month()], "Year", t.Year())
}

// DayMonth is a day without its year: "6 Dec".
func (l *Localizer) DayMonth(t time.Time) string {
	t = t.UTC()
	return l.T("time.day_month", "Day", t.Day(), "Month", l.months[t.Month()])
}

// MonthYear is a month: "Dec 2026".
func (l *Localizer) MonthYear(t time.Time) string {
	t = t.UTC()
	return l.T("chart.month_of", "Month", l.months[t.Month()], "Year", t.Year())
}

// DateTime is a moment in UTC: "6 Dec 2026 14:05 UTC".
func (l *Localizer) DateTime(t time.Time) string {
	t = t.UTC()
	return l.T("time.datetime", "Date", l.Date(t), "Time", t.Format("15:04"))
}

// Ago is how long ago t was, "3 hours ago"; past a month it is the date.
func (l *Localizer) Ago(t time.Time) string { return l.AgoAt(t, time.Now()) }

// AgoAt is Ago as seen at now.
func (l *Localizer) AgoAt(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return l.T("time.just_now")
	case d < time.Hour:
		return l.N("time.minutes_ago", int64(d/time.Minute))
	case d < 24*time.Hour:
		return l.N("time.hours_ago", int64(d/time.Hour))
	case d < 30*24*time.Hour:
		return l.N("time.days_ago", int64(d/(24*time.Hour)))
	}
	return l.Date(t)
}

// Duration is a span in the language's short units: "45 s", "12 min 05 s",
// "3 h 20 min", "2.5 days".
func (l *Localizer) Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return l.T("time.span_s", "S", int(d.Seconds()))
	case d < time.Hour:
		return l.T("time.span_ms", "M", int(d.Minutes()), "S", fmt.Sprintf("%02d", int(d.Seconds())%60))
	case d < 48*time.Hour:
		return l.T("time.span_hm", "H", int(d.Hours()), "M", fmt.Sprintf("%02d", int(d.Minutes())%60))
	}
	return l.T("time.span_days", "Days", l.Float(d.Hours()/24, 1))
}

// wrap marks a pseudo-locale message, so what is not wrapped on a page
// did not come from the catalogue.
func wrap(s string) string { return "⟦" + s + "⟧" }

func displayName(tag language.Tag) string { return display.Self.Name(tag) }

// localize is go-i18n's wording, for messages whose templates do more than
// fill placeholders.
func (l *Localizer) localize(lc *goi18n.LocalizeConfig, id string) string {
	s, err := l.loc.Localize(lc)
	if s == "" && err != nil {
		return id
	}
	return s
}
