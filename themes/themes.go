// Package themes holds the embedded page templates and static assets, and
// layers a brand's own files over them by path.
//
// Templates are parsed and checked when a theme is loaded, so a missing or
// broken template fails the start, not a request. Static assets are served
// under a content hash and cached for a year.
package themes

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"mime"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"
	"time"

	"mutual/account"
	"mutual/i18n"
)

//go:embed base
var baseFS embed.FS

// Base returns the embedded base theme files (templates/ and static/).
func Base() fs.FS {
	sub, err := fs.Sub(baseFS, "base")
	if err != nil {
		panic(err)
	}
	return sub
}

// Layered looks a path up in each layer in turn: a brand's files first, then
// the base theme.
type Layered []fs.FS

// Open returns the first layer's file at name.
func (l Layered) Open(name string) (fs.File, error) {
	for _, layer := range l {
		f, err := layer.Open(name)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// Asset is a static file with its content hash.
type Asset struct {
	Name        string // hashed name, e.g. app.1a2b3c4d5e.css
	ContentType string
	Body        []byte
	ETag        string
}

// Theme is a parsed set of pages and assets, and the messages its pages
// speak.
type Theme struct {
	sources map[string][]source // each page's template files, in parsing order
	funcs   template.FuncMap
	assets  map[string]*Asset // by hashed name
	paths   map[string]string // plain name -> /static/hashed name
	cat     *i18n.Catalogue

	mu    sync.Mutex
	pages map[string]*template.Template // parsed on first use, never executed: each language runs a clone
	langs map[*i18n.Localizer]map[string]*template.Template
}

// source is one template file's name and text.
type source struct{ name, text string }

// Pages every theme must provide.
var Pages = []string{"home", "board", "thread", "ask", "login", "signup", "profile", "edit", "history", "error", "expired", "search"}

// Load parses a theme from files (templates/*.html, static/*) speaking the
// messages of cat. It fails when a page is missing or a template does not
// parse.
func Load(files fs.FS, cat *i18n.Catalogue) (*Theme, error) {
	t := &Theme{pages: map[string]*template.Template{}, assets: map[string]*Asset{}, paths: map[string]string{},
		cat: cat, langs: map[*i18n.Localizer]map[string]*template.Template{}}
	if err := t.loadAssets(files); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset":     t.AssetPath,
		"isodate":   func(tm time.Time) string { return tm.UTC().Format(time.RFC3339) },
		"plural":    Plural,
		"sanitized": sanitized,
		"initial":   Initial,
		"len64":     func(v any) int64 { return int64(reflectLen(v)) },
		"dict":      dict,
		// An erased account's name has no profile to link to.
		"former": func(name string) bool { return name == account.FormerMember },
	}
	maps.Copy(funcs, spoken(cat.For("en")))
	// Every templates/*.html is a page, except the layout, the shared
	// partials and the capabilities' partials (area_*.html), which every page
	// includes. Pages lists the ones a theme cannot do without.
	shared := []string{"templates/layout.html", "templates/partials.html"}
	areas, err := fs.Glob(files, "templates/area_*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, areas...)
	all, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := slices.Clone(Pages)
	for _, f := range all {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if !slices.Contains(shared, f) && !slices.Contains(pages, name) {
			pages = append(pages, name)
		}
	}
	t.funcs, t.sources = funcs, map[string][]source{}
	texts := map[string]string{}
	for _, p := range pages {
		var srcs []source
		for _, name := range append(slices.Clone(shared), "templates/"+p+".html") {
			if _, ok := texts[name]; !ok {
				src, err := fs.ReadFile(files, name)
				if err != nil {
					return nil, fmt.Errorf("themes: page %s: %w", p, err)
				}
				texts[name] = string(src)
			}
			srcs = append(srcs, source{name: name, text: texts[name]})
		}
		t.sources[p] = srcs
		// Parsed here to fail now rather than on a first visit, then let go:
		// each page's set holds its own copy of the layout and every shared
		// partial, and most pages (the administrators') are rarely shown, so
		// keeping them all took 37 MB of a 63 MB heap.
		if _, err := t.parse(p); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// parse parses page p's template set from its sources.
func (t *Theme) parse(p string) (*template.Template, error) {
	tmpl := template.New("layout").Funcs(t.funcs)
	for _, src := range t.sources[p] {
		if _, err := tmpl.New(src.name).Parse(src.text); err != nil {
			return nil, fmt.Errorf("themes: parse %s: %w", src.name, err)
		}
	}
	if tmpl.Lookup("main") == nil {
		return nil, fmt.Errorf("themes: page %s defines no \"main\" block", p)
	}
	return tmpl, nil
}

func (t *Theme) loadAssets(files fs.FS) error {
	names, err := fs.ReadDir(files, "static")
	if err != nil {
		return fmt.Errorf("themes: static: %w", err)
	}
	for _, e := range names {
		if e.IsDir() {
			continue
		}
		body, err := fs.ReadFile(files, "static/"+e.Name())
		if err != nil {
			return fmt.Errorf("themes: read %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(e.Name())
		hashed := strings.TrimSuffix(e.Name(), ext) + "." + h + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		t.assets[hashed] = &Asset{Name: hashed, ContentType: ct, Body: body, ETag: `"` + h + `"`}
		t.paths[e.Name()] = "/static/" + hashed
	}
	return nil
}

// Catalogue is the messages the theme's pages speak: the embedded ones with
// the brand's own on top.
func (t *Theme) Catalogue() *i18n.Catalogue { return t.cat }

// Render executes a page into w in loc's language. It renders into a buffer
// first so a failing template never sends half a page.
func (t *Theme) Render(w io.Writer, page string, loc *i18n.Localizer, data any) error {
	tmpl, err := t.page(page, loc)
	if err != nil {
		return err
	}
	if b, ok := w.(*bytes.Buffer); ok { // a failed render leaves b as it was
		n := b.Len()
		if err := tmpl.ExecuteTemplate(b, "layout", data); err != nil {
			b.Truncate(n)
			return fmt.Errorf("themes: render %s: %w", page, err)
		}
		return nil
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("themes: render %s: %w", page, err)
	}
	_, err = buf.WriteTo(w)
	return err
}

// RenderPart executes one named template of a page's set (a partial such
// as "post-meta") into w in loc's language, as the page prints it in HTML
// text: a caller may keep the result and have the page print it instead.
func (t *Theme) RenderPart(w io.Writer, page, name string, loc *i18n.Localizer, data any) error {
	tmpl, err := t.page(page, loc)
	if err != nil {
		return err
	}
	if err := tmpl.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("themes: render %s of %s: %w", name, page, err)
	}
	return nil
}

// page is the page's templates speaking loc's language: a clone of the
// parsed page, made on first use, whose wording functions are loc's.
func (t *Theme) page(page string, loc *i18n.Localizer) (*template.Template, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	set, ok := t.langs[loc]
	if !ok {
		set = map[string]*template.Template{}
		t.langs[loc] = set
	}
	if tmpl, ok := set[page]; ok {
		return tmpl, nil
	}
	master, ok := t.pages[page]
	if !ok {
		if _, ok := t.sources[page]; !ok {
			return nil, fmt.Errorf("themes: no page %q", page)
		}
		var err error
		if master, err = t.parse(page); err != nil {
			return nil, err
		}
		t.pages[page] = master
	}
	tmpl, err := master.Clone()
	if err != nil {
		return nil, fmt.Errorf("themes: page %s: %w", page, err)
	}
	tmpl.Funcs(spoken(loc))
	for _, x := range tmpl.Templates() {
		if x.Tree != nil {
			fold(x.Tree.Root, loc)
		}
	}
	set[page] = tmpl
	return tmpl, nil
}

// fold words each {{t "id"}} without arguments once, when a page is cloned
// for a language: the message becomes the template's own text, so pages
// cost what they did before they were translated. Only plain calls are
// folded; they stand in element text and quoted attributes, where escaped
// HTML is what the escaper would have written.
func fold(n parse.Node, loc *i18n.Localizer) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for i, c := range n.Nodes {
			if a, ok := c.(*parse.ActionNode); ok {
				if id, ok := plainT(a.Pipe); ok {
					n.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: a.Pos, Text: []byte(html.EscapeString(loc.T(id)))}
					continue
				}
			}
			fold(c, loc)
		}
	case *parse.ActionNode:
		foldArgs(n.Pipe, loc)
	case *parse.IfNode:
		foldArgs(n.Pipe, loc)
		fold(n.List, loc)
		fold(n.ElseList, loc)
	case *parse.RangeNode:
		fold(n.List, loc)
		fold(n.ElseList, loc)
	case *parse.WithNode:
		fold(n.List, loc)
		fold(n.ElseList, loc)
	}
}

// foldArgs words (t "id") arguments of other calls, e.g. {{or .Label (t "id")}}.
func foldArgs(p *parse.PipeNode, loc *i18n.Localizer) {
	if p == nil {
		return
	}
	for _, cmd := range p.Cmds {
		for i, arg := range cmd.Args {
			if sub, ok := arg.(*parse.PipeNode); ok {
				if id, ok := plainT(sub); ok {
					v := loc.T(id)
					cmd.Args[i] = &parse.StringNode{NodeType: parse.NodeString, Pos: sub.Pos, Quoted: strconv.Quote(v), Text: v}
				}
			}
		}
	}
}

// plainT reports whether p is exactly t "id", and the id.
func plainT(p *parse.PipeNode) (string, bool) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 2 {
		return "", false
	}
	fn, ok := p.Cmds[0].Args[0].(*parse.IdentifierNode)
	str, ok2 := p.Cmds[0].Args[1].(*parse.StringNode)
	if !ok || !ok2 || fn.Ident != "t" {
		return "", false
	}
	return str.Text, true
}

// spoken are the template functions that word things in loc's language:
// t "id" "Name" value... and tn "id" count... for messages, and numbers,
// money, dates and relative times in its way.
func spoken(loc *i18n.Localizer) template.FuncMap {
	return template.FuncMap{
		"t":         loc.T,
		"tn":        func(id string, n any, args ...any) string { return loc.N(id, toInt64(n), args...) },
		"num":       func(n any) string { return loc.Int(toInt64(n)) },
		"money":     loc.Money,
		"pct":       func(v any) string { return loc.Percent(toFloat(v)) },
		"fixed":     func(v any, digits int) string { return loc.Fixed(toFloat(v), digits) },
		"ago":       loc.Ago,
		"date":      loc.Date,
		"datetime":  loc.DateTime,
		"monthyear": loc.MonthYear,
		// forms gives a script a plural message's forms, as JSON.
		"forms": func(id string) (string, error) {
			b, err := json.Marshal(loc.Forms(id))
			return string(b), err
		},
		// say words a value that words itself (a notification...).
		"say": func(v interface{ Text(*i18n.Localizer) string }) string { return v.Text(loc) },
	}
}

func toFloat(n any) float64 {
	if f, ok := n.(float64); ok {
		return f
	}
	return float64(toInt64(n))
}

func toInt64(n any) int64 {
	switch v := n.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case int32:
		return int64(v)
	case float64:
		return int64(v)
	}
	return 0
}

