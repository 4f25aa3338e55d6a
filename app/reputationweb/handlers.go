// Package reputationweb serves reputation: members' ledgers and profiles'
// reputation, the leaderboard and boards' top helpers, the brand's
// reputation settings and payback export, and the kudos-ring review. It
// also lends the forum pages what reputation adds to them: ranks beside
// authors, the thread page's kudos order and privileges, the posting hint,
// and the refusal that says at what reputation a privilege unlocks.
package reputationweb

import (
	"context"
	"log/slog"
	"time"

	"mutual/account"
	"mutual/app/web"
	"mutual/forum"
	"mutual/moderation"
	"mutual/sqldb"
)

// Services are what the reputation handlers use beyond the shared kit.
type Services struct {
	DB      *sqldb.DB
	Forum   *forum.Service
	Members *account.Members
	Brands  *forum.Brands
	Now     func() time.Time
	// Changed drops cached pages here and on other instances: lists show
	// ranks, so saving the settings changes them.
	Changed func(forum.Change)
	// Claim and Finish lease a named background job so that, with many
	// instances, each run happens once (the jobs table).
	Claim  func(ctx context.Context, name string) (bool, error)
	Finish func(ctx context.Context, name string, next time.Time, runErr error) error
}

// Handlers are the reputation pages and API.
type Handlers struct {
	site    *web.Site
	limits  *web.Limits
	authz   *moderation.Authorizer
	log     *slog.Logger
	db      *sqldb.DB
	forum   *forum.Service
	members *account.Members
	brands  *forum.Brands
	now     func() time.Time
	changed func(forum.Change)
	claim   func(ctx context.Context, name string) (bool, error)
	finish  func(ctx context.Context, name string, next time.Time, runErr error) error
	configs *configCache
}

// New builds the reputation handlers.
func New(site *web.Site, limits *web.Limits, s Services) *Handlers {
	h := &Handlers{site: site, limits: limits, authz: site.Authz(), log: site.Log(),
		db: s.DB, forum: s.Forum, members: s.Members, brands: s.Brands, now: s.Now,
		changed: s.Changed, claim: s.Claim, finish: s.Finish, configs: &configCache{}}
	site.Redraws("rings", h.ringsRender)
	return h
}
