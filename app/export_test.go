package app

import "mutual/moderation"

// Authz exposes the authorizer to the tests of package app_test.
func (a *App) Authz() *moderation.Authorizer { return a.authz }
