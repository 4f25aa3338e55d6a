package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/markup"
)

// contrastJS measures WCAG contrast on the page as laid out. For every visible
// element with text of its own (and every form field's value or placeholder,
// and every link, button or summary drawn without text, such as an icon),
// it takes the text's colour, faded by the opacity of its ancestors, over
// the effective background: the background colours of the element and its
// ancestors composited from the first opaque one (each stop of a gradient
// is tried, and the worst kept). Text needs 4.5:1, large text (24 px, or
// 18.66 px bold) and icons 3:1. Inactive controls (disabled, aria-disabled)
// are exempt, as WCAG exempts them.
const contrastJS = "(() => {" + colourJS + `
  const fails = [];
  let checked = 0;
  const check = (el, colour, text, icon) => {
    const cs = getComputedStyle(el);
    const size = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
    const need = icon || size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    const fg = parse(colour);
    if (!fg) return;
    const a = fg[3] * opacity(el);
    let worst = null;
    for (const bg of backgrounds(el)) {
      const r = ratio(over([fg[0], fg[1], fg[2], a], bg), bg);
      if (!worst || r < worst.r) worst = {r, bg};
    }
    checked++;
    if (worst.r + 0.005 < need) fails.push({text: text.trim().replace(/\s+/g, ' ').slice(0, 50), fg: hex(fg), bg: hex(worst.bg),
      ratio: Math.round(worst.r * 100) / 100, need, where: where(el)});
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (/^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|OPTION)$/.test(el.tagName) || el.closest('[aria-disabled=true], :disabled')) continue;
    if (!visible(el)) continue;
    const cs = getComputedStyle(el);
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) {
      if (/^(hidden|checkbox|radio|submit|button|range|color|file)$/.test(el.type)) continue;
      if (el.value) check(el, cs.color, el.value, false);
      else if (el.placeholder) check(el, getComputedStyle(el, '::placeholder').color, el.placeholder, false);
      continue;
    }
    const own = [...el.childNodes].filter(n => n.nodeType === 3 && /\S/.test(n.textContent)).map(n => n.textContent).join(' ');
    const svgText = el instanceof SVGElement && /^(text|tspan)$/.test(el.tagName);
    if (own) check(el, svgText ? cs.fill : cs.color, own, false);
    else if (/^(A|BUTTON|SUMMARY)$/.test(el.tagName) && !el.textContent.trim()) check(el, cs.color, el.getAttribute('aria-label') || el.tagName, true);
  }
  return {checked, fails};
})()`

// colourJS is the colour arithmetic contrastJS and focusJS share: parsing
// computed colours, compositing, WCAG contrast, and the backgrounds behind
// an element.
const colourJS = `
  const parse = s => {
    let m = /^rgba?\(([^)]*)\)$/.exec(s);
    if (m) { const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
    m = /^color\(srgb ([^)]*)\)$/.exec(s);
    if (m) { const p = m[1].split(/[\s\/]+/).filter(Boolean).map(Number); return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1]; }
    return null;
  };
  const over = (top, under) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat(1); };
  const lum = c => { const f = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const hex = c => '#' + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
  // The colour an SVG text is drawn on: the fill of the last filled rect
  // before it whose box holds the text's centre.
  const backdrop = el => {
    const svg = el.ownerSVGElement, t = el.getBoundingClientRect();
    const x = t.left + t.width / 2, y = t.top + t.height / 2;
    let hit = null;
    for (const r of svg ? svg.querySelectorAll('rect') : []) {
      const b = r.getBoundingClientRect(), fill = parse(getComputedStyle(r).fill);
      if (fill && fill[3] > 0 && (r.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) &&
        x >= b.left && x <= b.right && y >= b.top && y <= b.bottom) hit = fill;
    }
    return hit;
  };
  // Every background the element's text may sit on.
  const backgrounds = el => {
    const layers = [];
    const shape = el instanceof SVGElement && backdrop(el);
    if (shape && shape[3] > 0) layers.push([shape]);
    if (shape && shape[3] >= 1) el = null;
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      const fade = Number(cs.opacity);
      const stops = (cs.backgroundImage.match(/rgba?\([^)]*\)|color\(srgb[^)]*\)/g) || []).map(parse).filter(Boolean);
      if (stops.length) layers.push(stops.map(c => [c[0], c[1], c[2], c[3] * fade]));
      const bg = parse(cs.backgroundColor);
      if (bg && bg[3] > 0) layers.push([[bg[0], bg[1], bg[2], bg[3] * fade]]);
      if (bg && bg[3] >= 1 && fade >= 1 && !stops.length) break;
    }
    let out = [[255, 255, 255, 1]];
    for (let i = layers.length - 1; i >= 0; i--) {
      const next = [];
      for (const under of out) for (const c of layers[i]) next.push(over(c, under));
      out = next;
    }
    return out;
  };
  const opacity = el => { let o = 1; for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity); return o; };
  const visible = el => {
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible' || cs.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const where = el => { const parts = []; for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
    parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.classList.length ? '.' + [...e.classList].join('.') : '')); } return parts.join(' > '); };
`

