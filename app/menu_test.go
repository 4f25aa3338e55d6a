package app_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	staffMenu = regexp.MustCompile(`(?s)<details class="menu staff-menu".*?</details>`)
	menuHref  = regexp.MustCompile(`href="([^"]+)"`)
)

// staffMenuLinks is what the header's Manage menu links to on a page, and
// whether the page has the menu at all.
func staffMenuLinks(body string) ([]string, bool) {
	menu := staffMenu.FindString(body)
	var out []string
	for _, m := range menuHref.FindAllStringSubmatch(menu, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return out, menu != ""
}

// The header's Manage menu lists exactly the staff pages each role may open:
// every page of the engine (a GET route without parameters that answers
// HTML) that the role opens and a plain member does not. The pages are
// found from the route table, so a new staff page that is not in the menu,
// or a menu item whose page refuses the role, fails here.
func TestStaffMenuMatchesPages(t *testing.T) {
	s := newSite(t)
	var pages []string
	for _, r := range s.app.RouteList() {
		method, path, _ := strings.Cut(r, " ")
		if method == "GET" && !strings.HasPrefix(path, "/api/") && !strings.ContainsAny(path, ":*") {
			pages = append(pages, path)
		}
	}
	opens := func(b *browser, path string) bool {
		r := b.get(path)
		return r.code == 200 && strings.HasPrefix(r.header.Get("Content-Type"), "text/html")
	}
	member := s.signedIn(s.user(s.brand.ID, "menu_plain"))
	forMembers := map[string]bool{}
	for _, p := range pages {
		forMembers[p] = opens(member, p)
	}

	staffPages := map[string]bool{}
	for _, role := range []string{"member", "trusted", "moderator", "agent", "client_manager", "admin", "sales"} {
		var roles []string
		if role != "member" {
			roles = []string{role}
		}
		b := s.signedIn(s.user(s.brand.ID, "menu_"+strings.ReplaceAll(role, "_", ""), roles...))
		var want []string
		for _, p := range pages {
			if !forMembers[p] && opens(b, p) {
				want = append(want, p)
				staffPages[p] = true
			}
		}
		t.Logf("%s opens %q", role, want)
		got, shown := staffMenuLinks(b.get("/").body)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the Manage menu links %q; the staff pages %s opens are %q", role, got, role, want)
		}
		if shown != (len(want) > 0) {
			t.Errorf("%s: Manage menu shown = %v with %d staff pages", role, shown, len(want))
		}
	}
	// The pages the issue names are among them, so the test cannot pass by
	// finding none.
	for _, p := range []string{"/mod/queue", "/console", "/escalations/supervisor", "/escalations/webhooks", "/reports/deflection",
		"/mod/audit", "/mod/reputation/rings", "/admin/roles", "/admin/reputation", "/reports/deflection/settings", "/admin/brand",
		"/reports/signals", "/leads"} {
		if !staffPages[p] {
			t.Errorf("%s is not found as a staff page", p)
		}
	}
	if _, shown := staffMenuLinks(s.browser().get("/").body); shown {
		t.Error("a visitor sees the Manage menu")
	}
}
