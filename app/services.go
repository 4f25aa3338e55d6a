package app

import (
	"time"

	"mutual/forum"
	"mutual/moderation"
	"mutual/moderation/escalation"
	"mutual/sqldb"
)

// Services are the domain services an App wires together, for the
// command-line commands: they act on the same store through the same
// services (and the same hooks) as the web server, without HTTP.
type Services struct {
	DB          *sqldb.DB
	Renderer    *forum.Renderer
	Brands      *forum.Brands
	Members     *forum.Members
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
