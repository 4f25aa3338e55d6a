package i18n

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
)

// compiled is a message split, per plural form, into its literal text and
// its {{.Name}} placeholders, so filling it in is a few appends. A form
// with any other template action is left to go-i18n (simple is false).
// Arrays indexed by plural.Form (Other is 0, Many 5), not maps: three
// languages of two thousand messages each held 4 MB in maps, live for
// the life of the process, which the collector scanned under its limit.
type compiled struct {
	src    [plural.Many + 1]string // each form's template, "" where the message has none
	forms  [plural.Many + 1][]part
	simple bool
	plural bool // has forms beyond other
}

var formNames = map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other"}

// part is literal text, or (name != "") a placeholder.
type part struct{ text, name string }

var action = regexp.MustCompile(`\{\{\s*([^}]*?)\s*\}\}`)
var field = regexp.MustCompile(`^\.([A-Za-z][A-Za-z0-9_]*)$`)

func compile(m *goi18n.Message) *compiled {
	c := &compiled{simple: true}
	for form, src := range map[plural.Form]string{plural.Zero: m.Zero, plural.One: m.One, plural.Two: m.Two,
		plural.Few: m.Few, plural.Many: m.Many, plural.Other: m.Other} {
		if src == "" {
			continue
		}
		c.src[form] = src
		if form != plural.Other {
			c.plural = true
		}
		parts, ok := split(src)
		if !ok {
			c.simple = false
		}
		c.forms[form] = parts
	}
	return c
}

// split cuts src at its placeholders; false when it has other actions.
func split(src string) ([]part, bool) {
	var out []part
	last := 0
	for _, loc := range action.FindAllStringSubmatchIndex(src, -1) {
		name := field.FindStringSubmatch(src[loc[2]:loc[3]])
		if name == nil {
			return nil, false
		}
		if loc[0] > last {
			out = append(out, part{text: src[last:loc[0]]})
		}
		out = append(out, part{name: name[1]})
		last = loc[1]
	}
	if last < len(src) {
		out = append(out, part{text: src[last:]})
	}
	return out, true
}

// form is the parts of the plural form, or of other when the message has
// no such form; false when the message needs go-i18n's templates.
func (c *compiled) form(f plural.Form) ([]part, bool) {
	if !c.simple {
		return nil, false
	}
	if c.src[f] != "" {
		return c.forms[f], true
	}
	return c.forms[plural.Other], c.src[plural.Other] != ""
}

// fill writes parts with args (name, value pairs) in the placeholders.
func fill(parts []part, args []any) string {
	if len(parts) == 1 && parts[0].name == "" {
		return parts[0].text
	}
	var b strings.Builder
	for _, p := range parts {
		if p.name == "" {
			b.WriteString(p.text)
			continue
		}
		v, ok := arg(args, p.name)
		if !ok {
			b.WriteString("<no value>")
			continue
		}
		switch x := v.(type) {
		case string:
			b.WriteString(x)
		case int:
			b.WriteString(strconv.Itoa(x))
		case int64:
			b.WriteString(strconv.FormatInt(x, 10))
		default:
			fmt.Fprint(&b, x)
		}
	}
	return b.String()
}

func arg(args []any, name string) (any, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if k, _ := args[i].(string); k == name {
			return args[i+1], true
		}
	}
	return nil, false
}
