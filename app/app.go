package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/accountweb"
	"mutual/app/discoveryweb"
	"mutual/app/escalationweb"
	"mutual/app/moderationweb"
	"mutual/app/notifyweb"
	"mutual/app/reportweb"
	"mutual/app/reputationweb"
	"mutual/app/web"
	"mutual/broadcast"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/demo"
	"mutual/forum/notify"
	"mutual/jobs"
	"mutual/migrations"
	"mutual/moderation"
	"mutual/moderation/escalation"
	"mutual/ratelimit"
	"mutual/sqldb"
	"mutual/themes"
)

// App is a running Mutual: its database, services and HTTP handler.
type App struct {
	cfg     Config
	log     *slog.Logger
	db      *sqldb.DB
	brands  *forum.Brands
	members *forum.Members
	forum   *forum.Service
	md      *forum.Renderer
	authz   *moderation.Authorizer
	themes  *themes.Registry
	site    *web.Site
	bus     *broadcast.Bus // tells other instances what changed (PostgreSQL)
	limits  *web.Limits
	jobs    *jobs.Leases
	handler http.Handler

	escalations *escalation.Service
	esc         *escalationweb.Handlers
	modweb      *moderationweb.Handlers
	mod         *moderation.Service
	engine      *gin.Engine // the router, kept so tests can list its routes
	reports     *reportweb.Handlers
	accounts    *accountweb.Handlers
	rep         *reputationweb.Handlers

	notifications *notifyweb.Handlers
	discovery     *discoveryweb.Handlers

	// background work tied to the App's life: the change listener
	// (PostgreSQL) or the search indexer (SQLite).
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
	db, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, db: db, bus: broadcast.New(db, cfg.DatabaseURL, log)}
	a.md = forum.NewRenderer()
	a.brands = forum.NewBrands(db, cfg.Now)
	a.members = forum.NewMembers(db, cfg.Now)
	a.forum = forum.NewService(db, a.md, cfg.Now)
	if cfg.NewMemberLimits {
		a.forum.Limits = forum.DefaultPostLimits()
	}
	a.mod = moderation.NewService(db, a.forum)
	if a.authz, err = moderation.NewAuthorizer(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	a.authz.OnChange = a.policyChanged
	if a.themes, err = themes.LoadRegistry(cfg.ThemesDir); err != nil {
		db.Close()
		return nil, err
	}
	a.limits = web.NewLimits(db, cfg.LoginPerMin, cfg.PostInterval, cfg.Now)
	a.site = web.NewSite(log, a.authz, a.themes, a.brands, a.members, 16<<20, 10*time.Second)
	a.site.SecureCookies = cfg.SecureCookies
	a.site.Head = discoveryweb.Head
	a.jobs = jobs.New(db, cfg.Now)
	a.escalations = escalation.New(db, cfg.Now)
	a.forum.Subscribe(a.escalations.Hook)
	a.forum.OnChange = a.onChange
	leases := notifyweb.Leases{Claim: a.jobs.Claim, Finish: a.jobs.Finish}
	if a.notifications, err = notifyweb.New(ctx, a.site, cfg.Notify, db, a.forum, a.members, a.brands, leases, cfg.Now); err != nil {
		db.Close()
		return nil, err
	}
	a.site.Bell = a.notifications.Bell
	a.accounts = accountweb.New(a.site, a.limits, a.members)
	a.accounts.Joined = a.notifications.QueueVerify
	a.reports = reportweb.New(a.site, a.limits, db, a.forum, cfg.Now)
	a.rep = reputationweb.New(a.site, a.limits, reputationweb.Services{DB: db, Forum: a.forum, Members: a.members,
		Brands: a.brands, Now: cfg.Now, Changed: a.onChange, Claim: a.jobs.Claim, Finish: a.jobs.Finish})
	a.site.Refusal = a.rep.Refusal
	a.discovery = discoveryweb.New(a.site, a.limits, a.forum, cfg.Now,
		discoveryweb.With{RankResults: a.rep.RankResults, APIThreads: a.apiThreadObjects, AskAgain: a.askAgain})
	a.esc = escalationweb.New(escalationweb.Deps{Site: a.site, Limits: a.limits, Escalations: a.escalations, Forum: a.forum,
		Brands: a.brands, Jobs: a.jobs, Changed: a.onChange, MetricsToken: cfg.MetricsToken, Now: cfg.Now})
	a.modweb = moderationweb.New(a.site, a.limits, a.mod, a.forum,
		moderationweb.Presenter{Ranks: a.rankNames, Posts: a.apiPosts, Thread: a.apiThreadOut}, cfg.Now)
	if err := a.ensureDefaultBrand(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.handler = a.routes()
	bg, cancel := context.WithCancel(context.Background())
	a.stopBackground = cancel
	a.background.Go(func() { a.reports.RunViews(bg, 2*time.Second) })
	if cfg.DatabaseURL != "" {
		listening := make(chan struct{})
		a.background.Go(func() { a.listenChanges(bg, listening) })
		// Serve only once changes from other instances are heard; a change
		// missed here would leave a stale page until the cache's TTL.
		select {
		case <-listening:
		case <-time.After(5 * time.Second):
			a.log.Warn("change listener not connected yet; cached pages may lag other instances for a few seconds")
		}
	} else {
		a.background.Go(func() { a.indexSearch(bg) })
	}
	return a, nil
}

// indexSearch keeps SQLite's full-text index up with new posts, in batches,
// until ctx ends.
func (a *App) indexSearch(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		for {
			n, err := forum.IndexSearch(ctx, a.db, 250)
			if err != nil && ctx.Err() == nil {
				a.log.Error("search indexer", "err", err)
			}
			if err != nil || n < 250 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
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

func (a *App) ensureDefaultBrand(ctx context.Context) error {
	_, err := a.brands.Default(ctx)
	if err == nil {
		return nil
	}
	if !errors.Is(err, fault.ErrNotFound) {
		return err
	}
	b, err := a.brands.Create(ctx, forum.NewBrand{
		Host: "localhost", Name: "Mutual Mobile", Default: true,
		Tagline:      "The mobile network where members help members. Ask anything, get answers from people who know.",
		ColorPrimary: "#4b2bb8", ColorAccent: "#e8542f",
	})
	if errors.Is(err, fault.ErrConflict) {
		// Another instance starting at the same moment made it; use theirs.
		if _, err := a.brands.Default(ctx); err == nil {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("app: create default brand: %w", err)
	}
	pw := randomPassword()
	admin, err := a.members.Create(ctx, forum.Signup{BrandID: b.ID, Username: "admin", Email: "admin@localhost.localdomain", Password: pw})
	if err != nil {
		return fmt.Errorf("app: create admin: %w", err)
	}
	if err := a.members.Grant(ctx, b.ID, admin.ID, "admin"); err != nil {
		return err
	}
	where := "shown only now: keep it safe"
	if a.cfg.DatabaseURL == "" {
		// Kept beside the database (owner-only) so a newcomer can find it again.
		file := filepath.Join(a.cfg.DataDir, "admin-password.txt")
		if err := os.WriteFile(file, []byte(pw+"\n"), 0o600); err == nil {
			where = "also saved in " + file
		}
	}
	a.log.Info("created default brand and administrator", "brand", b.Name, "username", "admin")
	fmt.Fprintf(os.Stderr, "\n  Administrator: username admin, password %s\n  (%s; add your own admin with `mutual user create --role admin`)\n\n", pw, where)
	if a.cfg.NoDemo {
		return nil
	}
	if err := demo.Seed(ctx, a.db, a.md, b); err != nil {
		return fmt.Errorf("app: demo community: %w", err)
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Serve listens on the configured address until ctx ends, then shuts down
// gracefully: in-flight requests finish (up to 20 s) and the database closes.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("app: listen on %s: %w", a.cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	go a.runWorkers(ctx)
	if a.cfg.JobInterval > 0 { // background jobs are off with --job-interval 0
		go a.notifications.RunWorkers(ctx)
	}
	if a.cfg.PprofAddr != "" {
		go a.servePprof(ctx)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	a.log.Info("stopped")
	return nil
}

// runWorkers runs background work until ctx ends: the escalation detector
// (claimed through the jobs table, so with many instances each run happens
// once) and session pruning.
func (a *App) runWorkers(ctx context.Context) {
	if a.cfg.JobInterval <= 0 {
		return
	}
	t := time.NewTicker(a.cfg.JobInterval)
	defer t.Stop()
	lastPrune := time.Time{}
	for {
		if _, err := a.RunEscalations(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("escalation detector", "err", err)
		}
		if err := a.rep.RunRings(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("kudos ring detector", "err", err)
		}
		a.RunEscalationWebhooks(ctx)
		if time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			if err := ratelimit.Prune(ctx, a.db, a.cfg.Now()); err != nil && ctx.Err() == nil {
				a.log.Error("prune rate counters", "err", err)
			}
			if n, err := a.members.PruneSessions(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("prune sessions", "err", err)
			} else if n > 0 {
				a.log.Info("pruned expired sessions", "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// servePprof exposes Go's profiler on its own listener, never on the public
// one, for measuring where time goes under load.
func (a *App) servePprof(ctx context.Context) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: a.cfg.PprofAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.log.Error("pprof listener", "err", err)
	}
}

// ReportFlushViews writes the viewer-days noted so far (tests and shutdown).
func (a *App) ReportFlushViews(ctx context.Context) (int, error) { return a.reports.FlushViews(ctx) }

// NotifyRun says what one round of notification work did.
type NotifyRun = notifyweb.Run

// RunNotify does one round of notification work: reminders and digests when
// due, then every due mail. Tests call it instead of waiting.
func (a *App) RunNotify(ctx context.Context) (NotifyRun, error) { return a.notifications.RunOnce(ctx) }

// Notify exposes the notification store to tests and commands.
func (a *App) Notify() *notify.Store { return a.notifications.Store() }
