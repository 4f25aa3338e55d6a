package app

import (
	"context"
	"log/slog"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/accountweb"
	"mutual/app/brandweb"
	"mutual/app/copilotweb"
	"mutual/app/discoveryweb"
	"mutual/app/escalationweb"
	"mutual/app/forumweb"
	"mutual/app/incidentweb"
	"mutual/app/kbweb"
	"mutual/app/moderationweb"
	"mutual/app/notifyweb"
	"mutual/app/privacyweb"
	"mutual/app/radarweb"
	"mutual/app/reportweb"
	"mutual/app/reputationweb"
	"mutual/app/signalsweb"
	"mutual/app/ssoweb"
	"mutual/app/web"
	"mutual/broadcast"
	"mutual/copilot"
	"mutual/escalation"
	"mutual/forum"
	"mutual/forum/notify"
	"mutual/incident"
	"mutual/jobs"
	"mutual/kb"
	"mutual/markup"
	"mutual/migrations"
	"mutual/moderation"
	"mutual/privacy"
	"mutual/radar"
	"mutual/search"
	"mutual/signals"
	"mutual/sqldb"
	"mutual/sso"
	"mutual/themes"
)

// App is a running Mutual: its database, the domain services, the HTTP kit
// and each capability's handlers, and the background work tied to its life.
type App struct {
	cfg     Config
	log     *slog.Logger
	db      *sqldb.DB
	bus     *broadcast.Bus // tells other instances what changed (PostgreSQL)
	jobs    *jobs.Leases   // one instance at a time runs each background job
	handler http.Handler
	engine  *gin.Engine // the router, kept so tests can list its routes

	// The domain services (services.go builds them).
	brands      *forum.Brands
	members     *account.Members
	forum       *forum.Service
	search      *search.Service
	md          *markup.Renderer
	authz       *moderation.Authorizer
	mod         *moderation.Service
	escalations *escalation.Service
	radar       *radar.Service    // the emerging-issue radar: look-alike groups, bursts, trends
	incidents   *incident.Service // the brand-defence lane
	sso         *sso.Service
	copilot     *copilot.Service
	privacy     *privacy.Service
	notify      *notify.Store  // who hears about what, and the mail outbox
	signer      *notify.Signer // signs the links in mail
	sender      *notify.Sender // sends the outbox's mail, reminders and digests
	themes      *themes.Registry
	signals     *signals.Service // sentiment, churn and buying phrases read in posts
	kb          *kb.Service      // the knowledge base: articles grown from solved threads

	// The HTTP kit and each capability's handlers (capabilities.go).
	site          *web.Site
	limits        *web.Limits
	forumweb      *forumweb.Handlers
	accounts      *accountweb.Handlers
	rep           *reputationweb.Handlers
	modweb        *moderationweb.Handlers
	esc           *escalationweb.Handlers
	reports       *reportweb.Handlers
	discovery     *discoveryweb.Handlers
	notifications *notifyweb.Handlers
	brandweb      *brandweb.Handlers
	ssoweb        *ssoweb.Handlers
	copilotweb    *copilotweb.Handlers
	privacyweb    *privacyweb.Handlers
	signalsweb    *signalsweb.Handlers
	kbweb         *kbweb.Handlers
	radarweb      *radarweb.Handlers
	incidentweb   *incidentweb.Handlers

	// background work tied to the App's life: the change listener
	// (PostgreSQL) or the search indexer (SQLite), and view counting.
	background     sync.WaitGroup
	stopBackground context.CancelFunc
}

// Open connects to the database and applies migrations, for commands that
// need the store but not the web server.
func Open(ctx context.Context, cfg Config) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, cfg.DatabaseTarget())
	if err != nil {
		return nil, err
	}
	if _, err := migrations.Up(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// New opens the database, applies migrations, makes sure the default brand
// exists (creating the demo community on a fresh database unless NoDemo), and
// builds the HTTP handler.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	def := DefaultConfig()
	if cfg.Now == nil {
		cfg.Now = def.Now
	}
	if cfg.JobBatch <= 0 {
		cfg.JobBatch = def.JobBatch
	}
	if cfg.LoginPerMin <= 0 {
		cfg.LoginPerMin = def.LoginPerMin
	}
	proxies, err := cfg.Proxies()
	if err != nil {
		return nil, err
	}
	db, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, db: db, bus: broadcast.New(db, cfg.DatabaseURL, log), jobs: jobs.New(db, cfg.Now)}
	if err := a.buildServices(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.buildCapabilities()
	if err := a.ensureDefaultBrand(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.handler = a.routes(proxies)
	a.startBackground()
	return a, nil
}

// Handler is the full HTTP handler, cross-origin protection included.
func (a *App) Handler() http.Handler { return a.handler }

// DB exposes the database to commands and tests.
func (a *App) DB() *sqldb.DB { return a.db }

// Close stops background work and closes the database.
func (a *App) Close() error {
	if a.stopBackground != nil {
		a.stopBackground()
	}
	a.background.Wait()
	return a.db.Close()
}

// ReportFlushViews writes the viewer-days noted so far (tests and shutdown).
func (a *App) ReportFlushViews(ctx context.Context) (int, error) { return a.reports.FlushViews(ctx) }

// NotifyRun says what one round of notification work did.
type NotifyRun = notify.Round

// RunNotify does one round of notification work: reminders and digests when
// due, then every due mail. Tests call it instead of waiting.
func (a *App) RunNotify(ctx context.Context) (NotifyRun, error) { return a.sender.RunOnce(ctx) }

// Notify exposes the notification store to tests and commands.
func (a *App) Notify() *notify.Store { return a.notify }

// Incidents exposes the incident service to the radar, commands and tests.
func (a *App) Incidents() *incident.Service { return a.incidents }
