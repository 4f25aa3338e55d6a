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
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"mutual/account"
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

// Theme is a parsed set of pages and assets.
type Theme struct {
	pages  map[string]*template.Template
	assets map[string]*Asset // by hashed name
	paths  map[string]string // plain name -> /static/hashed name
}

// Pages every theme must provide.
var Pages = []string{"home", "board", "thread", "ask", "login", "signup", "profile", "edit", "history", "error", "expired", "search"}

// Load parses a theme from files (templates/*.html, static/*). It fails when a
// page is missing or a template does not parse.
func Load(files fs.FS) (*Theme, error) {
	t := &Theme{pages: map[string]*template.Template{}, assets: map[string]*Asset{}, paths: map[string]string{}}
	if err := t.loadAssets(files); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset":     t.AssetPath,
		"ago":       Ago,
		"datetime":  func(tm time.Time) string { return tm.UTC().Format("2 Jan 2006 15:04 UTC") },
		"isodate":   func(tm time.Time) string { return tm.UTC().Format(time.RFC3339) },
		"plural":    Plural,
		"sanitized": sanitized,
		"initial":   Initial,
		"len64":     func(v any) int64 { return int64(reflectLen(v)) },
		"dict":      dict,
		// An erased account's name has no profile to link to.
		"former": func(name string) bool { return name == account.FormerMember },
	}
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
	for _, p := range pages {
		tmpl := template.New("layout").Funcs(funcs)
		for _, name := range append(slices.Clone(shared), "templates/"+p+".html") {
			src, err := fs.ReadFile(files, name)
			if err != nil {
				return nil, fmt.Errorf("themes: page %s: %w", p, err)
			}
			if _, err := tmpl.New(name).Parse(string(src)); err != nil {
				return nil, fmt.Errorf("themes: parse %s: %w", name, err)
			}
		}
		if tmpl.Lookup("main") == nil {
			return nil, fmt.Errorf("themes: page %s defines no \"main\" block", p)
		}
		t.pages[p] = tmpl
	}
	return t, nil
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

// Render executes a page into w. It renders into a buffer first so a failing
// template never sends half a page.
func (t *Theme) Render(w io.Writer, page string, data any) error {
	tmpl, ok := t.pages[page]
	if !ok {
		return fmt.Errorf("themes: no page %q", page)
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("themes: render %s: %w", page, err)
	}
	_, err := buf.WriteTo(w)
	return err
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
	base, err := Load(Base())
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
		th, err := Load(overlay{brand: layer, base: Base()})
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

// Ago renders a time as "5 minutes ago".
func Ago(tm time.Time) string {
	if tm.IsZero() {
		return ""
	}
	d := time.Since(tm)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return Plural(int64(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return Plural(int64(d/time.Hour), "hour") + " ago"
	case d < 30*24*time.Hour:
		return Plural(int64(d/(24*time.Hour)), "day") + " ago"
	}
	return tm.UTC().Format("2 Jan 2006")
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
