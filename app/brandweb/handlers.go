// Package brandweb serves the brand's own settings page, where its
// administrator changes the name, tagline, logo and colours its pages show,
// with a preview of the readable colours the theme derives from them and
// their contrast. The brands table belongs to forum; the change is audited
// through moderation.
package brandweb

import (
	"mutual/app/web"
	"mutual/forum"
	"mutual/moderation"
)

// Handlers are the brand settings page.
type Handlers struct {
	site   *web.Site
	brands *forum.Brands
	mod    *moderation.Service
}

// New builds the brand settings handlers.
func New(site *web.Site, brands *forum.Brands, mod *moderation.Service) *Handlers {
	return &Handlers{site: site, brands: brands, mod: mod}
}
