package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"mutual/ratelimit"
)

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
		go a.sender.Run(ctx)
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
		if _, err := a.RunRadar(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("radar pass", "err", err)
		}
		if _, err := a.RunRadarWeekly(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("radar weekly mail", "err", err)
		}
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
