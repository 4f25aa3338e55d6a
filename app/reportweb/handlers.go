// Package reportweb serves the brand's reports (the deflection report, its
// settings and exports), the "did this save you contacting us?" survey and
// its slot on the thread page, the brand's contact page (or the redirect to
// its own) that counts contacts, and the thread-view counting that the
// report's self-service figures rest on.
package reportweb

import (
	"context"
	"log/slog"
	"time"

	"mutual/app/web"
	"mutual/forum"
	"mutual/markup"
	"mutual/moderation"
	"mutual/report/deflection"
	"mutual/sqldb"
)

// Handlers are the report pages and API.
type Handlers struct {
	site   *web.Site
	limits *web.Limits
	authz  *moderation.Authorizer
	db     *sqldb.DB
	forum  *forum.Service
	md     *markup.Renderer
	views  *deflection.Views
	now    func() time.Time
	log    *slog.Logger

	// SLAs are the brand's answer-time targets, which the escalation
	// settings own: the report measures against them and its settings page
	// shows and changes them there. app/ sets it.
	SLAs SLAs

	// Incidents, when set, counts the incidents raised in the report's
	// period against their acknowledgement SLA (app/ fits the incident lane).
	Incidents func(ctx context.Context, brandID int64, from, to time.Time) (deflection.Compliance, error)
}

// SLAs reads and changes a brand's answer-time targets where they are kept.
type SLAs interface {
	SLAs(ctx context.Context, brandID int64) (deflection.SLAs, error)
	// SetSLAs stores both. Errors: *fault.ValidationError naming the
	// field, "peer" or "agent", whose value is out of bounds.
	SetSLAs(ctx context.Context, brandID int64, s deflection.SLAs) error
}

// New builds the report handlers and subscribes the deflection hook (which
// notes accepted answers and keeps the view roll-up in step with
// moderation) to the forum's events.
func New(site *web.Site, limits *web.Limits, db *sqldb.DB, fs *forum.Service, md *markup.Renderer, now func() time.Time) *Handlers {
	h := &Handlers{site: site, limits: limits, authz: site.Authz(), db: db, forum: fs, md: md, now: now, log: site.Log()}
	h.views = deflection.NewViews(db, now, h.log)
	fs.Subscribe(deflection.Hook)
	return h
}

// RunViews writes the viewer-days noted in memory every interval until ctx
// ends, then once more.
func (h *Handlers) RunViews(ctx context.Context, every time.Duration) { h.views.Run(ctx, every) }

// FlushViews writes the viewer-days noted so far (tests and shutdown).
func (h *Handlers) FlushViews(ctx context.Context) (int, error) { return h.views.Flush(ctx) }
