package app

import "mutual/moderation"

// Authz exposes the authorizer to the tests of package app_test.
func (a *App) Authz() *moderation.Authorizer { return a.authz }

// BrandChanged makes the site read the brands again, as after an
// administrator's change (tests change brands through the service).
func (a *App) BrandChanged() { a.site.BrandChanged() }
