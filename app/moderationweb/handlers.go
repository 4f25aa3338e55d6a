// Package moderationweb serves moderation over HTTP: flags, the review
// queue, acts on posts, threads and members, roles, the audit log (and its
// CSV export) and the brand's moderation settings, as pages and API.
package moderationweb

import (
	"context"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
	"mutual/moderation"
)

// Presenter is what moderation needs from the forum's HTTP side, which owns
// how posts and threads look in the API and the rank beside an author's
// name. app/ wires it.
type Presenter struct {
	// Ranks names the rank of a reputation total in the brand's ladder.
	Ranks func(ctx context.Context, brandID int64) (func(rep int64) string, error)
	// Posts are posts as the API shows them; when it fails it has answered
	// the error and returns false.
	Posts func(c *gin.Context, ps []forum.Post) ([]any, bool)
	// Thread answers 200 with a thread as the API shows it.
	Thread func(c *gin.Context, t forum.Thread)
}

// Handlers are the moderation pages and API.
type Handlers struct {
	site    *web.Site
	limits  *web.Limits
	authz   *moderation.Authorizer
	mod     *moderation.Service
	forum   *forum.Service
	present Presenter
	now     func() time.Time
	log     *slog.Logger
}

// New builds the moderation handlers.
func New(site *web.Site, limits *web.Limits, mod *moderation.Service, fs *forum.Service, present Presenter, now func() time.Time) *Handlers {
	return &Handlers{site: site, limits: limits, authz: site.Authz(), mod: mod, forum: fs, present: present, now: now, log: site.Log()}
}
