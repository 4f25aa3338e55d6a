// Package moderationweb serves moderation over HTTP: flags, the review
// queue, acts on posts, threads and members, roles, the audit log (and its
// CSV export) and the brand's moderation settings, as pages and API.
package moderationweb

import (
	"context"
	"log/slog"
	"time"

	"mutual/app/web"
	"mutual/forum"
	"mutual/moderation"
)

// Handlers are the moderation pages and API.
type Handlers struct {
	site   *web.Site
	limits *web.Limits
	authz  *moderation.Authorizer
	mod    *moderation.Service
	forum  *forum.Service
	now    func() time.Time
	log    *slog.Logger

	// Find, when set, finds a brand's threads by their words (the search
	// capability), for choosing the thread to merge one into.
	Find func(ctx context.Context, brandID int64, q string, limit int) ([]forum.Thread, error)
}

// New builds the moderation handlers.
func New(site *web.Site, limits *web.Limits, mod *moderation.Service, fs *forum.Service, now func() time.Time) *Handlers {
	h := &Handlers{site: site, limits: limits, authz: site.Authz(), mod: mod, forum: fs, now: now, log: site.Log()}
	// A refused form comes back to the page it was sent from.
	site.Redraws("queue", h.queueRender)
	site.Redraws("member", h.memberRender)
	site.Redraws("roles", h.rolesRender)
	return h
}