// AssetPath returns the hashed URL of a static file by its plain name.
func (t *Theme) AssetPath(name string) string {
	if p, ok := t.paths[name]; ok {
		return p
	}
	return "/static/missing-" + name
}

// Asset returns a static file by its hashed name.
func (t *Theme) Asset(hashed string) (*Asset, bool) {
	a, ok := t.assets[hashed]
	return a, ok
}

// Registry holds the base theme and each brand's layered theme, keyed by host.
type Registry struct {
	base   *Theme
	brands map[string]*Theme
}

// LoadRegistry loads the base theme and, when dir is set, a theme for every
// sub-folder of dir named after a brand host (e.g. dir/support.acme.test/),
// layered over the base.
func LoadRegistry(dir string) (*Registry, error) {
	base, err := Load(Base(), i18n.Base())
	if err != nil {
		return nil, err
	}
	r := &Registry{base: base, brands: map[string]*Theme{}}
	if dir == "" {
		return r, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("themes: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		layer := os.DirFS(filepath.Join(dir, e.Name()))
		cat, err := i18n.Load(layer)
		if err != nil {
			return nil, fmt.Errorf("themes: brand %s: %w", e.Name(), err)
		}
		th, err := Load(overlay{brand: layer, base: Base()}, cat)
		if err != nil {
			return nil, fmt.Errorf("themes: brand %s: %w", e.Name(), err)
		}
		r.brands[strings.ToLower(e.Name())] = th
	}
	return r, nil
}

// For returns the theme for a brand host, or the base theme.
func (r *Registry) For(host string) *Theme {
	if t, ok := r.brands[host]; ok {
		return t
	}
	return r.base
}

// Asset finds a hashed static file in any loaded theme.
func (r *Registry) Asset(hashed string) (*Asset, bool) {
	if a, ok := r.base.Asset(hashed); ok {
		return a, true
	}
	for _, t := range r.brands {
		if a, ok := t.Asset(hashed); ok {
			return a, true
		}
	}
	return nil, false
}

// overlay is a Layered FS whose directory listings merge both layers, so a
// brand can add static files as well as replace them.
type overlay struct{ brand, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) { return Layered{o.brand, o.base}.Open(name) }

func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	seen := map[string]bool{}
	var out []fs.DirEntry
	for _, layer := range []fs.FS{o.brand, o.base} {
		es, err := fs.ReadDir(layer, name)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		for _, e := range es {
			if !seen[e.Name()] {
				seen[e.Name()] = true
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// sanitized marks post HTML as safe for the template. It is the one place
// template.HTML is made: its only input is body_html, which was rendered by
// goldmark and passed through the shared bluemonday policy when it was written.
func sanitized(s string) template.HTML { return template.HTML(s) } //nolint:gosec // sanitised at write time

func reflectLen(v any) int {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.String:
		return rv.Len()
	}
	return 0
}

// Initial is the upper-cased first letter of a name, for avatars.
func Initial(name string) string {
	for _, r := range name {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// dict builds a map for passing several values to a nested template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("themes: dict needs key/value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("themes: dict keys must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// Plural renders "1 reply" or "3 replies" for the common English nouns here.
func Plural(n int64, noun string) string {
	if noun == "kudo" {
		return fmt.Sprintf("%d kudos", n) // kudos is singular and plural
	}
	if n == 1 {
		return "1 " + noun
	}
	switch noun {
	case "reply":
		noun = "replies"
	default:
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}
