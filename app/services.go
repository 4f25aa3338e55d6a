package app

import (
	"context"
	"time"

	"mutual/account"
	"mutual/escalation"
	"mutual/forum"
	"mutual/markup"
	"mutual/moderation"
	"mutual/search"
	"mutual/sqldb"
	"mutual/themes"
)

// Services are the domain services an App wires together, for the
// command-line commands: they act on the same store through the same
// services (and the same hooks) as the web server, without HTTP.
type Services struct {
	DB          *sqldb.DB
	Renderer    *markup.Renderer
	Brands      *forum.Brands
	Members     *account.Members
	Forum       *forum.Service
	Moderation  *moderation.Service
	Escalations *escalation.Service
	Now         func() time.Time // the configured clock
}

// Services returns the App's domain services.
func (a *App) Services() Services {
	return Services{DB: a.db, Renderer: a.md, Brands: a.brands, Members: a.members, Forum: a.forum,
		Moderation: a.mod, Escalations: a.escalations, Now: a.cfg.Now}
}

// buildServices makes the domain services and the hooks between them:
// search and escalation watch forum events, and every committed change drops
// the cached pages it made stale (here and, through the bus, elsewhere).
func (a *App) buildServices(ctx context.Context) error {
	db, cfg := a.db, a.cfg
	a.md = markup.NewRenderer()
	a.brands = forum.NewBrands(db, cfg.Now)
	a.members = account.NewMembers(db, cfg.Now)
	a.forum = forum.NewService(db, a.md, cfg.Now)
	if cfg.NewMemberLimits {
		a.forum.Limits = forum.DefaultPostLimits()
	}
	// The search index follows each change inside its transaction, first,
	// as it did when the forum kept it.
	a.search = search.New(db, cfg.Now)
	a.forum.Subscribe(a.search.Hook)
	a.mod = moderation.NewService(db, a.forum)
	var err error
	if a.authz, err = moderation.NewAuthorizer(ctx, db); err != nil {
		return err
	}
	a.authz.OnChange = a.policyChanged
	if a.themes, err = themes.LoadRegistry(cfg.ThemesDir); err != nil {
		return err
	}
	a.escalations = escalation.New(db, cfg.Now)
	a.forum.Subscribe(a.escalations.Hook)
	a.forum.OnChange = a.onChange
	return nil
}
