package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The brand settings page: an administrator changes the name, tagline, logo
// and colours, sees how the derived colours read, and the change is audited;
// a wrong field shows the form again with what was typed; nobody else may
// open or post it.
func TestBrandSettingsPage(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	admin := s.signedIn(s.user(s.brand.ID, "brand_admin", "admin"))
	mod := s.signedIn(s.user(s.brand.ID, "brand_mod", "moderator"))
	look := func() string {
		var name, tagline, logo, primary, accent string
		if err := s.app.DB().QueryRow(ctx, `SELECT name, tagline, logo_url, color_primary, color_accent FROM brands WHERE id = ?`, s.brand.ID).
			Scan(&name, &tagline, &logo, &primary, &accent); err != nil {
			t.Fatal(err)
		}
		return strings.Join([]string{name, tagline, logo, primary, accent}, "|")
	}
	audits := func() int {
		var n int
		if err := s.app.DB().QueryRow(ctx, `SELECT COUNT(*) FROM moderation_actions WHERE act = 'brand_changed'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := look()
	form := func(kv ...string) url.Values {
		f := url.Values{"name": {"Acme Mobile"}, "tagline": {"Members helping members"}, "logo_url": {""},
			"color_primary": {"#dde8ff"}, "color_accent": {"#ffd400"}, "op": {"save"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	admin.get("/admin/brand") // its CSRF token
	s.run([]scenario{
		{name: "the page shows the brand and how its colours read", method: "GET", path: "/admin/brand", as: admin, status: 200,
			contains: []string{`value="` + s.brand.Name + `"`, `value="` + s.brand.ColorPrimary + `"`, "How the colours read", "Links on cards", ":1"}},
		{name: "moderators may not open it", method: "GET", path: "/admin/brand", as: mod, status: 403},
		{name: "visitors are sent to sign in", method: "GET", path: "/admin/brand", status: 303, location: "/login"},
		{name: "a bad colour is refused in place, with what was typed", method: "POST", path: "/admin/brand", as: admin,
			form: form("color_accent", "yellow", "tagline", "Kept as typed"), status: 422,
			contains: []string{"Give the accent colour as hex", `value="yellow"`, `value="Kept as typed"`, `aria-invalid="true"`}},
		{name: "an empty name and a script logo are refused", method: "POST", path: "/admin/brand", as: admin,
			form: form("name", "  ", "logo_url", "javascript:alert(1)"), status: 422,
			contains: []string{"The name must be 1 to 60 characters", "The logo must be an https:// address"}},
		{name: "a stylesheet escape in a colour is refused", method: "POST", path: "/admin/brand", as: admin,
			form: form("color_primary", "#fff;}body{"), status: 422, contains: []string{"Give the main colour as hex"}},
		{name: "preview shows the derived colours without saving", method: "POST", path: "/admin/brand", as: admin,
			form: form("op", "preview"), status: 200,
			contains: []string{"not saved yet", "#111111", "13.2:1", "1.4:1", "too low, so adjusted"}},
	})
	if got := look(); got != before || audits() != 0 {
		t.Fatalf("refused or previewed posts changed the brand: %s (was %s), %d audit rows", got, before, audits())
	}
	if r := mod.post("/admin/brand", form()); r.code != http.StatusForbidden || look() != before {
		t.Fatalf("a moderator's post = %d, brand %s", r.code, look())
	}

	r := admin.post("/admin/brand", form("name", "  Acme Mobile ", "color_primary", "#DDE8FF"))
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/admin/brand?saved=1" {
		t.Fatalf("save = %d %s %s", r.code, r.header.Get("Location"), r.body)
	}
	if got, want := look(), "Acme Mobile|Members helping members||#dde8ff|#ffd400"; got != want {
		t.Errorf("saved look %q, want %q", got, want)
	}
	var actor, beforeJSON, afterJSON string
	if err := s.app.DB().QueryRow(ctx, `SELECT u.username, a.before_json, a.after_json FROM moderation_actions a JOIN users u ON u.id = a.actor_id
WHERE a.act = 'brand_changed'`).Scan(&actor, &beforeJSON, &afterJSON); err != nil {
		t.Fatalf("no audit row: %v", err)
	}
	if actor != "brand_admin" || !strings.Contains(beforeJSON, s.brand.ColorPrimary) || !strings.Contains(afterJSON, `"color_accent":"#ffd400"`) {
		t.Errorf("audit row by %s: %s -> %s", actor, beforeJSON, afterJSON)
	}
	// The next page already shows the new name and serves the new colours,
	// with dark ink derived for the yellow accent and the pale primary.
	page := admin.get("/admin/brand?saved=1")
	if !strings.Contains(page.body, "Saved.") || !strings.Contains(page.body, `<span class="brand-name">Acme Mobile</span>`) {
		t.Errorf("after saving, the page does not show the new name: %s", page.body)
	}
	css := admin.get("/brand.css").body
	for _, want := range []string{"--accent:#ffd400", "--accent-fill:#ffd400", "--accent-ink:#111111", "--brand-ink:#111111", "--brand-text:#1a64ff"} {
		if !strings.Contains(css, want) {
			t.Errorf("brand.css = %s, want %s", css, want)
		}
	}
	// Saving it unchanged records nothing more.
	admin.get("/admin/brand")
	if r := admin.post("/admin/brand", form()); r.code != http.StatusSeeOther || audits() != 1 {
		t.Errorf("unchanged save = %d with %d audit rows, want 1", r.code, audits())
	}
	s.noErrorLogs()
}