// contrastFail is one text on the page below its WCAG AA minimum.
type contrastFail struct {
	Text  string  `json:"text"`
	FG    string  `json:"fg"`
	BG    string  `json:"bg"`
	Ratio float64 `json:"ratio"`
	Need  float64 `json:"need"`
	Where string  `json:"where"`
}

type contrastResult struct {
	Checked int            `json:"checked"`
	Fails   []contrastFail `json:"fails"`
}

func (f contrastFail) String() string {
	return fmt.Sprintf("%q %s on %s = %.2f:1 (needs %.1f:1) at %s", f.Text, f.FG, f.BG, f.Ratio, f.Need, f.Where)
}

// contrast measures the page in ctx as laid out now (see contrastJS).
func contrast(t *testing.T, ctx context.Context) contrastResult {
	t.Helper()
	return get(t, ctx, "measure contrast", chromedp.Evaluate[contrastResult](contrastJS))
}

// checkContrast fails the test for every text, field or icon on the page
// in ctx whose contrast is below WCAG AA (4.5:1, or 3:1 for large text and
// icons); page names the page in the message. Any browser test may call it
// on the pages it visits.
func checkContrast(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	res := contrast(t, ctx)
	if res.Checked == 0 {
		t.Errorf("%s: no text to check contrast on", page)
	}
	for _, f := range res.Fails {
		t.Errorf("%s: contrast %s", page, f)
	}
}

// headerJS measures the site header: its height, the window's height, and
// how many rows its items (brand, search, every link, button and menu in
// the nav) are laid out on, by their vertical centres.
const headerJS = `(() => {
  const h = document.querySelector('header.site-header');
  const items = [...h.querySelectorAll('.bar > *, .bar nav > *')].filter(e => e.getBoundingClientRect().width > 1 && !e.matches('nav'));
  const rows = [];
  for (const e of items) {
    const r = e.getBoundingClientRect(), mid = r.top + r.height / 2;
    if (!rows.some(m => Math.abs(m - mid) < r.height / 2)) rows.push(mid);
  }
  return {height: h.getBoundingClientRect().height, window: window.innerHeight, rows: rows.length,
    items: items.map(e => ((e.matches('details') ? e.querySelector('summary').textContent : e.textContent) || e.getAttribute('aria-label') || e.tagName).trim().replace(/\s+/g, ' ').slice(0, 30))};
})()`

// headerLayout is what headerJS measures.
type headerLayout struct {
	Height float64  `json:"height"`
	Window float64  `json:"window"`
	Rows   int      `json:"rows"`
	Items  []string `json:"items"`
}

func (h headerLayout) String() string {
	return fmt.Sprintf("%d row(s), %.0f px of %.0f (%.0f%%): %s", h.Rows, h.Height, h.Window, 100*h.Height/h.Window, strings.Join(h.Items, " | "))
}

// measureHeader lays the page out at width × height (as a phone when
// mobile) and measures its header.
func measureHeader(t *testing.T, ctx context.Context, width, height int64, mobile bool) headerLayout {
	t.Helper()
	emulate := chromedp.EmulateViewport(width, height)
	if mobile {
		emulate = chromedp.EmulateViewport(width, height, chromedp.EmulateMobile)
	}
	do(t, ctx, fmt.Sprintf("lay out at %d px", width), emulate)
	defer do(t, ctx, "restore the window", chromedp.EmulateReset())
	return get(t, ctx, "measure the header", chromedp.Evaluate[headerLayout](headerJS))
}

// focusJS describes the focused element's focus ring: its outline (or, for
// a ring drawn as a box-shadow, the shadow) and the ring's contrast with
// what it is drawn on, the background around the element.
const focusJS = "(() => {" + colourJS + `
  const el = document.activeElement, cs = getComputedStyle(el);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1 ? parse(cs.outlineColor) : null;
  const shadow = cs.boxShadow !== 'none' ? parse((cs.boxShadow.match(/rgba?\([^)]*\)|color\(srgb[^)]*\)/) || [''])[0]) : null;
  const ring = outline || shadow;
  let worst = 0;
  if (ring) for (const bg of backgrounds(el.parentElement)) { const r = ratio(over(ring, bg), bg); if (!worst || r < worst) worst = r; }
  return {tag: el.tagName.toLowerCase(), text: el.textContent.trim().replace(/\s+/g, ' ').slice(0, 40),
    outline: cs.outlineStyle + ' ' + cs.outlineWidth + ' ' + cs.outlineColor, shadow: cs.boxShadow, ratio: Math.round(worst * 100) / 100};
})()`

