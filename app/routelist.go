package app

import "sort"

// RouteList lists every route of the engine as "METHOD /path", sorted, so
// the authorisation matrix test can prove it covers them all.
func (a *App) RouteList() []string {
	var out []string
	for _, r := range a.engine.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	sort.Strings(out)
	return out
}
