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

	"mutual/fault"
	"mutual/forum"
	"mutual/migrations"
	"mutual/moderation"
	"mutual/moderation/escalation"
	"mutual/report/deflection"
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
	limits  *limits
	pages   *pageCache
	jobs    *jobs
	handler http.Handler

	escalations *escalation.Service
	escMetrics  *escMetrics
	mod         *moderation.Service
	engine      *gin.Engine       // the router, kept so tests can list its routes
	nf          *notifyParts      // notifications (notify_wiring.go)
	reportViews *deflection.Views // issue 8: buffered viewer-day counting

	// background work tied to the App's life: the change listener
	// (PostgreSQL) or the search indexer (SQLite).
	background     sync.WaitGroup
	stopBackground context.CancelFunc

	brandMu    sync.RWMutex
	brandCache map[string]brandEntry
}

type brandEntry struct {
	brand forum.Brand
	at    time.Time
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
	a := &App{cfg: cfg, log: log, db: db, brandCache: map[string]brandEntry{}}
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
	a.limits = newLimits(cfg, db)
	a.jobs = newJobs(db, cfg.Now)
	a.escalations = escalation.New(db, cfg.Now)
	a.forum.Subscribe(a.escalations.Hook)
	a.pages = newPageCache(16<<20, 10*time.Second)
	a.forum.OnChange = a.onChange
	if err := a.notifySetup(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.reportWire()
	if err := a.ensureDefaultBrand(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.handler = a.routes()
	bg, cancel := context.WithCancel(context.Background())
	a.stopBackground = cancel
	a.background.Go(func() { a.reportViews.Run(bg, 2*time.Second) })
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
	if err := seedDemo(ctx, a.db, a.md, b); err != nil {
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
	go a.runNotifyWorkers(ctx)
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
		if err := a.repRunRings(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("kudos ring detector", "err", err)
		}
		a.RunEscalationWebhooks(ctx)
		if time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			if err := pruneCounters(ctx, a.db, a.cfg.Now()); err != nil && ctx.Err() == nil {
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

// brandFor resolves the request's brand, caching lookups for a few seconds.
func (a *App) brandFor(ctx context.Context, host string) (forum.Brand, error) {
	now := time.Now()
	a.brandMu.RLock()
	e, ok := a.brandCache[host]
	a.brandMu.RUnlock()
	if ok && now.Sub(e.at) < 5*time.Second {
		return e.brand, nil
	}
	b, err := a.brands.ForHost(ctx, host)
	if err != nil {
		return forum.Brand{}, err
	}
	a.brandMu.Lock()
	if len(a.brandCache) > 10000 {
		a.brandCache = map[string]brandEntry{}
	}
	a.brandCache[host] = brandEntry{brand: b, at: now}
	a.brandMu.Unlock()
	return b, nil
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