// focusRing is what focusJS finds.
type focusRing struct {
	Tag     string  `json:"tag"`
	Text    string  `json:"text"`
	Outline string  `json:"outline"`
	Shadow  string  `json:"shadow"`
	Ratio   float64 `json:"ratio"`
}

// tabTo presses Tab until the element sel finds has the keyboard focus.
func tabTo(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	for i := 0; i < 40; i++ {
		if get(t, ctx, "is "+sel+" focused", chromedp.Evaluate[bool](`document.activeElement && document.activeElement.matches(`+jsString(sel)+`)`)) {
			return
		}
		do(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
	}
	t.Fatalf("40 presses of Tab never reached %s", sel)
}

// checkFocusRing fails the test unless the focused element shows a focus
// ring with at least 3:1 contrast against what surrounds it.
func checkFocusRing(t *testing.T, ctx context.Context, what string) focusRing {
	t.Helper()
	f := get(t, ctx, "read the focus ring", chromedp.Evaluate[focusRing](focusJS))
	if strings.HasPrefix(f.Outline, "none") && f.Shadow == "none" {
		t.Errorf("%s: the focused %s %q shows no focus ring", what, f.Tag, f.Text)
	} else if f.Ratio < 3 {
		t.Errorf("%s: the focus ring of %s %q (%s; %s) has contrast %.2f:1, needs 3:1", what, f.Tag, f.Text, f.Outline, f.Shadow, f.Ratio)
	}
	return f
}

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// menuItems opens the header's Manage menu and lists its links (nil when
// the page has no such menu).
func menuItems(t *testing.T, ctx context.Context) []menuItem {
	t.Helper()
	if n := get(t, ctx, "look for the Manage menu", chromedp.Evaluate[int](`document.querySelectorAll('header details.staff-menu').length`)); n == 0 {
		return nil
	}
	openMenu(t, ctx, "staff-menu")
	return get(t, ctx, "read the Manage menu", chromedp.Evaluate[[]menuItem](
		`[...document.querySelectorAll('header details.staff-menu .menu-list a')].map(a => ({text: a.textContent.trim(), path: a.getAttribute('href')}))`))
}

type menuItem struct {
	Text string `json:"text"`
	Path string `json:"path"`
}

// openMenu opens a header menu (staff-menu or account-menu) by its button,
// unless it is open already.
func openMenu(t *testing.T, ctx context.Context, class string) {
	t.Helper()
	if !get(t, ctx, "is the menu open", chromedp.Evaluate[bool](`document.querySelector('header details.`+class+`').open`)) {
		do(t, ctx, "open the "+class, chromedp.Click(`header details.`+class+` > summary`))
	}
}

// fromMenu opens the header's Manage menu and follows its item with this
// text: how staff reach their tools.
func fromMenu(t *testing.T, ctx context.Context, item string) {
	t.Helper()
	openMenu(t, ctx, "staff-menu")
	clickAndLoad(t, ctx, "open "+item+" from the Manage menu", `//header//details[contains(@class,"staff-menu")]`+link(item))
}

// tourRole is one role of the tour and the staff pages its Manage menu
// must list (in any order).
type tourRole struct {
	role string // "visitor" signs in as nobody
	menu []string
}

var tourRoles = []tourRole{
	{"visitor", nil},
	{"member", nil},
	{"moderator", []string{"/mod/queue", "/mod/audit", "/console", "/escalations/supervisor", "/escalations/webhooks", "/mod/reputation/rings",
		"/incidents"}},
	{"agent", []string{"/console", "/incidents"}},
	{"client_manager", []string{"/mod/audit", "/reports/deflection", "/admin/reputation/export", "/reports/signals", "/reports/trends"}},
	{"sales", []string{"/leads"}},
	{"admin", []string{"/mod/queue", "/mod/audit", "/console", "/escalations/supervisor", "/escalations/webhooks", "/reports/deflection",
		"/mod/reputation/rings", "/admin/reputation/export", "/admin/brand", "/admin/roles", "/admin/sso", "/admin/reputation", "/reports/deflection/settings",
		"/admin/privacy", "/admin/ticketing", "/reports/signals", "/leads", "/kb/queue", "/reports/trends", "/incidents", "/incidents/settings",
		"/admin/copilot"}},
	{"editor", []string{"/kb/queue"}},
}

// tourBrand is a brand the tour runs on: where it is served, and the prefix
// of its screenshots.
type tourBrand struct {
	prefix, base string
}

// TestLookRoleTour signs in as each role, checks the header is one row on a
// laptop and small on a phone, opens the Manage menu and follows every item
// in it, and on every page checks WCAG AA contrast and photographs it at
// laptop and phone widths. It runs on the demo brand and again on a brand
// made with a yellow accent and a pale primary, whose own colours would give
// white text at 1.4:1; the colours derived from them must still read.
// Keyboard focus on the header's links and menu items must show a ring.
func TestLookRoleTour(t *testing.T) {
	exe := chromePath(t)
	// Ten roles sign in from one address within the minute.
	base, a := startApp(t, func(c *app.Config) { c.LoginPerMin = 60 })
	port := strings.TrimPrefix(base, "http://127.0.0.1")
	ctx := context.Background()
	brands := forum.NewBrands(a.DB(), time.Now)
	demo, err := brands.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	yellow, err := brands.Create(ctx, forum.NewBrand{Host: "127.0.0.1", Name: "Sunny Telecom", ColorPrimary: "#dbe7ff", ColorAccent: "#ffd400",
		Tagline: "A pale blue brand with a yellow accent."})
	if err != nil {
		t.Fatal(err)
	}
	seedTourBrand(t, a, yellow)
	members := account.NewMembers(a.DB(), time.Now)
	for _, b := range []forum.Brand{demo, yellow} {
		for _, r := range tourRoles[1:] {
			u, err := members.Create(ctx, account.Signup{BrandID: b.ID, Username: tourUser(r.role), Email: tourUser(r.role) + "@example.test", Password: password(tourUser(r.role))})
			if err != nil {
				t.Fatal(err)
			}
			if r.role != "member" {
				if err := members.Grant(ctx, b.ID, u.ID, r.role); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// The demo brand answers on localhost, the yellow one on 127.0.0.1.
	for _, b := range []tourBrand{{"", "http://localhost" + port}, {"yellow-", base}} {
		for _, r := range tourRoles {
			t.Run(b.prefix+r.role, func(t *testing.T) { tour(t, exe, b, r) })
		}
	}
}

func tourUser(role string) string { return "tour_" + strings.ReplaceAll(role, "_", "") }

// seedTourBrand gives a new brand a board and a solved question, so its
// pages have something on them.
func seedTourBrand(t *testing.T, a *app.App, b forum.Brand) {
	t.Helper()
	ctx := context.Background()
	svc := forum.NewService(a.DB(), markup.NewRenderer(), time.Now)
	members := account.NewMembers(a.DB(), time.Now)
	board, err := svc.CreateBoard(ctx, b.ID, forum.NewBoard{Name: "Billing", Description: "Bills, payments and top-ups"})
	if err != nil {
		t.Fatal(err)
	}
	var actors []account.Actor
	for _, name := range []string{"sunny_asker", "sunny_helper"} {
		u, err := members.Create(ctx, account.Signup{BrandID: b.ID, Username: name, Email: name + "@example.test", Password: password(name)})
		if err != nil {
			t.Fatal(err)
		}
		actors = append(actors, account.Actor{UserID: u.ID, BrandID: b.ID, Username: name, Roles: []string{"member"}})
	}
	th, err := svc.Ask(ctx, actors[0], forum.NewThread{BoardID: board.ID, Title: "Why is my first bill higher than my plan?",
		Body: "My first bill is **twice** the plan price. Is that right?"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Reply(ctx, actors[1], th.ID, forum.NewReply{Body: "The first bill includes part of the month before: see [billing](/b/1)."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Accept(ctx, actors[0], th.ID, p.ID); err != nil {
		t.Fatal(err)
	}
}

// tour is one role's walk on one brand.
func tour(t *testing.T, exe string, b tourBrand, r tourRole) {
	ctx := newBrowser(t, exe)
	name := b.prefix + strings.ReplaceAll(r.role, "_", "-")
	open(t, ctx, b.base+"/")
	if r.role != "visitor" {
		signIn(t, ctx, b.base, tourUser(r.role))
	}

	// The header: one row on a laptop, a small part of a phone's screen.
	for _, w := range []int64{desktopWidth, 1024, 768} {
		if h := measureHeader(t, ctx, w, 900, false); h.Rows != 1 {
			t.Errorf("%s: at %d px the header is %s; want one row", name, w, h)
		} else if w == desktopWidth {
			t.Logf("%s at %d px: %s", name, w, h)
		}
	}
	if h := measureHeader(t, ctx, phoneWidth, 844, true); h.Height > 0.15*h.Window {
		t.Errorf("%s: at %d px the header is %s; want at most 15%% of the screen", name, phoneWidth, h)
	} else {
		t.Logf("%s at %d px: %s", name, phoneWidth, h)
	}

	// Home, the leaderboard and a solved question, as everyone sees them.
	checkContrast(t, ctx, name+" home")
	shoot(t, ctx, name+"-home")
	thread := get(t, ctx, "find a question", chromedp.Evaluate[string](`document.querySelector('.thread-row h3 a').getAttribute('href')`))
	for _, p := range []string{"/leaderboard", thread} {
		open(t, ctx, b.base+p)
		checkContrast(t, ctx, name+" "+p)
		checkFitsPhone(t, ctx, name+" "+p)
		shoot(t, ctx, name+"-"+pageName(p))
	}
	tourFocus(t, ctx, b, name, r)

	// The Manage menu holds exactly this role's staff pages; each is reached
	// by clicking it, and each reads.
	items := menuItems(t, ctx)
	var got []string
	for _, it := range items {
		got = append(got, it.Path)
	}
	want := slices.Clone(r.menu)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: the Manage menu links %q, want %q", name, got, want)
	}
	if len(items) > 0 {
		checkContrast(t, ctx, name+" with the Manage menu open")
		shoot(t, ctx, name+"-menu")
	}
	for _, it := range items {
		fromMenu(t, ctx, it.Text)
		if p := here(t, ctx, b.base); p != it.Path {
			t.Errorf("%s: %q led to %s, want %s", name, it.Text, p, it.Path)
			continue
		}
		if title := get(t, ctx, "read the page title", chromedp.Evaluate[string](`document.title`)); strings.Contains(title, "Not allowed") || strings.Contains(title, "not found") {
			t.Errorf("%s: %s shows %q", name, it.Path, title)
		}
		checkContrast(t, ctx, name+" "+it.Path)
		checkFitsPhone(t, ctx, name+" "+it.Path)
		shoot(t, ctx, name+"-"+pageName(it.Path))
	}
}

// tourFocus moves through the header with Tab and checks that each stop on
// the way to the menus shows a focus ring that reads: in the header, and on
// a menu's white panel once it is opened with Enter.
func tourFocus(t *testing.T, ctx context.Context, b tourBrand, name string, r tourRole) {
	t.Helper()
	open(t, ctx, b.base+"/")
	target := "header .nav-link"
	switch {
	case len(r.menu) > 0:
		target = "header details.staff-menu > summary"
	case r.role != "visitor":
		target = "header details.account-menu > summary"
	}
	tabTo(t, ctx, target)
	f := checkFocusRing(t, ctx, name+" header")
	t.Logf("%s: focus on %s %q: %s, %.2f:1", name, f.Tag, f.Text, f.Outline, f.Ratio)
	if r.role == "visitor" {
		return
	}
	do(t, ctx, "open the menu with Enter", chromedp.KeyEvent(kb.Enter))
	do(t, ctx, "Tab into the menu", chromedp.KeyEvent(kb.Tab))
	f = checkFocusRing(t, ctx, name+" menu")
	if f.Tag != "a" && f.Tag != "button" {
		t.Errorf("%s: Tab after opening the menu focused %s %q, not a menu item", name, f.Tag, f.Text)
	}
	t.Logf("%s: focus on menu item %q: %s, %.2f:1", name, f.Text, f.Outline, f.Ratio)
	do(t, ctx, "close the menu with Escape", chromedp.KeyEvent(kb.Escape))
	if open := get(t, ctx, "is a menu open", chromedp.Evaluate[bool](`!!document.querySelector('header details[open]')`)); open {
		t.Errorf("%s: Escape did not close the menu", name)
	}
}

// pageName turns a path into a screenshot name: /mod/queue is mod-queue.
func pageName(p string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(p), "-"), "-")
}

// checkFitsPhone fails the test when the page, laid out on a phone, is
// wider than the screen: the reader would have to scroll sideways to read
// it (a wide table may scroll inside its own box instead).
func checkFitsPhone(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	do(t, ctx, "lay out as a phone", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile))
	defer do(t, ctx, "restore the window", chromedp.EmulateReset())
	if w := get(t, ctx, "measure the page's width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > phoneWidth {
		t.Errorf("%s: on a %d px phone the page is %d px wide", page, phoneWidth, w)
	}
}
